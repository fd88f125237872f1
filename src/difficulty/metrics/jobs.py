"""The metric stage's pipeline step: one chunk of bootstrap sessions of one metric, file to file."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..io import read_table, write_table
from ..registry import load_plugins
from .bootstrap import bootstrap
from .registry import METRICS

log = logging.getLogger(__name__)


def join_labels(features: pd.DataFrame, cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n, d), labels (n,) and patient ids (n,) of the cases of ``cases``, in its order.

    Parameters
    ----------
    features : ``case_id`` and one column per feature; cases : ``case_id, label, patient_id`` (a label table).
    Every case must have features; features of cases not in ``cases`` are left out.
    """
    merged = cases[["case_id", "label", "patient_id"]].merge(features, on="case_id", how="inner", validate="1:1")
    if len(merged) != len(cases):
        missing = sorted(set(cases["case_id"]) - set(features["case_id"]))[:5]
        raise ValueError(f"{len(cases) - len(merged)} cases have no features (e.g. {missing})")
    X = merged.drop(columns=["case_id", "label", "patient_id"]).to_numpy(dtype=np.float64)
    return X, merged["label"].to_numpy(), merged["patient_id"].to_numpy()


def bootstrap_chunk(
    *, features, labels, output, dataset: str, feature: str, metric: str, chunk: int, spec: dict, seed: int, plugins=()
) -> None:
    """Run one chunk of bootstrap sessions of a metric entry and write one row per session.

    Parameters
    ----------
    features : feature table (``case_id`` + features); labels : label table (``case_id, patient_id, label``).
    output : Parquet, columns ``dataset, feature, metric, chunk, session, score, higher_is_easier``
        (the direction of the metric type, carried into the summaries).
    dataset, feature, metric, chunk : the target's keys (written into the table).
    spec : the resolved metric entry: ``type``, the bootstrap options and the type's own.
    seed : seed of the session draws, derived from the config's seed and the target's keys.
    """
    load_plugins(plugins)
    entry = METRICS.get(spec["type"])
    sessions, options = entry.split(spec)
    X, y, groups = join_labels(read_table(features), read_table(labels))
    n = sessions["sessions_per_chunk"]
    log.info("%s: %d cases x %d features, %d sessions, seed %d", metric, *X.shape, n, seed)
    scores = bootstrap(
        entry.name,
        X,
        y,
        groups,
        sessions=n,
        fraction=sessions["fraction"],
        patient_wise=sessions["patient_wise"],
        seed=seed,
        **options,
    )
    log.info("mean %.4f, sd %.4f", scores.mean(), scores.std(ddof=1) if len(scores) > 1 else 0.0)
    table = pd.DataFrame(
        {"dataset": dataset, "feature": feature, "metric": metric, "chunk": chunk}
        | {"session": range(len(scores)), "score": scores}
        | {"higher_is_easier": entry.higher_is_easier}
    )
    write_table(table, output)
