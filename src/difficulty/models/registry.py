"""The registry of reference models: networks trained with cross-validation to measure a dataset's difficulty."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..options import Option
from ..registry import Registered, Registry

# Options every reference model takes (how it is trained and evaluated), besides its own.
TRAINING_OPTIONS = {
    "folds": Option(3, "stratified cross-validation folds", {"type": "integer", "minimum": 2}),
    "epochs": Option(8, "training epochs per fold", {"type": "integer", "minimum": 1}),
    "batch_size": Option(32, "volumes per training step", {"type": "integer", "minimum": 1}),
    "lr": Option(0.003, "AdamW learning rate", {"type": "number", "exclusiveMinimum": 0}),
}


@dataclass(frozen=True, kw_only=True)
class ReferenceModel(Registered):
    """A reference model.

    Attributes
    ----------
    build : ``build(n_classes, **options) -> torch.nn.Module`` mapping (B, 1, D, H, W) volumes to
        (B, n_classes) logits; ``options`` are the model's own options (not the training options).
    """

    build: Callable

    def all_options(self) -> dict[str, Option]:
        """The model's own options with the training options."""
        return TRAINING_OPTIONS | dict(self.options)


MODELS: Registry[ReferenceModel] = Registry("model", ReferenceModel, "models")


def register_model(name: str, *, options: Mapping[str, Option] | None = None, help: str | None = None):
    """Register a reference model; decorates its ``build(n_classes, **options)`` function."""
    return MODELS.decorator(name, "build", options=options, help=help)


def resolve_model(name: str, spec: dict) -> dict:
    """A model entry (``type`` and options) checked against its type, with defaults filled."""
    return MODELS.resolve(name, spec)
