"""Figures: metric vs model performance scatter plots and a correlation heatmap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..io import atomic_path  # noqa: E402


def scatter(points: pd.DataFrame, corr: pd.Series, path) -> None:
    """Mean bootstrap score (± SD over sessions) against mean fold AUC (± SD over folds), one point per dataset."""
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    x, y = points["score_mean"].to_numpy(), points["auc_mean"].to_numpy()
    ax.errorbar(
        x, y, xerr=points["score_sd"].fillna(0), yerr=points["auc_sd"].fillna(0), fmt="o", capsize=3, color="C0"
    )
    for name, xi, yi in zip(points["dataset"], x, y):
        ax.annotate(name, (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=7)
    if len(x) >= 2 and np.ptp(x) > 0:
        slope, intercept = np.polyfit(x, y, 1)
        grid = np.linspace(x.min(), x.max(), 50)
        ax.plot(grid, slope * grid + intercept, "--", color="C1", label="least squares")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{corr['feature']} · {corr['metric'].upper()} vs {corr['model']}", fontsize=10)
    stats = f"Pearson r = {corr['pearson_r']:.2f}\nSpearman ρ = {corr['spearman_r']:.2f}"
    ax.text(
        0.02,
        0.98,
        f"{stats}\nn = {int(corr['n_datasets'])} datasets",
        transform=ax.transAxes,
        va="top",
        fontsize=8,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.8"},
    )
    ax.set_xlabel(f"{corr['metric'].upper()} (mean ± SD over bootstrap sessions)")
    ax.set_ylabel("AUC (mean ± SD over folds)")
    _save(fig, path)


def heatmap(table: pd.DataFrame, path) -> None:
    """Pearson r and Spearman ρ of every feature × metric (rows) and model (columns)."""
    table = table.assign(row=table["feature"] + " · " + table["metric"].str.upper())
    wide = table.pivot_table(index="row", columns="model", values=["pearson_r", "spearman_r"], dropna=False)
    labels = [f"{'r' if stat == 'pearson_r' else 'ρ'} · {model}" for stat, model in wide.columns]
    values = wide.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(2 + 1.3 * len(labels), 1.5 + 0.5 * len(wide)))
    image = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(wide)), wide.index, fontsize=8)
    for (i, j), v in np.ndenumerate(values):
        colour = "white" if abs(v) > 0.6 else "black"
        ax.text(j, i, "–" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", fontsize=8, color=colour)
    fig.colorbar(image, ax=ax, label="correlation with AUC")
    ax.set_title("Metric vs model performance across datasets", fontsize=10)
    _save(fig, path)


def _save(fig, path) -> None:
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
