"""Model stage: reference models trained with cross-validation, whose AUC the metrics should predict.

A new model is one module of this package that calls :func:`register_model`;
importing the package imports every such module, so that the built-in models
register (torch is imported only when a model is built or trained).
"""

from .registry import MODELS, TRAINING_OPTIONS, ReferenceModel, register_model, resolve_model

MODELS.discover(__name__)

__all__ = ["MODELS", "TRAINING_OPTIONS", "ReferenceModel", "register_model", "resolve_model"]
