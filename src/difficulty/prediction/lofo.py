"""Leave-one-family-out (LOFO) predictions and errors, and the split-conformal half-width they give.

A family is a root dataset with all its variants (label noise, degradations,
subsamples): they share cases, so they are not independent evidence. Every
error estimate here leaves out whole families.

One residual per family: the largest |residual| of its datasets. The conformal
argument needs exchangeable units, and the unit is the family, not the
dataset. Taking the family's largest error makes the unit's score an upper
bound on the error of each of its datasets, so the interval built from those
scores covers every dataset of a new family (not only a typical one) at the
nominal rate or above. The mean |residual| would understate a family whose
variants fan out (a ladder's far end) and cover its members below the nominal
rate.

Families are of two kinds: of real images (a real dataset and its variants) or
phantoms. The LOFO MAE that chooses a predictor weighs the two kinds equally,
so that one real family is not outvoted by many phantom sets.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .fits import fit_monotone


def family_weights(families) -> np.ndarray:
    """(n,) weight of each point: 1 / the size of its family, so that each family weighs one."""
    _, where, counts = np.unique(np.asarray(families), return_inverse=True, return_counts=True)
    return 1.0 / counts[where]


def lofo_predictions(x, auc, families, kind: str, increasing: bool) -> np.ndarray:
    """(n,) AUC of each point predicted by a fit on the other families' points only.

    Parameters
    ----------
    x, auc, families : (n,) measure values, AUCs and family names of the calibration points (≥ 2 families).
    kind, increasing : the fit (:func:`difficulty.prediction.fits.fit_monotone`; families weigh one each).
    """
    x, auc, families = np.asarray(x, np.float64), np.asarray(auc, np.float64), np.asarray(families)
    names = np.unique(families)
    if len(names) < 2:
        raise ValueError(f"leave-one-family-out needs two families or more, got {list(names)}")
    out = np.empty(len(x))
    for name in names:
        left_out = families == name
        kept = ~left_out
        fit = fit_monotone(x[kept], auc[kept], kind, increasing, family_weights(families[kept]))
        out[left_out] = fit.predict(x[left_out])
    return out


def family_residuals(residuals, families) -> pd.Series:
    """Each family's largest |residual| (the family's score for the conformal interval), by family name."""
    names, where = np.unique(np.asarray(families), return_inverse=True)
    scores = np.zeros(len(names))
    np.maximum.at(scores, where, np.abs(np.asarray(residuals, np.float64)))
    return pd.Series(scores, index=names)


def lofo_mae(residuals, families, phantom=None) -> float:
    """Mean absolute LOFO error with each family weighted equally: the mean over families of their mean |residual|;
    with ``phantom`` ((n,) whether each point is a phantom's), the mean of that over the families of real images
    and that over the phantom families, where there are both.
    """
    names, where, counts = np.unique(np.asarray(families), return_inverse=True, return_counts=True)
    per_family = np.bincount(where, weights=np.abs(np.asarray(residuals, np.float64))) / counts
    if phantom is None:
        return float(np.mean(per_family))
    of_phantoms = np.zeros(len(names), dtype=bool)
    of_phantoms[where] = np.asarray(phantom, dtype=bool)
    kinds = [per_family[of_phantoms == k] for k in (False, True)]
    return float(np.mean([np.mean(k) for k in kinds if len(k)]))


def conformal_rank(n_families: int, coverage: float) -> int:
    """⌈coverage · (F + 1)⌉: the rank of the family score that bounds the interval (> F: no such score)."""
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be in (0, 1), got {coverage}")
    return math.ceil(round(coverage * (n_families + 1), 9))  # round: 0.9 · 10 is 9.000000000000002


def min_families(coverage: float) -> int:
    """The fewest families for which a split-conformal interval at ``coverage`` is bounded."""
    n = 1
    while conformal_rank(n, coverage) > n:
        n += 1
    return n


def conformal_halfwidth(scores, coverage: float) -> float:
    """The ⌈coverage · (F + 1)⌉-th smallest of F family scores; ``inf`` where F is too small for that rank."""
    scores = np.sort(np.asarray(scores, np.float64))
    k = conformal_rank(len(scores), coverage)
    return float(scores[k - 1]) if k <= len(scores) else math.inf
