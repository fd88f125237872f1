"""Quality control of a dataset's cases: bad cases (stop or skip), label checks, class sizes, the QC table."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..options import Option
from .cases import Case

log = logging.getLogger(__name__)

ON_BAD_CASE = Option(
    "stop",
    "stop: a case that cannot be read or used stops its job, naming it; "
    "skip: leave it out and list it with the reason in results/qc/{dataset}.tsv",
    {"enum": ["stop", "skip"]},
)
QC_COLUMNS = ["case_id", "patient_id", "label", "outcome", "problem"]
#: the case-table column that marks the cases whose patient id was blank in their sheet
BLANK_PATIENT = "patient_id_blank"


@dataclass(frozen=True)
class BadCase:
    """A case that its source could not read or that failed a check: its id and what is wrong."""

    case_id: str
    problem: str


def nonfinite_voxels(array: np.ndarray) -> str | None:
    """``"N NaN or inf voxel(s) (first at z, y, x = (…))"`` of a (z, y, x) array; None if every voxel is finite."""
    if not np.issubdtype(array.dtype, np.floating):
        return None
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{int(bad.sum())} NaN or inf voxel(s) (first at z, y, x = {first})"


def voxel_problem(case: Case) -> str | None:
    """What is wrong with a case's voxels (NaN or inf in the image, an empty mask); None if nothing."""
    found = nonfinite_voxels(case.image)
    if found:
        return f"the image holds {found}"
    if not np.asarray(case.mask).any():
        return "the mask is empty"
    return None


def bad_case_error(dataset: str, bad: BadCase) -> DataError:
    """The error that stops a job at a bad case, saying what to do."""
    return DataError(
        f"dataset {dataset!r}, case {bad.case_id!r}: {bad.problem}. Fix or remove the case, or set "
        f"`on_bad_case: skip` on the dataset to leave such cases out (listed in results/qc/{dataset}.tsv)"
    )


def normalize_labels(labels: pd.Series, case_ids: pd.Series, where: str) -> pd.Series:
    """Labels with stray whitespace stripped (logged); empty labels or labels differing only in case refused."""
    stripped = labels.str.strip()
    changed = stripped != labels
    if changed.any():
        log.warning(
            "%s: %d label(s) had stray whitespace, stripped (e.g. case %r: %r → %r)",
            where,
            int(changed.sum()),
            case_ids[changed].iloc[0],
            labels[changed].iloc[0],
            stripped[changed].iloc[0],
        )
    empty = stripped == ""
    if empty.any():
        raise DataError(f"{where}: case {case_ids[empty].iloc[0]!r} has an empty 'label'; give every case a class")
    variants = stripped.groupby(stripped.str.casefold()).unique()
    clash = variants[variants.map(len) > 1]
    if len(clash):
        names = sorted(clash.iloc[0])
        cases = [case_ids[stripped == n].iloc[0] for n in names]
        raise DataError(
            f"{where}: column 'label' has values that differ only in upper/lower case: "
            + ", ".join(f"{n!r} (e.g. case {c!r})" for n, c in zip(names, cases))
            + "; write each class one way"
        )
    return stripped


def check_class_sizes(labels, needs: dict[str, int], where: str) -> None:
    """Refuse a dataset with one class only, or a class smaller than a configured entry needs.

    ``needs`` maps what needs it (``metric 'fid'``, ``model 'cnn3d' (3 folds)``) to the fewest cases per class.
    """
    counts = pd.Series(labels).value_counts().sort_index()
    if len(counts) < 2:
        raise DataError(f"{where}: every case has label {counts.index[0]!r}; two classes are needed")
    for what, need in sorted(needs.items(), key=lambda kv: -kv[1]):
        small = counts[counts < need]
        if len(small):
            raise DataError(
                f"{where}: class {small.index[0]!r} has {small.iloc[0]} case(s); {what} needs at least {need} "
                f"per class. Add cases, or leave {what} out for this dataset's run"
            )


def patients_under_several_labels(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases of patients listed under more than one label, as QC rows (kept: e.g. left and right organs)."""
    labels_per_patient = cases.groupby("patient_id")["label"].nunique()
    several = labels_per_patient.index[labels_per_patient > 1]
    rows = cases[cases["patient_id"].isin(several)]
    problem = "patient listed under several labels (kept; grouped folds keep the patient in one fold)"
    return rows[["case_id", "patient_id", "label"]].assign(outcome="kept", problem=problem)


def fill_blank_patients(cases: pd.DataFrame, where: str) -> pd.DataFrame:
    """Cases whose ``patient_id`` is blank taken as their own patient: logged, and marked for the QC table.

    Returns the case table with ``patient_id`` filled from ``case_id`` there and a boolean column
    ``patient_id_blank`` (:data:`BLANK_PATIENT`) saying where (:func:`blank_patients` reports them).
    """
    blank = cases["patient_id"].str.strip() == ""
    if blank.any():
        log.warning(
            "%s: %d case(s) have a blank patient_id (e.g. case %r); each is taken as its own patient and "
            "listed in the QC table. Give the patient's id where a patient has several cases",
            where,
            int(blank.sum()),
            cases["case_id"][blank].iloc[0],
        )
    return cases.assign(patient_id=cases["patient_id"].where(~blank, cases["case_id"]), **{BLANK_PATIENT: blank})


def blank_patients(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases whose patient id was blank (:func:`fill_blank_patients`), as QC rows (kept)."""
    rows = cases[cases[BLANK_PATIENT].astype(bool)] if BLANK_PATIENT in cases else cases.iloc[:0]
    problem = "blank patient_id: taken as its own patient (kept; give the patient's id if it has other cases)"
    return rows[["case_id", "patient_id", "label"]].assign(outcome="kept", problem=problem)


def qc_table(cases: pd.DataFrame, skipped: pd.DataFrame) -> pd.DataFrame:
    """The QC table of a dataset: its skipped cases with the reason, then the reported (kept) cases."""
    reported = [patients_under_several_labels(cases), blank_patients(cases)]
    table = pd.concat([skipped.reindex(columns=QC_COLUMNS), *reported], ignore_index=True)
    return table[QC_COLUMNS]
