"""The data stage's pipeline steps, file to file."""

from __future__ import annotations

import logging

from ..io import read_table, write_array, write_table
from ..registry import load_plugins
from .datasets import load
from .labels import flip_labels

log = logging.getLogger(__name__)


def prepare_dataset(*, spec: dict, seed: int, cases, images, masks, plugins=()) -> None:
    """Read a source dataset, bring it onto its grid and write its case table, images and masks.

    Parameters
    ----------
    spec : the resolved dataset entry (``source`` and its options).
    seed : seed of the source (synthetic phantoms).
    cases, images, masks : output paths (Parquet, ``.npy``, ``.npy``).
    plugins : plugin modules to load first (where the source type comes from one).
    """
    load_plugins(plugins)
    table, volumes, rois = load(spec, seed)
    log.info("%d cases, grid %s, labels %s", len(table), volumes.shape[1:], table["label"].value_counts().to_dict())
    write_array(volumes, images)
    write_array(rois, masks)
    write_table(table, cases)


def write_labels(*, cases, output, noise: float, seed: int) -> None:
    """The labels of a dataset (``case_id, patient_id, label``), with a seeded fraction ``noise`` flipped."""
    table = read_table(cases)[["case_id", "patient_id", "label"]]
    noisy = flip_labels(table["label"], noise, seed)
    log.info("label noise %.3f: %d of %d labels flipped", noise, (noisy != table["label"]).sum(), len(table))
    write_table(table.assign(label=noisy), output)
