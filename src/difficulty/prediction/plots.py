"""The figures of the prediction stage: the predicted AUCs as a forest plot, and the calibration (measure against
AUC per model entry, the fit with its band, the predicted datasets)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..figures import plt, write_png, write_svg
from .predict import calibrate


def calibration_plot(
    points: pd.DataFrame, predictions: pd.DataFrame, predictors: pd.DataFrame, scores: pd.DataFrame, path
) -> None:
    """One panel per model entry: its kept predictor's calibration points coloured by family, the fit and its band.

    Parameters
    ----------
    points : the calibration points (``prediction/points.tsv``).
    predictions : ``prediction/predicted_auc.tsv``; the datasets predicted with the panel's predictor are
        marked at their measure and predicted AUC, with their interval (and their measured AUC, where one is).
    predictors : ``prediction/predictors.tsv`` (the kept predictor of each model, or why there is none).
    scores : the run's ``metrics/summary.tsv`` (each predicted dataset's measure).
    path : PNG to write.
    """
    models = list(dict.fromkeys(predictors["model"].astype(str)))
    fig, axes = plt.subplots(1, max(1, len(models)), figsize=(6.4 * max(1, len(models)), 5.2), squeeze=False)
    for ax, model in zip(axes[0], models):
        rows = predictors[predictors["model"].astype(str) == model]
        kept = rows[rows["kept"].astype(str).str.lower() == "true"]
        title = f"{model} ({rows['model_type'].iloc[0] or 'from a performance table'})"
        if not len(kept):
            ax.text(0.5, 0.5, str(rows["note"].iloc[0]), ha="center", va="center", wrap=True, fontsize=10)
            ax.set_title(title, fontsize=10)
            ax.set_axis_off()
            continue
        best = kept.iloc[0]
        feature, metric, fit_kind = str(best["feature"]), str(best["metric"]), str(best["fit"])
        mine = points[(points["model"] == model) & (points["feature"] == feature) & (points["metric"] == metric)]
        families = sorted(mine["family"].astype(str).unique())
        colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(20, len(families))))[: len(families)]
        for colour, family in zip(colours, families):
            group = mine[mine["family"].astype(str) == family]
            ax.errorbar(
                group["score_mean"],
                group["auc_mean"],
                xerr=group["score_sd"].fillna(0),
                yerr=group["auc_sd"].fillna(0),
                fmt="o",
                ms=5,
                capsize=2,
                color=colour,
                label=family,
                alpha=0.85,
            )
        cal = calibrate(mine, float(best["coverage"]), (fit_kind,))
        grid = np.linspace(cal.fit.low, cal.fit.high, 200)
        line = cal.fit.predict(grid)
        ax.plot(grid, line, color="k", lw=1.5, label=f"fit ({fit_kind})")
        q = float(best["halfwidth"])
        if math.isfinite(q):
            ax.fill_between(
                grid,
                np.clip(line - q, 0, 1),
                np.clip(line + q, 0, 1),
                color="0.5",
                alpha=0.2,
                lw=0,
                label=f"{float(best['coverage']):.0%} band (± {q:.3f})",
            )
        marked = predictions[
            (predictions["model"] == model) & (predictions["predictor"] == f"{feature}.{metric}:{fit_kind}")
        ]
        measure = scores[(scores["feature"] == feature) & (scores["metric"] == metric)].set_index("dataset")
        for row in marked.itertuples(index=False):
            if row.dataset not in measure.index or not math.isfinite(float(row.predicted_auc)):
                continue
            x = float(measure.loc[row.dataset, "score_mean"])
            y, low, high = float(row.predicted_auc), float(row.ci_low), float(row.ci_high)
            ax.errorbar(
                [x], [y], yerr=[[y - low], [high - y]], fmt="*", ms=13, color="crimson", capsize=4, mec="k", zorder=5
            )
            ax.annotate(row.dataset, (x, y), xytext=(6, 4), textcoords="offset points", fontsize=7, color="crimson")
            if math.isfinite(float(row.measured_auc)):
                ax.plot([x], [float(row.measured_auc)], "x", color="crimson", ms=8, zorder=5)
        ax.plot([], [], "*", color="crimson", mec="k", ms=10, label="predicted (interval); × measured")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(f"{feature} · {metric} (bootstrap mean ± SD)")
        ax.set_ylabel("AUC (mean ± SD over folds)")
        ax.set_title(
            f"{title}: {feature}.{metric}:{fit_kind}\nLOFO MAE {float(best['lofo_mae']):.3f} over {len(families)} "
            "families",
            fontsize=10,
        )
        ax.legend(fontsize=6, loc="lower right", ncol=2)
    write_png(fig, path)


def forest_plot(predictions: pd.DataFrame, path) -> None:
    """The answer as a picture: per dataset, each model entry's predicted AUC with its interval, the measured AUC
    as a filled dot where the model was trained; datasets from the highest predicted AUC of the first model down.

    Parameters
    ----------
    predictions : ``prediction/predicted_auc.tsv`` (``dataset, model, predicted_auc, ci_low, ci_high,
        measured_auc, outside_calibration``), the model entries in the order to show them.
    path : SVG to write (the report shows it on its first page).
    """
    models = list(dict.fromkeys(predictions["model"].astype(str)))
    first = predictions[predictions["model"].astype(str) == models[0]].set_index("dataset")["predicted_auc"]
    datasets = list(first.sort_values(ascending=False, na_position="last").index.astype(str))
    datasets += sorted(set(predictions["dataset"].astype(str)) - set(datasets))
    step = 0.8 / max(1, len(models))
    fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.32 * len(datasets) * max(1, len(models)) ** 0.5 + 0.4))
    for m, model in enumerate(models):
        mine = predictions[predictions["model"].astype(str) == model]
        rows = mine.set_index(mine["dataset"].astype(str))
        colour = f"C{m}"
        for i, dataset in enumerate(datasets):
            if dataset not in rows.index or pd.isna(rows.at[dataset, "predicted_auc"]):
                continue
            y = i + (m - (len(models) - 1) / 2) * step
            row = rows.loc[dataset]
            ax.plot([row["ci_low"], row["ci_high"]], [y, y], color=colour, lw=2.2, alpha=0.55, solid_capstyle="butt")
            outside = str(row.get("outside_calibration", "")).lower() == "true"
            ax.plot(row["predicted_auc"], y, marker="D" if not outside else "d", color=colour, ms=5, mfc="white")
            if pd.notna(row.get("measured_auc")):
                ax.plot(row["measured_auc"], y, marker="o", color=colour, ms=5)
        ax.plot([], [], color=colour, lw=2.2, alpha=0.55, label=f"{model}: predicted AUC and interval")
    ax.plot([], [], marker="o", color="grey", ls="none", label="measured AUC (trained in this run)")
    ax.set_yticks(range(len(datasets)), datasets, fontsize=8)
    ax.invert_yaxis()
    lowest = predictions["ci_low"].min(skipna=True)  # the axis starts at 0.4, or lower where an interval does
    ax.set_xlim(0.4 if pd.isna(lowest) else max(0.0, min(0.4, float(lowest))), 1.0)
    ax.axvline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("AUC")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower left", fontsize=7.5, frameon=False, bbox_to_anchor=(0, 1.0), ncol=1)
    write_svg(fig, path)
