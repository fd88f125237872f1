"""The registry of feature extractors: what turns prepared cases into a feature table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from ..options import Option
from ..registry import Registered, Registry, no_inputs

ExtractFn = Callable[..., pd.DataFrame]

# Options every feature entry takes, besides its extractor's own.
FEATURE_OPTIONS = {
    "pca": Option(
        None,
        "standardise, then reduce to this many principal components (capped at n − 1); none: z-score only",
        {"type": ["integer", "null"], "minimum": 1},
    ),
}
SHARDS_OPTION = Option(1, "parallel extraction jobs per dataset (every k-th case)", {"type": "integer", "minimum": 1})


@dataclass(frozen=True, kw_only=True)
class FeatureExtractor(Registered):
    """A feature extractor.

    Attributes
    ----------
    extract : ``extract(data, *, options, inputs, seed, threads) -> DataFrame``: one row per case of
        ``data`` (a :class:`difficulty.data.Prepared`), ``case_id`` first, then float feature columns.
        ``seed`` is the same for every dataset and shard of a feature entry (a random network stays one network).
    inputs : ``inputs(options) -> {name: path}``: files the entry reads (a change re-runs it).
    check : ``check(options, downloads)``: raise ValueError before any work when the entry cannot run.
    shardable : whether cases may be split over parallel jobs (option ``shards``).
    gpu, threads, mem_mb : what one job needs; ``gpu`` jobs use a GPU when present, the CPU otherwise.
    """

    extract: ExtractFn
    inputs: Callable[[dict], dict[str, str]] = no_inputs
    check: Callable[[dict, bool], None] | None = None
    shardable: bool = True
    gpu: bool = False
    threads: int = 1
    mem_mb: int = 2000

    def all_options(self) -> dict[str, Option]:
        """The extractor's options with the ones every feature entry takes."""
        return FEATURE_OPTIONS | ({"shards": SHARDS_OPTION} if self.shardable else {}) | dict(self.options)


FEATURES: Registry[FeatureExtractor] = Registry("feature", FeatureExtractor, "features")


def register_feature(
    name: str,
    *,
    options: Mapping[str, Option] | None = None,
    inputs: Callable[[dict], dict[str, str]] = no_inputs,
    check: Callable[[dict, bool], None] | None = None,
    shardable: bool = True,
    gpu: bool = False,
    threads: int = 1,
    mem_mb: int = 2000,
    help: str | None = None,
):
    """Register a feature extractor; decorates its ``extract`` function (see :class:`FeatureExtractor`)."""
    return FEATURES.decorator(
        name,
        "extract",
        options=options,
        help=help,
        inputs=inputs,
        check=check,
        shardable=shardable,
        gpu=gpu,
        threads=threads,
        mem_mb=mem_mb,
    )


def resolve_feature(name: str, spec: dict) -> dict:
    """A feature entry (``type`` and options) checked against its extractor, with defaults filled."""
    return FEATURES.resolve(name, spec)
