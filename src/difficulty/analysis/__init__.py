"""Analysis stage: summaries, correlation of metrics with model performance, ladder trends, plots."""

from .correlation import correlate, correlate_study
from .ladders import ladder_trends
from .summaries import METRIC_KEYS, summarize_metrics, summarize_models

__all__ = ["METRIC_KEYS", "correlate", "correlate_study", "ladder_trends", "summarize_metrics", "summarize_models"]
