"""Class imbalance ratio, reported beside every difficulty measure."""

from __future__ import annotations

import numpy as np

from .registry import register_metric
from .validation import check_inputs


def imbalance_ratio(X, y, groups=None) -> float:
    """Cases in the largest class over cases in the smallest (1 when balanced); lower is easier.

    Parameters
    ----------
    X : (n, d) features (only checked); y : (n,) labels; groups : unused.
    """
    counts = np.bincount(check_inputs(X, y).codes)
    return float(counts.max() / counts.min())


register_metric(
    "imbalance",
    imbalance_ratio,
    higher_is_easier=False,
    label_only=True,
    help="Class imbalance ratio, largest over smallest class",
)
