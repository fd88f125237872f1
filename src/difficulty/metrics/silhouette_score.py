"""Silhouette score (SIL) of the study, for one sample set or many bootstrap sessions at once.

All sessions come from one pass over the pairwise distances: the per-class
distance sums of every sample to each session's selection are one matrix
product with the boolean matrix of the chosen samples (n × sessions); the distances to
a sample's own patient are subtracted with a sparse block-diagonal term.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..options import Option
from . import backend
from .registry import register_metric
from .validation import Inputs, check_inputs, class_pairs


def _distance_block(X, sq, rows: slice, Y, sq_y, cols, ops: backend.Ops):
    """Euclidean distances (r, m) from X[rows] to the samples ``cols`` (their rows Y = X[cols], squared norms
    sq_y; X centred), exactly 0 from a sample to itself."""
    d2 = sq[rows, None] + sq_y[None, :] - 2.0 * (X[rows] @ Y.T)
    D = ops.sqrt(ops.clamp_min(d2, 0.0))
    inside = np.flatnonzero((cols >= rows.start) & (cols < rows.stop))  # columns that are rows of the block
    D[ops.asarray(cols[inside] - rows.start), ops.asarray(inside)] = 0.0
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


class _DistanceSums:
    """Per-class sums of distances from a block of samples to each session's chosen samples of that class.

    Each class's sums come from the distances to that class's samples only, multiplied by their rows of the
    chosen matrix: no product runs over the other classes' zeros.
    """

    def __init__(self, X: np.ndarray, chosen: np.ndarray, members: list[np.ndarray], device: str):
        self.ops = backend.array_ops(device)
        self.X = self.ops.asarray(X)
        self.sq = self.ops.row_norms_squared(self.X)
        self.members = members
        self.of_class = [
            (self.X[m], self.sq[m], self.ops.asarray(chosen[m])) for m in members
        ]  # (n_c, d), (n_c,), (n_c, S)

    def __call__(self, rows: slice) -> np.ndarray:
        """(C, r, sessions): for sample i of ``rows``, the sum of its distances to the chosen samples of class c."""
        sums = []
        for m, (Y, sq_y, chosen) in zip(self.members, self.of_class):
            D = _distance_block(self.X, self.sq, rows, Y, sq_y, m, self.ops)
            sums.append(self.ops.to_numpy(self.ops.matmul(D, chosen)))
        return np.stack(sums)


def silhouette_sessions(
    data: Inputs, chosen: np.ndarray, multiclass: str = "pairs", device: str = "numpy"
) -> np.ndarray:
    """SIL per class pair and session.

    Parameters
    ----------
    data : checked inputs (n samples).
    chosen : (n, sessions) boolean, the samples each session drew.
    multiclass : ``"pairs"`` (mean over class pairs) or ``"nearest"`` (b from the nearest other class).
    device : ``"numpy"`` or a torch device for the distance products.

    Returns
    -------
    (pairs, sessions) for ``"pairs"``, (1, sessions) for ``"nearest"``.
    """
    X = data.X - data.X.mean(axis=0)
    n, n_sessions = chosen.shape
    pairs = class_pairs(data.n_classes)
    chosen_f = chosen.astype(np.float64)
    members = data.members()
    class_count = np.stack([chosen_f[m].sum(axis=0) for m in members])  # (C, sessions): drawn per class
    distance_sums = _DistanceSums(X, chosen_f, members, device)
    # Distances between distinct samples of one patient and class (and 1 where there is such a pair): they leave a_i.
    patient_distances = _same_group_matrix(data)
    if patient_distances is not None:
        patient_pairs = patient_distances.copy()
        patient_pairs.data[:] = 1.0
    totals = np.zeros((len(pairs) if multiclass == "pairs" else 1, n_sessions))  # sums of s_i
    block = max(1, backend.BLOCK_VALUES // max(n, 1))
    for start in range(0, n, block):
        rows = slice(start, min(n, start + block))
        sums = distance_sums(rows)  # (C, r, sessions)
        codes = data.codes[rows]
        r_idx = np.arange(len(codes))
        own_sum = sums[codes, r_idx]  # (r, sessions): to the chosen samples of the sample's own class
        own_count = class_count[codes] - 1.0  # ... of which there are this many besides itself
        if patient_distances is not None:
            own_sum = own_sum - patient_distances[rows] @ chosen_f
            own_count = own_count - patient_pairs[rows] @ chosen_f
        with np.errstate(invalid="ignore", divide="ignore"):
            a = own_sum / own_count  # (r, sessions): mean distance to the own class, the patient left out
            mean_to_class = sums / class_count[:, None, :]  # (C, r, sessions): candidates for b
        counted = chosen[rows] & (own_count > 0)

        def s_value(b, a=a, counted=counted):
            with np.errstate(invalid="ignore"):
                denom = np.maximum(a, b)
                s = np.where(denom > 0, (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
            return np.where(counted, s, 0.0)

        if multiclass == "nearest":
            other_classes = mean_to_class.copy()
            other_classes[codes, r_idx] = np.inf
            totals[0] += s_value(other_classes.min(axis=0)).sum(axis=0)
            continue
        for k, (c1, c2) in enumerate(pairs):
            for own, other in ((c1, c2), (c2, c1)):
                m = codes == own
                if m.any():
                    totals[k] += s_value(mean_to_class[other])[m].sum(axis=0)
    if multiclass == "nearest":
        return totals / class_count.sum(axis=0)
    pair_count = np.stack([class_count[c1] + class_count[c2] for c1, c2 in pairs])
    return totals / pair_count


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
    everyone = np.ones((len(data.X), 1), dtype=bool)
    values = silhouette_sessions(data, everyone, multiclass)[:, 0]
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
        chosen = np.zeros((n, len(part)), dtype=bool)
        for s, drawn in enumerate(part):
            chosen[np.concatenate(drawn), s] = True
        scores.append(silhouette_sessions(data, chosen, multiclass, device).mean(axis=0))
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
    help="Silhouette score, patient-aware a_i",
    reference="Thornblad et al. 2025",
)
