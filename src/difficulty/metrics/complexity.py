"""Classical data complexity measures (Ho and Basu 2002; Lorena et al. 2019): F1, N1, N2, LSC.

All four are complexities: lower is easier. The neighbourhood measures work
on Euclidean distances; N2 takes a case's nearest same-class neighbour among
other patients' cases.
"""

from __future__ import annotations

import numpy as np

from .pairwise import metric_from_distances, same_group, sessions_from_matrix
from .registry import register_metric
from .validation import check_inputs


def fisher_ratios(X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """(d,) Fisher discriminant ratio of each feature.

    r = Σ_{j≠l} p_j p_l (μ_j − μ_l)² / Σ_j p_j σ_j² over classes j, l with proportions p
    and per-class means μ and variances σ² (ddof 0): with two classes the
    ratio of ``problexity``'s F1, with balanced classes Ho and Basu's (μ_1 − μ_2)² / (σ_1² + σ_2²).
    A feature constant in every class gives NaN (it is ignored).
    """
    n_classes = int(codes.max()) + 1
    p = np.bincount(codes, minlength=n_classes) / len(codes)
    means = np.stack([X[codes == c].mean(axis=0) for c in range(n_classes)])
    within = sum(p[c] * X[codes == c].var(axis=0) for c in range(n_classes))
    centre = p @ means
    between = 2.0 * (p @ (means - centre) ** 2)  # = Σ_{j≠l} p_j p_l (μ_j − μ_l)²
    with np.errstate(divide="ignore", invalid="ignore"):
        return between / within


def f1(X, y, groups=None) -> float:
    """F1 = 1 / (1 + max_i r_i), the maximum Fisher discriminant ratio over features; lower is easier.

    Parameters
    ----------
    X : (n, d) features; y : (n,) labels; groups : unused (accepted for the common signature).
    """
    data = check_inputs(X, y)
    r = fisher_ratios(data.X, data.codes)
    if np.isnan(r).all():
        return 1.0
    return float(1.0 / (1.0 + np.nanmax(r)))


def minimum_spanning_tree(D: np.ndarray) -> np.ndarray:
    """(n − 1, 2) edges of a minimum spanning tree of the complete graph with weights D (Prim, O(n²))."""
    n = len(D)
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = D[0].copy()
    parent = np.zeros(n, dtype=np.int64)
    edges = np.empty((n - 1, 2), dtype=np.int64)
    for step in range(n - 1):
        cand = np.where(in_tree, np.inf, best)
        j = int(np.argmin(cand))
        edges[step] = parent[j], j
        in_tree[j] = True
        closer = D[j] < best
        best = np.where(closer, D[j], best)
        parent = np.where(closer, j, parent)
    return edges


def n1_from_distances(D, codes, groups=None) -> float:
    """N1: fraction of cases joined to a case of another class by an edge of the MST; lower is easier."""
    edges = minimum_spanning_tree(D)
    cross = edges[codes[edges[:, 0]] != codes[edges[:, 1]]]
    return len(np.unique(cross)) / len(D)


def n2_from_distances(D, codes, groups) -> float:
    """N2 = q / (1 + q), q = Σ intra-class / Σ extra-class nearest-neighbour distances; lower is easier.

    A case's intra-class neighbour is the nearest same-class case of another patient.
    """
    same = codes[:, None] == codes[None, :]
    intra = np.where(same & ~same_group(groups), D, np.inf).min(axis=1)
    extra = np.where(same, np.inf, D).min(axis=1)
    keep = np.isfinite(intra)  # a case whose class holds only its own patient has no intra neighbour
    q = intra[keep].sum() / extra[keep].sum()
    return float(q / (1.0 + q))


def lsc_from_distances(D, codes, groups=None) -> float:
    """LSC = 1 − Σ_i |LS(x_i)| / n², LS(x_i) the cases closer to x_i than its nearest enemy; lower is easier."""
    enemy = np.where(codes[:, None] == codes[None, :], np.inf, D).min(axis=1)
    return float(1.0 - (D < enemy[:, None]).sum() / len(D) ** 2)


n1 = metric_from_distances(n1_from_distances)
n2 = metric_from_distances(n2_from_distances)
lsc = metric_from_distances(lsc_from_distances)

register_metric(
    "f1",
    f1,
    higher_is_easier=False,
    help="F1, maximum Fisher discriminant ratio, 1 / (1 + max r)",
    reference="Ho and Basu 2002; Lorena et al. 2019",
)
register_metric(
    "n1",
    n1,
    sessions=sessions_from_matrix(n1_from_distances),
    higher_is_easier=False,
    help="N1, fraction of cases on a class boundary of the minimum spanning tree",
    reference="Ho and Basu 2002; Lorena et al. 2019",
)
register_metric(
    "n2",
    n2,
    sessions=sessions_from_matrix(n2_from_distances),
    higher_is_easier=False,
    help="N2, intra/extra-class nearest-neighbour distance ratio q / (1 + q), patient-aware",
    reference="Lorena et al. 2019",
)
register_metric(
    "lsc",
    lsc,
    sessions=sessions_from_matrix(lsc_from_distances),
    higher_is_easier=False,
    help="LSC, local set average cardinality",
    reference="Lorena et al. 2019",
)
