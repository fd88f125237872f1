"""Correlation statistics across datasets: hierarchical bootstrap CIs and leave-one-dataset-out ranges.

A correlation across datasets has n = number of datasets. Its uncertainty has
three sources, and the bootstrap resamples all three: which datasets were
studied (resampled with replacement), the metric's bootstrap sessions inside
each dataset and the model's folds inside each dataset (both resampled with
replacement, then averaged as the point estimate averages them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

#: a resample with fewer distinct datasets than this gives a degenerate r (±1 for two points); it is not counted
MIN_DISTINCT = 3


def resampled_means(values: Sequence[np.ndarray], drawn: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The mean of its own resample (with replacement) of the drawn dataset's values, for every draw.

    Parameters
    ----------
    values : one 1-D array per dataset (its sessions' scores or its folds' AUCs)
    drawn : (n_boot, k) integer array, the dataset each draw of each resample took
    rng : random generator; the inner resamples are taken dataset by dataset, draws in row-major order

    Returns
    -------
    array of the shape of ``drawn``: a dataset drawn twice in one resample has two independent inner resamples
    """
    out = np.empty(drawn.shape)
    for j, group in enumerate(values):
        group = np.asarray(group, dtype=float)
        where = drawn == j
        out[where] = group[rng.integers(0, len(group), (int(where.sum()), len(group)))].mean(axis=1)
    return out


def hierarchical_resamples(
    scores: Sequence[np.ndarray], aucs: Sequence[np.ndarray], n_boot: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paired resamples of (mean score, mean AUC) per dataset, with the datasets themselves resampled.

    Each resample draws the datasets with replacement, then, for each draw, the dataset's sessions and its
    folds with replacement; a dataset drawn twice is resampled inside twice.

    Parameters
    ----------
    scores, aucs : one 1-D array per dataset, in the same dataset order
    n_boot : number of resamples
    seed : seed of the generator

    Returns
    -------
    x, y : arrays of shape (n_boot, n_datasets): resample ``b`` holds the mean score and mean AUC of each
        dataset draw (a dataset drawn twice appears twice, with its own inner resample each time)
    distinct : array of shape (n_boot,), the number of distinct datasets each resample drew
    """
    rng = np.random.default_rng(seed)
    n = len(scores)
    drawn = rng.integers(0, n, (n_boot, n))
    distinct = 1 + (np.diff(np.sort(drawn, axis=1), axis=1) != 0).sum(axis=1)
    return resampled_means(scores, drawn, rng), resampled_means(aucs, drawn, rng), distinct


def counted_resamples(
    scores: Sequence[np.ndarray], aucs: Sequence[np.ndarray], n_boot: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The resamples of :func:`hierarchical_resamples` that drew at least ``MIN_DISTINCT`` distinct datasets.

    Returns
    -------
    x, y : arrays of shape (kept, n_datasets)
    """
    x, y, distinct = hierarchical_resamples(scores, aucs, n_boot, seed)
    return x[distinct >= MIN_DISTINCT], y[distinct >= MIN_DISTINCT]


def rowwise_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of each row pair of ``x`` and ``y`` (shape (m, n)); NaN where a row is constant."""
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    denom = np.sqrt((xc**2).sum(axis=1) * (yc**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (xc * yc).sum(axis=1) / denom, np.nan)


def rowwise_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman ρ of each row pair (ties get average ranks); NaN where a row is constant."""
    return rowwise_pearson(stats.rankdata(x, axis=1), stats.rankdata(y, axis=1))


CORRELATIONS = {"pearson": (stats.pearsonr, rowwise_pearson), "spearman": (stats.spearmanr, rowwise_spearman)}


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the finite ``values`` (NaN, NaN when there are none)."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def leave_one_out(x: np.ndarray, y: np.ndarray, fn) -> np.ndarray:
    """The correlation ``fn(x, y)`` with each dataset left out in turn; shape (n,), NaN below 3 datasets."""
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        keep = np.arange(len(x)) != i
        if keep.sum() >= MIN_DISTINCT and np.ptp(x[keep]) > 0 and np.ptp(y[keep]) > 0:
            out[i] = fn(x[keep], y[keep])[0]
    return out


def correlation_statistics(
    scores: Sequence[np.ndarray], aucs: Sequence[np.ndarray], n_boot: int, seed: int
) -> dict[str, float]:
    """Pearson and Spearman of mean score vs mean AUC across datasets, with CIs and leave-one-out ranges.

    Parameters
    ----------
    scores : one 1-D array of bootstrap-session scores per dataset
    aucs : one 1-D array of fold AUCs per dataset, same order
    n_boot : hierarchical bootstrap resamples (0: no CI)
    seed : seed of the resampling

    Returns
    -------
    ``n_datasets`` and, for ``pearson`` and ``spearman``: ``_r``, ``_p``, ``_ci_low``, ``_ci_high`` (95 %
    hierarchical bootstrap), ``_lodo_low``, ``_lodo_high`` (range over leave-one-dataset-out estimates).
    """
    x = np.array([np.mean(s) for s in scores])
    y = np.array([np.mean(a) for a in aucs])
    row: dict[str, float] = {"n_datasets": len(x)}
    usable = len(x) >= MIN_DISTINCT and np.ptp(x) > 0 and np.ptp(y) > 0
    if usable and n_boot > 0:
        bx, by = counted_resamples(scores, aucs, n_boot, seed)
    for name, (fn, rowwise) in CORRELATIONS.items():
        r = p = lo = hi = np.nan
        lodo = np.full(1, np.nan)
        if usable:
            r, p = (float(v) for v in fn(x, y))
            lodo = leave_one_out(x, y, fn)
            if n_boot > 0:
                lo, hi = interval(rowwise(bx, by))
        finite = lodo[np.isfinite(lodo)]
        row |= {
            f"{name}_r": r,
            f"{name}_p": p,
            f"{name}_ci_low": lo,
            f"{name}_ci_high": hi,
            f"{name}_lodo_low": float(finite.min()) if finite.size else np.nan,
            f"{name}_lodo_high": float(finite.max()) if finite.size else np.nan,
        }
    return row


def regression_band(
    x: np.ndarray, y: np.ndarray, grid: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise percentile band of least-squares lines fitted to each resample.

    Parameters
    ----------
    x, y : resampled means, shape (n_boot, n_datasets) (:func:`hierarchical_resamples`)
    grid : where to evaluate the lines, shape (m,)
    level : coverage of the band

    Returns
    -------
    low, high : arrays of shape (m,)
    """
    xc = x - x.mean(axis=1, keepdims=True)
    sxx = (xc**2).sum(axis=1)
    keep = sxx > 0
    slope = (xc * (y - y.mean(axis=1, keepdims=True))).sum(axis=1)[keep] / sxx[keep]
    intercept = y.mean(axis=1)[keep] - slope * x.mean(axis=1)[keep]
    lines = intercept[:, None] + slope[:, None] * grid[None, :]
    tail = 100 * (1 - level) / 2
    return np.percentile(lines, tail, axis=0), np.percentile(lines, 100 - tail, axis=0)
