"""A curated variant: the parent's cases without those its curation table flags as label issues."""

from pathlib import Path

import numpy as np
import pandas as pd

from ...options import Option
from .registry import register_variant

DROP_LABEL_ISSUES = Option(
    False,
    "leave out the cases that the parent's curation table (`results/curation/{parent}.tsv`) flags as label issues "
    "(`label_issue` of its primary source)",
    {"type": "boolean"},
)


def curation_table_of(parent: str) -> dict[str, str]:
    """The parent's curation table, under the results folder."""
    return {"curation": f"curation/{parent}.tsv"}


def read_curation(path, table: pd.DataFrame) -> pd.DataFrame:
    """A curation table (``case_id, label, label_issue``) checked against the parent's label table ``table``."""
    curation = pd.read_csv(path, sep="\t", dtype={"case_id": str, "patient_id": str, "label": str})
    missing = [c for c in ("case_id", "label", "label_issue") if c not in curation.columns]
    if missing:
        raise ValueError(f"curation table {path}: no column {missing[0]!r}")
    if curation["label_issue"].dtype != bool:
        raise ValueError(f"curation table {path}: label_issue must be True or False in every row")
    given = table.set_index(table["case_id"].astype(str))["label"].astype(str)
    mine = curation.set_index("case_id")["label"]
    if set(mine.index) != set(given.index) or not mine.index.is_unique:
        raise ValueError(
            f"curation table {path}: its {len(mine)} cases are not the parent's {len(given)}: "
            "it was made for another dataset or an older run"
        )
    other = mine.loc[given.index] != given
    if other.any():
        case = other.index[np.flatnonzero(other.to_numpy())[0]]
        raise ValueError(
            f"curation table {path}: case {case!r} has label {mine[case]!r} there, {given[case]!r} in the parent"
        )
    return curation


def example_curation(table: pd.DataFrame, folder: Path) -> dict[str, str]:
    """A curation table of the parent's cases that flags every fifth case (for the common tests)."""
    path = Path(folder) / "curation.tsv"
    flagged = np.arange(len(table)) % 5 == 0
    table.assign(label_issue=flagged)[["case_id", "patient_id", "label", "label_issue"]].to_csv(
        path, sep="\t", index=False
    )
    return {"curation": str(path)}


@register_variant(
    "drop_label_issues",
    options={"drop_label_issues": DROP_LABEL_ISSUES},
    example=lambda folder: {"drop_label_issues": True},
    inputs=curation_table_of,
    example_inputs=example_curation,
)
def without_label_issues(table: pd.DataFrame, options: dict, seed: int, *, inputs: dict) -> pd.DataFrame:
    """The parent's cases without those its curation table flags (labels unchanged)."""
    curation = read_curation(inputs["curation"], table)
    if not options["drop_label_issues"]:
        return table.reset_index(drop=True)
    flagged = curation.loc[curation["label_issue"], "case_id"]
    return table[~table["case_id"].astype(str).isin(flagged)].reset_index(drop=True)
