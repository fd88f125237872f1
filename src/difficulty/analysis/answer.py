"""The answer to the user's question: how hard is each dataset, by the measure that predicts models best."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from .statistics import interval


def dataset_facts(labels: pd.DataFrame, classes: Mapping[str, str] | None = None) -> dict:
    """Cases, patients, classes, class imbalance (largest class size / smallest) and the cases of each class by
    its name (``classes``: label → name; the labels themselves where none is given) of one label table."""
    counts = labels["label"].astype(str).value_counts().sort_index()
    names = classes or {}
    return {
        "cases": len(labels),
        "patients": labels["patient_id"].nunique() if "patient_id" in labels else len(labels),
        "classes": len(counts),
        "imbalance": float(counts.max() / counts.min()),
        "class_sizes": ", ".join(f"{names.get(label, label)} {n}" for label, n in counts.items()),
    }


def answer_table(
    labels: Mapping[str, pd.DataFrame],
    scores: pd.DataFrame,
    models: pd.DataFrame,
    order_by: tuple[str, str],
    higher_is_easier: bool,
    predictions: pd.DataFrame | None = None,
    classes: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per dataset, easiest first: its size and balance, every measure, every model's AUC.

    Parameters
    ----------
    labels : each dataset's label table (``case_id, patient_id, label``)
    scores : bootstrap sessions (``dataset, feature, metric, score``)
    models : model summary (``dataset, model, auc_mean, auc_sd``)
    order_by : the (feature, metric) that orders the rows (the best-ranked measure)
    higher_is_easier : that measure's direction
    predictions : the predicted AUCs (``prediction/predicted_auc.tsv``: ``dataset, model, predicted_auc,
        ci_low, ci_high, outside_calibration, note``); None: no prediction columns
    classes : dataset → its labels' class names (label → name, as the data names them); None: the labels

    Returns
    -------
    columns ``dataset, difficulty_rank, cases, patients, classes, imbalance, class_sizes`` (``normal 1234,
    hyperplasia 350``); with ``predictions``, per
    model ``{model}.predicted_auc``, ``_ci_low``, ``_ci_high`` and ``{model}.prediction`` (the predicted
    AUC [interval] as text, or why there is none) followed by its measured ``{model}.auc_mean`` and
    ``{model}.auc_sd``; then per measure ``{feature}.{metric}`` (mean over sessions) with
    ``_ci_low``/``_ci_high`` (95 % of the sessions), the ordering measure first; without ``predictions``,
    the AUC columns come last
    """
    names = classes or {}
    table = pd.DataFrame([{"dataset": d} | dataset_facts(t, names.get(d)) for d, t in sorted(labels.items())])
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
    facts = list(table.columns[:6])
    table = table[facts + first + [c for c in table.columns[6:] if c not in first]]
    table.insert(1, "difficulty_rank", range(1, len(table) + 1))
    table = table.reset_index(drop=True)
    if predictions is None:
        return table
    predicted = prediction_columns(predictions, table["dataset"]).join(table)
    first = []
    for model in dict.fromkeys(predictions["model"].astype(str)):
        first += [f"{model}.{c}" for c in ("predicted_auc", "predicted_ci_low", "predicted_ci_high", "prediction")]
        first += [c for c in (f"{model}.auc_mean", f"{model}.auc_sd") if c in table.columns]
    rest = [c for c in table.columns[7:] if c not in first]
    measures = [c for c in rest if not c.endswith((".auc_mean", ".auc_sd"))]
    return predicted[[*table.columns[:7], *first, *measures, *(c for c in rest if c not in measures)]]


def prediction_text(row) -> str:
    """A predicted AUC as a reader sees it: ``0.81 [0.72, 0.88]`` (flagged outside the calibration), or why none."""
    if pd.isna(row["predicted_auc"]):
        reasons = [part for part in str(row["note"]).split("; ") if part.startswith(("not fitted", "no "))]
        reason = reasons[0].removeprefix("not fitted: ") if reasons else str(row["note"])
        return "no prediction: " + re.sub(r" \([^)]*\)", "", reason)  # the families' names are in the note
    text = f"{row['predicted_auc']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]"
    return text + (" outside calibration" if bool(row["outside_calibration"]) else "")


def prediction_columns(predictions: pd.DataFrame, datasets: pd.Series) -> pd.DataFrame:
    """Per model, ``{model}.predicted_auc``, ``_ci_low``, ``_ci_high`` and ``{model}.prediction``, rows in ``datasets``'
    order."""
    out = pd.DataFrame(index=datasets.index)
    for model, group in predictions.groupby(predictions["model"].astype(str), sort=False):
        per = group.assign(dataset=group["dataset"].astype(str)).set_index("dataset")
        names = datasets.astype(str)
        out[f"{model}.predicted_auc"] = names.map(per["predicted_auc"]).to_numpy()
        out[f"{model}.predicted_ci_low"] = names.map(per["ci_low"]).to_numpy()
        out[f"{model}.predicted_ci_high"] = names.map(per["ci_high"]).to_numpy()
        out[f"{model}.prediction"] = names.map(per.apply(prediction_text, axis=1)).to_numpy()
    return out
