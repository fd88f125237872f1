"""Cumulative spectral gradient (CSG; Branchaud-Charron, Achkar and Jodoin, CVPR 2019).

As the authors' package ``spectral-metric`` computes it, on every case
instead of M sampled per class: each case's k nearest neighbours (other
patients only) give its class probabilities, divided by the volume of the
Parzen window they span (Π over features of 2 max |x_neighbour − x|, at least
1e-4); S[i, j] is the normalised mean over class i of the class-j
probability; W = 1 − Bray–Curtis distance between rows of S; CSG sums the
cumulative maximum of the eigengaps of W's Laplacian, the gap i divided by
C − i + 1. Lower is easier.
"""

from __future__ import annotations

import numpy as np

from ..options import Option
from .knn import knn_neighbours
from .pairwise import distance_matrix, sessions_from_matrix
from .registry import register_metric
from .validation import check_inputs

MIN_VOLUME = 1e-4


def class_similarity(X: np.ndarray, D: np.ndarray, codes: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """(C, C) matrix S: row i the normalised mean over class i of the Parzen class probabilities.

    Parameters
    ----------
    X : (n, d) features; D : (n, n) their distances; codes : (n,) class codes; groups : (n,) patient codes.
    k : neighbours per case.
    """
    n_classes = int(codes.max()) + 1
    idx = knn_neighbours(D, groups, k)
    prob = np.zeros((len(X), n_classes))
    np.add.at(prob, (np.arange(len(X))[:, None], codes[idx]), 1.0 / k)
    # Window volumes in logs (a product over hundreds of features over- or underflows);
    # a common factor cancels in each row's normalisation.
    span = 2.0 * np.abs(X[idx] - X[:, None, :]).max(axis=1)
    with np.errstate(divide="ignore"):
        log_volume = np.maximum(np.log(span).sum(axis=1), np.log(MIN_VOLUME))
    S = np.zeros((n_classes, n_classes))
    for c in range(n_classes):
        m = codes == c
        w = np.exp(-(log_volume[m] - log_volume[m].min()))
        S[c] = w @ prob[m]
        S[c] /= S[c].sum()
    return S


def csg_from_similarity(S: np.ndarray) -> float:
    """CSG of a (C, C) class similarity matrix."""
    C = len(S)
    W = np.empty((C, C))
    for i in range(C):
        for j in range(C):
            W[i, j] = 1.0 - np.abs(S[i] - S[j]).sum() / np.abs(S[i] + S[j]).sum()
    L = np.diag(W.sum(axis=1) - np.diag(W)) - (W - np.diag(np.diag(W)))
    evals = np.linalg.eigvalsh(L)
    gaps = np.diff(evals) / (np.arange(C - 1, 0, -1) + 1)
    return float(np.maximum.accumulate(gaps).sum())


def csg(X, y, groups=None, k: int = 3) -> float:
    """Cumulative spectral gradient; lower is easier.

    Parameters
    ----------
    X : (n, d) features; y : (n,) labels; groups : (n,) patient ids or None.
    k : neighbours per case (never of its own patient).
    """
    data = check_inputs(X, y, groups)
    return csg_from_distances(data.X, distance_matrix(data.X), data.codes, data.groups, k)


def csg_from_distances(X: np.ndarray, D: np.ndarray, codes: np.ndarray, groups: np.ndarray, k: int = 3) -> float:
    """CSG of one sample set from its (n, d) features and (n, n) distances."""
    return csg_from_similarity(class_similarity(X, D, codes, groups, k))


register_metric(
    "csg",
    csg,
    sessions=sessions_from_matrix(csg_from_distances, with_features=True),
    higher_is_easier=False,
    scale_free=False,  # the 1e-4 floor of the window volume is absolute
    options={"k": Option(3, "neighbours per case (never of its own patient)", {"type": "integer", "minimum": 1})},
    help="Cumulative spectral gradient",
    reference="Branchaud-Charron et al. 2019",
)
