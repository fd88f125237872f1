"""ROC curves of a reference model's test predictions on a dataset."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402

from ..io import atomic_path  # noqa: E402


def roc_plot(predictions: pd.DataFrame, path, title: str) -> None:
    """ROC curve of each fold (thin) and of all folds' test cases pooled (thick); one-vs-rest per class if > 2.

    ``predictions`` has ``fold, label, proba_<class>...`` (one row per test case).
    """
    classes = [c.removeprefix("proba_") for c in predictions.columns if c.startswith("proba_")]
    positives = classes[1:] if len(classes) == 2 else classes
    fig, ax = plt.subplots(figsize=(5, 4.5))
    for k, positive in enumerate(positives):
        colour = f"C{k}"
        for _, fold in predictions.groupby("fold"):
            truth = fold["label"].astype(str) == positive
            if truth.nunique() == 2:
                fpr, tpr, _ = roc_curve(truth, fold[f"proba_{positive}"])
                ax.plot(fpr, tpr, color=colour, alpha=0.35, lw=1)
        truth = predictions["label"].astype(str) == positive
        fpr, tpr, _ = roc_curve(truth, predictions[f"proba_{positive}"])
        auc = roc_auc_score(truth, predictions[f"proba_{positive}"])
        name = "pooled folds" if len(positives) == 1 else f"{positive} vs rest"
        ax.plot(fpr, tpr, color=colour, lw=2, label=f"{name}: AUC {auc:.3f}")
    ax.plot([0, 1], [0, 1], ":", color="0.6")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, np.nextafter(1, 2))
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
