"""The curation stage's pipeline steps, file to file."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..data.datasets import Prepared
from ..io import read_table, write_table
from ..metrics.out_of_fold import FOLDS
from ..seeding import derive_seed
from .options import PROBE
from .plots import detection_figure
from .probabilities import model_probabilities, probe_probabilities, usable_folds
from .scoring import detection_table
from .table import curation_table, name_classes
from .thumbnails import worst_thumbnails

log = logging.getLogger(__name__)

THUMBNAILS = 12  # the worst cases shown


def read_curation(path) -> pd.DataFrame:
    """A curation table written by :func:`curate`, its case ids, patient ids and labels read as strings."""
    columns = pd.read_csv(path, sep="\t", nrows=0).columns
    named = ("suspected_label", "suspected_class")
    text = [c for c in columns if c in ("case_id", "patient_id", "label", "class", "note") or str(c).endswith(named)]
    return pd.read_csv(path, sep="\t", dtype=dict.fromkeys(text, str))


def curate(
    *,
    labels,
    features: Sequence,
    predictions: Sequence,
    prepared,
    table,
    thumbnails,
    dataset: str,
    options: dict,
    seed: int,
    left_out: Sequence[str] = (),
    raters: Sequence = (),
) -> None:
    """The curation table of a dataset and the thumbnails of its worst cases.

    Parameters
    ----------
    labels : the dataset's label table (``case_id, patient_id, label, flipped``): its cases are the table's.
    features : the feature tables of the dataset's root, each named after its feature entry (``<feature>.parquet``,
        the cases of ``labels`` are used), in the config's order. Each gives a probe source (``probe_<feature>``)
        and its kDN and outlier columns.
    predictions : the kept test predictions on this dataset of the models cross-validated on every case
        (``split: folds``), each named after its model entry (``<model>.predictions.parquet``).
    prepared : the root's prepared folder (the thumbnails are read from its model grid).
    table : output TSV, worst first (:func:`difficulty.curation.curation_table`), each label beside its class name
        (:func:`difficulty.curation.name_classes`), and the probes' ``folds``; where a class has too few patients
        for a probe (fewer than 2) and no model tested every case, the label columns are empty and ``note``
        says why.
    thumbnails : output PNG of the worst cases (:func:`difficulty.curation.worst_thumbnails`).
    dataset : the dataset's name, for messages.
    options : the ``curation`` options: ``folds`` (None: as many as the smallest class allows, at most 5), ``C``
        (the probes), ``k`` (kDN, outliers), ``primary``.
    seed : the dataset's curation seed; each probe's folds derive theirs from it and the feature's name.
    left_out : models that give no source (not cross-validated on every case), logged.
    raters : the raters' agreement per case of the dataset's origin (:func:`difficulty.raters.jobs.rater_cases`),
        if it has raters: its ``raters_disagree`` column joins the table.
    """
    cases = read_table(labels)
    data = Prepared.open(prepared)
    folds = usable_folds(cases["label"], cases["patient_id"], options["folds"], f"dataset {dataset!r}")
    if options["folds"] is None and folds < FOLDS:
        log.warning("dataset %r: a class has cases of %d patient(s): the probes use %d folds", dataset, folds, folds)
    for model in left_out:
        log.info("model %r: not cross-validated with split: folds, no prediction for every case; no source", model)
    wanted = set(cases["case_id"])
    tables = {}
    for path in features:
        name = Path(path).name.removesuffix(".parquet")
        frame = read_table(path)
        tables[name] = frame[frame["case_id"].isin(wanted)].reset_index(drop=True)
    sources = [
        probe_probabilities(
            cases, frame, source=f"{PROBE}{name}", folds=folds, C=options["C"], seed=derive_seed(seed, "probe", name)
        )
        for name, frame in tables.items()
        if folds >= 2
    ]
    sources += [
        model_probabilities(read_table(path), cases, source=Path(path).name.removesuffix(".predictions.parquet"))
        for path in predictions
    ]
    primary = options["primary"]
    sources.sort(key=lambda p: p.source != primary)  # stable: the primary first, the others in order
    first = primary.removeprefix(PROBE) if primary.removeprefix(PROBE) in tables else next(iter(tables))
    tables = {first: tables[first]} | {name: frame for name, frame in tables.items() if name != first}
    out = name_classes(curation_table(cases, sources, tables, k=options["k"]), data.classes)
    out["folds"] = folds if folds >= 2 else pd.NA
    for path in raters:
        disagree = read_table(path).set_index("case_id")["raters_disagree"]
        out["raters_disagree"] = out["case_id"].map(disagree.rename(index=str)).astype("boolean")
    if not sources:
        out["note"] = (
            f"no label columns: a class has cases of {folds} patient(s); a probe's cross-validation needs 2 per "
            "class, and no reference model tested every case"
        )
        log.warning("dataset %r: %s", dataset, out["note"].iloc[0])
    for p in sources:
        prefix = "" if p.source == primary else f"{p.source}."
        log.info("%s: %d of %d cases flagged", p.source, out[f"{prefix}label_issue"].sum(), len(out))
    write_table(out, table)
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
