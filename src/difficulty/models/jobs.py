"""The model stage's pipeline steps, file to file."""

from __future__ import annotations

import logging

from ..data.datasets import Prepared
from ..io import read_table, write_table
from ..registry import load_plugins

log = logging.getLogger(__name__)


def train_reference(
    *, prepared, labels, output, dataset: str, model: str, spec: dict, seed, threads: int = 1, plugins=()
) -> None:
    """Cross-validate a reference model on a dataset and write its per-fold AUC.

    Parameters
    ----------
    prepared : the prepared dataset's folder (the images of ``dataset`` or of its parent).
    labels : the dataset's label table (label noise applied).
    output : TSV, one row per fold: ``dataset, model, fold, auc, n_train, n_test``.
    dataset, model : names of the dataset and of the model entry (written into the table).
    spec : the resolved model entry (``type`` and options).
    seed : an int or the target's keys; fold seeds derive from it.
    """
    load_plugins(plugins)
    from .training import cross_validate

    data = Prepared.open(prepared)
    y = read_table(labels).set_index("case_id").loc[data.case_ids, "label"].to_numpy()
    options = {k: v for k, v in spec.items() if k != "type"}
    folds = cross_validate(data.grid, y, spec["type"], options, seed, threads)
    folds.insert(0, "model", model)
    folds.insert(0, "dataset", dataset)
    log.info("mean AUC %.4f", folds["auc"].mean())
    write_table(folds, output)
