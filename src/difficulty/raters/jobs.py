"""The raters stage's pipeline steps, file to file: features on each rater's masks, their ICC, the agreement tables."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..data import columns
from ..data.datasets import Prepared
from ..features import FEATURES
from ..io import read_table, write_table
from ..logs import Progress
from ..registry import load_plugins
from .icc import feature_icc, stable_features
from .masks import mask_agreement
from .plots import axial_crop, icc_figure, outline_thumbnails
from .table import SUMMARY_COLUMNS, case_agreement, dataset_agreement

log = logging.getLogger(__name__)

THUMBNAILS = 9  # the cases whose raters' masks agree least


def rater_features(*, prepared, output, spec: dict, rater: str, seed: int, threads: int = 1, plugins=()) -> None:
    """A feature entry's features of a prepared dataset with one rater's masks as the regions of interest.

    Parameters
    ----------
    prepared : the prepared dataset's folder; output : Parquet, ``case_id`` then one column per feature.
    spec : the resolved feature entry (an extractor that ``reads_masks``); rater : the rater.
    seed, threads, plugins : as for :func:`difficulty.features.jobs.extract_shard`.
    """
    load_plugins(plugins)
    extractor = FEATURES.get(spec["type"])
    _, options = extractor.split(spec)
    data = Prepared.open(prepared).with_rater(rater)
    log.info("%s on rater %r's masks: %d cases", spec["type"], rater, len(data.cases))
    table = extractor.extract(data, options=options, inputs=extractor.inputs(options), seed=seed, threads=threads)
    write_table(table, output)


def icc_table(*, tables: Mapping[str, str], output, threshold: float) -> None:
    """Each feature's ICC(3,1) across the raters' masks and whether it is stable (ICC ≥ ``threshold``).

    Parameters
    ----------
    tables : rater → that rater's feature table (:func:`rater_features`).
    output : TSV ``feature, icc, stable``, in the tables' column order.
    """
    frames = {rater: read_table(path).set_index("case_id") for rater, path in tables.items()}
    icc = feature_icc(frames)
    stable = set(stable_features(icc, threshold))
    out = pd.DataFrame({"feature": icc.index, "icc": icc.to_numpy(), "stable": [f in stable for f in icc.index]})
    log.info("%d of %d features with ICC(3,1) ≥ %g across %d raters", len(stable), len(out), threshold, len(frames))
    write_table(out, output)


def rater_cases(*, prepared, output, thumbnails) -> None:
    """The raters' agreement on each case of a source dataset (one case read at a time), and thumbnails of the
    cases they agree least on.

    Parameters
    ----------
    prepared : the dataset's prepared folder (its case table holds the raters' columns).
    output : TSV (:func:`difficulty.raters.case_agreement`).
    thumbnails : PNG of the cases the raters agree least on: each rater's outline in its own colour
        (:func:`difficulty.raters.outline_thumbnails`), or without raters' masks the model grid's slices titled by
        each rater's label.
    """
    data = Prepared.open(prepared)
    masks = None
    if data.mask_raters:
        rows, progress = [], Progress(len(data.cases), "raters' masks", log)
        for case in data.originals():
            rows.append({"case_id": case.case_id, **mask_agreement(case.rater_masks, case.spacing)})
            progress.update()
        masks = pd.DataFrame(rows)
    out = case_agreement(data.cases, masks)
    write_table(out, output)
    if masks is None:
        _label_thumbnails(data, out, thumbnails)
    else:
        worst = out.sort_values(["mask_dice", "case_id"]).head(THUMBNAILS).set_index("case_id")
        positions = np.sort(pd.Index(data.case_ids).get_indexer(worst.index))
        shown = {}  # read in the case table's order, shown worst first
        for case in data.subset(positions).originals():
            row = worst.loc[case.case_id]
            title = f"{case.case_id}: {data.classes.get(row['label'], row['label'])}, Dice {row['mask_dice']:.2f}"
            shown[case.case_id] = axial_crop(case.channels()[0][1], case.rater_masks), title
        slices, titles = zip(*(shown[case_id] for case_id in worst.index))
        outline_thumbnails(slices, data.mask_raters, titles, thumbnails)


def _label_thumbnails(data: Prepared, agreement: pd.DataFrame, path) -> None:
    """Thumbnails (model grid) of the cases whose label raters agree least, titled by each rater's label."""
    from ..curation.thumbnails import thumbnail_grid

    worst = agreement.sort_values(["label_agreement", "case_id"]).head(THUMBNAILS)
    positions = pd.Index(data.case_ids).get_indexer(worst["case_id"])
    labels = data.cases.set_index("case_id").loc[worst["case_id"]]
    raters = columns.label_raters(data.cases)
    given = labels[[columns.RATER_LABEL + r for r in raters]].astype(str).to_numpy()
    titles = [
        f"{case}: " + ", ".join(f"{r} {data.classes.get(v, v) or '–'}" for r, v in zip(raters, row))
        for case, row in zip(labels.index, given)
    ]
    images = [data.grid[int(i)] for i in positions]
    images = [image[0] if image.ndim == 4 else image for image in images]
    thumbnail_grid(images, [data.grid.mask(int(i)) for i in positions], titles, path)


def summarize_raters(
    *, datasets: Mapping[str, dict], output, icc_plot=None, seeds: Mapping[str, int], fraction: float
) -> None:
    """Per dataset of raters (and per feature entry read on their masks): the raters' agreement and the stable
    features.

    Parameters
    ----------
    datasets : dataset → ``cases`` (its prepared case table), ``agreement`` (:func:`rater_cases`), ``icc``
        (feature entry → its ICC table, :func:`icc_table`; empty without raters' masks) and ``thresholds``
        (feature entry → its ``icc_threshold``).
    output : TSV: ``dataset, mask_raters``, the label agreement (:func:`dataset_agreement`), ``mask_dice_mean,
        mask_hd95_mean, feature, features, stable_features``.
    icc_plot : PNG (:func:`difficulty.raters.icc_figure`), where there are ICC tables.
    seeds : dataset → the seed of its bootstrap sessions; fraction : of the cases in each session.
    """
    rows, icc = [], {}
    for name, files in datasets.items():
        cases, agreement = read_table(files["cases"]), read_table(files["agreement"])
        base = {
            "dataset": name,
            "mask_raters": len(columns.mask_raters(cases)),
            **dataset_agreement(cases, seeds[name], fraction),
            "mask_dice_mean": agreement["mask_dice"].mean(),
            "mask_hd95_mean": agreement["mask_hd95"].mean(),
        }
        log.info("%s: %s", name, {k: v for k, v in base.items() if k != "dataset"})
        if not files["icc"]:
            rows.append(base | {"feature": "", "features": np.nan, "stable_features": np.nan})
        for feature, path in files["icc"].items():
            table = read_table(path)
            icc[f"{name} · {feature}"] = table.set_index("feature")["icc"]
            rows.append(
                base | {"feature": feature, "features": len(table), "stable_features": int(table["stable"].sum())}
            )
    write_table(pd.DataFrame(rows, columns=SUMMARY_COLUMNS), output)
    if icc_plot is not None:
        thresholds = {f"{n} · {f}": t for n, files in datasets.items() for f, t in files["thresholds"].items()}
        icc_figure(icc, thresholds, icc_plot)
