"""Calibration points: datasets with a known AUC for a model entry, with their measures, keyed by entries' options.

One row per dataset × model entry × feature entry × metric entry. Each entry is
recorded by its type and its options as canonical JSON, so that points whose
options differ are never mixed: a point is used for a run's entry only where
type and options are the same (:func:`select_points`). Each dataset has a
kind (:data:`DATASET_KINDS`): a ``real`` dataset (the root of a family of real images),
a ``variant`` of one (label noise, degradations, subsamples, the same patients
at another resolution) or a ``phantom`` (generated images).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..metrics.registry import METRICS

DATASET_KINDS = ("real", "variant", "phantom")
POINT_COLUMNS = [
    "dataset",
    "family",
    "kind",
    "model",
    "model_type",
    "model_options",
    "feature",
    "feature_type",
    "feature_options",
    "metric",
    "metric_type",
    "metric_options",
    "higher_is_easier",
    "auc_units",
    "score_mean",
    "score_sd",
    "auc_mean",
    "auc_sd",
    "source",
]
KINDS = ("model", "feature", "metric")
KEYS = ["dataset", "model", "feature", "metric"]


def _plain(value):
    """JSON-ready ``value`` with integral floats as ints, so that ``8`` and ``8.0`` give one text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def comparable(spec: Mapping, options: Mapping) -> dict:
    """A resolved entry without the options that do not change its results (``Option.affects_results`` False:
    shards, batch sizes of inference, the bootstrap's chunking), so that points are compared on the rest."""
    return {k: v for k, v in spec.items() if k not in options or options[k].compared(v)}


def canonical_options(spec: Mapping) -> str:
    """An entry's options (every key but ``type``) as canonical JSON: sorted keys, no spaces, ``8.0`` as ``8``."""
    return json.dumps(_plain({k: v for k, v in spec.items() if k != "type"}), sort_keys=True, separators=(",", ":"))


def _entry(kind: str, name: str, entries: Mapping[str, Mapping | None]) -> tuple[str, str]:
    """(type, canonical options) of a named entry; ``("", "")`` for a model without one (a performance table's)."""
    if name not in entries:
        raise ValueError(
            f"calibration points: {kind} {name!r} is not among the {kind} entries given ({sorted(entries)})"
        )
    spec = entries[name]
    if spec is None and kind == "model":
        return "", ""
    if spec is None or "type" not in spec:
        raise ValueError(f"calibration points: {kind} entry {name!r} has no 'type'")
    return str(spec["type"]), canonical_options(spec)


def _need(table: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"calibration points: the {what} has no column(s) {missing}; it has {list(table.columns)}")


