"""Do the measures follow a ladder of datasets of known difficulty?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats


def ladder_trends(
    summary: pd.DataFrame, ladders: Mapping[str, Sequence[str]], higher_is_easier: Mapping[str, bool] | None = None
) -> pd.DataFrame:
    """Spearman correlation of each measure's ease with the step of each ladder, per feature × metric.

    Parameters
    ----------
    summary : metric summary (``dataset, feature, metric, score_mean``), as ``summarize_metrics`` writes it.
    ladders : ladder name → its datasets, easiest first (step 0, 1, …).
    higher_is_easier : metric entry name → its direction (the ease is the score, or minus the score);
        by default the summary's ``higher_is_easier`` column.

    Returns
    -------
    One row per ladder × feature × metric: ``n_steps``, ``spearman`` (of the ease with the step:
    −1 when it falls at every step), ``monotonic`` (the ease falls strictly at every step) and
    the mean scores along the ladder (``scores``, easiest first).
    """
    if higher_is_easier is None:
        higher_is_easier = dict(zip(summary["metric"], summary["higher_is_easier"], strict=True))
    rows = []
    for ladder, datasets in ladders.items():
        step = {name: k for k, name in enumerate(datasets)}
        part = summary[summary["dataset"].isin(step)]
        for (feature, metric), group in part.groupby(["feature", "metric"], sort=True):
            group = group.assign(step=group["dataset"].map(step)).sort_values("step")
            scores = group["score_mean"].to_numpy()
            ease = scores if higher_is_easier[metric] else -scores
            full = len(group) == len(datasets) and len(group) >= 3
            rho = stats.spearmanr(group["step"], ease)[0] if full and np.ptp(ease) > 0 else np.nan
            rows.append(
                {
                    "ladder": ladder,
                    "feature": feature,
                    "metric": metric,
                    "n_steps": len(group),
                    "spearman": float(rho),
                    "monotonic": bool(full and np.all(np.diff(ease) < 0)),
                    "scores": ", ".join(f"{v:.3g}" for v in scores),
                }
            )
    return pd.DataFrame(rows)
