"""Model stage: reference models trained with cross-validation, whose AUC the metrics should predict.

Built-in model types: ``cnn3d`` (cheap, for the default run), ``resnet3d``
and ``mil`` (the study's two models); importing this package registers them
(torch is imported only when a model is built). A new model is one module that calls
:func:`register_model`.
"""

from . import cnn3d, mil, resnet3d  # noqa: F401  (built-in models register on import)
from .registry import MODELS, TRAINING_OPTIONS, ReferenceModel, register_model, resolve_model

__all__ = ["MODELS", "TRAINING_OPTIONS", "ReferenceModel", "register_model", "resolve_model"]
