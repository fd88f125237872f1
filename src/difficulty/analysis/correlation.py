"""Which metric predicts model performance: correlation across datasets."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .summaries import summarize_models


def _bootstrap_ci(x, y, fn, n_boot: int, rng) -> tuple[float, float]:
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(x), len(x))
        if np.ptp(x[idx]) > 0 and np.ptp(y[idx]) > 0:
            values.append(fn(x[idx], y[idx])[0])
    if not values:
        return np.nan, np.nan
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def correlate(
    metric_summary: pd.DataFrame, model_summary: pd.DataFrame, n_boot: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """Pearson and Spearman across datasets (n = datasets) with bootstrap 95% CIs, per feature × metric × model."""
    merged = metric_summary.merge(model_summary, on="dataset")
    rows = []
    for (feature, metric, model), group in merged.groupby(["feature", "metric", "model"], sort=True):
        x, y = group["score_mean"].to_numpy(), group["auc_mean"].to_numpy()
        row = {"feature": feature, "metric": metric, "model": model, "n_datasets": len(group)}
        for name, fn in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
            if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                r, p = fn(x, y)
                lo, hi = _bootstrap_ci(x, y, fn, n_boot, np.random.default_rng(seed))
            else:
                r = p = lo = hi = np.nan
            row |= {f"{name}_r": float(r), f"{name}_p": float(p), f"{name}_ci_low": lo, f"{name}_ci_high": hi}
        rows.append(row)
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
            rng = np.random.default_rng(seed)
            xs, ys = [], []
            for dataset, part in group.groupby("dataset", sort=True):
                stat = perf[perf["dataset"] == dataset]
                if stat.empty:
                    continue
                xs.append(part["score"].to_numpy())
                ys.append(rng.normal(stat["auc_mean"].iloc[0], np.nan_to_num(stat["auc_sd"].iloc[0]), len(part)))
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