def calibration_points(
    metrics_summary: pd.DataFrame,
    models_summary: pd.DataFrame,
    *,
    models: Mapping[str, Mapping | None],
    features: Mapping[str, Mapping],
    metrics: Mapping[str, Mapping],
    families: Mapping[str, str],
    kinds: Mapping[str, str],
    source: str = "trained",
) -> pd.DataFrame:
    """The calibration points of one run: every measure of a dataset paired with every model AUC of it.

    Parameters
    ----------
    metrics_summary : ``dataset, feature, metric, higher_is_easier, score_mean, score_sd`` (the pipeline's
        ``metrics/summary.tsv``; more columns are ignored).
    models_summary : ``dataset, model, auc_mean, auc_sd`` (``models/summary.tsv``); a ``source`` column, where
        there is one, gives each row's source.
    models, features, metrics : the resolved entries, ``{name: {"type": ..., option: value, ...}}``; a model
        entry may be None (a model known only from a performance table: matched by name, no type or options).
    families : dataset → family (the root dataset whose cases it uses; itself for a root).
    kinds : dataset → its kind (:data:`DATASET_KINDS`).
    source : where the AUCs come from, for rows without a ``source`` column (``"trained"``, a table's path).

    Returns
    -------
    One row per dataset × model × feature × metric with both a measure and an AUC, columns
    :data:`POINT_COLUMNS`, sorted by dataset, model, feature, metric. Datasets with measures but no AUC
    (or the reverse) give no point.
    """
    _need(
        metrics_summary,
        ["dataset", "feature", "metric", "higher_is_easier", "score_mean", "score_sd"],
        "metrics summary",
    )
    _need(models_summary, ["dataset", "model", "auc_mean", "auc_sd"], "models summary")
    scores = metrics_summary[["dataset", "feature", "metric", "higher_is_easier", "score_mean", "score_sd"]]
    aucs = models_summary[["dataset", "model", "auc_mean", "auc_sd"]].assign(
        source=models_summary["source"].astype(str) if "source" in models_summary else source
    )
    table = scores.astype({"dataset": str}).merge(aucs.astype({"dataset": str}), on="dataset", how="inner")
    for what, given in (("family", families), ("kind", kinds)):
        unknown = sorted(set(table["dataset"]) - set(given))
        if unknown:
            raise ValueError(f"calibration points: no {what} given for dataset(s) {unknown}")
    wrong = sorted({kinds[d] for d in table["dataset"]} - set(DATASET_KINDS))
    if wrong:
        raise ValueError(f"calibration points: unknown kind(s) {wrong}; a dataset is one of {', '.join(DATASET_KINDS)}")
    table.insert(1, "family", table["dataset"].map(families).astype(str))
    table.insert(2, "kind", table["dataset"].map(kinds).astype(str))
    for kind, entries in (("model", models), ("feature", features), ("metric", metrics)):
        table[kind] = table[kind].astype(str)
        typed = {name: _entry(kind, name, entries) for name in table[kind].unique()}
        table[f"{kind}_type"] = table[kind].map({n: t for n, (t, _) in typed.items()})
        table[f"{kind}_options"] = table[kind].map({n: o for n, (_, o) in typed.items()})
    table["higher_is_easier"] = table["higher_is_easier"].astype(bool)
    table["auc_units"] = table["metric_type"].map(lambda kind: METRICS.get(kind).auc_units).astype(bool)
    return table[POINT_COLUMNS].sort_values(KEYS, ignore_index=True)


def _keys(frame: pd.DataFrame, kind: str) -> pd.Series:
    """The compatibility key of each row's entry: type and options; the name for a model without a type."""
    typed = frame[f"{kind}_type"].astype(str)
    by_type = typed + "\x1f" + frame[f"{kind}_options"].astype(str)
    return by_type.where(typed != "", "name\x1f" + frame[kind].astype(str))


def select_points(
    points: pd.DataFrame,
    *,
    models: Mapping[str, Mapping | None],
    features: Mapping[str, Mapping],
    metrics: Mapping[str, Mapping],
) -> pd.DataFrame:
    """The points compatible with a run's entries, named as the run names them.

    A point is kept for a run's model, feature and metric entry where its type and canonical options are
    the same as the entry's (a model without a type: where the name is the same). Its ``model``,
    ``feature`` and ``metric`` become the run's entry names. Where two points are then the same dataset ×
    model × feature × metric (one from this run, one shipped, say), the first in ``points``' order is kept:
    put the preferred source first.

    Parameters
    ----------
    points : calibration points (:data:`POINT_COLUMNS`), from any number of sources.
    models, features, metrics : the run's resolved entries, as for :func:`calibration_points`.
    """
    _need(points, POINT_COLUMNS, "calibration table")
    flags, numbers = ("higher_is_easier", "auc_units"), ("score_mean", "score_sd", "auc_mean", "auc_sd")
    text = [c for c in POINT_COLUMNS if c not in (*flags, *numbers)]
    out = points.reset_index(drop=True).reset_index(names="_order")
    out[text] = out[text].fillna("").astype(str)  # a table read back from TSV has NaN for empty text
    out[list(flags)] = out[list(flags)].astype(bool)
    for kind, entries in (("model", models), ("feature", features), ("metric", metrics)):
        run = pd.DataFrame(
            [(name, *_entry(kind, name, entries)) for name in entries],
            columns=[kind, f"{kind}_type", f"{kind}_options"],
        )
        run = pd.DataFrame({"_key": _keys(run, kind), "_name": run[kind]})
        out = out.assign(_key=_keys(out, kind)).merge(run, on="_key", how="inner").drop(columns="_key")
        out[kind] = out.pop("_name")
    out = out.sort_values(["_order", *KEYS]).drop_duplicates(KEYS, keep="first")
    return out[POINT_COLUMNS].sort_values(KEYS, ignore_index=True)
