"""The ROC AUC, one function for every stage (scikit-learn's): measures, reference models, curation."""

from __future__ import annotations

import numpy as np


def roc_auc(codes, scores) -> float:
    """ROC AUC of class codes and scores.

    Parameters
    ----------
    codes : (n,) class codes 0 … C − 1 (with two classes, 1 is the positive class).
    scores : (n,) scores of the positive class, or (n, C) class scores or probabilities (rows summing to 1
        for more than two classes): the AUC of class 1's column with two classes, the macro average of the
        one-vs-rest AUCs with more.
    """
    from sklearn.metrics import roc_auc_score

    scores = np.asarray(scores)
    if scores.ndim == 1:
        return float(roc_auc_score(codes, scores))
    if scores.shape[1] == 2:
        return float(roc_auc_score(codes, scores[:, 1]))
    return float(roc_auc_score(codes, scores, multi_class="ovr", average="macro", labels=np.arange(scores.shape[1])))
