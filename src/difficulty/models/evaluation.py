"""How well a reference model did on a fold: AUC, accuracy, balanced accuracy, F1."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from ..auc import roc_auc


def fold_scores(y_true: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """AUC, accuracy, balanced accuracy and macro F1 of (n,) class codes and (n, C) probabilities."""
    predicted = proba.argmax(axis=1)
    return {
        "auc": roc_auc(y_true, proba),
        "accuracy": float(accuracy_score(y_true, predicted)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, predicted)),
        "f1": float(f1_score(y_true, predicted, average="macro", labels=np.arange(proba.shape[1]), zero_division=0)),
    }
