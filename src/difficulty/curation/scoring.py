"""How well the label issues find known label errors (the flips of a label-noise variant)."""

from __future__ import annotations

import numpy as np


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
    flagged), ``recall`` (flagged among the flipped); ``auroc``: scikit-learn's ROC AUC of the label quality,
    low to high, separating flipped (positive) from kept cases (0.5: chance, 1: every flipped case below every
    kept one).
    """
    from sklearn.metrics import roc_auc_score

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
        "auroc": float(roc_auc_score(flipped, -quality)),
    }
