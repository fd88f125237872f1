"""Monotone maps from a measure to the AUC, in the measure's direction: linear on logit(AUC), or isotonic; and
for a measure in AUC units (a classifier's AUC on the features), the identity or a shrunk offset of it.

A fit never extrapolates: a measure value outside the range it was fitted on
is predicted at the range's nearest end (:meth:`MonotoneFit.predict`), and
the caller flags it (``outside``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FITS = ("linear_logit", "isotonic", "offset_logit", "identity")
# The fits of a measure in AUC units only: the measure's AUC is the model's (identity), or that on the logit scale
# plus one offset shrunk toward 0 by OFFSET_PRIOR families that say 0.
AUC_FITS = ("offset_logit", "identity")
OFFSET_PRIOR = 1.0
# AUCs are clipped to [AUC_CLIP, 1 − AUC_CLIP] before the logit: an AUC of 1.00 (an easy phantom set) would
# otherwise be infinite. 0.005 keeps such a point at logit 5.3, within what a measured AUC of 0.995 says.
AUC_CLIP = 0.005


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), AUC_CLIP, 1 - AUC_CLIP)
    return np.log(p / (1 - p))


def expit(z) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))


@dataclass(frozen=True)
class MonotoneFit:
    """A fitted monotone map from measure values to AUC.

    Attributes
    ----------
    kind : ``"linear_logit"`` (logit(AUC) = intercept + slope · x), ``"isotonic"`` (piecewise linear
        through ``knots_x``, ``knots_auc``), ``"offset_logit"`` (logit(AUC) = logit(x) + intercept) or
        ``"identity"`` (AUC = x).
    increasing : whether the AUC rises with the measure (the measure's ``higher_is_easier``).
    low, high : the range of measure values it was fitted on.
    """

    kind: str
    increasing: bool
    low: float
    high: float
    intercept: float = 0.0
    slope: float = 0.0
    knots_x: tuple[float, ...] = ()
    knots_auc: tuple[float, ...] = ()

    def outside(self, x) -> np.ndarray:
        """Whether each measure value lies outside ``[low, high]``."""
        x = np.asarray(x, dtype=np.float64)
        return (x < self.low) | (x > self.high)

    def predict(self, x) -> np.ndarray:
        """The AUC at each measure value; values outside ``[low, high]`` are taken at the nearest end."""
        x = np.clip(np.asarray(x, dtype=np.float64), self.low, self.high)
        if self.kind == "linear_logit":
            return expit(self.intercept + self.slope * x)
        if self.kind == "offset_logit":
            return expit(logit(x) + self.intercept)
        if self.kind == "identity":
            return x
        return np.interp(x, self.knots_x, self.knots_auc)


def fit_monotone(x, auc, kind: str, increasing: bool, weights=None) -> MonotoneFit:
    """Fit the AUC against a measure with a map monotone in the measure's direction.

    Parameters
    ----------
    x : (n,) measure values; auc : (n,) AUCs of the same datasets (n ≥ 1, finite).
    kind : ``"linear_logit"``: least squares on logit(AUC) with the slope's sign constrained to the
        direction (a least-squares slope of the wrong sign gives the constrained optimum, slope 0: the
        mean logit); ``"isotonic"``: isotonic regression on the AUC, linear between the knots and flat
        beyond them: scikit-learn's ``IsotonicRegression(out_of_bounds="clip")`` exactly (tied values pooled
        as it pools them, the same pool-adjacent-violators solver from SciPy that it calls, without its
        per-call validation, which took 90 % of the time of a leave-one-family-out loop).
        ``"offset_logit"``: the weighted mean of logit(AUC) − logit(x), shrunk toward 0 as if ``OFFSET_PRIOR``
        more weight said 0 (``weights`` of one family's points summing to 1: one family's worth); ``"identity"``:
        nothing fitted. These two need a measure in AUC units, higher meaning easier.
    increasing : True where a higher measure means an easier dataset (a higher AUC).
    weights : (n,) weights of the points for ``offset_logit`` (default: one each).
    """
    x, auc = np.asarray(x, dtype=np.float64), np.asarray(auc, dtype=np.float64)
    if x.shape != auc.shape or x.ndim != 1 or len(x) == 0:
        raise ValueError(f"fit_monotone needs two equal 1-D arrays of at least one value, got {x.shape}, {auc.shape}")
    if not (np.isfinite(x).all() and np.isfinite(auc).all()):
        raise ValueError("fit_monotone: measure values and AUCs must be finite")
    low, high = float(x.min()), float(x.max())
    if kind in AUC_FITS:
        if not increasing or x.min() < 0 or x.max() > 1:
            raise ValueError(f"fit {kind!r} needs a measure in AUC units (in [0, 1], higher meaning easier)")
        w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
        offset = float(w @ (logit(auc) - logit(x)) / (w.sum() + OFFSET_PRIOR)) if kind == "offset_logit" else 0.0
        return MonotoneFit(kind, True, low, high, intercept=offset, slope=1.0)
    if kind == "linear_logit":
        z = logit(auc)
        dx = x - x.mean()
        sxx = float(dx @ dx)
        slope = float(dx @ (z - z.mean())) / sxx if sxx > 0 else 0.0
        if (slope < 0) if increasing else (slope > 0):
            slope = 0.0  # the sign-constrained least squares optimum lies on the boundary
        return MonotoneFit(kind, increasing, low, high, intercept=float(z.mean() - slope * x.mean()), slope=slope)
    if kind == "isotonic":
        from scipy.optimize import isotonic_regression

        knots, where, counts = np.unique(x, return_inverse=True, return_counts=True)
        means = np.bincount(where, weights=auc) / counts  # tied measure values: their mean, weighted by count
        fitted = isotonic_regression(means, weights=counts, increasing=increasing).x
        return MonotoneFit(
            kind, increasing, low, high, knots_x=tuple(map(float, knots)), knots_auc=tuple(map(float, fitted))
        )
    raise ValueError(f"unknown fit {kind!r}; known: {', '.join(FITS)}")
