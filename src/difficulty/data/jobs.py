"""The data stage's pipeline steps, file to file."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd

from ..io import atomic_path, read_table, write_table
from ..registry import load_plugins
from .datasets import prepare_cases, shard_rows
from .grid import write_grid
from .labels import flip_labels
from .sources import SOURCES

log = logging.getLogger(__name__)


def prepare_shard(*, spec: dict, seed: int, shard: int, cases, images, masks, plugins=()) -> None:
    """Read, check and grid one shard of a source dataset, one case at a time.

    Parameters
    ----------
    spec : the resolved dataset entry (``source`` and its options).
    seed : seed of the source (generated cases).
    shard : this shard (every k-th case from ``shard``, k = the entry's ``shards``).
    cases : output Parquet, the shard's rows of the case table with their geometry.
    images, masks : output ``.npy`` (n_shard, D, H, W) grid volumes (float32) and masks (uint8).
    plugins : plugin modules to load first (where the source type comes from one).
    """
    load_plugins(plugins)
    rows = shard_rows(SOURCES.get(spec["source"]).cases(spec), shard, spec["shards"])
    records = []

    def grid_items():
        expected = iter(rows["case_id"])
        for case_id, image, mask, record in prepare_cases(spec, rows, seed):
            if case_id != next(expected, None):
                raise ValueError(f"source {spec['source']!r} gave case {case_id!r} out of the case table's order")
            records.append(record)
            yield case_id, image, mask

    write_grid(grid_items(), len(rows), images, masks)
    table = pd.concat([rows.reset_index(drop=True), pd.DataFrame(records)], axis=1)
    table["shard"], table["row"] = shard, np.arange(len(table))
    log.info("shard %d: %d cases, labels %s", shard, len(table), table["label"].value_counts().to_dict())
    write_table(table, cases)


def merge_cases(*, shards, output, source, spec: dict, seed: int, plugins=()) -> None:
    """The dataset's case table from its shards' (in the source's order), and how to read its original views.

    ``source`` receives the dataset entry, seed and plugins as JSON, for the jobs that read the originals.
    """
    table = pd.concat([read_table(p) for p in shards], ignore_index=True).sort_values(["row", "shard"])
    write_table(table.reset_index(drop=True), output)
    with atomic_path(source) as tmp:
        tmp.write_text(json.dumps({"spec": spec, "seed": seed, "plugins": list(plugins)}, indent=1))
    log.info("%d cases, labels %s", len(table), table["label"].value_counts().to_dict())


def write_labels(*, cases, output, noise: float, seed: int) -> None:
    """The labels of a dataset (``case_id, patient_id, label``), with a seeded fraction ``noise`` flipped."""
    table = read_table(cases)[["case_id", "patient_id", "label"]]
    noisy = flip_labels(table["label"], noise, seed)
    log.info("label noise %.3f: %d of %d labels flipped", noise, (noisy != table["label"]).sum(), len(table))
    write_table(table.assign(label=noisy), output)
