"""The analysis stage's pipeline steps, file to file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import read_table, write_table
from ..seeding import derive_seed
from . import plots
from .answer import answer_table
from .correlation import correlate, correlate_study, per_dataset
from .performance import read_performance
from .ranking import best_measure, rank_measures
from .statistics import MIN_DISTINCT, counted_resamples, regression_band
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
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["dataset", "model", "fold", "auc"])
    write_table(table, folds)
    write_table(summarize_models(table), summary)
    log.info("%d folds summarised", len(table))


def correlation_table(
    *,
    scores,
    folds,
    output,
    ranking,
    heatmap,
    ranking_plot,
    options: dict,
    seed: int,
    study=None,
    study_seed: int = 0,
) -> None:
    """Correlation of every feature × metric with every model's AUC across datasets, and the measures ranked.

    Writes the correlation table (:func:`correlate`, ``options["bootstrap"]`` resamples for its CIs) to ``output``
    and its ``heatmap``, the ranking (:func:`rank_measures` by ``options["rank_by"]``) to ``ranking`` and its
    figure to ``ranking_plot``; with ``study``, the original study's pooled correlation (:func:`correlate_study`,
    compatibility mode, seeded by ``study_seed``). ``options`` is the config's ``correlation`` block.
    """
    sessions, performance = read_table(scores), read_table(folds)
    table = correlate(sessions, performance, options["bootstrap"], seed)
    log.info("\n%s", table.to_string())
    write_table(table, output)
    ranked = rank_measures(table, options["rank_by"])
    log.info("\n%s", ranked.to_string())
    write_table(ranked, ranking)
    plots.heatmap(read_table(output), heatmap)
    plots.ranking(read_table(ranking), ranking_plot)
    if study:
        pooled = correlate_study(sessions, performance, study_seed)
        log.info("\n%s", pooled.to_string())
        write_table(pooled, study)


def scatter_plot(
    *, scores, folds, table, output, feature: str, metric: str, model: str, n_boot: int, seed: int
) -> None:
    """Scatter plot of one feature × metric × model: one point per dataset, with the regression's 95 % band.

    ``seed`` is the correlation stage's: the band resamples exactly as the correlation's CI did.
    """
    sessions = read_table(scores).query("feature == @feature and metric == @metric")
    perf = read_table(folds).query("model == @model")
    datasets, score_of, auc_of = per_dataset(sessions, perf)
    points = pd.DataFrame(
        {
            "dataset": datasets,
            "score_mean": [s.mean() for s in score_of],
            "score_sd": [s.std(ddof=1) if len(s) > 1 else 0.0 for s in score_of],
            "auc_mean": [a.mean() for a in auc_of],
            "auc_sd": [a.std(ddof=1) if len(a) > 1 else 0.0 for a in auc_of],
        }
    )
    grid = np.linspace(points["score_mean"].min(), points["score_mean"].max(), 50)
    band = (grid[:0], grid[:0], grid[:0])
    if len(datasets) >= MIN_DISTINCT and n_boot > 0:
        x, y = counted_resamples(score_of, auc_of, n_boot, derive_seed(seed, feature, metric, model))
        band = (grid, *regression_band(x, y, grid))
    corr = read_table(table).query("feature == @feature and metric == @metric and model == @model").iloc[0]
    plots.scatter(points, corr, band, output)


def distribution_plot(*, scores, output, metric: str) -> None:
    """Box plots of one metric's bootstrap scores per dataset and feature type."""
    plots.distributions(read_table(scores).query("metric == @metric"), metric, output)


def answer(*, labels, datasets, scores, models, ranking, output, predictions=None, sources=()) -> None:
    """The per-dataset answer table, easiest first by the best-ranked measure (:func:`answer_table`).

    ``predictions`` (``prediction/predicted_auc.tsv``) adds each model's predicted AUC beside its measured one;
    ``sources`` (each dataset's prepared ``source.json``, in the order of ``datasets``) name its classes.
    """
    ranked = read_table(ranking)
    feature, metric = best_measure(ranked)
    table = answer_table(
        {d: read_table(p) for d, p in zip(datasets, labels, strict=True)},
        read_table(scores),
        read_table(models),
        (feature, metric),
        bool(ranked.loc[ranked["metric"] == metric, "higher_is_easier"].iloc[0]),
        None if predictions is None else read_table(predictions),
        {d: json.loads(Path(p).read_text()).get("classes", {}) for d, p in zip(datasets, sources, strict=True)},
    )
    log.info("ordered by %s · %s\n%s", feature, metric, table.to_string())
    write_table(table, output)


def roc_figure(*, predictions, output, dataset: str, model: str) -> None:
    """ROC curves of a model's test predictions on a dataset."""
    plots.roc(read_table(predictions), output, f"{model} on {dataset}")
