"""Out-of-fold class probabilities of every case, from a probe on features or from a reference model's predictions.

Each source gives a :class:`Probabilities`: one row per case, each case scored by a classifier that did not
train on it (nor on another case of its patient).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..metrics.out_of_fold import FOLDS, canonical_out_of_fold
from ..metrics.validation import check_inputs

# How far a row of a model's probabilities may sum from 1 (float32 softmax) before it is refused.
SUM_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Probabilities:
    """Out-of-fold class probabilities of one source.

    Attributes
    ----------
    source : the source's name (``probe_<feature>``, or the model entry's name).
    case_ids : (n,) the cases, one row each.
    classes : (C,) the class names (strings, sorted), one column of ``proba`` each.
    proba : (n, C) float64 probabilities, rows summing to 1.
    fold : (n,) the fold in which each case was a test case.
    """

    source: str
    case_ids: np.ndarray
    classes: np.ndarray
    proba: np.ndarray
    fold: np.ndarray


def fewest_patients(labels, groups) -> int:
    """The patients of the class with the fewest (0 without cases); ``groups`` None: one patient per case."""
    labels = pd.Series(np.asarray(labels)).astype(str)
    groups = pd.Series(np.arange(len(labels)) if groups is None else np.asarray(groups))
    return int(groups.groupby(labels.to_numpy()).nunique().min()) if len(labels) else 0


def usable_folds(labels, groups, asked: int | None, where: str, most: int = FOLDS) -> int:
    """The probe's folds: ``asked`` (refused where a class has fewer patients: :func:`check_fold_classes`, the
    message naming ``where``), or with ``asked`` None as many as the class with the fewest patients allows,
    ``most`` at most (may be < 2: too few for a probe)."""
    if asked is not None:
        check_fold_classes(labels, groups, asked, where)
        return asked
    return min(most, fewest_patients(labels, groups))


def check_fold_classes(labels, groups, folds: int, where: str) -> None:
    """Refuse labels whose classes cannot fill ``folds`` patient-grouped folds (DataError naming the class).

    Parameters
    ----------
    labels : (n,) class labels; groups : (n,) patient ids (None: one patient per case).
    folds : cross-validation folds; each class needs cases of at least this many patients.
    where : what the labels are (a dataset, a file), for the message.
    """
    labels = pd.Series(np.asarray(labels)).astype(str)
    groups = pd.Series(np.arange(len(labels)) if groups is None else np.asarray(groups))
    if len(groups) != len(labels):
        raise ValueError(f"{where}: {len(labels)} labels but {len(groups)} patient ids")
    patients = groups.groupby(labels.to_numpy()).nunique().sort_index()
    if len(patients) < 2:
        raise DataError(f"{where}: every case has label {patients.index[0]!r}; two classes are needed")
    small = patients[patients < folds]
    if len(small):
        raise DataError(
            f"{where}: class {small.index[0]!r} has cases of {small.iloc[0]} patient(s); {folds} patient-grouped "
            f"cross-validation folds need at least {folds} per class. Add cases, or use fewer folds"
        )


def aligned(case_ids: pd.Series, ids, what: str) -> np.ndarray:
    """Positions in ``ids`` of each of ``case_ids``; a ValueError when the two sets of cases differ."""
    position = pd.Index(np.asarray(ids).astype(str))
    if not position.is_unique:
        raise ValueError(f"{what}: case {position[position.duplicated()][0]!r} is there twice")
    missing, extra = case_ids[~case_ids.isin(position)], position[~position.isin(case_ids)]
    if len(missing) or len(extra):
        example = missing.iloc[0] if len(missing) else extra[0]
        raise ValueError(
            f"{what}: {len(missing)} case(s) of the case table missing and {len(extra)} not in it (e.g. {example!r})"
        )
    return position.get_indexer(case_ids)


def probe_probabilities(
    cases: pd.DataFrame, features: pd.DataFrame, *, source: str, folds: int = FOLDS, C: float = 1.0, seed: int = 0
) -> Probabilities:
    """Out-of-fold probabilities of the linear probe's classifier (:mod:`difficulty.metrics.out_of_fold`).

    Patient-grouped, stratified folds, features standardised within each training fold, L2 logistic
    regression; independent of the order of the rows and of the class names.

    Parameters
    ----------
    cases : the dataset's cases, ``case_id, patient_id, label``.
    features : ``case_id`` then one column per feature, the same cases in any order.
    source : the source's name (e.g. ``probe_radiomics``).
    folds : cross-validation folds; C : inverse regularisation strength; seed : seed of the folds.
    """
    ids = cases["case_id"].astype(str).reset_index(drop=True)
    labels, groups = cases["label"].astype(str).to_numpy(), cases["patient_id"].astype(str).to_numpy()
    check_fold_classes(labels, groups, folds, source)
    rows = aligned(ids, features["case_id"], f"features of {source!r}")
    X = features.drop(columns="case_id").to_numpy(dtype=np.float64)[rows]
    data = check_inputs(X, labels, groups, min_per_class=folds)
    proba, fold = canonical_out_of_fold(data, folds, C, seed).in_input_order(data.codes)
    return Probabilities(source, ids.to_numpy(), data.classes.astype(str), proba, fold)


def model_probabilities(predictions: pd.DataFrame, cases: pd.DataFrame, source: str | None = None) -> Probabilities:
    """A reference model's kept test predictions as a source, in the order of ``cases``.

    Parameters
    ----------
    predictions : one row per test case: ``fold, case_id, label, proba_<class>...`` (``dataset, model`` may
        come first), as the model stage writes ``models/{dataset}/{model}.predictions.parquet``. Every case
        of ``cases`` must be a test case exactly once (``split: folds``), under the same label.
    cases : the dataset's cases, ``case_id, label``.
    source : the source's name; default the table's ``model``.
    """
    if source is None:
        if "model" not in predictions.columns or predictions["model"].nunique() != 1:
            raise ValueError("predictions: name the source, or give a table of one model (column 'model')")
        source = str(predictions["model"].iloc[0])
    where = f"predictions of {source!r}"
    columns = [c for c in predictions.columns if str(c).startswith("proba_")]
    missing = [c for c in ("fold", "case_id", "label") if c not in predictions.columns]
    if missing or len(columns) < 2:
        raise ValueError(f"{where}: needs columns fold, case_id, label and proba_<class> per class (has {columns})")
    ids = predictions["case_id"].astype(str)
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise DataError(
            f"{where}: case {repeated.iloc[0]!r} is a test case {int((ids == repeated.iloc[0]).sum())} times; "
            "each case must be tested exactly once (a model cross-validated with split: folds)"
        )
    wanted = cases["case_id"].astype(str)
    absent = wanted[~wanted.isin(ids)]
    if len(absent):
        raise DataError(
            f"{where}: {len(absent)} of {len(wanted)} cases have no test prediction (e.g. {absent.iloc[0]!r}); "
            "every case must be a test case once (split: folds; split: official tests only its test cases)"
        )
    extra = ids[~ids.isin(wanted)]
    if len(extra):
        raise DataError(f"{where}: {len(extra)} predicted case(s) are not in the case table (e.g. {extra.iloc[0]!r})")
    table = predictions.assign(case_id=ids).set_index("case_id").loc[wanted]
    given = cases["label"].astype(str).to_numpy()
    other = table["label"].astype(str).to_numpy() != given
    if other.any():
        i = int(np.flatnonzero(other)[0])
        raise DataError(
            f"{where}: case {wanted.iloc[i]!r} was predicted under label {table['label'].iloc[i]!r} but has "
            f"{given[i]!r}: the predictions are of another dataset or variant"
        )
    classes = np.array([c.removeprefix("proba_") for c in columns])
    order = np.argsort(classes, kind="stable")
    classes, proba = classes[order], table[[columns[j] for j in order]].to_numpy(dtype=np.float64)
    unknown = sorted(set(given) - set(classes))
    if unknown:
        raise DataError(f"{where}: label {unknown[0]!r} has no proba_ column (classes {list(classes)})")
    bad = ~np.isfinite(proba).all(axis=1) | (proba < 0).any(axis=1) | (np.abs(proba.sum(axis=1) - 1) > SUM_TOLERANCE)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{where}: case {wanted.iloc[i]!r} has probabilities {proba[i].tolist()}, not a distribution")
    proba = proba / proba.sum(axis=1, keepdims=True)
    return Probabilities(source, wanted.to_numpy(), classes, proba, table["fold"].to_numpy(dtype=np.int64))
