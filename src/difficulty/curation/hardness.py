"""Instance hardness: kDN, the share of a case's nearest neighbours (other patients) that carry another label."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.knn import knn_neighbours
from ..metrics.pairwise import distance_matrix

K = 5


def standardise(X) -> np.ndarray:
    """(n, d) features z-scored per column over the cases (ddof = 0); a constant column becomes 0."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or not np.isfinite(X).all():
        raise ValueError(f"features must be a finite (cases, features) array, got shape {X.shape}")
    sd = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def neighbours(X, groups=None, k: int = K) -> tuple[np.ndarray, np.ndarray]:
    """Each case's k nearest cases of other patients, Euclidean on the standardised features.

    Computed with the cases sorted by their features (as the probe's folds are), so that the result, to
    the bit, does not depend on the order of the rows.

    Parameters
    ----------
    X : (n, d) features; groups : (n,) patient ids, None for one patient per case; k : neighbours.

    Returns
    -------
    (n, k) indices, nearest first, and their (n, k) distances.
    """
    X = np.asarray(X, dtype=np.float64)
    groups = np.arange(len(X)) if groups is None else np.asarray(groups)
    if X.ndim != 2 or len(groups) != len(X):
        raise ValueError(f"features of shape {X.shape} and {len(groups)} patient ids: one row per case is needed")
    order = np.lexsort(X.T[::-1])
    D = distance_matrix(standardise(X[order]))
    sorted_idx = knn_neighbours(D, pd.factorize(groups[order])[0], k)
    idx, dist = np.empty_like(sorted_idx), np.empty(sorted_idx.shape)
    idx[order], dist[order] = order[sorted_idx], np.take_along_axis(D, sorted_idx, axis=1)
    return idx, dist


def kdn(X, labels, groups=None, k: int = K) -> np.ndarray:
    """(n,) k-disagreeing neighbours: the fraction of each case's k nearest cases of other patients whose label
    differs from its own (0: among its own class; 1: surrounded by another class).

    Parameters
    ----------
    X : (n, d) features; labels : (n,) labels; groups : (n,) patient ids or None; k : neighbours.
    """
    labels = np.asarray(labels)
    idx, _ = neighbours(X, groups, k)
    if len(labels) != len(idx):
        raise ValueError(f"{len(idx)} cases but {len(labels)} labels")
    codes = pd.factorize(labels)[0]
    return (codes[idx] != codes[:, None]).mean(axis=1)
