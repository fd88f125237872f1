"""Dataset difficulty metrics: Silhouette (SIL) and the Fréchet-distance score.

Definitions follow Thornblad et al. 2025 (see docs/design.md). The bootstrap
computes all sessions at once: SIL from one pass over the pairwise distances
(a matrix product with the session selection matrix), the FID score from the
nuclear norm of centred cross products, exact and free of complex round-off.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse

MetricFn = Callable[[np.ndarray, np.ndarray, np.ndarray | None], float]

# Budget (in float64 values) for one block of the distance matrix and for the
# session selection matrices; keeps memory bounded for n up to ~20,000.
_BLOCK_VALUES = 1 << 24
# Largest n whose full Gram matrix the FID score keeps (8000² doubles = 512 MB).
_GRAM_MAX_N = 8000
_MIN_FID_CLASS = 4


@dataclass(frozen=True)
class _Data:
    """Validated inputs: float64 features, integer class and group codes."""

    X: np.ndarray
    codes: np.ndarray
    classes: np.ndarray
    groups: np.ndarray

    @property
    def n_classes(self) -> int:
        return len(self.classes)


def _check(X, y, groups=None, min_per_class: int = 2) -> _Data:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (samples, features), got shape {X.shape}")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has shape {y.shape}: one label per row is needed")
    bad = ~np.isfinite(X)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"X holds {int(bad.sum())} NaN or inf values (first at row {row}, column {col})")
    codes, classes = pd.factorize(y, sort=True)
    if len(classes) < 2:
        raise ValueError(f"y holds one class only ({classes[0]!r}); a difficulty metric needs at least two")
    counts = np.bincount(codes, minlength=len(classes))
    small = np.flatnonzero(counts < min_per_class)
    if small.size:
        c = small[0]
        raise ValueError(f"class {classes[c]!r} has {counts[c]} samples; this metric needs at least {min_per_class}")
    if groups is None:
        gcodes = np.arange(len(X))
    else:
        groups = np.asarray(groups)
        if len(groups) != len(X):
            raise ValueError(f"X has {len(X)} rows but groups has {len(groups)} entries")
        gcodes, _ = pd.factorize(groups)
    return _Data(X, codes.astype(np.int64), np.asarray(classes), np.asarray(gcodes, dtype=np.int64))


def _pairs(n_classes: int) -> list[tuple[int, int]]:
    return list(combinations(range(n_classes), 2))


# ----------------------------------------------------------------------------
# Silhouette
# ----------------------------------------------------------------------------


def _distance_block(X: np.ndarray, sq: np.ndarray, rows: slice) -> np.ndarray:
    """Euclidean distances from X[rows] to all of X (X already centred)."""
    d2 = sq[rows, None] + sq[None, :] - 2.0 * (X[rows] @ X.T)
    np.maximum(d2, 0.0, out=d2)
    d = np.sqrt(d2, out=d2)
    idx = np.arange(rows.start, rows.stop)
    d[idx - rows.start, idx] = 0.0
    return d


def _same_group_matrix(data: _Data) -> sparse.csr_matrix | None:
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


class _NumpySums:
    """Per-class sums of distances to the selected samples, with NumPy (BLAS)."""

    def __init__(self, X: np.ndarray, Wc: list[np.ndarray]):
        self.X, self.Wc = X, Wc
        self.sq = np.einsum("ij,ij->i", X, X)

    def __call__(self, rows: slice) -> np.ndarray:
        D = _distance_block(self.X, self.sq, rows)
        return np.stack([D @ w for w in self.Wc])


class _TorchSums:
    """The same sums with torch on ``device`` (a GPU when present)."""

    def __init__(self, X: np.ndarray, Wc: list[np.ndarray], device: str):
        import torch

        self.torch = torch
        self.X = torch.as_tensor(X, device=device)
        self.sq = (self.X * self.X).sum(1)
        self.W = torch.stack([torch.as_tensor(w, device=device) for w in Wc])

    def __call__(self, rows: slice) -> np.ndarray:
        d2 = self.sq[rows, None] + self.sq[None, :] - 2.0 * (self.X[rows] @ self.X.T)
        D = d2.clamp_min_(0.0).sqrt_()
        idx = self.torch.arange(rows.start, rows.stop, device=D.device)
        D[idx - rows.start, idx] = 0.0
        return self.torch.matmul(D, self.W).cpu().numpy()


def _silhouette_sessions(data: _Data, W: np.ndarray, multiclass: str, device: str = "numpy") -> np.ndarray:
    """SIL per session and class pair; W is a boolean n × sessions selection.

    Returns (pairs, sessions) for ``multiclass="pairs"``, (1, sessions) for
    ``"nearest"``.
    """
    X = data.X - data.X.mean(axis=0)
    n, n_sessions = W.shape
    C = data.n_classes
    pairs = _pairs(C)
    Wf = W.astype(np.float64)
    class_masks = [(data.codes == c)[:, None] for c in range(C)]
    Wc = [Wf * m for m in class_masks]
    N = np.stack([w.sum(axis=0) for w in Wc])  # (C, sessions)
    class_sums = _NumpySums(X, Wc) if device == "numpy" else _TorchSums(X, Wc, device)
    P = _same_group_matrix(data)
    if P is not None:
        Q = P.copy()
        Q.data[:] = 1.0
    out = np.zeros((len(pairs) if multiclass == "pairs" else 1, n_sessions))
    block = max(1, _BLOCK_VALUES // max(n, 1))
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


def silhouette(X, y, groups=None, multiclass: str = "pairs", per_pair: bool = False):
    """Silhouette score of the study: higher means easier.

    a_i is the mean distance to the sample's own class, leaving out every sample
    with the same group (patient) id; b_i the mean distance to the other class.
    With more than two classes, ``multiclass="pairs"`` averages the two-class
    value over all class pairs (``per_pair=True`` returns them as a dict) and
    ``"nearest"`` takes b_i from the nearest other class.
    """
    if multiclass not in ("pairs", "nearest"):
        raise ValueError(f"multiclass must be 'pairs' or 'nearest', got {multiclass!r}")
    data = _check(X, y, groups)
    W = np.ones((len(data.X), 1), dtype=bool)
    values = _silhouette_sessions(data, W, multiclass)[:, 0]
    if per_pair:
        if multiclass != "pairs":
            raise ValueError("per_pair=True needs multiclass='pairs'")
        return {(data.classes[a], data.classes[b]): float(v) for (a, b), v in zip(_pairs(data.n_classes), values)}
    return float(values.mean())


# ----------------------------------------------------------------------------
# Fréchet distance
# ----------------------------------------------------------------------------


def _cov_factor(Xc: np.ndarray) -> np.ndarray:
    """F with FᵀF = covariance (ddof=1) of the centred rows Xc; at most d rows."""
    n, d = Xc.shape
    F = Xc / np.sqrt(n - 1)
    if n > d:
        F = np.linalg.qr(F, mode="r")
    return F


def _fid_from_data(A: np.ndarray, B: np.ndarray) -> float:
    mu = A.mean(axis=0) - B.mean(axis=0)
    Fa, Fb = _cov_factor(A - A.mean(axis=0)), _cov_factor(B - B.mean(axis=0))
    nuclear = np.linalg.svd(Fa @ Fb.T, compute_uv=False).sum()
    return float(mu @ mu + np.einsum("ij,ij->", Fa, Fa) + np.einsum("ij,ij->", Fb, Fb) - 2.0 * nuclear)


def fid(A, B) -> float:
    """Fréchet distance ‖μ_A − μ_B‖² + tr(Σ_A + Σ_B − 2 (Σ_A Σ_B)^½), ddof = 1.

    tr((Σ_A Σ_B)^½) is the nuclear norm of the product of covariance factors,
    computed with an SVD of size min(n, d): exact, real, also when d > n.
    """
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    for name, M in (("A", A), ("B", B)):
        if M.ndim != 2 or len(M) < 2:
            raise ValueError(f"{name} must be a 2-D array with at least 2 rows, got shape {M.shape}")
        if not np.isfinite(M).all():
            raise ValueError(f"{name} holds NaN or inf values")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A has {A.shape[1]} features but B has {B.shape[1]}")
    return _fid_from_data(A, B)


class _SubsetFid:
    """FID between row subsets of X, by the cheaper exact route for their sizes.

    Few features: covariance factors from the data (QR, d × d). Otherwise
    inner products of the centred data (the Gram matrix, computed once up to
    ``_GRAM_MAX_N`` samples, else per call), so that a call's SVD is free of d.
    """

    def __init__(self, X: np.ndarray):
        self.X = X
        self.Xc = X - X.mean(axis=0)
        self.K = None

    def _gram(self, a, b):
        if len(self.X) > _GRAM_MAX_N:
            return self.Xc[a] @ self.Xc[b].T
        if self.K is None:
            self.K = self.Xc @ self.Xc.T
        return self.K[np.ix_(a, b)]

    def __call__(self, a: np.ndarray, b: np.ndarray) -> float:
        if self.X.shape[1] <= 0.6 * min(len(a), len(b)):
            return _fid_from_data(self.X[a], self.X[b])
        Kaa, Kbb, Kab = self._gram(a, a), self._gram(b, b), self._gram(a, b)
        na, nb = len(a), len(b)
        maa, mbb, mab = Kaa.mean(), Kbb.mean(), Kab.mean()
        tr_a = (np.trace(Kaa) - na * maa) / (na - 1)
        tr_b = (np.trace(Kbb) - nb * mbb) / (nb - 1)
        cross = Kab - Kab.mean(axis=0, keepdims=True) - Kab.mean(axis=1, keepdims=True) + mab
        nuclear = np.linalg.svd(cross, compute_uv=False).sum() / np.sqrt((na - 1) * (nb - 1))
        return float(maa + mbb - 2.0 * mab + tr_a + tr_b - 2.0 * nuclear)


def _gram_fid_batch(torch, K, a, b):
    """FID between row subsets a (B, n_a) and b (B, n_b) of the Gram matrix K, for B sessions at once."""
    na, nb = a.shape[1], b.shape[1]
    Kaa, Kbb, Kab = K[a[:, :, None], a[:, None, :]], K[b[:, :, None], b[:, None, :]], K[a[:, :, None], b[:, None, :]]
    maa, mbb, mab = Kaa.mean((1, 2)), Kbb.mean((1, 2)), Kab.mean((1, 2))
    tr_a = (Kaa.diagonal(dim1=1, dim2=2).sum(-1) - na * maa) / (na - 1)
    tr_b = (Kbb.diagonal(dim1=1, dim2=2).sum(-1) - nb * mbb) / (nb - 1)
    cross = Kab - Kab.mean(1, keepdim=True) - Kab.mean(2, keepdim=True) + mab[:, None, None]
    nuclear = torch.linalg.svdvals(cross).sum(-1) / np.sqrt((na - 1) * (nb - 1))
    return maa + mbb - 2.0 * mab + tr_a + tr_b - 2.0 * nuclear


def _score(between: float, within: float) -> float:
    denom = max(between, within)
    return 0.0 if between == within or denom == 0 else (between - within) / denom


def _fid_score_sets(fid_fn, members: list[np.ndarray], pairs) -> np.ndarray:
    """FID score per class pair for one session; members[c] are index arrays in draw order."""
    within = [fid_fn(m[: len(m) // 2], m[len(m) // 2 :]) for m in members]
    return np.array([_score(fid_fn(members[a], members[b]), min(within[a], within[b])) for a, b in pairs])


def fid_score(X, y, per_pair: bool = False):
    """FID score of the study: (FID_ij − FID_ii) / max(FID_ij, FID_ii); higher is easier.

    FID_ii is, for each class, the FID between the first and second half of its
    samples (in the order of X); the smaller of the two classes' values. With
    more than two classes the score is the mean over class pairs.
    """
    data = _check(X, y, min_per_class=_MIN_FID_CLASS)
    members = [np.flatnonzero(data.codes == c) for c in range(data.n_classes)]
    pairs = _pairs(data.n_classes)

    def fid_fn(a, b):
        return _fid_from_data(data.X[a], data.X[b])

    values = _fid_score_sets(fid_fn, members, pairs)
    if per_pair:
        return {(data.classes[a], data.classes[b]): float(v) for (a, b), v in zip(pairs, values)}
    return float(values.mean())


# ----------------------------------------------------------------------------
# Block-based bootstrap
# ----------------------------------------------------------------------------


def draw_sessions(data: _Data, sessions: int, fraction: float, patient_wise: bool, rng) -> list[list[np.ndarray]]:
    """Per session, per class: the drawn sample indices, in draw order.

    A session draws round(n_c · fraction) samples of each class c without
    replacement; patient-wise, it draws that fraction of each class's patient
    ids and takes all their cases of that class.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    members = [np.flatnonzero(data.codes == c) for c in range(data.n_classes)]
    if patient_wise:
        by_patient = []
        for m in members:
            ids, inverse = np.unique(data.groups[m], return_inverse=True)
            by_patient.append((len(ids), [m[inverse == k] for k in range(len(ids))]))
    out = []
    for _ in range(sessions):
        drawn = []
        for c, m in enumerate(members):
            if patient_wise:
                n_ids, cases = by_patient[c]
                pick = rng.choice(n_ids, size=max(1, round(n_ids * fraction)), replace=False)
                drawn.append(np.concatenate([cases[k] for k in pick]))
            else:
                drawn.append(rng.choice(m, size=max(1, round(len(m) * fraction)), replace=False))
        out.append(drawn)
    return out


