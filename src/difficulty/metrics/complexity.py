"""Classical data complexity measures (Ho and Basu 2002; Lorena et al. 2019): F1, N1, N2, LSC.

All four are complexities: lower is easier. The neighbourhood measures work
on Euclidean distances and never count a case's own patient: N1's spanning
tree joins only cases of different patients, N2 takes a case's nearest
same-class neighbour among other patients' cases, and LSC's local set and
nearest enemy are other patients' cases. With one case per patient they are
the published measures.
"""

from __future__ import annotations

import warnings

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

    Returns
    -------
    F1, or NaN with a RuntimeWarning when every feature is constant (the same value in every case): no
    feature has a ratio, so the measure is undefined.
    """
    data = check_inputs(X, y)
    r = fisher_ratios(data.X, data.codes)
    if np.isnan(r).all():
        warnings.warn(
            f"f1: all {r.size} features are constant (one value in every case); F1 is undefined and given as NaN",
            RuntimeWarning,
            stacklevel=2,
        )
        return np.nan
    return float(1.0 / (1.0 + np.nanmax(r)))


def minimum_spanning_tree(D: np.ndarray) -> np.ndarray:
    """(n − 1, 2) edges of a minimum spanning tree of the graph with weights D (Prim, O(n²)).

    An infinite weight is no edge; a ValueError says when the graph is not connected.
    """
    n = len(D)
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = D[0].copy()
    parent = np.zeros(n, dtype=np.int64)
    edges = np.empty((n - 1, 2), dtype=np.int64)
    for step in range(n - 1):
        cand = np.where(in_tree, np.inf, best)
        j = int(np.argmin(cand))
        if not np.isfinite(cand[j]):
            raise ValueError(f"the graph is not connected: {n - step - 1} of {n} nodes cannot be reached")
        edges[step] = parent[j], j
        in_tree[j] = True
        closer = D[j] < best
        best = np.where(closer, D[j], best)
        parent = np.where(closer, j, parent)
    return edges


def n1_from_distances(D, codes, groups) -> float:
    """N1: fraction of cases joined to a case of another class by an edge of the MST; lower is easier.

    The tree spans the graph of pairs of cases of different patients (a case is never joined to its own
    patient's cases), so it needs at least two patients.
    """
    if len(np.unique(groups)) < 2:
        raise ValueError("N1 needs cases of at least two patients: all cases are of one patient")
    edges = minimum_spanning_tree(np.where(same_group(groups) & ~np.eye(len(D), dtype=bool), np.inf, D))
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


def lsc_from_distances(D, codes, groups) -> float:
    """LSC = 1 − Σ_i |LS(x_i)| / n², LS(x_i) the cases closer to x_i than its nearest enemy; lower is easier.

    The nearest enemy is the nearest case of another class and another patient; LS(x_i) holds x_i and the
    other patients' cases closer than it (all of them when no other patient's case is of another class).
    """
    own = same_group(groups)
    enemy = np.where((codes[:, None] == codes[None, :]) | own, np.inf, D).min(axis=1)
    local = (D < enemy[:, None]) & ~own
    return float(1.0 - (local.sum() + len(D)) / len(D) ** 2)


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
    help="N1, fraction of cases on a class boundary of the minimum spanning tree (patient-aware)",
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
    help="LSC, local set average cardinality (patient-aware)",
    reference="Lorena et al. 2019",
)
