"""How well the label issues find known label errors (the flips of a label-noise variant)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..auc import roc_auc


def score_flips(flipped, label_issue, label_quality) -> dict:
    """Precision and recall of the flags for the flipped cases, and the AUROC of the label quality.

    Parameters
    ----------
    flipped : (n,) bool, the cases whose label was flipped.
    label_issue : (n,) bool, the cases flagged.
    label_quality : (n,) label quality (lower: more likely mislabelled).

    Returns
    -------
    ``n, n_flipped, n_flagged, true_positives``; ``precision`` (flipped among the flagged; NaN when none is
    flagged), ``recall`` (flagged among the flipped); ``auroc``: the ROC AUC (:func:`difficulty.auc.roc_auc`)
    of the label quality, low to high, separating flipped (positive) from kept cases (0.5: chance, 1: every
    flipped case below every kept one).
    """
    flipped, flagged = np.asarray(flipped, dtype=bool), np.asarray(label_issue, dtype=bool)
    quality = np.asarray(label_quality, dtype=np.float64)
    if not (flipped.shape == flagged.shape == quality.shape) or flipped.ndim != 1:
        raise ValueError(f"flipped {flipped.shape}, label_issue {flagged.shape}, label_quality {quality.shape}")
    n_flipped = int(flipped.sum())
    if n_flipped in (0, len(flipped)):
        raise ValueError(f"{n_flipped} of {len(flipped)} cases flipped: scoring needs flipped and kept cases")
    hits = int((flipped & flagged).sum())
    return {
        "n": len(flipped),
        "n_flipped": n_flipped,
        "n_flagged": int(flagged.sum()),
        "true_positives": hits,
        "precision": hits / flagged.sum() if flagged.any() else float("nan"),
        "recall": hits / n_flipped,
        "auroc": roc_auc(flipped.astype(np.int64), -quality),
    }


DETECTION_COLUMNS = ("n_flipped", "true_positives", "precision", "recall", "auroc")


def sources_of(table: pd.DataFrame) -> list[str]:
    """The probability sources of a curation table, the primary (``probabilities_from``) first; none in a table
    without label columns."""
    primary = table["probabilities_from"].iloc[0] if len(table) else None
    if pd.isna(primary) or primary == "":
        return []
    others = [c.removesuffix(".label_issue") for c in table.columns if str(c).endswith(".label_issue")]
    return [str(primary), *others]


def known_flips(table: pd.DataFrame) -> bool:
    """Whether a curation table has known flips to score against: flipped and kept cases."""
    return "flipped" in table.columns and 0 < int(table["flipped"].sum()) < len(table)


def detection_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per dataset and source: cases, cases flagged and, where the labels have known flips, how well the flags
    and the label quality find them (:func:`score_flips`).

    Parameters
    ----------
    tables : curation tables (:func:`difficulty.curation.curation_table`) by dataset name.

    Returns
    -------
    ``dataset, source, primary, n, n_flagged`` then ``n_flipped, true_positives, precision, recall, auroc``
    (NaN without known flips; ``n_flipped`` 0 where the labels are their root's), then the probes' ``folds``
    and the table's ``note``; one row per dataset and source, the primary source first (a table without label
    columns: one row, no source, its note saying why).
    """
    rows = []
    for dataset, table in tables.items():
        sources = sources_of(table)
        facts = {
            "folds": table["folds"].iloc[0] if "folds" in table.columns else pd.NA,
            "note": table["note"].iloc[0] if "note" in table.columns else "",
        }
        if not sources:
            rows.append({"dataset": dataset, "source": "", "primary": True, "n": len(table)} | facts)
            continue
        primary = sources[0]
        for source in sources:
            prefix = "" if source == primary else f"{source}."
            flagged = table[f"{prefix}label_issue"].to_numpy(dtype=bool)
            row = {"dataset": dataset, "source": source, "primary": source == primary, "n": len(table)}
            row |= {"n_flagged": int(flagged.sum())} | dict.fromkeys(DETECTION_COLUMNS, np.nan)
            if "flipped" in table.columns:
                row["n_flipped"] = int(table["flipped"].sum())
            if known_flips(table):
                scores = score_flips(table["flipped"], flagged, table[f"{prefix}label_quality"])
                row |= {key: scores[key] for key in DETECTION_COLUMNS}
            rows.append(row | facts)
    columns = ["dataset", "source", "primary", "n", "n_flagged", *DETECTION_COLUMNS, "folds", "note"]
    return pd.DataFrame(rows, columns=columns).astype({"n_flipped": "Int64", "true_positives": "Int64"})
