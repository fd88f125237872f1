"""Fréchet distance (FID) and the study's FID class-separation score.

tr((Σ_A Σ_B)^½) is the nuclear norm of the product of covariance factors:
with few features the factors come from a QR of the data (d × d); with many,
from inner products of the centred data (the Gram matrix), so that the cost
of a session no longer depends on d. Both routes are exact and real, also
when d > n.

On the Gram route the bootstrap computes the Gram matrix once, every drawn
set's sum of centred rows for all sessions in one matrix product, and each
cross matrix's nuclear norm from the eigenvalues of its smaller Gram matrix
(:func:`nuclear_norm`: a third of an SVD's work, exact to round-off where the
matrix is not near singular, an SVD where it is).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from . import backend
from .registry import register_metric
from .validation import Inputs, check_inputs, class_pairs

# Largest n whose full Gram matrix the FID score keeps (8000² doubles = 512 MB).
GRAM_MAX_N = 8000
MIN_PER_CLASS = 4  # two per half for the within-class FID
# Below this ratio of the largest, a second eigenvalue of a cross matrix's Gram matrix sends it to the SVD: the
# square roots of eigenvalues that small would carry more than about 1e-12 of the largest singular value's error.
EIG_RATIO = 1e-9
SESSION_BATCH = 100  # sessions whose drawn sets' sums one matrix product gives


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


def gram_fid(Kaa, Kbb, Kab, ops: backend.Ops = backend.NUMPY):
    """FID from the inner products of two sample sets, batched over any leading axes.

    Parameters
    ----------
    Kaa, Kbb, Kab : (..., n_a, n_a), (..., n_b, n_b), (..., n_a, n_b) inner products
        of the samples (centred by any common vector).
    ops : array operations (NumPy or torch).
    """
    na, nb = Kaa.shape[-1], Kbb.shape[-1]
    maa, mbb, mab = ops.mean(Kaa, (-2, -1)), ops.mean(Kbb, (-2, -1)), ops.mean(Kab, (-2, -1))
    tr_a = (ops.trace(Kaa) - na * maa) / (na - 1)
    tr_b = (ops.trace(Kbb) - nb * mbb) / (nb - 1)
    cross = Kab - ops.mean(Kab, -2, keepdims=True) - ops.mean(Kab, -1, keepdims=True) + mab[..., None, None]
    nuclear = ops.svdvals(cross).sum(-1) / np.sqrt((na - 1) * (nb - 1))
    return maa + mbb - 2.0 * mab + tr_a + tr_b - 2.0 * nuclear


def nuclear_norm(C: np.ndarray, rank: int | None = None) -> float:
    """Sum of the singular values of a doubly centred matrix C (m × k: its rows and its columns sum to 0).

    They are the square roots of the eigenvalues of the smaller of CᵀC and CCᵀ (s × s). The centring makes
    the rank at most s − 1, and ``rank`` may bound it further (the features' dimension): the s − rank smallest
    eigenvalues are zero and left out. Where the next one is below ``EIG_RATIO`` of the largest, the square
    roots would lose digits, and the SVD gives the values instead.
    """
    m, k = C.shape
    G = C.T @ C if k <= m else C @ C.T
    zeros = len(G) - min(len(G) - 1, len(G) if rank is None else rank)
    lam = np.linalg.eigvalsh(G)[zeros:]
    if not len(lam) or lam[0] < EIG_RATIO * lam[-1]:
        return float(np.linalg.svd(C, compute_uv=False).sum())
    return float(np.sqrt(lam).sum())


def _gram_pair(K, a: tuple, b: tuple) -> float:
    """FID of two row sets from the Gram matrix K of the centred data; each set is (its sorted row indices, the
    sum of its centred rows, the sum of their squared norms)."""
    (ia, sum_a, sq_a), (ib, sum_b, sq_b) = a, b
    na, nb = len(ia), len(ib)
    maa, mbb, mab = sum_a @ sum_a / na**2, sum_b @ sum_b / nb**2, sum_a @ sum_b / (na * nb)
    Kab = K[np.ix_(ia, ib)]
    cross = Kab - Kab.mean(axis=0) - Kab.mean(axis=1, keepdims=True) + Kab.mean()
    tr_a, tr_b = (sq_a - na * maa) / (na - 1), (sq_b - nb * mbb) / (nb - 1)
    nuclear = nuclear_norm(cross, rank=sum_a.shape[0])  # at most the features' dimension
    return float(maa + mbb - 2.0 * mab + tr_a + tr_b - 2.0 * nuclear / np.sqrt((na - 1) * (nb - 1)))


def _gram_sessions(X: np.ndarray, draws, pairs) -> np.ndarray:
    """FID scores of all sessions where the Gram route serves some of their sets (see :class:`SubsetFid`).

    A batch of sessions gets every class half's sum of centred rows (and of squared norms) from one matrix
    product; the sets are sorted (an FID does not depend on the order of its rows) for faster reads of K.
    """
    Xc = X - X.mean(axis=0)
    K = Xc @ Xc.T
    norms = np.einsum("ij,ij->i", Xc, Xc)

    def fid(a: tuple, b: tuple) -> float:
        if X.shape[1] <= 0.6 * min(len(a[0]), len(b[0])):
            return _fid_from_data(X[a[0]], X[b[0]])
        return _gram_pair(K, a, b)

    out = np.empty(len(draws))
    for start in range(0, len(draws), SESSION_BATCH):
        chunk = draws[start : start + SESSION_BATCH]
        halves = [np.sort(h) for drawn in chunk for m in drawn for h in (m[: len(m) // 2], m[len(m) // 2 :])]
        W = np.zeros((len(halves), len(X)))
        for r, rows in enumerate(halves):
            W[r, rows] = 1.0
        sums, squares = W @ Xc, W @ norms
        sets = [(rows, sums[r], squares[r]) for r, rows in enumerate(halves)]
        for s, drawn in enumerate(chunk):
            mine = sets[2 * len(drawn) * s : 2 * len(drawn) * (s + 1)]
            first, second = mine[0::2], mine[1::2]
            within = [fid(h1, h2) for h1, h2 in zip(first, second)]
            whole = [
                (np.sort(np.concatenate([h1[0], h2[0]])), h1[1] + h2[1], h1[2] + h2[2]) for h1, h2 in zip(first, second)
            ]
            out[start + s] = np.mean([separation(fid(whole[a], whole[b]), min(within[a], within[b])) for a, b in pairs])
    return out


def frechet_distance(A, B) -> float:
    """Fréchet distance ‖μ_A − μ_B‖² + tr(Σ_A + Σ_B − 2 (Σ_A Σ_B)^½), ddof = 1.

    Parameters
    ----------
    A, B : (n_A, d) and (n_B, d) samples, at least two rows each, finite.
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


class SubsetFid:
    """FID between row subsets of X (index arrays), by the cheaper exact route for their sizes.

    Few features: covariance factors from the data (QR). Otherwise the Gram
    matrix of the centred data (computed once up to ``GRAM_MAX_N`` samples,
    else per call).
    """

    def __init__(self, X: np.ndarray):
        self.X = X
        self.Xc = X - X.mean(axis=0)
        self.K = None

    def _gram(self, a, b):
        if len(self.X) > GRAM_MAX_N:
            return self.Xc[a] @ self.Xc[b].T
        if self.K is None:
            self.K = self.Xc @ self.Xc.T
        return self.K[np.ix_(a, b)]

    def __call__(self, a: np.ndarray, b: np.ndarray) -> float:
        if self.X.shape[1] <= 0.6 * min(len(a), len(b)):
            return _fid_from_data(self.X[a], self.X[b])
        return float(gram_fid(self._gram(a, a), self._gram(b, b), self._gram(a, b)))


def separation(between, within, ops: backend.Ops = backend.NUMPY):
    """The study's score (between − within) / max(between, within), 0 where they are equal."""
    denom = ops.maximum(between, within)
    safe = (between != within) & (denom != 0)
    return ops.where(safe, (between - within) / ops.where(safe, denom, 1.0), 0.0)


def _score_sets(fid_fn, members: list[np.ndarray], pairs) -> np.ndarray:
    """FID score per class pair for one session; members[c] are index arrays in draw order."""
    within = [fid_fn(m[: len(m) // 2], m[len(m) // 2 :]) for m in members]
    return np.array([float(separation(fid_fn(members[a], members[b]), min(within[a], within[b]))) for a, b in pairs])


def fid_score(X, y, groups=None, per_pair: bool = False):
    """FID score of the study: (FID_ij − FID_ii) / max(FID_ij, FID_ii); higher is easier.

    FID_ii is, for each class, the FID between the first and second half of its
    samples (in the order of X); the smaller of the two classes' values. With
    more than two classes the score is the mean over class pairs.

    Parameters
    ----------
    X : (n, d) features; y : (n,) labels, at least 4 samples per class.
    groups : unused (the score has no patient term); accepted for a uniform metric signature.
    per_pair : return ``{(class_a, class_b): value}`` instead of the mean.
    """
    data = check_inputs(X, y, min_per_class=MIN_PER_CLASS)
    pairs = class_pairs(data.n_classes)

    def fid_fn(a, b):
        return _fid_from_data(data.X[a], data.X[b])

    values = _score_sets(fid_fn, data.members(), pairs)
    if per_pair:
        return {(data.classes[a], data.classes[b]): float(v) for (a, b), v in zip(pairs, values)}
    return float(values.mean())


def _bootstrap_sessions(data: Inputs, draws, device: str = "numpy") -> np.ndarray:
    """FID score of every drawn session."""
    smallest = min(len(m) for drawn in draws for m in drawn)
    if smallest < MIN_PER_CLASS:
        raise ValueError(
            f"a bootstrap session draws only {smallest} samples of a class; the FID score needs at least "
            f"{MIN_PER_CLASS} (two per half): raise the fraction or use a larger dataset"
        )
    pairs = class_pairs(data.n_classes)
    if device == "numpy":
        smallest_half = min(len(m) // 2 for drawn in draws for m in drawn)
        if data.X.shape[1] > 0.6 * smallest_half and len(data.X) <= GRAM_MAX_N:
            return _gram_sessions(data.X, draws, pairs)
        fid_fn = SubsetFid(data.X)
        return np.array([_score_sets(fid_fn, drawn, pairs).mean() for drawn in draws])
    return _batched_sessions(data, draws, pairs, backend.TorchOps(device))


def _batched_sessions(data: Inputs, draws, pairs, ops: backend.TorchOps) -> np.ndarray:
    """FID scores of all sessions, batched over sessions of equal class sizes (Gram route, torch)."""
    X = ops.asarray(data.X - data.X.mean(axis=0))
    K = X @ X.T

    def batch_fid(a, b):
        return gram_fid(
            K[a[:, :, None], a[:, None, :]], K[b[:, :, None], b[:, None, :]], K[a[:, :, None], b[:, None, :]], ops
        )

    by_sizes = defaultdict(list)
    for s, drawn in enumerate(draws):
        by_sizes[tuple(len(m) for m in drawn)].append(s)
    out = np.empty(len(draws))
    for sizes, sessions in by_sizes.items():
        batch = max(1, backend.BLOCK_VALUES // (4 * max(sizes) ** 2))
        for start in range(0, len(sessions), batch):
            chunk = sessions[start : start + batch]
            idx = [ops.asarray(np.stack([draws[s][c] for s in chunk])) for c in range(len(sizes))]
            within = [batch_fid(m[:, : m.shape[1] // 2], m[:, m.shape[1] // 2 :]) for m in idx]
            scores = [separation(batch_fid(idx[a], idx[b]), ops.minimum(within[a], within[b]), ops) for a, b in pairs]
            out[chunk] = ops.to_numpy(ops.torch.stack(scores).mean(0))
    return out


register_metric(
    "fid",
    fid_score,
    sessions=_bootstrap_sessions,
    higher_is_easier=True,
    min_per_class=MIN_PER_CLASS,
    order_free=False,  # FID_ii splits each class into halves in the order of X
    help="Fréchet-distance class-separation score",
    reference="Thornblad et al. 2025",
)