def _bootstrap_sil(data: _Data, draws, device: str = "numpy") -> np.ndarray:
    n = len(data.X)
    scores = []
    chunk = max(1, _BLOCK_VALUES // (2 * n * data.n_classes))
    for start in range(0, len(draws), chunk):
        part = draws[start : start + chunk]
        W = np.zeros((n, len(part)), dtype=bool)
        for s, drawn in enumerate(part):
            W[np.concatenate(drawn), s] = True
        scores.append(_silhouette_sessions(data, W, "pairs", device).mean(axis=0))
    return np.concatenate(scores)


def _bootstrap_fid(data: _Data, draws, device: str = "numpy") -> np.ndarray:
    smallest = min(len(m) for drawn in draws for m in drawn)
    if smallest < _MIN_FID_CLASS:
        raise ValueError(
            f"a bootstrap session draws only {smallest} samples of a class; the FID score needs at least "
            f"{_MIN_FID_CLASS} (two per half): raise the fraction or use a larger dataset"
        )
    pairs = _pairs(data.n_classes)
    if device != "numpy":
        return _bootstrap_fid_torch(data, draws, pairs, device)
    fid_fn = _SubsetFid(data.X)
    return np.array([_fid_score_sets(fid_fn, drawn, pairs).mean() for drawn in draws])


def _bootstrap_fid_torch(data: _Data, draws, pairs, device: str) -> np.ndarray:
    """FID scores of all sessions, batched over sessions of equal class sizes, with torch."""
    import torch

    X = torch.as_tensor(data.X - data.X.mean(axis=0), device=device)
    K = X @ X.T
    by_sizes = defaultdict(list)
    for s, drawn in enumerate(draws):
        by_sizes[tuple(len(m) for m in drawn)].append(s)
    out = np.empty(len(draws))
    for sizes, sessions in by_sizes.items():
        batch = max(1, _BLOCK_VALUES // (4 * max(sizes) ** 2))
        for start in range(0, len(sessions), batch):
            chunk = sessions[start : start + batch]
            idx = [torch.as_tensor(np.stack([draws[s][c] for s in chunk]), device=device) for c in range(len(sizes))]
            within = [_gram_fid_batch(torch, K, m[:, : m.shape[1] // 2], m[:, m.shape[1] // 2 :]) for m in idx]
            scores = []
            for a, b in pairs:
                between, low = _gram_fid_batch(torch, K, idx[a], idx[b]), torch.minimum(within[a], within[b])
                denom = torch.maximum(between, low)
                safe = (between != low) & (denom != 0)
                scores.append(torch.where(safe, (between - low) / torch.where(safe, denom, 1.0), 0.0))
            out[chunk] = torch.stack(scores).mean(0).cpu().numpy()
    return out


def resolve_device(device: str = "auto") -> str:
    """``"numpy"``, or a torch device; ``"auto"`` picks CUDA when torch sees a GPU.

    Without an NVIDIA driver, ``auto`` does not even import torch.
    """
    if device != "auto":
        return device
    if not os.path.exists("/proc/driver/nvidia"):
        return "numpy"
    try:
        import torch
    except ImportError:
        return "numpy"
    return "cuda" if torch.cuda.is_available() else "numpy"


_REGISTRY: dict[str, MetricFn] = {}


def register_metric(name: str, fn: MetricFn) -> None:
    """Register ``fn(X, y, groups) -> float`` so that ``bootstrap(name, ...)`` can run it."""
    if name in ("sil", "fid"):
        raise ValueError(f"{name!r} is a built-in metric")
    _REGISTRY[name] = fn


def metric_names() -> list[str]:
    """Names ``bootstrap`` accepts."""
    return ["sil", "fid", *_REGISTRY]


def bootstrap(
    metric: str | MetricFn,
    X,
    y,
    groups=None,
    sessions: int = 1000,
    fraction: float = 0.6,
    patient_wise: bool = False,
    seed: int = 0,
    device: str = "auto",
) -> np.ndarray:
    """Block-based bootstrap: one metric value per session, deterministic for a seed.

    Sessions are batched; ``device`` is ``"numpy"``, a torch device, or
    ``"auto"`` (CUDA when torch sees a GPU, NumPy otherwise).
    """
    if sessions < 1:
        raise ValueError(f"sessions must be at least 1, got {sessions}")
    if patient_wise and groups is None:
        raise ValueError("patient_wise=True needs groups (patient ids)")
    fn = _REGISTRY.get(metric, metric) if isinstance(metric, str) else metric
    if isinstance(fn, str) and fn not in ("sil", "fid"):
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(metric_names())}")
    data = _check(X, y, groups, min_per_class=_MIN_FID_CLASS if fn == "fid" else 2)
    draws = draw_sessions(data, sessions, fraction, patient_wise, np.random.default_rng(seed))
    if fn == "sil":
        return _bootstrap_sil(data, draws, resolve_device(device))
    if fn == "fid":
        return _bootstrap_fid(data, draws, resolve_device(device))
    labels = data.classes[data.codes]
    return np.array([fn(data.X[idx], labels[idx], data.groups[idx]) for idx in map(np.concatenate, draws)])
