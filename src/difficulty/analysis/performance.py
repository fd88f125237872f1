"""Model performance that users bring: tables of per-fold AUC to use beside or instead of training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ("dataset", "model", "fold", "auc")


def read_performance(path) -> pd.DataFrame:
    """A performance table (TSV or CSV): ``dataset, model, fold, auc`` and any further score columns.

    Every problem names the file, the row and what is wrong.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"performance table {path} does not exist")
    table = pd.read_csv(path, sep="\t" if path.suffix.lower() in (".tsv", ".txt") else ",")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"performance table {path}: missing column(s) {missing}; has {list(table.columns)}")
    auc = pd.to_numeric(table["auc"], errors="coerce")
    bad = np.flatnonzero(~auc.between(0, 1).to_numpy())
    if bad.size:
        raise ValueError(f"performance table {path}: row {bad[0] + 2} has auc {table['auc'].iloc[bad[0]]!r}; need 0..1")
    duplicated = table.duplicated(["dataset", "model", "fold"])
    if duplicated.any():
        row = table[duplicated].iloc[0]
        raise ValueError(f"performance table {path}: {row['dataset']} / {row['model']} fold {row['fold']} twice")
    return table.assign(auc=auc, dataset=table["dataset"].astype(str), model=table["model"].astype(str))
