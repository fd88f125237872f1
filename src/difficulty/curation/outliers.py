"""Outliers: a per-case out-of-distribution score, the k-NN distance to cases of other patients.

Our own k-NN distance rather than cleanlab's ``OutOfDistribution``: cleanlab's feature-based score
takes the nearest neighbours among all cases, so a patient's other cases (a second lesion, the other
side) would hide an outlying patient; here, as for kDN, a case's own patient never counts, and both
use the same neighbours.
"""

from __future__ import annotations

import numpy as np

from .hardness import K, neighbours


def outlier_scores(X, groups=None, k: int = K) -> np.ndarray:
    """(n,) mean Euclidean distance (standardised features) of each case to its k nearest cases of other patients,
    divided by the median of that distance over the cases: about 1 for a typical case, higher is more outlying.

    Parameters
    ----------
    X : (n, d) features; groups : (n,) patient ids or None; k : neighbours.
    """
    _, dist = neighbours(X, groups, k)
    mean = dist.mean(axis=1)
    median = float(np.median(mean))
    if median == 0:
        raise ValueError("half the cases or more coincide with their neighbours: the outlier score needs spread")
    return mean / median
