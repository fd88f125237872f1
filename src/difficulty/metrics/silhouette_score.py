"""Silhouette score (SIL) of the study, for one sample set or many bootstrap sessions at once.

All sessions come from one pass over the pairwise distances: the per-class
distance sums of every sample to each session's selection are one matrix
product with the boolean selection matrix W (n × sessions); the distances to
a sample's own patient are subtracted with a sparse block-diagonal term.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..options import Option
from . import backend
from .registry import register_metric
from .validation import Inputs, check_inputs, class_pairs


def _distance_block(X, sq, rows: slice, ops: backend.Ops):
    """Euclidean distances (r, n) from X[rows] to all of X (X already centred)."""
    d2 = sq[rows, None] + sq[None, :] - 2.0 * (X[rows] @ X.T)
    D = ops.sqrt(ops.clamp_min(d2, 0.0))
    idx = ops.arange(rows.start, rows.stop)
    D[idx - rows.start, idx] = 0.0
    return D


def _same_group_matrix(data: Inputs) -> sparse.csr_matrix | None:
    """Sparse n × n matrix of distances between distinct same-class, same-group samples."""
    key = data.groups * data.n_classes + data.codes
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    rows, cols = [], []
    for members in np.split(order, bounds):
        if len(members) > 1:
            i, j = np.meshgrid(members, members, indexing="ij")
            off = i != j
            rows.append(i[off])
            cols.append(j[off])
    if not rows:
        return None
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    dist = np.linalg.norm(data.X[rows] - data.X[cols], axis=1)
    n = len(data.X)
    return sparse.csr_matrix((dist, (rows, cols)), shape=(n, n))


class _ClassSums:
    """Per-class sums of distances from a block of rows to each session's selected samples."""

    def __init__(self, X: np.ndarray, Wc: list[np.ndarray], device: str):
        self.ops = backend.array_ops(device)
        self.X = self.ops.asarray(X)
        self.sq = self.ops.row_norms_squared(self.X)
        self.W = self.ops.asarray(np.stack(Wc))  # (C, n, sessions)

    def __call__(self, rows: slice) -> np.ndarray:
        D = _distance_block(self.X, self.sq, rows, self.ops)
        return self.ops.to_numpy(self.ops.matmul(D, self.W))  # (C, r, sessions)


def silhouette_sessions(data: Inputs, W: np.ndarray, multiclass: str = "pairs", device: str = "numpy") -> np.ndarray:
    """SIL per class pair and session.

    Parameters
    ----------
    data : checked inputs (n samples).
    W : (n, sessions) boolean selection of each session's samples.
    multiclass : ``"pairs"`` (mean over class pairs) or ``"nearest"`` (b from the nearest other class).
    device : ``"numpy"`` or a torch device for the distance products.

    Returns
    -------
    (pairs, sessions) for ``"pairs"``, (1, sessions) for ``"nearest"``.
    """
    X = data.X - data.X.mean(axis=0)
    n, n_sessions = W.shape
    C = data.n_classes
    pairs = class_pairs(C)
    Wf = W.astype(np.float64)
    Wc = [Wf * (data.codes == c)[:, None] for c in range(C)]
    N = np.stack([w.sum(axis=0) for w in Wc])  # (C, sessions)
    class_sums = _ClassSums(X, Wc, device)
    P = _same_group_matrix(data)
    if P is not None:
        Q = P.copy()
        Q.data[:] = 1.0
    out = np.zeros((len(pairs) if multiclass == "pairs" else 1, n_sessions))
    block = max(1, backend.BLOCK_VALUES // max(n, 1))
    for start in range(0, n, block):
        rows = slice(start, min(n, start + block))
        sums = class_sums(rows)  # (C, r, sessions)
        codes = data.codes[rows]
        r_idx = np.arange(len(codes))
        own_sum = sums[codes, r_idx]  # (r, sessions)
        own_n = N[codes] - 1.0
        if P is not None:
            own_sum = own_sum - P[rows] @ Wf
            own_n = own_n - Q[rows] @ Wf
        sel = W[rows]
        with np.errstate(invalid="ignore", divide="ignore"):
            a = own_sum / own_n
            means = sums / N[:, None, :]
        valid = sel & (own_n > 0)

        def s_value(b, a=a, valid=valid):
            with np.errstate(invalid="ignore"):
                denom = np.maximum(a, b)
                s = np.where(denom > 0, (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
            return np.where(valid, s, 0.0)

        if multiclass == "nearest":
            other = means.copy()
            other[codes, r_idx] = np.inf
            out[0] += s_value(other.min(axis=0)).sum(axis=0)
            continue
        for k, (c1, c2) in enumerate(pairs):
            for own, oth in ((c1, c2), (c2, c1)):
                m = codes == own
                if m.any():
                    out[k] += s_value(means[oth])[m].sum(axis=0)
    if multiclass == "nearest":
        return out / N.sum(axis=0)
    counts = np.stack([N[c1] + N[c2] for c1, c2 in pairs])
    return out / counts


def _check_multiclass(multiclass: str) -> None:
    if multiclass not in ("pairs", "nearest"):
        raise ValueError(f"multiclass must be 'pairs' or 'nearest', got {multiclass!r}")


def silhouette(X, y, groups=None, multiclass: str = "pairs", per_pair: bool = False):
    """Silhouette score of the study: higher means easier.

    a_i is the mean distance to the sample's own class, leaving out every sample
    with the same group (patient) id; b_i the mean distance to the other class.

    Parameters
    ----------
    X : (n, d) features.
    y : (n,) labels, at least two classes.
    groups : (n,) patient ids, or None (each sample its own patient).
    multiclass : with more than two classes, ``"pairs"`` averages the two-class
        value over all class pairs, ``"nearest"`` takes b_i from the nearest other class.
    per_pair : return ``{(class_a, class_b): value}`` instead of the mean (``"pairs"`` only).
    """
    _check_multiclass(multiclass)
    data = check_inputs(X, y, groups)
    W = np.ones((len(data.X), 1), dtype=bool)
    values = silhouette_sessions(data, W, multiclass)[:, 0]
    if per_pair:
        if multiclass != "pairs":
            raise ValueError("per_pair=True needs multiclass='pairs'")
        return {(data.classes[a], data.classes[b]): float(v) for (a, b), v in zip(class_pairs(data.n_classes), values)}
    return float(values.mean())


def _bootstrap_sessions(data: Inputs, draws, device: str = "numpy", multiclass: str = "pairs") -> np.ndarray:
    """SIL of every drawn session, in chunks of sessions that fit the memory budget."""
    _check_multiclass(multiclass)
    n = len(data.X)
    scores = []
    chunk = max(1, backend.BLOCK_VALUES // (2 * n * data.n_classes))
    for start in range(0, len(draws), chunk):
        part = draws[start : start + chunk]
        W = np.zeros((n, len(part)), dtype=bool)
        for s, drawn in enumerate(part):
            W[np.concatenate(drawn), s] = True
        scores.append(silhouette_sessions(data, W, multiclass, device).mean(axis=0))
    return np.concatenate(scores)


register_metric(
    "sil",
    silhouette,
    sessions=_bootstrap_sessions,
    higher_is_easier=True,
    min_per_class=2,
    options={
        "multiclass": Option(
            "pairs",
            "more than two classes: 'pairs' averages over class pairs, 'nearest' takes b from the nearest class",
            {"enum": ["pairs", "nearest"]},
        )
    },
    help="Silhouette score of the study (patient-aware a_i); higher is easier",
)
