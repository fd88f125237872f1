"""Out-of-fold class probabilities of a cross-validated L2 logistic regression on features.

The classifier of the linear probe (``probe.py``) and of the curation stage's probe source. Folds keep
each patient's cases together and the class proportions (stratified group k-fold), shuffled by the
seed; the samples are first put in a canonical order (sorted by their features; classes and patients
numbered as they first occur there), so that the folds depend neither on the order of the rows nor on
the class names. Features are standardised within each training fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import Inputs

FOLDS = 5


def _first_seen(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered 0, 1, … in the order they first occur (so that names do not matter)."""
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse]


@dataclass(frozen=True)
class CanonicalFolds:
    """Out-of-fold probabilities in the canonical order.

    Attributes
    ----------
    order : (n,) row of the input at each canonical position.
    codes : (n,) class codes in the canonical order, numbered as the classes first occur there.
    proba : (n, C) out-of-fold probabilities, column j the class of canonical code j.
    fold : (n,) the fold in which each canonical sample was tested.
    """

    order: np.ndarray
    codes: np.ndarray
    proba: np.ndarray
    fold: np.ndarray

    def in_input_order(self, input_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, C) probabilities and (n,) folds in the input's row order, column c the input's class code c."""
        column = np.empty(self.proba.shape[1], dtype=np.int64)
        column[self.codes] = input_codes[self.order]  # input class code of each canonical code
        proba, fold = np.empty_like(self.proba), np.empty_like(self.fold)
        proba[np.ix_(self.order, column)] = self.proba
        fold[self.order] = self.fold
        return proba, fold


def canonical_out_of_fold(data: Inputs, folds: int, C: float, seed: int) -> CanonicalFolds:
    """Out-of-fold probabilities of an L2 logistic regression, patient-grouped stratified folds.

    Parameters
    ----------
    data : checked features, class codes and patient codes (:func:`difficulty.metrics.check_inputs`).
    folds : cross-validation folds.
    C : inverse regularisation strength.
    seed : seed of the fold assignment.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    order = np.lexsort(data.X.T[::-1])
    Xs, codes, patients = data.X[order], _first_seen(data.codes[order]), _first_seen(data.groups[order])
    proba = np.zeros((len(Xs), data.n_classes))
    fold = np.empty(len(Xs), dtype=np.int64)  # each sample is in exactly one test part
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed % 2**32)
    for k, (train, test) in enumerate(split.split(Xs, codes, patients)):
        if len(np.unique(codes[train])) < data.n_classes:
            raise ValueError("a training fold lacks a class: use fewer folds or more cases")
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        proba[test] = model.fit(Xs[train], codes[train]).predict_proba(Xs[test])
        fold[test] = k
    return CanonicalFolds(order, codes, proba, fold)
