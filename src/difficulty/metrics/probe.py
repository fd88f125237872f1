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

from ..auc import roc_auc
from ..options import Option
from .out_of_fold import FOLDS, canonical_out_of_fold
from .registry import register_metric
from .validation import check_inputs


def linear_probe(X, y, groups=None, folds: int = FOLDS, C: float = 1.0, seed: int = 0) -> float:
    """Out-of-fold ROC AUC of an L2 logistic regression; higher is easier.

    Parameters
    ----------
    X : (n, d) features; y : (n,) labels; groups : (n,) patient ids or None.
    folds : cross-validation folds (each class needs at least this many patients).
    C : inverse regularisation strength.
    seed : seed of the fold assignment.
    """
    oof = canonical_out_of_fold(check_inputs(X, y, groups, min_per_class=folds), folds, C, seed)
    return roc_auc(oof.codes, oof.proba)


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
