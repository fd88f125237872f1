"""The metric stage's pipeline step: one chunk of bootstrap sessions of one metric, file to file."""

from __future__ import annotations

import logging

import pandas as pd

from ..features.postprocess import join_labels
from ..io import read_table, write_table
from ..registry import load_plugins
from .bootstrap import bootstrap
from .registry import BOOTSTRAP_OPTIONS, METRICS

log = logging.getLogger(__name__)


def bootstrap_chunk(
    *, features, labels, output, dataset: str, feature: str, metric: str, chunk: int, spec: dict, seed: int, plugins=()
) -> None:
    """Run one chunk of bootstrap sessions of a metric entry and write one row per session.

    Parameters
    ----------
    features : feature table (``case_id`` + features); labels : label table (``case_id, patient_id, label``).
    output : Parquet, columns ``dataset, feature, metric, seed, session, score, higher_is_easier``
        (the direction of the metric type, carried into the summaries).
    dataset, feature, metric, chunk : the target's keys (written into the table; ``chunk`` in ``seed``).
    spec : the resolved metric entry: ``type``, the type's options and the bootstrap options.
    seed : seed of the session draws, derived from the config's seed and the target's keys.
    """
    load_plugins(plugins)
    X, y, groups = join_labels(read_table(features), read_table(labels))
    sessions = {k: spec[k] for k in BOOTSTRAP_OPTIONS}
    options = {k: v for k, v in spec.items() if k != "type" and k not in BOOTSTRAP_OPTIONS}
    log.info("%s: %d cases x %d features, %d sessions, seed %d", metric, *X.shape, sessions["sessions_per_seed"], seed)
    scores = bootstrap(
        spec["type"],
        X,
        y,
        groups,
        sessions=sessions["sessions_per_seed"],
        fraction=sessions["fraction"],
        patient_wise=sessions["patient_wise"],
        seed=seed,
        **options,
    )
    log.info("mean %.4f, sd %.4f", scores.mean(), scores.std(ddof=1) if len(scores) > 1 else 0.0)
    table = pd.DataFrame(
        {"dataset": dataset, "feature": feature, "metric": metric, "seed": chunk}
        | {"session": range(len(scores)), "score": scores}
        | {"higher_is_easier": METRICS.get(spec["type"]).higher_is_easier}
    )
    write_table(table, output)
