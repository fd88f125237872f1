"""Feature stability across raters' masks: ICC(3,1) of every feature computed on each rater's masks."""

from __future__ import annotations

import numpy as np
import pandas as pd

STABLE_ICC = 0.75


def _icc3_1(x: np.ndarray) -> np.ndarray:
    """(f,) ICC(3,1) of (n, k, f) values: n cases by k raters, f features at once; per feature, the cases with a
    NaN for any rater are left out, and fewer than 2 cases left, or a constant feature, give NaN."""
    n, k, f = x.shape
    if k < 2:
        raise ValueError(f"ICC(3,1) needs at least 2 raters, got {k}")
    kept = ~np.isnan(x).any(axis=1)  # (n, f)
    # ICC is shift invariant: shifting each feature by one of its values makes a constant feature exactly 0
    first = x[kept.argmax(axis=0), 0, np.arange(f)]
    x = np.where(kept[:, None, :], x - first, 0.0)
    cases = kept.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        row = x.mean(axis=1)  # (n, f)
        col = x.sum(axis=0) / cases  # (k, f)
        grand = col.mean(axis=0)
        ms_rows = k * (kept * (row - grand) ** 2).sum(axis=0) / (cases - 1)
        residual = x - row[:, None, :] - col[None] + grand
        ms_error = (kept[:, None, :] * residual**2).sum(axis=(0, 1)) / ((cases - 1) * (k - 1))
        denominator = ms_rows + (k - 1) * ms_error
        icc = (ms_rows - ms_error) / denominator
    return np.where((cases >= 2) & (denominator > 0), icc, np.nan)


def icc3_1(values) -> float:
    """ICC(3,1): two-way mixed, consistency, single rater (Shrout & Fleiss 1979; McGraw & Wong's ICC(C,1)).

    (MSR − MSE) / (MSR + (k − 1) · MSE), with MSR the between-cases and MSE the residual mean square of the
    two-way ANOVA without interaction.

    Parameters
    ----------
    values : (n, k) one feature of n cases by k ≥ 2 raters; cases with a NaN are left out.

    Returns
    -------
    The ICC; NaN for a constant feature or fewer than 2 complete cases.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be a (cases, raters) array, got shape {values.shape}")
    return float(_icc3_1(values[:, :, None])[0])


def feature_icc(features: dict, raters=None) -> pd.Series:
    """ICC(3,1) of every feature across the raters' masks.

    Parameters
    ----------
    features : ``{rater: (n_cases, n_features) DataFrame}``, one index (cases) and one set of columns
        (features) for every rater: each rater's features of the same cases, from that rater's masks.
    raters : the raters to use, None for all (in the dict's order).

    Returns
    -------
    (n_features,) ICC per feature, indexed by the first rater's feature names (NaN: constant or too few cases).
    """
    raters = list(features) if raters is None else list(raters)
    if len(raters) < 2:
        raise ValueError(f"ICC(3,1) needs at least 2 raters, got {raters}")
    unknown = [r for r in raters if r not in features]
    if unknown:
        raise ValueError(f"raters {unknown} have no features; the raters are {list(features)}")
    first = features[raters[0]]
    for r in raters[1:]:
        frame = features[r]
        if set(frame.index) != set(first.index) or set(frame.columns) != set(first.columns):
            raise ValueError(
                f"rater {r!r}'s features cover other cases or features than rater {raters[0]!r}'s: "
                f"{len(frame.index.symmetric_difference(first.index))} cases and "
                f"{len(frame.columns.symmetric_difference(first.columns))} features differ"
            )
    x = np.stack(
        [features[r].reindex(index=first.index, columns=first.columns).to_numpy(np.float64) for r in raters], axis=1
    )
    return pd.Series(_icc3_1(x), index=first.columns, name="icc3_1")


def stable_features(icc: pd.Series, threshold: float = STABLE_ICC) -> list[str]:
    """Features whose ICC reaches ``threshold`` (NaN never does), in the order of ``icc``.

    Parameters
    ----------
    icc : (n_features,) ICC per feature, as `feature_icc` gives; threshold : the least ICC kept.
    """
    return list(icc.index[icc.to_numpy(np.float64) >= threshold])
