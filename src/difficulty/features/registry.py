"""The registry of feature extractors: what turns prepared cases into a feature table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..options import Option
from ..raters.icc import STABLE_ICC
from ..registry import Registered, Registry, no_inputs

ExtractFn = Callable[..., pd.DataFrame]

# Options every feature entry takes, besides its extractor's own (``shards`` only where the extractor shards).
FEATURE_OPTIONS = {
    "pca": Option(
        None,
        "standardise, then reduce to this many principal components (capped at n − 1); none: z-score only",
        {"type": ["integer", "null"], "minimum": 1},
    ),
    "shards": Option(
        1,
        "parallel extraction jobs per dataset (every k-th case), for extractors that shard",
        {"type": "integer", "minimum": 1},
        affects_results=False,
    ),
}
# Options of an extractor whose features depend on the masks (``reads_masks``), for datasets of several raters' masks.
STABILITY_OPTIONS = {
    "stable_only": Option(
        False,
        "keep only the features whose ICC(3,1) across the raters' masks reaches icc_threshold (datasets with "
        "mask:<rater> columns; others keep every feature)",
        {"type": "boolean"},
        neutral_default=True,
    ),
    "icc_threshold": Option(
        STABLE_ICC,
        "the least ICC(3,1) of a stable feature (0.75: good reliability, Koo & Li 2016)",
        {"type": "number", "minimum": 0, "maximum": 1},
        neutral_default=True,
    ),
}


@dataclass(frozen=True, kw_only=True)
class FeatureExtractor(Registered):
    """A feature extractor.

    Attributes
    ----------
    extract : ``extract(data, *, options, inputs, seed, threads) -> DataFrame``: one row per case of
        ``data`` (a :class:`difficulty.data.Prepared`), ``case_id`` first, then float feature columns.
        ``options`` are the extractor's own (not ``pca`` or ``shards``); ``seed`` is the same for every
        dataset and shard of a feature entry (a random network stays one network).
    inputs : ``inputs(options) -> {name: path}``: files the entry reads (a change re-runs it).
    check : ``check(options, downloads)``: raise ValueError before any work when the entry cannot run.
    shardable : whether cases may be split over parallel jobs (option ``shards``).
    reads_masks : whether the features depend on the original views' masks (radiomics): on a dataset of several
        raters' masks they are also computed on each rater's, their ICC measured (options ``stable_only``,
        ``icc_threshold``).
    gpu, threads, mem_mb : what one job needs; ``gpu`` jobs use a GPU when present, the CPU otherwise.
    """

    extract: ExtractFn
    inputs: Callable[[dict], dict[str, str]] = no_inputs
    check: Callable[[dict, bool], None] | None = None
    shardable: bool = True
    reads_masks: bool = False
    gpu: bool = False
    threads: int = 1
    mem_mb: int = 2000

    def shared_options(self) -> dict[str, Option]:
        """``pca``, ``shards`` where the extractor shards, ``stable_only`` and ``icc_threshold`` where it reads
        the masks."""
        options = {k: v for k, v in FEATURE_OPTIONS.items() if k != "shards" or self.shardable}
        return options | (STABILITY_OPTIONS if self.reads_masks else {})


FEATURES: Registry[FeatureExtractor] = Registry("feature", FeatureExtractor, "features", "extract", "register_feature")


def register_feature(name: str, extract: ExtractFn | None = None, /, **fields):
    """Register a feature extractor; decorates its ``extract`` function.

    ``fields`` are those of :class:`FeatureExtractor` (``options``, ``help``, ``inputs``, ``check``,
    ``shardable``, ``reads_masks``, ``gpu``, ``threads``, ``mem_mb``, ``example``), with its defaults.
    """
    return FEATURES.register(name, extract, **fields)


def resolve_feature(name: str, spec: dict) -> dict:
    """A feature entry (``type`` and options) checked against its extractor, with defaults filled."""
    return FEATURES.resolve(name, spec)
