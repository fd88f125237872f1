"""Checked inputs of every difficulty metric: features, labels and patient ids."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import DataError


@dataclass(frozen=True)
class Inputs:
    """Validated inputs of a metric.

    Attributes
    ----------
    X : (n, d) float64 features.
    codes : (n,) int64 class code of each sample, indexing ``classes``.
    classes : (C,) the sorted class labels.
    groups : (n,) int64 group (patient) code of each sample.
    """

    X: np.ndarray
    codes: np.ndarray
    classes: np.ndarray
    groups: np.ndarray

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def members(self) -> list[np.ndarray]:
        """Indices of each class's samples, in the order of X."""
        return [np.flatnonzero(self.codes == c) for c in range(self.n_classes)]

    def fewest_patients(self) -> int:
        """The patients (groups) of the class with the fewest."""
        return min(len(np.unique(self.groups[m])) for m in self.members())


def _plain(label):
    """A label as the user wrote it (``0``, ``'a'``), not as a NumPy scalar (``np.int64(0)``)."""
    return label.item() if isinstance(label, np.generic) else label


def check_inputs(X, y, groups=None, min_per_class: int = 2) -> Inputs:
    """Check features, labels and optional group ids; a clear ValueError says what is wrong.

    Parameters
    ----------
    X : (n, d) features, finite.
    y : (n,) class labels (any hashable values), at least two classes.
    groups : (n,) patient ids, or None for one patient per sample.
    min_per_class : the fewest samples a class may have.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (samples, features), got shape {X.shape}")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has shape {y.shape}: one label per row is needed")
    bad = ~np.isfinite(X)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"X holds {int(bad.sum())} NaN or inf values (first at row {row}, column {col})")
    codes, classes = pd.factorize(y, sort=True)
    if len(classes) < 2:
        raise ValueError(f"y holds one class only ({_plain(classes[0])!r}); a difficulty metric needs at least two")
    counts = np.bincount(codes, minlength=len(classes))
    small = np.flatnonzero(counts < min_per_class)
    if small.size:
        c = small[0]
        raise DataError(
            f"class {_plain(classes[c])!r} has {counts[c]} samples; this metric needs at least {min_per_class}"
        )
    if groups is None:
        gcodes = np.arange(len(X))
    else:
        groups = np.asarray(groups)
        if len(groups) != len(X):
            raise ValueError(f"X has {len(X)} rows but groups has {len(groups)} entries")
        gcodes, _ = pd.factorize(groups)
    return Inputs(X, codes.astype(np.int64), np.asarray(classes), np.asarray(gcodes, dtype=np.int64))


def class_pairs(n_classes: int) -> list[tuple[int, int]]:
    """All pairs (a, b), a < b, of class codes."""
    return list(combinations(range(n_classes), 2))
