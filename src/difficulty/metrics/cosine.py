"""Cosine-similarity class separation after Cao et al. (2024).

Cao et al. define the intra-class similarity S_R of a class as the mean cosine
similarity of its pairs of cases, and the inter-class similarity S_E of two
classes as the mean over their cross pairs. This measure is their
difference, mean S_R over classes minus mean S_E over class pairs: high when
cases are more alike within than across classes. Pairs of cases of one
patient are left out of S_R. Higher is easier.
"""

from __future__ import annotations

import numpy as np

from .pairwise import same_group, sessions_from_matrix
from .registry import register_metric
from .validation import check_inputs, class_pairs


def cosine_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) cosine similarities of the rows of X (a zero row is similar to nothing)."""
    norms = np.linalg.norm(X, axis=1)
    U = X / np.where(norms > 0, norms, 1.0)[:, None]
    return U @ U.T


def cosine_separation_from_similarity(K, codes, groups) -> float:
    """Mean intra-class minus mean inter-class cosine similarity from (n, n) similarities K."""
    n_classes = int(codes.max()) + 1
    other_patient = ~same_group(groups)
    members = [codes == c for c in range(n_classes)]
    intra = []
    for m in members:
        keep = other_patient[np.ix_(m, m)]
        if keep.any():
            intra.append(K[np.ix_(m, m)][keep].mean())
    inter = [K[np.ix_(members[a], members[b])].mean() for a, b in class_pairs(n_classes)]
    return float(np.mean(intra) - np.mean(inter))


def cosine_separation(X, y, groups=None) -> float:
    """Cosine-similarity class separation; higher is easier.

    Parameters
    ----------
    X : (n, d) features; y : (n,) labels; groups : (n,) patient ids or None.
    """
    data = check_inputs(X, y, groups)
    return cosine_separation_from_similarity(cosine_matrix(data.X), data.codes, data.groups)


register_metric(
    "cosine",
    cosine_separation,
    sessions=sessions_from_matrix(cosine_separation_from_similarity, cosine_matrix),
    higher_is_easier=True,
    help="Intra- minus inter-class mean cosine similarity",
    reference="after Cao et al. 2024",
)
