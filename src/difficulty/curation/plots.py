"""The detection figure: how well each source's label quality finds the known flips of each dataset."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .scoring import known_flips, score_flips, sources_of


def detection_figure(tables: Mapping[str, pd.DataFrame], path, per_row: int = 3) -> None:
    """ROC curves of the label quality (low first) against the known flips, one panel per dataset that has them.

    Each source of probabilities is one curve; its legend gives the AUROC and the precision and recall of
    its ``label_issue`` flags. A run without known flips gets a figure that says so.

    Parameters
    ----------
    tables : curation tables by dataset name; those without flipped and kept cases are left out.
    path : the PNG, written atomically (:func:`difficulty.figures.write_png`).
    per_row : panels side by side.
    """
    from sklearn.metrics import roc_curve

    from ..figures import plt, write_png

    noisy = {name: table for name, table in tables.items() if known_flips(table) and sources_of(table)}
    if not noisy:
        fig, ax = plt.subplots(figsize=(5, 1.2))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no dataset of this run has known label flips", ha="center", va="center")
        write_png(fig, path)
        return
    cols = min(per_row, len(noisy))
    rows = math.ceil(len(noisy) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 4.0 * rows), squeeze=False)
    for ax in axes.flat[len(noisy) :]:
        ax.set_axis_off()
    for ax, (name, table) in zip(axes.flat, noisy.items()):
        flipped = table["flipped"].to_numpy(dtype=bool)
        primary = sources_of(table)[0]
        for source in sources_of(table):
            prefix = "" if source == primary else f"{source}."
            quality = table[f"{prefix}label_quality"].to_numpy(dtype=np.float64)
            scores = score_flips(flipped, table[f"{prefix}label_issue"], quality)
            fpr, tpr, _ = roc_curve(flipped, -quality)
            label = f"{source}{' (primary)' if source == primary else ''}: AUROC {scores['auroc']:.2f}, "
            label += f"P {scores['precision']:.2f}, R {scores['recall']:.2f}"
            ax.plot(fpr, tpr, lw=2 if source == primary else 1.2, label=label)
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        ax.set_title(f"{name}: {int(flipped.sum())} of {len(flipped)} labels flipped", fontsize=9)
        ax.set_xlabel("kept cases below the threshold")
        ax.set_ylabel("flipped cases below the threshold")
        ax.legend(loc="lower right", fontsize=6.5)
        ax.set_aspect("equal")
    write_png(fig, path)
