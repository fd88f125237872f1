"""Model stage: reference models trained with cross-validation, whose AUC the metrics should predict.

Built-in model types: ``cnn3d``; importing this package registers it (torch is
imported only when a model is built). A new model is one module that calls
:func:`register_model`.
"""

from . import cnn3d  # noqa: F401  (built-in models register on import)
from .registry import MODELS, TRAINING_OPTIONS, ReferenceModel, register_model, resolve_model

__all__ = ["MODELS", "TRAINING_OPTIONS", "ReferenceModel", "register_model", "resolve_model"]
