"""Compare the tables of two results folders: identical to the bit, different, or in one folder only.

A refactor must leave the default run's tables identical to the bit: run the previous commit and this one
(each in its own clone, ``make run``), then

    python benchmarks/compare_runs.py OLD/results NEW/results [--ignore-columns class,suspected_class]

Tables are the ``.tsv`` and ``.parquet`` files (logs and figures left out). A table counts as identical where
its bytes are; a Parquet file whose bytes differ is also compared as a frame (its metadata may differ), and
with ``--ignore-columns`` a table that differs only by those added columns is reported as such. Exits 1 where
any table differs or is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from difficulty.io import read_table


def tables(folder: Path) -> set[Path]:
    """The tables of a results folder, relative to it (its logs left out)."""
    found = {p.relative_to(folder) for p in folder.rglob("*") if p.suffix in (".tsv", ".parquet")}
    return {p for p in found if p.parts[0] != "logs"}


def compare(old: Path, new: Path, ignored: set[str]) -> dict[str, list[str]]:
    """``identical``, ``added columns only``, ``different``, ``only in old``, ``only in new``: the tables of each."""
    out: dict[str, list[str]] = {
        k: [] for k in ("identical", "added columns only", "different", "only old", "only new")
    }
    before, after = tables(old), tables(new)
    out["only old"] = sorted(map(str, before - after))
    out["only new"] = sorted(map(str, after - before))
    for path in sorted(before & after):
        if (old / path).read_bytes() == (new / path).read_bytes():
            out["identical"].append(str(path))
            continue
        a, b = read_table(old / path), read_table(new / path)
        if a.equals(b):
            out["identical"].append(str(path))
        elif set(a.columns) <= set(b.columns) and set(b.columns) - set(a.columns) <= ignored and a.equals(b[a.columns]):
            out["added columns only"].append(f"{path} (+{', '.join(sorted(set(b.columns) - set(a.columns)))})")
        else:
            out["different"].append(str(path))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--ignore-columns", default="", help="columns the new run may add (comma-separated)")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    result = compare(args.old, args.new, {c for c in args.ignore_columns.split(",") if c})
    for kind, paths in result.items():
        print(f"{kind}: {len(paths)}")
        if kind != "identical":
            print("".join(f"  {p}\n" for p in paths), end="")
    return int(bool(result["different"] or result["only old"] or result["only new"]))


if __name__ == "__main__":
    sys.exit(main())
