"""Analysis stage: summaries, correlation with model performance, ranking, the answer, ladder trends, plots."""

from .answer import answer_table, dataset_facts
from .correlation import correlate, correlate_study
from .ladders import ladder_trends
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
    "ladder_trends",
    "rank_measures",
    "regression_band",
    "summarize_metrics",
    "summarize_models",
]
