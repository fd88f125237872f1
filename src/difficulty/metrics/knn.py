"""k-nearest-neighbour leave-one-out error and AUC, patient-aware.

Each case is classified by the vote of its k nearest cases (Euclidean), never
counting a case of its own patient (itself included). Ties in the vote go to
the class of the nearer neighbours. The AUC scores each case by the fraction
of its neighbours in each class (one-vs-rest, macro average over classes).
"""

from __future__ import annotations

import numpy as np

from ..auc import roc_auc
from ..options import Option
from .pairwise import metric_from_distances, nearest, same_group, sessions_from_matrix
from .registry import register_metric

K_OPTION = {"k": Option(5, "neighbours per case (never of its own patient)", {"type": "integer", "minimum": 1})}


def knn_neighbours(D: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """(n, k) indices of each case's k nearest cases of other patients, nearest first.

    Parameters
    ----------
    D : (n, n) distances; groups : (n,) patient codes; k : neighbours.
    """
    others = np.where(same_group(groups), np.inf, D)
    available = int(np.isfinite(others).sum(axis=1).min())
    if available < k:
        raise ValueError(f"k = {k} but a case has only {available} cases of other patients")
    return nearest(others, k)


def _votes(codes: np.ndarray, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
    votes = np.zeros((len(idx), int(codes.max()) + 1))
    np.add.at(votes, (np.arange(len(idx))[:, None], codes[idx]), weights)
    return votes


def knn_error_from_distances(D, codes, groups, k: int = 5) -> float:
    """Leave-one-out k-NN error rate (fraction of cases misclassified); lower is easier."""
    idx = knn_neighbours(D, groups, k)
    # Distinct powers of two: the nearest neighbour of the tied classes decides a tie, never a majority.
    weights = 1.0 + 1e-3 * 2.0 ** -np.arange(1, k + 1)
    return float(np.mean(_votes(codes, idx, weights).argmax(axis=1) != codes))


def knn_auc_from_distances(D, codes, groups, k: int = 5) -> float:
    """Leave-one-out k-NN ROC AUC (neighbour class fractions as scores); higher is easier."""
    return roc_auc(codes, _votes(codes, knn_neighbours(D, groups, k), np.full(k, 1.0 / k)))


knn_error = metric_from_distances(knn_error_from_distances)
knn_auc = metric_from_distances(knn_auc_from_distances)

register_metric(
    "knn_error",
    knn_error,
    sessions=sessions_from_matrix(knn_error_from_distances),
    higher_is_easier=False,
    options=K_OPTION,
    help="k-NN leave-one-out error, neighbours of other patients only",
    reference="Sorkhei et al. 2025 (as a baseline)",
)
register_metric(
    "knn_auc",
    knn_auc,
    sessions=sessions_from_matrix(knn_auc_from_distances),
    higher_is_easier=True,
    auc_units=True,
    options=K_OPTION,
    help="k-NN leave-one-out ROC AUC (one-vs-rest), neighbours of other patients only",
    reference="Sorkhei et al. 2025 (as a baseline)",
)
