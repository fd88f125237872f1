"""The curation stage's pipeline steps, file to file."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pandas as pd

from ..data.datasets import Prepared
from ..io import read_table, write_table
from ..seeding import derive_seed
from .options import PROBE
from .plots import detection_figure
from .probabilities import check_fold_classes, model_probabilities, probe_probabilities
from .scoring import detection_table
from .table import curation_table
from .thumbnails import worst_thumbnails

log = logging.getLogger(__name__)

THUMBNAILS = 12  # the worst cases shown


def read_curation(path) -> pd.DataFrame:
    """A curation table written by :func:`curate`, its case ids, patient ids and labels read as strings."""
    columns = pd.read_csv(path, sep="\t", nrows=0).columns
    text = [c for c in columns if c in ("case_id", "patient_id", "label") or str(c).endswith("suspected_label")]
    return pd.read_csv(path, sep="\t", dtype=dict.fromkeys(text, str))


def curate(
    *,
    labels,
    features: Mapping[str, str],
    predictions: Mapping[str, str],
    prepared,
    table,
    thumbnails,
    dataset: str,
    options: dict,
    seed: int,
    left_out: Sequence[str] = (),
) -> None:
    """The curation table of a dataset and the thumbnails of its worst cases.

    Parameters
    ----------
    labels : the dataset's label table (``case_id, patient_id, label, flipped``): its cases are the table's.
    features : feature entry → its feature table (of the dataset's root; the cases of ``labels`` are used), in
        the config's order. Each gives a probe source (``probe_<feature>``) and its kDN and outlier columns.
    predictions : model entry → its kept test predictions on this dataset (cross-validated, ``split: folds``).
    prepared : the root's prepared folder (the thumbnails are read from its model grid).
    table : output TSV, worst first (:func:`difficulty.curation.curation_table`).
    thumbnails : output PNG of the worst cases (:func:`difficulty.curation.worst_thumbnails`).
    dataset : the dataset's name, for messages.
    options : the ``curation`` options: ``folds``, ``C`` (the probes), ``k`` (kDN, outliers), ``primary``.
    seed : the dataset's curation seed; each probe's folds derive theirs from it and the feature's name.
    left_out : models that give no source (not cross-validated on every case), logged.
    """
    cases = read_table(labels)
    check_fold_classes(cases["label"], cases["patient_id"], options["folds"], f"dataset {dataset!r}")
    for model in left_out:
        log.info("model %r: not cross-validated with split: folds, no prediction for every case; no source", model)
    wanted = set(cases["case_id"])
    tables = {}
    for name, path in features.items():
        frame = read_table(path)
        tables[name] = frame[frame["case_id"].isin(wanted)].reset_index(drop=True)
    sources = [
        probe_probabilities(
            cases,
            frame,
            source=f"{PROBE}{name}",
            folds=options["folds"],
            C=options["C"],
            seed=derive_seed(seed, "probe", name),
        )
        for name, frame in tables.items()
    ]
    sources += [model_probabilities(read_table(path), cases, source=name) for name, path in predictions.items()]
    primary = options["primary"]
    sources.sort(key=lambda p: p.source != primary)  # stable: the primary first, the others in order
    first = primary.removeprefix(PROBE) if primary.removeprefix(PROBE) in tables else next(iter(tables))
    tables = {first: tables[first]} | {name: frame for name, frame in tables.items() if name != first}
    out = curation_table(cases, sources, tables, k=options["k"])
    for p in sources:
        prefix = "" if p.source == primary else f"{p.source}."
        log.info("%s: %d of %d cases flagged", p.source, out[f"{prefix}label_issue"].sum(), len(out))
    write_table(out, table)
    data = Prepared.open(prepared)
    worst_thumbnails(out, data.grid, data.case_ids, thumbnails, n=THUMBNAILS)


def summarize_curation(*, tables: Mapping[str, str], output, figure) -> None:
    """Cases flagged per dataset and source, scored against the known flips where there are some; their figure.

    Parameters
    ----------
    tables : dataset → its curation table (:func:`curate`).
    output : TSV (:func:`difficulty.curation.detection_table`).
    figure : PNG (:func:`difficulty.curation.detection_figure`).
    """
    read = {name: read_curation(path) for name, path in tables.items()}
    summary = detection_table(read)
    for row in summary.query("primary").itertuples():
        scored = f", AUROC {row.auroc:.3f} on {row.n_flipped} known flips" if pd.notna(row.auroc) else ""
        log.info("%s: %d of %d flagged by %s%s", row.dataset, row.n_flagged, row.n, row.source, scored)
    write_table(summary, output)
    detection_figure(read, figure)
