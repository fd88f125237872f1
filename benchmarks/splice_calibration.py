"""Splice the points of a smaller run of the calibration's entries into the shipped table.

A dataset's calibration points depend only on its own cases, its entries and
the run's seed, so a run of ``config/calibration.yaml``'s seed and entries on
a few of its datasets (``benchmarks/adrenal64_native.yaml``,
``benchmarks/calibration_ladders.yaml``: a test checks that they hold them)
gives the rows the whole run would give them. The named datasets' rows are
taken from the run's export; the table keeps its other rows of datasets the
config still trains, and must end with exactly the config's trained datasets.
Each point's ``kind`` (real, variant, phantom) and ``auc_units`` are set from
the config's datasets and the metric's type (points of an earlier format lack
them); with no datasets named, only that is done.

    python benchmarks/splice_calibration.py results/calibration_ladders/points.tsv \\
        adrenal_blur3 adrenal_blur6 adrenal_lowres6 adrenal_lowres14
    python benchmarks/splice_calibration.py resources/calibration/default.tsv     (kinds and units only)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import yaml

from difficulty.io import read_table, write_table
from difficulty.metrics import METRICS
from difficulty.pipeline.config import resolve
from difficulty.prediction.points import KEYS, POINT_COLUMNS


def with_kinds(points: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """``points`` with each dataset's ``kind`` (``kinds``: dataset → kind) and each metric's ``auc_units``."""
    out = points.assign(kind=points["dataset"].map(kinds))
    out["auc_units"] = out["metric_type"].map(lambda kind: METRICS.get(kind).auc_units).astype(bool)
    if out["kind"].isna().any():
        raise ValueError(f"no kind for dataset(s) {sorted(out.loc[out['kind'].isna(), 'dataset'].unique())}")
    return out


def splice(table: pd.DataFrame, points: pd.DataFrame, datasets: list[str], trained: list[str]) -> pd.DataFrame:
    """The table with ``datasets``' rows taken from ``points``, and only the rows of ``trained`` datasets."""
    missing = sorted(set(datasets) - set(points["dataset"]))
    if missing:
        raise ValueError(f"the run's points have no rows of {missing}")
    kept = table[table["dataset"].isin(trained) & ~table["dataset"].isin(datasets)]
    out = pd.concat([kept, points[points["dataset"].isin(datasets)]], ignore_index=True)
    if sorted(out["dataset"].unique()) != sorted(trained):
        raise ValueError(
            f"after the splice the table's datasets are not the config's: missing "
            f"{sorted(set(trained) - set(out['dataset']))}"
        )
    return out[POINT_COLUMNS].sort_values(KEYS, ignore_index=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("points", type=Path, help="the smaller run's calibration.export")
    parser.add_argument("datasets", nargs="*", help="the datasets whose rows it makes (none: only kinds and units)")
    parser.add_argument("--config", type=Path, default=Path("config/calibration.yaml"))
    parser.add_argument("--table", type=Path, default=Path("resources/calibration/default.tsv"))
    args = parser.parse_args()
    plan = resolve(yaml.safe_load(args.config.read_text()))
    table, points = (with_kinds(read_table(path), plan.kinds) for path in (args.table, args.points))
    out = splice(table, points, args.datasets, plan.trained)
    write_table(out, args.table)
    print(f"{args.table}: {len(out)} rows, {out['dataset'].nunique()} datasets")


if __name__ == "__main__":
    main()
