"""The analysis stage's pipeline steps, file to file."""

from __future__ import annotations

import logging

import pandas as pd

from ..io import read_table, write_table
from . import plots
from .correlation import correlate, correlate_study
from .performance import read_performance
from .roc import roc_plot
from .summaries import summarize_metrics, summarize_models

log = logging.getLogger(__name__)


def collect_scores(*, chunks, scores, summary) -> None:
    """All bootstrap sessions in one table (``scores``), and their mean and SD per dataset × feature × metric."""
    table = pd.concat([read_table(p) for p in chunks], ignore_index=True)
    write_table(table, scores)
    write_table(summarize_metrics(table), summary)
    log.info("%d sessions summarised", len(table))


def collect_folds(*, tables, performance=(), datasets, folds, summary) -> None:
    """All fold scores in one table (``folds``), and their mean and SD per dataset × model.

    ``tables`` are the trained models' fold tables; ``performance`` tables that users bring
    (:func:`read_performance`) add their rows for the configured ``datasets``.
    """
    parts = [read_table(p).assign(source="trained") for p in tables]
    for path in performance:
        given = read_performance(path)
        ignored = sorted(set(given["dataset"]) - set(datasets))
        if ignored:
            log.info("%s: datasets %s are not in the config; their rows are left out", path, ignored)
        parts.append(given[given["dataset"].isin(datasets)].assign(source=str(path)))
    table = pd.concat(parts, ignore_index=True)
    write_table(table, folds)
    write_table(summarize_models(table), summary)
    log.info("%d folds summarised", len(table))


def correlation_table(*, metrics, models, output, n_boot: int, seed: int) -> None:
    """Pearson and Spearman across datasets of mean metric score and mean AUC, with bootstrap CIs."""
    table = correlate(read_table(metrics), read_table(models), n_boot, seed)
    log.info("\n%s", table.to_string())
    write_table(table, output)


def study_table(*, scores, folds, output, seed: int) -> None:
    """The original study's pooled correlation (compatibility mode)."""
    table = correlate_study(read_table(scores), read_table(folds), seed)
    log.info("\n%s", table.to_string())
    write_table(table, output)


def scatter_plot(*, metrics, models, table, output, feature: str, metric: str, model: str) -> None:
    """Scatter plot of one feature × metric × model: one point per dataset."""
    scores = read_table(metrics).query("feature == @feature and metric == @metric")
    points = scores.merge(read_table(models).query("model == @model"), on="dataset")
    corr = read_table(table).query("feature == @feature and metric == @metric and model == @model").iloc[0]
    plots.scatter(points, corr, output)


def roc_figure(*, predictions, output, dataset: str, model: str) -> None:
    """ROC curves of a model's test predictions on a dataset."""
    roc_plot(read_table(predictions), output, f"{model} on {dataset}")


def heatmap_plot(*, table, output) -> None:
    """Heatmap of every correlation."""
    plots.heatmap(read_table(table), output)
