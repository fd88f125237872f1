"""Analysis stage: summaries, correlation of metrics with model performance, ranking, the answer, plots."""

from .answer import answer_table, dataset_facts
from .correlation import correlate, correlate_study
from .ranking import best_measure, rank_measures
from .statistics import correlation_statistics, hierarchical_resamples, regression_band
from .summaries import METRIC_KEYS, summarize_metrics, summarize_models

__all__ = [
    "METRIC_KEYS",
    "answer_table",
    "best_measure",
    "correlate",
    "correlate_study",
    "correlation_statistics",
    "dataset_facts",
    "hierarchical_resamples",
    "rank_measures",
    "regression_band",
    "summarize_metrics",
    "summarize_models",
]
