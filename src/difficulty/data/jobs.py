"""The data stage's pipeline steps, file to file."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd

from ..errors import DataError
from ..io import atomic_path, read_table, write_table
from ..registry import load_plugins
from .datasets import prepare_cases, shard_rows
from .grid import write_grid
from .labels import flip_labels
from .qc import QC_COLUMNS, BadCase, check_class_sizes, qc_table
from .sources import SOURCES

log = logging.getLogger(__name__)


def prepare_shard(*, spec: dict, seed: int, shard: int, cases, images, masks, skipped, plugins=()) -> None:
    """Read, check and grid one shard of a source dataset, one case at a time.

    Parameters
    ----------
    spec : the resolved dataset entry (``source`` and its options).
    seed : seed of the source (generated cases).
    shard : this shard (every k-th case from ``shard``, k = the entry's ``shards``).
    cases : output Parquet, the shard's rows of the case table with their geometry (the cases kept).
    images, masks : output ``.npy`` (n_shard, D, H, W) grid volumes (float32) and masks (uint8); a skipped
        case's row stays zero and is in no case table.
    skipped : output TSV, the cases left out (``on_bad_case: skip``) with the reason (QC columns).
    plugins : plugin modules to load first (where the source type comes from one).
    """
    load_plugins(plugins)
    rows = shard_rows(SOURCES.get(spec["source"]).cases(spec), shard, spec["shards"]).reset_index(drop=True)
    records, bad = {}, {}

    def grid_items():
        expected = iter(rows["case_id"])
        for row, item in enumerate(prepare_cases(spec, rows, seed)):
            case_id = item.case_id if isinstance(item, BadCase) else item[0]
            if case_id != next(expected, None):
                raise ValueError(f"source {spec['source']!r} gave case {case_id!r} out of the case table's order")
            if isinstance(item, BadCase):
                bad[row] = item.problem
                continue
            case_id, image, mask, records[row] = item
            yield row, case_id, image, mask

    try:
        write_grid(grid_items(), len(rows), images, masks)
    except DataError:
        raise
    except ValueError as err:
        raise DataError(f"dataset {spec['name']!r}, shard {shard}: {err}") from None
    if len(records) + len(bad) != len(rows):
        raise ValueError(f"source {spec['source']!r} gave {len(records) + len(bad)} of {len(rows)} cases")
    kept = list(records)
    table = pd.concat([rows.iloc[kept].reset_index(drop=True), pd.DataFrame(list(records.values()))], axis=1)
    table["shard"], table["row"] = shard, np.asarray(kept, dtype=int)
    log.info("shard %d: %d cases, labels %s", shard, len(table), table["label"].value_counts().to_dict())
    rejected = rows.iloc[list(bad)][["case_id", "patient_id", "label"]]
    write_table(rejected.assign(outcome="skipped", problem=list(bad.values())).reindex(columns=QC_COLUMNS), skipped)
    write_table(table, cases)


def merge_cases(*, shards, skipped, output, source, qc, spec: dict, seed: int, plugins=()) -> None:
    """The dataset's case table from its shards' (in the source's order), its QC table, how to read its originals.

    Parameters
    ----------
    shards, skipped : the shards' case tables and skipped cases (:func:`prepare_shard`).
    output : the case table (Parquet): the cases every later step uses.
    source : receives the dataset entry, seed and plugins as JSON, for the jobs that read the originals.
    qc : the QC table (TSV): cases skipped, with the reason, and cases reported (a patient under several labels).
    """
    table = pd.concat([read_table(p) for p in shards], ignore_index=True).sort_values(["row", "shard"])
    table = table.reset_index(drop=True)
    left_out = pd.concat([read_table(p) for p in skipped], ignore_index=True).astype(str)
    if len(left_out):
        log.warning("%d case(s) skipped, listed in %s", len(left_out), qc)
    write_table(qc_table(table, left_out), qc)
    check_class_sizes(table["label"], {}, f"dataset {spec['name']!r} ({len(left_out)} case(s) skipped)")
    write_table(table, output)
    with atomic_path(source) as tmp:
        tmp.write_text(json.dumps({"spec": spec, "seed": seed, "plugins": list(plugins)}, indent=1))
    log.info("%d cases, labels %s", len(table), table["label"].value_counts().to_dict())


def write_labels(*, cases, output, noise: float, seed: int) -> None:
    """The labels of a dataset (``case_id, patient_id, label``), with a seeded fraction ``noise`` flipped."""
    table = read_table(cases)[["case_id", "patient_id", "label"]]
    noisy = flip_labels(table["label"], noise, seed)
    log.info("label noise %.3f: %d of %d labels flipped", noise, (noisy != table["label"]).sum(), len(table))
    write_table(table.assign(label=noisy), output)
