"""The model stage's pipeline steps, file to file."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..data.datasets import Prepared
from ..devices import configure_torch
from ..errors import DataError
from ..io import read_table, write_table
from ..registry import load_plugins

log = logging.getLogger(__name__)


def train_reference(
    *, prepared, labels, output, predictions, dataset: str, model: str, spec: dict, seed, threads: int = 1, plugins=()
) -> None:
    """Cross-validate a reference model on a dataset; write its per-fold scores and its test predictions.

    Parameters
    ----------
    prepared : the prepared dataset's folder (the images of ``dataset`` or of its parent).
    labels : the dataset's label table (``case_id, patient_id, label``; label noise applied); its cases are
        trained on (all of the root's, or a subset), read from the grid by their positions.
    output : TSV, one row per fold: ``dataset, model, fold, auc, accuracy, balanced_accuracy, f1, n_*``.
    predictions : Parquet, one row per test case: ``dataset, model, fold, case_id, label, proba_<class>...``.
    dataset, model : names of the dataset and of the model entry (written into the tables).
    spec : the resolved model entry (``type`` and options).
    seed : an int or the target's keys; folds and training derive their seeds from it.
    """
    load_plugins(plugins)
    from .training import cross_validate

    configure_torch(threads)
    data = Prepared.open(prepared)
    table = read_table(labels).set_index("case_id")
    positions = pd.Index(data.case_ids).get_indexer(table.index)
    if (positions < 0).any():
        raise DataError(
            f"{labels}: case {table.index[int(np.flatnonzero(positions < 0)[0])]!r} is not in the prepared data "
            f"of {prepared}"
        )
    data = data.subset(np.sort(positions))  # a variant may label a subset of its root's cases: train on those
    table = table.loc[data.case_ids]
    official = data.cases["split"].to_numpy() if "split" in data.cases.columns else None
    folds, proba = cross_validate(
        data.grid,
        table["label"].to_numpy(),
        spec["type"],
        spec,
        seed,
        groups=table["patient_id"].to_numpy(),
        official=official,
    )
    proba.insert(1, "case_id", data.case_ids[proba.pop("position").to_numpy()])
    for frame in (folds, proba):
        frame.insert(0, "model", model)
        frame.insert(0, "dataset", dataset)
    log.info("mean AUC %.4f over %d fold(s)", folds["auc"].mean(), len(folds))
    write_table(proba, predictions)
    write_table(folds, output)
