"""Which difficulty measure predicts model performance best: measures ranked per model."""

from __future__ import annotations

import numpy as np
import pandas as pd

RANK_STATISTICS = ("spearman", "pearson")


def rank_measures(table: pd.DataFrame, by: str = "spearman") -> pd.DataFrame:
    """Rank every feature × metric by how well it orders the datasets as each model's AUC does.

    A measure agrees with a model when its score rises with the AUC (falls, for a measure where
    lower means easier). ``agreement`` is the correlation signed by that direction, with its CI and
    leave-one-dataset-out range flipped alike. Measures are ranked per model by the lower CI bound
    of the agreement (the strength one can rely on), then by the agreement itself.

    Parameters
    ----------
    table : the correlation table (:func:`~difficulty.analysis.correlation.correlate`)
    by : ``spearman`` (orders datasets) or ``pearson``

    Returns
    -------
    one row per model × feature × metric with ``rank`` (1 = best) and ``agreement``,
    ``agreement_ci_low``, ``agreement_ci_high``, ``agreement_lodo_low``, ``agreement_lodo_high``
    """
    if by not in RANK_STATISTICS:
        raise ValueError(f"rank_by must be one of {RANK_STATISTICS}, not {by!r}")
    sign = np.where(table["higher_is_easier"].astype(bool), 1.0, -1.0)
    low, high = table[f"{by}_ci_low"] * sign, table[f"{by}_ci_high"] * sign
    lodo_low, lodo_high = table[f"{by}_lodo_low"] * sign, table[f"{by}_lodo_high"] * sign
    ranked = table[["model", "feature", "metric", "higher_is_easier", "n_datasets"]].assign(
        statistic=by,
        agreement=table[f"{by}_r"] * sign,
        agreement_ci_low=np.fmin(low, high),
        agreement_ci_high=np.fmax(low, high),
        agreement_lodo_low=np.fmin(lodo_low, lodo_high),
        agreement_lodo_high=np.fmax(lodo_low, lodo_high),
    )
    ranked = ranked.sort_values(
        ["model", "agreement_ci_low", "agreement", "feature", "metric"],
        ascending=[True, False, False, True, True],
        na_position="last",
    )
    ranked.insert(1, "rank", ranked.groupby("model").cumcount() + 1)
    return ranked.reset_index(drop=True)


def best_measure(ranking: pd.DataFrame) -> tuple[str, str]:
    """The feature × metric with the best mean rank over the models (ties: higher mean agreement, then name)."""
    mean = ranking.groupby(["feature", "metric"]).agg(rank=("rank", "mean"), agreement=("agreement", "mean"))
    mean = mean.reset_index().sort_values(
        ["rank", "agreement", "feature", "metric"], ascending=[True, False, True, True]
    )
    best = mean.iloc[0]
    return best["feature"], best["metric"]
