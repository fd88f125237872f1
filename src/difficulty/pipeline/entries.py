"""Resolved config entries as frozen dataclasses: a dataset, feature, metric or model entry with its type and options.

Every option is filled (defaults from the declarations); the kind's shared options are attributes, so a
misspelt one fails where the workflow is parsed, not in a job. :attr:`Entry.spec` is the plain form that
jobs receive (``type`` and every option).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..registry import Registered


def _frozen(mapping: Mapping) -> Mapping:
    return MappingProxyType(copy.deepcopy(dict(mapping)))


@dataclass(frozen=True)
class Entry:
    """A feature, metric or model entry: its name, registered ``type`` and every option.

    Attributes
    ----------
    name : the entry's name in the config.
    type : the registered type it names.
    options : every option of the entry (the kind's and the type's own), defaults filled; read-only.
    registered : the type's registration.
    """

    name: str
    type: str
    options: Mapping[str, Any]
    registered: Registered = field(compare=False, repr=False)

    @classmethod
    def of(cls, name: str, spec: Mapping, registered: Registered):
        """The entry of a resolved spec: ``type`` and options, as ``Registry.resolve`` gives them."""
        return cls(name, spec["type"], _frozen({k: v for k, v in spec.items() if k != "type"}), registered)

    @property
    def spec(self) -> dict:
        """``type`` and every option, as a new plain dict: what a job receives."""
        return {"type": self.type, **copy.deepcopy(dict(self.options))}

    @property
    def own(self) -> dict:
        """The options of the entry's type (not those every entry of the kind takes)."""
        return self.registered.split(self.spec)[1]

    @property
    def comparable(self) -> dict:
        """:attr:`spec` without the options that do not change results (``Option.affects_results`` False)."""
        declared = self.registered.all_options()
        return {k: v for k, v in self.spec.items() if k not in declared or declared[k].compared(v)}

    @property
    def source_file(self) -> str | None:
        """The file of the module that registered the type (what a job of this entry runs)."""
        return self.registered.source_file

    def inputs(self) -> dict[str, str]:
        """Files the entry reads besides its stage's inputs (a parameter file, weights): name → path."""
        reader = getattr(self.registered, "inputs", None)
        return dict(reader(self.own)) if reader is not None else {}


@dataclass(frozen=True)
class FeatureEntry(Entry):
    """A feature entry (:mod:`difficulty.features`)."""

    @property
    def pca(self) -> int | None:
        """Principal components to keep; None: z-score only."""
        return self.options["pca"]

    @property
    def shards(self) -> int:
        """Extraction jobs per dataset (1 for an extractor that does not shard)."""
        return self.options.get("shards", 1)

    @property
    def gpu(self) -> bool:
        return self.registered.gpu

    @property
    def reads_masks(self) -> bool:
        """Whether its features depend on the original views' masks (their stability across raters is measured)."""
        return self.registered.reads_masks

    @property
    def stable_only(self) -> bool:
        """Keep only the features whose ICC across raters' masks reaches ``icc_threshold`` (where there are raters)."""
        return bool(self.options.get("stable_only", False))

    @property
    def threads(self) -> int:
        return self.registered.threads


@dataclass(frozen=True)
class MetricEntry(Entry):
    """A metric entry (:mod:`difficulty.metrics`) with its bootstrap options."""

    @property
    def chunks(self) -> int:
        return self.options["chunks"]

    @property
    def sessions_per_chunk(self) -> int:
        return self.options["sessions_per_chunk"]

    @property
    def fraction(self) -> float:
        return self.options["fraction"]

    @property
    def min_per_class(self) -> int:
        return self.registered.min_per_class


@dataclass(frozen=True)
class ModelEntry(Entry):
    """A reference model entry (:mod:`difficulty.models`) with its training options."""

    @property
    def train(self) -> bool:
        """Whether the run trains it (false: its AUC is only predicted)."""
        return self.options["train"]

    @property
    def split(self) -> str:
        return self.options["split"]

    @property
    def folds(self) -> int:
        return self.options["folds"]

    @property
    def epochs(self) -> int:
        return self.options["epochs"]

    @property
    def batch_size(self) -> int:
        return self.options["batch_size"]


@dataclass(frozen=True)
class DatasetEntry:
    """A dataset entry (:mod:`difficulty.data`): a source dataset, or a variant of a ``parent``.

    Attributes
    ----------
    name : the dataset's name.
    spec : the resolved entry (``name``, ``source`` or ``parent`` and ``variant``, every option); read-only.
    source : the registered source of a source dataset; None for a variant.
    variant : the kind that makes the dataset's labels: a variant's kind, ``label_noise`` for a source.
    """

    name: str
    spec: Mapping[str, Any]
    registered: Registered = field(compare=False, repr=False)
    kind: Registered = field(compare=False, repr=False)

    @property
    def source(self) -> str | None:
        return self.spec.get("source")

    @property
    def parent(self) -> str | None:
        return self.spec.get("parent")

    @property
    def variant(self) -> str:
        return self.kind.name

    @property
    def variant_options(self) -> dict:
        """The options of the kind that makes the dataset's labels (a source's own ``label_noise``)."""
        if self.parent is None:
            return {"label_noise": self.spec["label_noise"]}
        return self.kind.split(self.spec)[1]

    @property
    def changes_images(self) -> bool:
        """Whether the dataset is a variant of a kind that changes the images (it is prepared on its own)."""
        return self.parent is not None and self.kind.image is not None

    @property
    def train(self) -> bool:
        return self.spec.get("train", True)

    @property
    def family(self) -> str | None:
        """The ``family`` option of a source dataset (None: its own name); None for a variant."""
        return self.spec.get("family")

    @property
    def plain(self) -> dict:
        """The resolved entry as a new plain dict."""
        return copy.deepcopy(dict(self.spec))
