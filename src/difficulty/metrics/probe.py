"""Linear probe: cross-validated logistic-regression ROC AUC on the features.

The feature-space cousin of Scheidegger et al.'s probe networks. Folds keep
each patient's cases together and the class proportions (stratified group
k-fold), shuffled by the seed; the samples are first put in a canonical order
(sorted by their features; classes and patients numbered as they first occur
there), so that the folds depend neither on the order of the rows nor on the
class names. Features are standardised within each training fold. Out-of-fold
probabilities give one ROC AUC (one-vs-rest, macro, with more than two classes).
Higher is easier. Where a class has fewer patients than ``folds``, the probe uses
as many folds as it allows (at least 2), so that a small pilot dataset is still
measured.
"""

from __future__ import annotations

from ..auc import roc_auc
from ..errors import DataError
from ..options import Option
from .out_of_fold import FOLDS, canonical_out_of_fold
from .registry import register_metric
from .validation import check_inputs

MIN_FOLDS = 2


def linear_probe(X, y, groups=None, folds: int = FOLDS, C: float = 1.0, seed: int = 0) -> float:
    """Out-of-fold ROC AUC of an L2 logistic regression; higher is easier.

    Parameters
    ----------
    X : (n, d) features; y : (n,) labels; groups : (n,) patient ids or None.
    folds : cross-validation folds at most: fewer where a class has fewer patients (at least 2 are needed).
    C : inverse regularisation strength.
    seed : seed of the fold assignment.
    """
    data = check_inputs(X, y, groups, min_per_class=MIN_FOLDS)
    fewest = data.fewest_patients()
    if fewest < MIN_FOLDS:
        raise DataError(f"a class has cases of {fewest} patient; the probe's cross-validation needs {MIN_FOLDS}")
    oof = canonical_out_of_fold(data, min(folds, fewest), C, seed)
    return roc_auc(oof.codes, oof.proba)


register_metric(
    "probe",
    linear_probe,
    higher_is_easier=True,
    auc_units=True,
    min_per_class=MIN_FOLDS,
    seeded=True,
    options={
        "folds": Option(
            FOLDS,
            "cross-validation folds (patient-grouped, stratified); fewer where a class has fewer patients, 2 at least",
            {"type": "integer", "minimum": 2},
        ),
        "C": Option(1.0, "inverse L2 regularisation strength", {"type": "number", "exclusiveMinimum": 0}),
    },
    help="Linear probe: cross-validated logistic-regression ROC AUC (patient-grouped folds; seeded)",
    reference="after Scheidegger et al. 2020",
)
