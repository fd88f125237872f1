"""The curation table of a dataset: per case its label issues, kDN and outlier score, worst first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .hardness import K, kdn
from .label_issues import label_issues
from .outliers import outlier_scores
from .probabilities import Probabilities, aligned

COLUMNS = (
    "case_id",
    "patient_id",
    "label",
    "suspected_label",
    "label_quality",
    "label_issue",
    "kdn",
    "outlier_score",
    "probabilities_from",
    "features_from",
)
ISSUE_COLUMNS = ("suspected_label", "label_quality", "label_issue")
NAMED_COLUMNS = {"label": "class", "suspected_label": "suspected_class"}  # a label column → its class name's
FEATURE_COLUMNS = ("kdn", "outlier_score")


def curation_table(
    cases: pd.DataFrame, probabilities: Sequence[Probabilities], features: Mapping[str, pd.DataFrame], k: int = K
) -> pd.DataFrame:
    """Per case: label issues of each probability source, kDN and outlier score of each feature type; worst first.

    Parameters
    ----------
    cases : the dataset's cases, ``case_id, patient_id, label``; a ``flipped`` column (label noise) is kept.
    probabilities : the sources (at least one), the primary first; each covers the same cases.
    features : feature tables by name (``case_id`` then one column per feature), the primary first.
    k : neighbours of kDN and of the outlier score.

    Returns
    -------
    ``case_id, patient_id, label, suspected_label, label_quality, label_issue, kdn, outlier_score,
    probabilities_from, features_from`` for the primary source and feature type (``probabilities_from`` and
    ``features_from`` name them), ``flipped`` where ``cases`` has it, then per other source ``<source>.``
    ``suspected_label``, ``.label_quality``, ``.label_issue`` and per other feature type ``<feature>.kdn``,
    ``.outlier_score``. Worst first: flagged cases first, then by rising label quality, falling kDN, and
    case id.
    """
    if not features:
        raise ValueError("a curation table needs at least one feature type")
    names = [p.source for p in probabilities]
    clash = sorted({n for n in names if names.count(n) > 1} | (set(names) & set(features)))
    if clash:
        raise ValueError(f"source and feature names must be distinct: {clash[0]!r} is used twice")
    ids = cases["case_id"].astype(str).reset_index(drop=True)
    labels = cases["label"].astype(str).to_numpy()
    groups = cases["patient_id"].astype(str).to_numpy()
    out = pd.DataFrame({"case_id": ids, "patient_id": groups, "label": labels})
    primary_source, primary_feature = (names[0] if names else ""), next(iter(features))
    extra = {}
    for p in probabilities:
        rows = aligned(ids, p.case_ids, f"probabilities of {p.source!r}")
        issues = label_issues(labels, p.classes, p.proba[rows])
        prefix = "" if p.source == primary_source else f"{p.source}."
        extra |= {f"{prefix}{c}": issues[c].to_numpy() for c in ISSUE_COLUMNS}
    for name, table in features.items():
        rows = aligned(ids, table["case_id"], f"features {name!r}")
        X = table.drop(columns="case_id").to_numpy(dtype=np.float64)[rows]
        prefix = "" if name == primary_feature else f"{name}."
        extra[f"{prefix}kdn"] = kdn(X, labels, groups, k)
        extra[f"{prefix}outlier_score"] = outlier_scores(X, groups, k)
    if not probabilities:  # too few patients for a probe and no model tested every case: no label columns
        extra |= {"suspected_label": None, "label_quality": np.nan, "label_issue": pd.NA}
    out = out.assign(**{c: extra[c] for c in COLUMNS[3:8]})
    out["probabilities_from"], out["features_from"] = primary_source, primary_feature
    if "flipped" in cases.columns:
        out["flipped"] = cases["flipped"].to_numpy(dtype=bool)
    out = out.assign(**{c: v for c, v in extra.items() if c not in out.columns})
    keys = ["label_issue", "label_quality", "kdn", "case_id"]
    return out.sort_values(keys, ascending=[False, True, False, True], kind="stable").reset_index(drop=True)


def name_classes(table: pd.DataFrame, classes: Mapping[str, str]) -> pd.DataFrame:
    """``table`` with the class name (as the data names it) beside each label column: ``class`` after ``label``,
    ``suspected_class`` after each ``suspected_label`` (a source's too).

    Parameters
    ----------
    table : a curation table (:func:`curation_table`).
    classes : label → class name (:attr:`difficulty.data.Prepared.classes`); a label missing keeps its text.
    """
    out = table.copy()
    for column in [c for c in table.columns if c == "label" or str(c).endswith("suspected_label")]:
        prefix, base = str(column).rpartition(".")[0], str(column).rpartition(".")[2]
        name = f"{prefix}.{NAMED_COLUMNS[base]}" if prefix else NAMED_COLUMNS[base]
        values = out[column].map(lambda label: classes.get(str(label), str(label)) if pd.notna(label) else None)
        out.insert(out.columns.get_loc(column) + 1, name, values)
    return out
