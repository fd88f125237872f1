"""Summaries of the bootstrap scores and of the fold AUCs."""

from __future__ import annotations

import pandas as pd

METRIC_KEYS = ["dataset", "feature", "metric"]


def summarize_metrics(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD and count of bootstrap scores per dataset × feature × metric (and its ``higher_is_easier``)."""
    keys = METRIC_KEYS + [c for c in ("higher_is_easier",) if c in scores]
    return (
        scores.groupby(keys, sort=True)["score"].agg(score_mean="mean", score_sd="std", sessions="count").reset_index()
    )


def summarize_models(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD and count of fold AUCs per dataset × model."""
    return (
        folds.groupby(["dataset", "model"], sort=True)["auc"]
        .agg(auc_mean="mean", auc_sd="std", folds="count")
        .reset_index()
    )
