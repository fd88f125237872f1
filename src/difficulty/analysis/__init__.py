"""Analysis stage: summaries, correlation of metrics with model performance, plots."""

from .correlation import correlate, correlate_study
from .summaries import METRIC_KEYS, summarize_metrics, summarize_models

__all__ = ["METRIC_KEYS", "correlate", "correlate_study", "summarize_metrics", "summarize_models"]
