"""The registry of reference models: networks trained with cross-validation to measure a dataset's difficulty."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from ..options import Option
from ..registry import Registered, Registry, no_inputs

# Options every reference model takes (how it is trained and evaluated), besides its own.
TRAINING_OPTIONS = {
    "train": Option(
        True,
        "train this entry on every dataset that trains; false: its AUC is only predicted from the calibration "
        "(prediction/predicted_auc.tsv), in minutes instead of hours",
        {"type": "boolean"},
        affects_results=False,
    ),
    "split": Option(
        "folds",
        "folds: stratified cross-validation, grouped by patient where patients have several cases; "
        "official: the dataset's own train/val/test split (MedMNIST; a sheet's 'split' column); "
        "auto: official where the dataset has one, folds otherwise",
        {"enum": ["folds", "official", "auto"]},
    ),
    "folds": Option(3, "cross-validation folds", {"type": "integer", "minimum": 2}),
    "validation": Option(
        0.15,
        "fraction of each fold's training cases (whole patients) held out for early stopping; 0: none",
        {"type": "number", "minimum": 0, "maximum": 0.5},
    ),
    "epochs": Option(8, "most training epochs per fold", {"type": "integer", "minimum": 1}),
    "patience": Option(
        5,
        "epochs without a better validation figure before training stops (the learning rate halves after half as many)",
        {"type": "integer", "minimum": 1},
    ),
    "select": Option(
        "loss",
        "the validation figure that picks the epoch kept, stops training and lowers the learning rate: "
        "loss (the training loss on the validation cases) or auc",
        {"enum": ["loss", "auc"]},
    ),
    "batch_size": Option(32, "volumes per training step", {"type": "integer", "minimum": 1}),
    "lr": Option(0.003, "AdamW learning rate", {"type": "number", "exclusiveMinimum": 0}),
    "weight_decay": Option(1e-4, "AdamW weight decay", {"type": "number", "minimum": 0}),
    "class_weights": Option(
        True, "weight the cross-entropy by inverse class frequency in the training cases", {"type": "boolean"}
    ),
    "augment": Option(
        True, "flips, rotations up to 10°, scaling and intensity changes up to 10 % per volume", {"type": "boolean"}
    ),
}
# The training options that say whether and how the AUC is measured, not how the network is trained.
EVALUATION_OPTIONS = ("train", "split", "folds", "validation")


@dataclass(frozen=True, kw_only=True)
class ReferenceModel(Registered):
    """A reference model.

    Attributes
    ----------
    build : ``build(n_classes, **options) -> torch.nn.Module`` mapping (B, 1, D, H, W) volumes to
        (B, n_classes) logits; ``options`` are the model's own options (not the training options). A type that
        also takes ``in_channels`` trains on datasets of several sequences, (B, C, D, H, W) volumes.
    inputs : ``inputs(options) -> {name: path}``: files the entry reads (pretrained weights).
    check : ``check(options, downloads)``: raise ValueError before any work when the entry cannot run.
    benchmark : what ``docs/benchmarks.md`` measured for the type's default network and training, one
        sentence for the report; empty: not benchmarked.
    """

    build: Callable
    inputs: Callable[[dict], dict[str, str]] = no_inputs
    check: Callable[[dict, bool], None] | None = None
    benchmark: str = ""

    def shared_options(self) -> dict[str, Option]:
        """The training options."""
        return dict(TRAINING_OPTIONS)

    def network(self, n_classes: int, own: dict, channels: int = 1):
        """A fresh network of this type for ``channels`` input channels (a dataset's sequences).

        ``own`` : the entry's own options. A type whose ``build`` takes no ``in_channels`` trains on one channel
        only: a ValueError says so.
        """
        if channels == 1:
            return self.build(n_classes, **own)
        if "in_channels" not in inspect.signature(self.build).parameters:
            raise ValueError(
                f"model type {self.name!r} takes one input channel, and the dataset has {channels} sequences: give "
                "its build function an in_channels argument, or train it on a dataset of one sequence"
            )
        return self.build(n_classes, in_channels=channels, **own)

    def benchmark_of(self, spec: dict) -> str:
        """:attr:`benchmark` where the entry trains the benchmarked network (every option but
        :data:`EVALUATION_OPTIONS` at its default), else empty."""
        trained_as_benchmarked = all(
            spec.get(name, option.default) == option.default
            for name, option in self.all_options().items()
            if name not in EVALUATION_OPTIONS
        )
        return self.benchmark if trained_as_benchmarked else ""


MODELS: Registry[ReferenceModel] = Registry("model", ReferenceModel, "models", "build", "register_model")


def register_model(name: str, build: Callable | None = None, /, **fields):
    """Register a reference model; decorates its ``build(n_classes, **options)`` function.

    ``fields`` are those of :class:`ReferenceModel` (``options``, ``help``, ``inputs``, ``check``,
    ``example``), with its defaults.
    """
    return MODELS.register(name, build, **fields)


def benchmark_note(spec: dict) -> str:
    """The benchmarked figure of a model entry's network and training (:meth:`ReferenceModel.benchmark_of`)."""
    return MODELS.get(spec["type"]).benchmark_of(spec)


def resolve_model(name: str, spec: dict) -> dict:
    """A model entry (``type`` and options) checked against its type, with defaults filled."""
    return MODELS.resolve(name, spec)
