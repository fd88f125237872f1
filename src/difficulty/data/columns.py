"""Case-table columns of several sequences, raters' masks and raters' labels per case.

A source's case table may hold ``image:<sequence>`` columns (one image file per MRI sequence, the first the
reference grid), ``mask:<rater>`` (each rater's mask) and ``label:<rater>`` (each rater's label, "" where
the rater gave none), in the order the sheet gives them. The plain ``image``, ``mask`` and ``label`` columns
keep their meaning: ``label`` is the label every stage uses (the raters' consensus where the sheet has none).
"""

from __future__ import annotations

import re

import pandas as pd

SEQUENCE, RATER_MASK, RATER_LABEL = "image:", "mask:", "label:"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def named(columns, prefix: str) -> list[str]:
    """The names after ``prefix`` of the columns that have it, in column order."""
    return [c[len(prefix) :] for c in columns if c.startswith(prefix)]


def sequences(table: pd.DataFrame) -> list[str]:
    """The sequences of a case table (``image:<sequence>`` columns); [] for one image per case."""
    return named(table.columns, SEQUENCE)


def mask_raters(table: pd.DataFrame) -> list[str]:
    """The raters whose masks a case table lists (``mask:<rater>`` columns)."""
    return named(table.columns, RATER_MASK)


def label_raters(table: pd.DataFrame) -> list[str]:
    """The raters whose labels a case table lists (``label:<rater>`` columns)."""
    return named(table.columns, RATER_LABEL)


def check_names(columns, where: str) -> None:
    """Sequence and rater names must be letters, digits, ``_`` or ``-`` (they name feature columns and files)."""
    for prefix in (SEQUENCE, RATER_MASK, RATER_LABEL):
        for name in named(columns, prefix):
            if not _NAME.match(name):
                raise ValueError(
                    f"{where}: column {prefix + name!r}: a name after {prefix!r} must be letters, digits, '_' or '-'"
                )
