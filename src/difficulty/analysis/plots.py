"""Figures: scatter plots of metric vs model performance, correlation heatmap, ranking, score distributions, ROC."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.transforms import Bbox
from sklearn.metrics import roc_curve

from ..auc import roc_auc
from ..figures import plt, write_png


def scatter(points: pd.DataFrame, corr: pd.Series, band: tuple[np.ndarray, np.ndarray, np.ndarray], path) -> None:
    """Mean bootstrap score (± SD over sessions) against mean fold AUC (± SD over folds), one point per dataset.

    Parameters
    ----------
    points : one row per dataset: ``dataset, score_mean, score_sd, auc_mean, auc_sd``
    corr : the feature × metric × model's row of the correlation table
    band : ``(grid, low, high)``, the least-squares line's 95 % band over the hierarchical bootstrap
    path : PNG to write
    """
    fig, ax = plt.subplots(figsize=(6, 4.8))
    x, y = points["score_mean"].to_numpy(), points["auc_mean"].to_numpy()
    ax.errorbar(
        x, y, xerr=points["score_sd"].fillna(0), yerr=points["auc_sd"].fillna(0), fmt="o", capsize=3, color="C0"
    )
    grid, low, high = band
    if len(grid):
        ax.fill_between(grid, low, high, color="C1", alpha=0.15, lw=0, label="95 % band (hierarchical bootstrap)")
    if len(x) >= 2 and np.ptp(x) > 0:
        slope, intercept = np.polyfit(x, y, 1)
        line = np.linspace(x.min(), x.max(), 50)
        ax.plot(line, slope * line + intercept, "--", color="C1", label="least squares")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{corr['feature']} · {corr['metric'].upper()} vs {corr['model']}", fontsize=10)
    text = "\n".join(
        f"{label} = {corr[f'{name}_r']:.2f} [{corr[f'{name}_ci_low']:.2f}, {corr[f'{name}_ci_high']:.2f}]"
        for name, label in (("pearson", "Pearson r"), ("spearman", "Spearman ρ"))
    )
    ax.text(
        0.02,
        0.98,
        f"{text}\nn = {int(corr['n_datasets'])} datasets",
        transform=ax.transAxes,
        va="top",
        fontsize=8,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.8"},
    )
    ax.set_xlabel(f"{corr['metric'].upper()} (mean ± SD over bootstrap sessions)")
    ax.set_ylabel("AUC (mean ± SD over folds)")
    fig.tight_layout()
    place_labels(ax, x, y, points["dataset"].tolist())  # after the layout: it places labels in pixels
    write_png(fig, path, tight=False)


#: label offsets tried around a point, in points, nearest first
_OFFSETS = [
    (dx * r, dy * r) for r in (1, 2, 3, 4) for dx, dy in ((5, 5), (5, -11), (-5, 5), (-5, -11), (0, 9), (0, -15))
]


def place_labels(ax, x, y, names: list[str], fontsize: int = 7) -> list:
    """Annotate each point with its name where the label overlaps no other label, no point and stays inside the axes.

    Tries offsets around each point, nearest first, and takes the first free one (else the one
    with the least overlap). Returns the annotations.
    """
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    marks = [ax.transData.transform((xi, yi)) for xi, yi in zip(x, y)]
    taken = [Bbox.from_bounds(mx - 4, my - 4, 8, 8) for mx, my in marks]
    labels = []
    for name, xi, yi in zip(names, x, y):
        best = None
        for dx, dy in _OFFSETS:
            label = ax.annotate(
                name,
                (xi, yi),
                textcoords="offset points",
                xytext=(dx, dy),
                ha="left" if dx > 0 else "right" if dx < 0 else "center",
                fontsize=fontsize,
            )
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            outside = box.width * box.height - _overlap(box, frame)
            overlap = sum(_overlap(box, other) for other in taken) + outside
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, label, box)
            else:
                label.remove()
            if overlap == 0:
                break
        labels.append(best[1])
        taken.append(best[2])
    return labels


def _overlap(a, b) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0) * max(height, 0)


def ranking(ranked: pd.DataFrame, path) -> None:
    """Agreement of every measure with each model's AUC, with its 95 % CI, best first; one panel per model."""
    models = sorted(ranked["model"].unique())
    n = ranked.groupby("model").size().max()
    fig, axes = plt.subplots(1, len(models), figsize=(1 + 4.5 * len(models), 1.2 + 0.35 * n), squeeze=False)
    for ax, model in zip(axes[0], models):
        part = ranked[ranked["model"] == model].sort_values("rank", ascending=False)
        names = part["feature"] + " · " + part["metric"].str.upper()
        pos = np.arange(len(part))
        err = np.vstack([part["agreement"] - part["agreement_ci_low"], part["agreement_ci_high"] - part["agreement"]])
        # a percentile interval of few datasets may leave out the estimate itself: drawn up to the point then
        ax.errorbar(part["agreement"], pos, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o", capsize=3, color="C0")
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_yticks(pos, [f"{r}. {name}" for r, name in zip(part["rank"], names)], fontsize=8)
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel(f"agreement with AUC ({part['statistic'].iloc[0]}, 95 % CI)", fontsize=8)
        ax.set_title(model, fontsize=10)
    fig.suptitle("Which difficulty measure predicts model performance", fontsize=10)
    write_png(fig, path)


def distributions(scores: pd.DataFrame, metric: str, path) -> None:
    """Box plots of the bootstrap scores per dataset, one panel per feature type."""
    features = sorted(scores["feature"].unique())
    datasets = sorted(scores["dataset"].unique())
    fig, axes = plt.subplots(
        1, len(features), figsize=(1 + 0.6 * len(datasets) * len(features), 4.2), squeeze=False, sharey=False
    )
    for ax, feature in zip(axes[0], features):
        part = scores[scores["feature"] == feature]
        data = [part.loc[part["dataset"] == d, "score"].to_numpy() for d in datasets]
        ax.boxplot(data, showfliers=False)
        ax.set_xticks(range(1, len(datasets) + 1), datasets, rotation=45, ha="right", fontsize=7)
        ax.set_title(feature, fontsize=9)
        ax.set_ylabel(f"{metric.upper()} per bootstrap session", fontsize=8)
    fig.suptitle(f"{metric.upper()}: distribution over bootstrap sessions", fontsize=10)
    write_png(fig, path)


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
    write_png(fig, path)


def roc(predictions: pd.DataFrame, path, title: str) -> None:
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
        auc = roc_auc(truth.to_numpy(dtype=int), predictions[f"proba_{positive}"].to_numpy())
        name = "pooled folds" if len(positives) == 1 else f"{positive} vs rest"
        ax.plot(fpr, tpr, color=colour, lw=2, label=f"{name}: AUC {auc:.3f}")
    ax.plot([0, 1], [0, 1], ":", color="0.6")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, np.nextafter(1, 2))
    write_png(fig, path)
