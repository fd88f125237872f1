"""Distance-based separability index (DSI; Guan and Loew 2021).

For each class, the Kolmogorov–Smirnov statistic between its intra-class
distances (pairs of cases of different patients) and the distances from its
cases to all other cases; DSI is the mean over classes. 1 means the two
distance distributions do not overlap (separable), 0 that they coincide.
Higher is easier.
"""

from __future__ import annotations

import numpy as np

from .pairwise import metric_from_distances, same_group, sessions_from_matrix
from .registry import register_metric


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov statistic sup |F_a − F_b| of two 1-D samples."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.abs(fa - fb).max())


def dsi_from_distances(D, codes, groups) -> float:
    """DSI of one sample set from its (n, n) distances; classes whose cases all share a patient are skipped."""
    upper = np.triu(np.ones(D.shape, dtype=bool), k=1) & ~same_group(groups)
    values = []
    for c in range(int(codes.max()) + 1):
        m = codes == c
        intra = D[np.ix_(m, m)][upper[np.ix_(m, m)]]
        if len(intra):
            values.append(ks_statistic(intra, D[np.ix_(m, ~m)].ravel()))
    return float(np.mean(values))


dsi = metric_from_distances(dsi_from_distances)

register_metric(
    "dsi",
    dsi,
    sessions=sessions_from_matrix(dsi_from_distances),
    higher_is_easier=True,
    help="Distance-based separability index",
    reference="Guan and Loew 2021",
)
