"""Label issues by confident learning (cleanlab): per case a label quality, a flag and the suspected label."""

from __future__ import annotations

import numpy as np
import pandas as pd

# cleanlab's settings: the default pruning of confident learning, and the probability of the given label as
# its quality (lower: more likely mislabelled).
FILTER_BY = "prune_by_noise_rate"
QUALITY = "self_confidence"


def label_issues(labels, classes, proba) -> pd.DataFrame:
    """cleanlab's label issues of out-of-fold probabilities.

    Parameters
    ----------
    labels : (n,) the given labels, each one of ``classes``.
    classes : (C,) class names, one per column of ``proba``.
    proba : (n, C) out-of-fold class probabilities.

    Returns
    -------
    One row per case, in order: ``suspected_label`` (the class the probabilities favour), ``label_quality``
    (cleanlab's self-confidence, in [0, 1]; lower is worse), ``label_issue`` (cleanlab's
    ``find_label_issues`` flag).
    """
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    labels, classes = np.asarray(labels).astype(str), np.asarray(classes).astype(str)
    proba = np.asarray(proba, dtype=np.float64)
    if proba.shape != (len(labels), len(classes)):
        raise ValueError(f"proba has shape {proba.shape}; {len(labels)} cases and {len(classes)} classes need that")
    lookup = {c: j for j, c in enumerate(classes)}
    unknown = [label for label in labels if label not in lookup]
    if unknown:
        raise ValueError(f"label {unknown[0]!r} is not one of the classes {list(classes)}")
    codes = np.array([lookup[label] for label in labels], dtype=np.int64)
    flagged = find_label_issues(codes, proba, filter_by=FILTER_BY, n_jobs=1)
    quality = get_label_quality_scores(codes, proba, method=QUALITY)
    return pd.DataFrame(
        {
            "suspected_label": classes[proba.argmax(axis=1)],
            "label_quality": np.asarray(quality, dtype=np.float64),
            "label_issue": np.asarray(flagged, dtype=bool),
        }
    )
