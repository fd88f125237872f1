"""Model performance that users bring: tables of per-fold AUC to use beside or instead of training."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Collection, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

COLUMNS = ("dataset", "model", "fold", "auc")
KEYS = ["dataset", "model", "fold"]


def _line(i: int) -> int:
    """The file's line of the table's row ``i`` (the header is line 1)."""
    return int(i) + 2


def read_performance(path) -> pd.DataFrame:
    """A performance table (TSV or CSV): ``dataset, model, fold, auc`` and any further score columns.

    Every problem (a missing column, a blank name, an AUC that is not a number in 0..1, a dataset, model and
    fold given twice) is a ValueError naming the file, its line and what to do.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"performance table {path} does not exist")
    sep = "\t" if path.suffix.lower() in (".tsv", ".txt") else ","
    table = pd.read_csv(path, sep=sep, dtype={"dataset": str, "model": str})
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"performance table {path}: missing column(s) {missing}; has {list(table.columns)}. Its first line "
            f"must name the columns {', '.join(COLUMNS)} ({'tab' if sep == chr(9) else 'comma'}-separated)"
        )
    if table.empty:
        raise ValueError(f"performance table {path} has no rows; add one row per dataset, model and fold")
    for key in KEYS:
        blank = np.flatnonzero((table[key].isna() | (table[key].astype(str).str.strip() == "")).to_numpy())
        if blank.size:
            raise ValueError(f"performance table {path}: line {_line(blank[0])} has an empty {key!r}; fill it in")
    auc = pd.to_numeric(table["auc"], errors="coerce")
    bad = np.flatnonzero(~auc.between(0, 1).to_numpy())  # NaN and text are not between
    if bad.size:
        value = table["auc"].iloc[bad[0]]
        shown = repr(value) if isinstance(value, str) else "NA (empty)" if pd.isna(value) else float(value)
        raise ValueError(
            f"performance table {path}: line {_line(bad[0])} has auc {shown} "
            f"({bad.size} row(s) in all); an AUC is a number in 0..1 (not a percentage)"
        )
    duplicated = np.flatnonzero(table.duplicated(KEYS).to_numpy())
    if duplicated.size:
        second = duplicated[0]
        key = table.loc[second, KEYS]
        first = np.flatnonzero((table[KEYS] == key).all(axis=1).to_numpy())[0]
        raise ValueError(
            f"performance table {path}: lines {_line(first)} and {_line(second)} both give dataset "
            f"{key['dataset']!r}, model {key['model']!r}, fold {key['fold']!r}; keep one"
        )
    return table.assign(auc=auc)


def check_performance(
    tables: Mapping[str, pd.DataFrame], datasets: Collection[str], trained: Collection[str]
) -> set[str]:
    """The models that performance tables give for the config's datasets; a ValueError where they cannot be used.

    Parameters
    ----------
    tables : path → its table (:func:`read_performance`)
    datasets : the config's dataset names (variants included)
    trained : the config's trained model entries

    A table none of whose datasets is configured, a dataset name close to a configured one (a typo), a
    model named as a trained entry (its folds would mix with the trained ones) and a dataset, model and
    fold given by two tables are errors. Rows of other datasets are left out, with a log line.
    """
    datasets, trained = sorted(datasets), set(trained)
    given: dict[tuple, str] = {}
    models = set()
    for path, table in tables.items():
        names = set(table["dataset"])
        if not names & set(datasets):
            raise ValueError(
                f"performance table {path}: none of its datasets {sorted(names)} is in the config "
                f"({datasets}); name them as `datasets:` does, or take the table out of `performance:`"
            )
        for name in sorted(names - set(datasets)):
            lower = {d.lower(): d for d in datasets}
            close = [lower[c] for c in difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.8)]
            if close:
                line = _line(np.flatnonzero((table["dataset"] == name).to_numpy())[0])
                raise ValueError(
                    f"performance table {path}: line {line} names dataset {name!r}, which is not in the config; "
                    f"did you mean {close[0]!r}? Write the name as `datasets:` does"
                )
        other = sorted(names - set(datasets))
        if other:
            log.warning("performance table %s: datasets %s are not in the config; their rows are left out", path, other)
        used = table[table["dataset"].isin(datasets)]
        clash = np.flatnonzero(used["model"].isin(trained).to_numpy())
        if clash.size:
            model = used["model"].iloc[clash[0]]
            raise ValueError(
                f"performance table {path}: line {_line(used.index[clash[0]])} names model {model!r}, which the "
                f"config also trains (`models: {model}`), so the two would mix in one model's folds; give the "
                f"table's model another name (e.g. {model + '_given'!r})"
            )
        for i, row in used.iterrows():
            key = (row["dataset"], row["model"], row["fold"])
            if key in given:
                raise ValueError(
                    f"performance tables {given[key]} and {path} (line {_line(i)}) both give dataset {key[0]!r}, "
                    f"model {key[1]!r}, fold {key[2]!r}; keep it in one table"
                )
            given[key] = path
        models |= set(used["model"])
    return models
