"""Which metric predicts model performance: correlation across datasets."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import stats

from ..seeding import derive_seed
from .statistics import correlation_statistics
from .summaries import summarize_models

log = logging.getLogger(__name__)


def per_dataset(sessions: pd.DataFrame, folds: pd.DataFrame) -> tuple[list[str], list[np.ndarray], list[np.ndarray]]:
    """The datasets that have both scores and AUCs, with each one's session scores and fold AUCs.

    Parameters
    ----------
    sessions : one feature × metric's bootstrap sessions (``dataset, score``)
    folds : one model's folds (``dataset, auc``)

    Returns
    -------
    datasets (sorted), one 1-D array of scores per dataset, one 1-D array of AUCs per dataset. Sessions
    whose score is undefined (NaN) are left out, and a dataset with none left (logged).
    """
    defined = sessions[np.isfinite(sessions["score"].to_numpy(dtype=float))]
    undefined = sorted(set(sessions["dataset"]) - set(defined["dataset"]))
    if undefined:
        measure = " · ".join(str(sessions[k].iloc[0]) for k in ("feature", "metric") if k in sessions)
        log.warning("%s: datasets %s have no defined score (every session NaN); left out", measure, undefined)
    datasets = sorted(set(defined["dataset"]) & set(folds["dataset"]))
    scores = [defined.loc[defined["dataset"] == d, "score"].to_numpy() for d in datasets]
    aucs = [folds.loc[folds["dataset"] == d, "auc"].to_numpy() for d in datasets]
    return datasets, scores, aucs


def correlate(scores: pd.DataFrame, folds: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Pearson and Spearman across datasets (n = datasets) per feature × metric × model.

    Parameters
    ----------
    scores : bootstrap sessions, columns ``dataset, feature, metric, score, higher_is_easier``
    folds : fold results, columns ``dataset, model, auc``
    n_boot : resamples of the hierarchical bootstrap (datasets, then sessions and folds inside each)
    seed : the correlation stage's seed; each feature × metric × model derives its own from it

    Returns
    -------
    one row per feature × metric × model: the metric's ``higher_is_easier`` and the columns of
    :func:`~difficulty.analysis.statistics.correlation_statistics`
    """
    rows = []
    for (feature, metric), group in scores.groupby(["feature", "metric"], sort=True):
        direction = bool(group["higher_is_easier"].iloc[0])
        for model, perf in folds.groupby("model", sort=True):
            _, score_of, auc_of = per_dataset(group, perf)
            stat = correlation_statistics(score_of, auc_of, n_boot, derive_seed(seed, feature, metric, model))
            rows.append({"feature": feature, "metric": metric, "model": model, "higher_is_easier": direction} | stat)
    return pd.DataFrame(rows)


def correlate_study(scores: pd.DataFrame, folds: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The original study's pooled test (compatibility mode; its n counts sessions, not datasets).

    Each bootstrap score is paired with an AUC drawn from N(mean, sd) of the
    dataset's fold AUCs; all datasets are pooled into one Pearson test.
    """
    models = summarize_models(folds)
    rows = []
    for (feature, metric), group in scores.groupby(["feature", "metric"], sort=True):
        for model, perf in models.groupby("model", sort=True):
            perf = perf.set_index("dataset")  # one summary row per dataset
            rng = np.random.default_rng(seed)
            xs, ys = [], []
            for dataset, part in group.groupby("dataset", sort=True):
                if dataset not in perf.index:
                    continue
                xs.append(part["score"].to_numpy())
                mean, sd = perf.at[dataset, "auc_mean"], np.nan_to_num(perf.at[dataset, "auc_sd"])
                ys.append(rng.normal(mean, sd, len(part)))
            x, y = np.concatenate(xs), np.concatenate(ys)
            r, p = stats.pearsonr(x, y) if len(x) > 2 and np.ptp(x) > 0 else (np.nan, np.nan)
            rows.append(
                {
                    "feature": feature,
                    "metric": metric,
                    "model": model,
                    "n_pooled": len(x),
                    "pearson_r": r,
                    "pearson_p": p,
                }
            )
    return pd.DataFrame(rows)
