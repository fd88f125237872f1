"""Linear probe: cross-validated logistic-regression ROC AUC on the features.

The feature-space cousin of Scheidegger et al.'s probe networks. Folds keep
each patient's cases together and the class proportions (stratified group
k-fold), shuffled by the seed; the samples are first put in a canonical order
(sorted by their features; classes and patients numbered as they first occur
there), so that the folds depend neither on the order of the rows nor on the
class names. Features are standardised within each training fold. Out-of-fold
probabilities give one ROC AUC (one-vs-rest, macro, with more than two classes).
Higher is easier.
"""

from __future__ import annotations

import numpy as np

from ..auc import roc_auc
from ..options import Option
from .registry import register_metric
from .validation import check_inputs

FOLDS = 5


def _first_seen(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered 0, 1, … in the order they first occur (so that names do not matter)."""
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse]


def linear_probe(X, y, groups=None, folds: int = FOLDS, C: float = 1.0, seed: int = 0) -> float:
    """Out-of-fold ROC AUC of an L2 logistic regression; higher is easier.

    Parameters
    ----------
    X : (n, d) features; y : (n,) labels; groups : (n,) patient ids or None.
    folds : cross-validation folds (each class needs at least this many patients).
    C : inverse regularisation strength.
    seed : seed of the fold assignment.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = check_inputs(X, y, groups, min_per_class=folds)
    order = np.lexsort(data.X.T[::-1])
    Xs, codes, patients = data.X[order], _first_seen(data.codes[order]), _first_seen(data.groups[order])
    proba = np.zeros((len(Xs), data.n_classes))
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed % 2**32)
    for train, test in split.split(Xs, codes, patients):
        if len(np.unique(codes[train])) < data.n_classes:
            raise ValueError("a training fold lacks a class: use fewer folds or more cases")
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        proba[test] = model.fit(Xs[train], codes[train]).predict_proba(Xs[test])
    return roc_auc(codes, proba)


register_metric(
    "probe",
    linear_probe,
    higher_is_easier=True,
    min_per_class=FOLDS,
    seeded=True,
    options={
        "folds": Option(
            FOLDS, "cross-validation folds (patient-grouped, stratified)", {"type": "integer", "minimum": 2}
        ),
        "C": Option(1.0, "inverse L2 regularisation strength", {"type": "number", "exclusiveMinimum": 0}),
    },
    help="Linear probe: cross-validated logistic-regression ROC AUC (patient-grouped folds; seeded)",
    reference="after Scheidegger et al. 2020",
)
