"""The answer to the user's question: how hard is each dataset, by the measure that predicts models best."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .statistics import interval


def dataset_facts(labels: pd.DataFrame) -> dict[str, float]:
    """Cases, patients, classes and class imbalance (largest class size / smallest) of one label table."""
    counts = labels["label"].value_counts()
    return {
        "cases": len(labels),
        "patients": labels["patient_id"].nunique() if "patient_id" in labels else len(labels),
        "classes": len(counts),
        "imbalance": float(counts.max() / counts.min()),
    }


def answer_table(
    labels: Mapping[str, pd.DataFrame],
    scores: pd.DataFrame,
    models: pd.DataFrame,
    order_by: tuple[str, str],
    higher_is_easier: bool,
) -> pd.DataFrame:
    """One row per dataset, easiest first: its size and balance, every measure, every model's AUC.

    Parameters
    ----------
    labels : each dataset's label table (``case_id, patient_id, label``)
    scores : bootstrap sessions (``dataset, feature, metric, score``)
    models : model summary (``dataset, model, auc_mean, auc_sd``)
    order_by : the (feature, metric) that orders the rows (the best-ranked measure)
    higher_is_easier : that measure's direction

    Returns
    -------
    columns ``dataset, difficulty_rank, cases, patients, classes, imbalance``, then per measure
    ``{feature}.{metric}`` (mean over sessions) with ``_ci_low``/``_ci_high`` (95 % of the sessions),
    the ordering measure first, then per model ``{model}.auc_mean`` and ``{model}.auc_sd``
    """
    table = pd.DataFrame([{"dataset": d} | dataset_facts(t) for d, t in sorted(labels.items())])
    for (feature, metric), group in scores.groupby(["feature", "metric"], sort=True):
        name = f"{feature}.{metric}"
        per = group.groupby("dataset")["score"]
        ci = per.apply(lambda s: interval(s.to_numpy()))
        table[name] = table["dataset"].map(per.mean())
        table[f"{name}_ci_low"] = table["dataset"].map(ci.str[0])
        table[f"{name}_ci_high"] = table["dataset"].map(ci.str[1])
    for model, group in models.groupby("model", sort=True):
        per = group.set_index("dataset")
        table[f"{model}.auc_mean"] = table["dataset"].map(per["auc_mean"])
        table[f"{model}.auc_sd"] = table["dataset"].map(per["auc_sd"])
    key = ".".join(order_by)
    table = table.sort_values([key, "dataset"], ascending=[not higher_is_easier, True], na_position="last")
    first = [key, f"{key}_ci_low", f"{key}_ci_high"]
    facts = list(table.columns[:5])
    table = table[facts + first + [c for c in table.columns[5:] if c not in first]]
    table.insert(1, "difficulty_rank", range(1, len(table) + 1))
    return table.reset_index(drop=True)
