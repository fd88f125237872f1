"""The registry of dataset sources: where a dataset's cases come from."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from ...options import Option
from ...registry import Registered, Registry
from ..cases import Case
from ..grid import GRID_OPTIONS
from ..qc import ON_BAD_CASE, BadCase
from ..variants.labels import LABEL_NOISE
from ..variants.registry import TRAIN

FAMILY = Option(
    None,
    "the family of this dataset and all its variants (datasets of the same patients), for calibration: "
    "two sources of the same patients (one data set at two resolutions) name one; none: the dataset's own name",
    {"type": ["string", "null"], "minLength": 1},
)
# Options every source dataset takes, besides its source's own (which may give other defaults).
DATASET_OPTIONS = GRID_OPTIONS | {
    "label_noise": LABEL_NOISE,
    "shards": Option(
        1, "parallel preparation jobs (every k-th case each)", {"type": "integer", "minimum": 1}, affects_results=False
    ),
    "on_bad_case": ON_BAD_CASE,
    "train": TRAIN,
    "family": FAMILY,
}

ReadFn = Callable[[dict, pd.DataFrame, int], Iterator[Case | BadCase]]


def _no_files(spec: dict, cases: pd.DataFrame) -> list[str]:
    return []


@dataclass(frozen=True, kw_only=True)
class Source(Registered):
    """A dataset source.

    Attributes
    ----------
    read : ``read(spec, rows, seed) -> iterator of Case``: the original view of each case in ``rows``
        (rows of the case table, in its order), in that order, one at a time; ``seed`` (from the config's seed and the
        dataset's name) for sources that generate their cases. A case that cannot be read comes as a
        :class:`~difficulty.data.qc.BadCase` saying why (the dataset's ``on_bad_case`` decides: stop or skip).
        ``spec`` is the whole resolved dataset entry (the options of every dataset with the source's own).
    cases : ``cases(spec) -> DataFrame``: the case table (``case_id, patient_id, label`` as strings, and
        whatever columns ``read`` needs to find a case), without reading any image.
    files : ``files(spec, rows) -> [path, ...]``: the input files of those rows, or of every case if ``rows``
        is None (a change in one re-runs them).
    check : ``check(spec, downloads)``: raise ValueError with a readable message before any work
        when the dataset cannot be read (``downloads``: whether download rules may fetch missing files).
    classes : ``classes(spec) -> {label: name}`` for a source whose labels are codes (MedMNIST's class indices):
        the name the data gives each class, shown in tables and figures; None: the labels are the names.
    phantom : the source generates its images (phantoms), not reads real ones: its families are calibration
        points of the ``phantom`` kind, which say less about real data (:mod:`difficulty.prediction`).
    """

    read: ReadFn
    cases: Callable[[dict], pd.DataFrame]
    files: Callable[[dict, pd.DataFrame], list[str]] = _no_files
    check: Callable[[dict, bool], None] | None = None
    classes: Callable[[dict], dict[str, str]] | None = None
    phantom: bool = False

    def class_names(self, spec: dict, labels) -> dict[str, str]:
        """Label → class name for the labels given (a label the source names nothing keeps its own text)."""
        named = self.classes(spec) if self.classes is not None else {}
        return {str(label): str(named.get(str(label), label)) for label in sorted(set(map(str, labels)))}

    def shared_options(self) -> dict[str, Option]:
        """The options of every source dataset (the model grid, shards, label noise, bad cases)."""
        return dict(DATASET_OPTIONS)


SOURCES: Registry[Source] = Registry("dataset source", Source, "datasets", "read", "register_source")


def register_source(name: str, read: ReadFn | None = None, /, **fields):
    """Register a dataset source; decorates its ``read(spec, rows, seed)`` function.

    ``fields`` are those of :class:`Source` (``cases``, ``options``, ``help``, ``files``, ``check``,
    ``classes``, ``example``), with its defaults.
    """
    return SOURCES.register(name, read, **fields)
