"""Pairwise distances shared by the neighbourhood measures, and their bootstrap route.

A measure written as ``score(D, codes, groups, **options)`` on the (n, n)
Euclidean distance matrix of one sample set becomes a metric function and a
sessions route: the route computes the distances (or another pairwise matrix,
such as cosine similarities) of all samples once and hands each session its
sub-matrix (per session above ``FULL_MATRIX_MAX_N`` samples, to bound memory).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .validation import Inputs, check_inputs

# Largest n whose full distance matrix the sessions route keeps (8000² doubles = 512 MB).
FULL_MATRIX_MAX_N = 8000

DistanceScore = Callable[..., float]


def distance_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) Euclidean distances between the rows of X (n, d), exactly 0 on the diagonal."""
    sq = np.einsum("ij,ij->i", X, X)
    D = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * (X @ X.T), 0.0))
    np.fill_diagonal(D, 0.0)
    return D


def same_group(groups: np.ndarray) -> np.ndarray:
    """(n, n) boolean: the two samples share a group (patient); True on the diagonal."""
    return groups[:, None] == groups[None, :]


def nearest(D: np.ndarray, k: int) -> np.ndarray:
    """(n, k) column indices of the k smallest entries of each row of D, nearest first."""
    part = np.argpartition(D, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(D, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def metric_from_distances(score: DistanceScore, min_per_class: int = 2) -> Callable[..., float]:
    """``fn(X, y, groups, **options)`` computing ``score`` on the distances of X."""

    def fn(X, y, groups=None, **options) -> float:
        data = check_inputs(X, y, groups, min_per_class=min_per_class)
        return float(score(distance_matrix(data.X), data.codes, data.groups, **options))

    fn.__name__ = score.__name__
    fn.__doc__ = score.__doc__
    return fn


def sessions_from_matrix(
    score: DistanceScore, matrix: Callable[[np.ndarray], np.ndarray] = distance_matrix, with_features: bool = False
) -> Callable[..., np.ndarray]:
    """Sessions route ``sessions(data, draws, device, **options)`` of a measure on a pairwise matrix.

    Parameters
    ----------
    score : ``score(M, codes, groups, **options)`` of one session's (m, m) sub-matrix; with
        ``with_features``, ``score(X, M, codes, groups, **options)`` with the session's (m, d) features too.
    matrix : the (n, n) pairwise matrix of (n, d) features, computed once for all samples (default:
        Euclidean distances).
    """

    def sessions(data: Inputs, draws, device: str = "numpy", **options) -> np.ndarray:
        full = matrix(data.X) if len(data.X) <= FULL_MATRIX_MAX_N else None
        out = np.empty(len(draws))
        for s, idx in enumerate(map(np.concatenate, draws)):
            M = full[np.ix_(idx, idx)] if full is not None else matrix(data.X[idx])
            features = (data.X[idx],) if with_features else ()
            out[s] = score(*features, M, data.codes[idx], data.groups[idx], **options)
        return out

    return sessions
