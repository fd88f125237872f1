"""The feature stage's pipeline steps, file to file."""

from __future__ import annotations

import logging

import pandas as pd

from ..data.datasets import Prepared
from ..io import read_table, write_table
from ..registry import load_plugins
from ..sharding import shard_positions
from .postprocess import reduce_pca, zscore_drop_nan
from .registry import FEATURES

log = logging.getLogger(__name__)


def extract_shard(*, prepared, output, spec: dict, shard: int, seed: int, threads: int = 1, plugins=()) -> None:
    """Features of one shard (every k-th case, k = the entry's ``shards``) of a prepared dataset.

    Parameters
    ----------
    prepared : the prepared dataset's folder (:class:`difficulty.data.Prepared`).
    output : Parquet table, ``case_id`` then one column per feature.
    spec : the resolved feature entry (``type``, the options of every feature entry and the extractor's own).
    shard : which shard, 0 ≤ shard < shards.
    seed : seed of the extractor (the same for every dataset and shard of the entry).
    threads : CPU threads the job may use.
    plugins : plugin modules to load first (where the feature type comes from one).
    """
    load_plugins(plugins)
    extractor = FEATURES.get(spec["type"])
    shared, options = extractor.split(spec)
    data = Prepared.open(prepared)
    rows = shard_positions(len(data.cases), shard, shared.get("shards", 1))
    log.info("%s shard %d: %d of %d cases", spec["type"], shard, len(rows), len(data.cases))
    table = extractor.extract(
        data.subset(rows), options=options, inputs=extractor.inputs(options), seed=seed, threads=threads
    )
    if list(table["case_id"]) != list(data.case_ids[rows]):
        raise ValueError(f"feature type {spec['type']!r} returned rows that are not the shard's cases in order")
    write_table(table, output)


def merge_shards(*, shards, output) -> None:
    """Concatenate shard tables into one table keyed by ``case_id``."""
    table = pd.concat([read_table(p) for p in shards], ignore_index=True)
    log.info("%d cases, %d features", len(table), table.shape[1] - 1)
    write_table(table, output)


def postprocess_features(*, raw, output, pca: int | None = None, variance=None, icc=None) -> None:
    """Z-score and drop NaN columns (the study's radiomics step) or, with ``pca``, standardise and reduce.

    ``variance`` receives the explained variance per component (with ``pca``). ``icc`` : the features' ICC table
    across raters' masks (:func:`difficulty.raters.jobs.icc_table`): only its stable features are kept.
    """
    table = read_table(raw)
    if icc is not None:
        stable = read_table(icc).query("stable")["feature"]
        log.info("%d of %d features stable across raters (ICC table %s)", len(stable), table.shape[1] - 1, icc)
        if stable.empty:
            raise ValueError(f"no feature is stable across the raters' masks ({icc}): lower icc_threshold")
        table = table[["case_id", *stable]]
    if pca:
        out, explained = reduce_pca(table, pca)
        log.info("PCA: %d components explain %.3f of the variance", out.shape[1] - 1, explained["cumulative"].iloc[-1])
        write_table(explained, variance)
    else:
        out = zscore_drop_nan(table)
    log.info("%d cases, %d of %d features kept", len(out), out.shape[1] - 1, table.shape[1] - 1)
    write_table(out, output)
