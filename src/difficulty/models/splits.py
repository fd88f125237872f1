"""Which cases a reference model trains, validates and is tested on: grouped, stratified folds or an official split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from ..errors import DataError
from ..seeding import derive_seed

SPLITS = ("folds", "official", "auto")


@dataclass(frozen=True)
class Fold:
    """Case positions of one fold: training, validation (early stopping; may be empty) and test."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def _kfold(y, groups, k: int, seed) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified k folds, grouped by patient where a patient has several cases (no patient in two folds)."""
    state = derive_seed(seed) % 2**32
    if len(np.unique(groups)) == len(groups):
        return list(StratifiedKFold(k, shuffle=True, random_state=state).split(np.zeros(len(y)), y))
    return list(StratifiedGroupKFold(k, shuffle=True, random_state=state).split(np.zeros(len(y)), y, groups))


def _hold_out(rows, y, groups, fraction: float, seed) -> tuple[np.ndarray, np.ndarray]:
    """Split ``rows`` into (train, validation) with about ``fraction`` of them, whole patients, stratified.

    Where a class has too few patients for that fraction, the validation part grows to 1/n of them; with
    fewer than two patients in a class there is no validation part.
    """
    y_rows, g_rows = y[rows], groups[rows]
    fewest = min(len(np.unique(g_rows[y_rows == c])) for c in np.unique(y_rows))
    k = min(max(2, round(1 / fraction)), fewest) if fraction > 0 else 0
    if k < 2:
        return rows, rows[:0]
    train, val = _kfold(y_rows, g_rows, k, (seed, "validation"))[0]
    return rows[train], rows[val]


def make_folds(y, groups, split: str, folds: int, validation: float, seed, official=None) -> list[Fold]:
    """The folds of a cross-validation (``split="folds"``) or the official split (``"official"``).

    Parameters
    ----------
    y : (n,) class codes; groups : (n,) patient ids (a patient's cases never straddle train and test).
    split : ``"folds"``: stratified ``folds``-fold cross-validation, grouped by patient where a patient has
        several cases; ``"official"``: one fold from ``official`` (``train`` / ``val`` / ``test`` per case);
        ``"auto"``: ``"official"`` where ``official`` is given, else ``"folds"``.
    validation : fraction of each fold's training cases held out for early stopping (whole patients); with
        an official split, the ``val`` cases are used and this fraction only where there are none.
    seed : an int or keys; every split derives its seed from it.
    """
    y, groups = np.asarray(y), np.asarray(groups)
    if split == "auto":
        split = "folds" if official is None else "official"
    if split == "official":
        if official is None:
            raise ValueError("split: official needs a dataset with an official split (a 'split' column)")
        official = np.asarray(official)
        train, val, test = (np.flatnonzero(official == part) for part in ("train", "val", "test"))
        if len(train) == 0 or len(test) == 0:
            raise ValueError(f"the official split has {len(train)} training and {len(test)} test cases")
        if len(val) == 0:
            train, val = _hold_out(train, y, groups, validation, (seed, "official"))
        return [Fold(train, val, test)]
    if split != "folds":
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    smallest = np.bincount(y).min()
    if smallest < folds:
        raise DataError(f"a class has fewer cases ({smallest}) than cross-validation folds ({folds})")
    out = []
    for k, (train, test) in enumerate(_kfold(y, groups, folds, (seed, "folds"))):
        train, val = _hold_out(train, y, groups, validation, (seed, k))
        out.append(Fold(train, val, test))
    return out
