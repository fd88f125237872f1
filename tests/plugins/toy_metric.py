"""Toy difficulty metric, registered from a plugin module: the gap between the class means of the first feature."""

import numpy as np

from difficulty.metrics import register_metric


@register_metric("mean_gap", higher_is_easier=True)
def mean_gap(X, y, groups):
    """Absolute difference of the two classes' means of feature 0."""
    first, second = np.unique(y)[:2]
    return float(abs(X[y == first, 0].mean() - X[y == second, 0].mean()))
