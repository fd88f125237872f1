"""The data stage's pipeline steps, file to file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..io import atomic_path, read_table, write_table
from ..registry import load_plugins
from ..sharding import case_positions, shard_positions
from .datasets import Prepared, prepare_cases
from .grid import grid_writer
from .qc import QC_COLUMNS, BadCase, check_class_sizes, qc_table
from .sources import SOURCES
from .variants import VARIANTS

log = logging.getLogger(__name__)


def prepare_shard(*, spec: dict, seed: int, shard: int, cases, images, masks, skipped, plugins=()) -> None:
    """Read, check and grid one shard of a source dataset, one case at a time.

    Parameters
    ----------
    spec : the resolved dataset entry (``source`` and its options).
    seed : seed of the source (generated cases).
    shard : this shard (:func:`difficulty.sharding.shard_positions`, with the entry's ``shards``).
    cases : output Parquet, the shard's rows of the case table with their geometry (the cases kept).
    images, masks : output ``.npy`` (n_shard, D, H, W) grid volumes (float32) and masks (uint8); a skipped
        case's row stays zero and is in no case table.
    skipped : output TSV, the cases left out (``on_bad_case: skip``) with the reason (QC columns).
    plugins : plugin modules to load first (where the source type comes from one).
    """
    load_plugins(plugins)
    table = SOURCES.get(spec["source"]).cases(spec)
    rows = table.iloc[shard_positions(len(table), shard, spec["shards"])].reset_index(drop=True)
    kept, bad = {}, {}
    try:
        with grid_writer(len(rows), images, masks) as grid:
            for row, item in enumerate(prepare_cases(spec, rows, seed)):
                expected = rows["case_id"].iloc[row] if row < len(rows) else None
                if item.case_id != expected:
                    raise ValueError(
                        f"source {spec['source']!r} gave case {item.case_id!r} out of the case table's order"
                    )
                if isinstance(item, BadCase):
                    bad[row] = item.problem
                else:
                    grid.write(row, item.case_id, item.image, item.mask)
                    kept[row] = item.record
            if len(kept) + len(bad) != len(rows):  # before the grid files land
                raise ValueError(f"source {spec['source']!r} gave {len(kept) + len(bad)} of {len(rows)} cases")
    except DataError:
        raise
    except ValueError as err:
        raise DataError(f"dataset {spec['name']!r}, shard {shard}: {err}") from None
    shard_table = pd.concat([rows.iloc[list(kept)].reset_index(drop=True), pd.DataFrame(list(kept.values()))], axis=1)
    shard_table["shard"], shard_table["row"] = shard, np.asarray(list(kept), dtype=int)
    log.info("shard %d: %d cases, labels %s", shard, len(shard_table), shard_table["label"].value_counts().to_dict())
    rejected = rows.iloc[list(bad)][["case_id", "patient_id", "label"]]
    write_table(rejected.assign(outcome="skipped", problem=list(bad.values())).reindex(columns=QC_COLUMNS), skipped)
    write_table(shard_table, cases)


def merge_cases(*, shards, skipped, output, source, qc, spec: dict, seed: int, plugins=()) -> None:
    """The dataset's case table from its shards' (in the source's order), its QC table, how to read its originals.

    Parameters
    ----------
    shards, skipped : the shards' case tables and skipped cases (:func:`prepare_shard`).
    output : the case table (Parquet): the cases every later step uses.
    source : receives the dataset entry, seed and plugins as JSON, for the jobs that read the originals, and the
        name of each class as the data names it (:meth:`difficulty.data.Source.class_names`).
    qc : the QC table (TSV): cases skipped, with the reason, and cases reported (a patient under several labels).
    """
    load_plugins(plugins)
    table = pd.concat([read_table(p) for p in shards], ignore_index=True)
    order = np.argsort(case_positions(table["shard"], table["row"], spec["shards"]), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    left_out = pd.concat([read_table(p) for p in skipped], ignore_index=True).astype(str)
    if len(left_out):
        log.warning("%d case(s) skipped, listed in %s", len(left_out), qc)
    write_table(qc_table(table, left_out), qc)
    check_class_sizes(table["label"], {}, f"dataset {spec['name']!r} ({len(left_out)} case(s) skipped)")
    write_table(table, output)
    with atomic_path(source) as tmp:
        classes = SOURCES.get(spec["source"]).class_names(spec, table["label"])
        record = {"spec": spec, "seed": seed, "plugins": list(plugins), "classes": classes}
        tmp.write_text(json.dumps(record, indent=1))
    log.info("%d cases, labels %s", len(table), table["label"].value_counts().to_dict())


def prepare_dataset(*, spec: dict, seed: int, folder, plugins=()) -> Prepared:
    """Prepare a resolved source dataset entry into ``folder`` in one process (every shard, then the merge), as
    the pipeline's prepare jobs do; the prepared dataset. For benchmarks and library use without Snakemake.
    """
    folder = Path(folder)
    shards = [folder / f"shard{k}" for k in range(spec["shards"])]
    for k, base in enumerate(shards):
        prepare_shard(
            spec=spec,
            seed=seed,
            shard=k,
            cases=base / "cases.parquet",
            images=base / "grid.npy",
            masks=base / "grid_masks.npy",
            skipped=base / "skipped.tsv",
            plugins=plugins,
        )
    merge_cases(
        shards=[base / "cases.parquet" for base in shards],
        skipped=[base / "skipped.tsv" for base in shards],
        output=folder / "cases.parquet",
        source=folder / "source.json",
        qc=folder / "qc.tsv",
        spec=spec,
        seed=seed,
        plugins=plugins,
    )
    return Prepared.open(folder)


def write_labels(
    *, parent, root, output, variant: str, options: dict, seed: int, inputs: dict | None = None, plugins=()
) -> None:
    """The labels of a dataset (``case_id, patient_id, label, flipped``) made from its parent's by its variant kind.

    Parameters
    ----------
    parent : the parent's label table, or a source dataset's case table.
    root : the case table of the dataset's root (its own labels): ``flipped`` is True where a case's label
        differs from its label there (a variant of a variant is compared with the root, not its parent).
    output : the dataset's label table (Parquet).
    variant : the registered variant kind (``label_noise`` for a source dataset's own ``label_noise``).
    options : the kind's options; seed : the variant's seed.
    inputs : name → path of the files the kind declares (:attr:`VariantKind.inputs`).
    plugins : plugin modules to load first (where the variant kind comes from one).
    """
    load_plugins(plugins)
    table = read_table(parent)[["case_id", "patient_id", "label"]]
    out = VARIANTS.get(variant).make_labels(table, options, seed, inputs)[["case_id", "patient_id", "label"]]
    unknown, twice = out["case_id"][~out["case_id"].isin(table["case_id"])], out["case_id"][out["case_id"].duplicated()]
    if len(unknown) or len(twice):
        case, what = (unknown.iloc[0], "not one of its parent's") if len(unknown) else (twice.iloc[0], "twice")
        raise ValueError(f"variant kind {variant!r} gave case {case!r} {what}")
    changed = (out.set_index("case_id")["label"] != table.set_index("case_id").loc[out["case_id"], "label"]).sum()
    own = read_table(root).set_index("case_id").loc[out["case_id"], "label"].astype(str).to_numpy()
    out = out.assign(flipped=out["label"].astype(str).to_numpy() != own)
    log.info(
        "%s %s: %d of %d labels changed, %d of %d cases kept; %d differ from the root's",
        variant,
        options,
        changed,
        len(out),
        len(out),
        len(table),
        out["flipped"].sum(),
    )
    write_table(out, output)
