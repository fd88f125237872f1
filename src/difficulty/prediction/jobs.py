"""The prediction stage's pipeline steps, file to file."""

from __future__ import annotations

import logging
import math

import pandas as pd

from ..io import read_table, write_table
from ..models.registry import benchmark_note
from ..registry import load_plugins
from .fits import FITS
from .points import POINT_COLUMNS, calibration_points, canonical_options, select_points
from .predict import PREFER, RIVALS, calibrate, predict_auc

log = logging.getLogger(__name__)

PREDICTOR_COLUMNS = [
    "model",
    "model_type",
    "model_options",
    "model_benchmark",
    "feature",
    "metric",
    "fit",
    "auc_units",
    "families",
    "datasets",
    "lofo_mae",
    "kept",
    "rival",
    "halfwidth",
    "coverage",
    "note",
]


def _run_aucs(folds: pd.DataFrame, trained: bool, performance: bool) -> pd.DataFrame:
    """Mean and SD of the AUC per dataset × model × source (``trained`` or a performance table's path)."""
    if not len(folds):
        return pd.DataFrame(columns=["dataset", "model", "source", "auc_mean", "auc_sd"])
    trained_here = folds["source"].astype(str) == "trained"
    folds = folds[(trained_here & trained) | (~trained_here & performance)]
    return (
        folds.groupby(["dataset", "model", "source"], sort=True)["auc"]
        .agg(auc_mean="mean", auc_sd="std")
        .reset_index()
        .fillna({"auc_sd": 0.0})
    )


def _own_points(scores, folds, *, entries: dict, datasets: dict, trained: bool, performance: bool) -> pd.DataFrame:
    aucs = _run_aucs(read_table(folds), trained, performance)
    families, kinds = (_of(datasets, key) for key in ("family", "kind"))
    return calibration_points(read_table(scores), aucs, **entries, families=families, kinds=kinds)


def _of(datasets: dict, key: str) -> dict:
    """Dataset → its ``key`` (``family`` or ``kind``), from the run's ``datasets`` (dataset → {family, kind})."""
    return {name: facts[key] for name, facts in datasets.items()}


def collect_points(
    *,
    scores,
    folds,
    tables,
    output,
    entries: dict,
    datasets: dict,
    trained=True,
    performance=True,
    predictors=None,
    export=None,
    plugins=(),
) -> None:
    """Every calibration point a run may use: its own first, then those of calibration tables, compatible entries only.

    Parameters
    ----------
    scores, folds : the run's ``metrics/summary.tsv`` and ``models/folds.tsv``.
    tables : calibration tables (``export`` of other runs, the shipped ones); their points are used where their
        model, feature and metric entries have the type and options of one of this run's (then under this run's
        entry names), and a point of a dataset × entries this run has itself is left out.
    output : TSV, columns :data:`.points.POINT_COLUMNS`; a table's points have its path as ``source``.
    entries : ``models, features, metrics``: the run's entries as points compare them
        (:meth:`difficulty.pipeline.config.Plan.comparable_entries`).
    datasets : dataset → its ``family`` and ``kind`` (:meth:`difficulty.pipeline.config.Plan.calibration_datasets`).
    trained, performance : which of the run's AUCs make points.
    predictors : ``feature.metric`` names the predictor is chosen from; None: every one.
    export : also write this run's own points (its trained models and performance tables) here, a calibration
        table for other runs (``source``: ``trained`` or the performance table).
    plugins : plugin modules to load first (where a metric type comes from one).
    """
    load_plugins(plugins)
    own = _own_points(scores, folds, entries=entries, datasets=datasets, trained=trained, performance=performance)
    if export:
        log.info(
            "exported %d points of %d datasets, %d families",
            len(own),
            own["dataset"].nunique(),
            own["family"].nunique(),
        )
        write_table(own, export)
    parts = [own]
    for path in tables:
        table = read_table(path)
        missing = [c for c in POINT_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"calibration table {path}: columns {missing} are missing; it has {list(table.columns)}")
        parts.append(table[POINT_COLUMNS].assign(source=str(path)))
        log.info("%s: %d points of %d families", path, len(table), table["family"].nunique())
    points = select_points(pd.concat(parts, ignore_index=True), **entries)
    if predictors is not None:
        points = points[(points["feature"] + "." + points["metric"]).isin(list(predictors))]
    for source, group in points.groupby("source"):
        log.info(
            "kept from %s: %d points, %d datasets, %d families",
            source,
            len(group),
            group["dataset"].nunique(),
            group["family"].nunique(),
        )
    write_table(points.reset_index(drop=True), output)


def predictor_table(
    points: pd.DataFrame,
    models,
    model_entries: dict,
    coverage: float,
    fits=FITS,
    rivals: float = RIVALS,
    prefer: str = PREFER,
) -> pd.DataFrame:
    """Per model entry, every candidate predictor on all its calibration points, the kept one and its rivals marked.

    Columns :data:`PREDICTOR_COLUMNS`; a model without a fit has one row saying why (``note``);
    ``model_benchmark`` is what the docs measured for the entry's network and training, if anything.
    """
    rows = []
    for model in models:
        spec = model_entries.get(model)
        named = {
            "model": model,
            "model_type": "" if spec is None else spec["type"],
            "model_options": "" if spec is None else canonical_options(spec),
            "model_benchmark": "" if spec is None else benchmark_note(spec),
            "coverage": coverage,
        }
        cal = calibrate(points[points["model"] == model], coverage, fits, rivals, prefer)
        rival = {(p.feature, p.metric, p.fit) for p, _ in cal.rivals}
        if not cal.fitted:
            rows.append(
                named
                | {"families": len(cal.families), "datasets": len(cal.datasets), "kept": False, "note": cal.reason}
            )
            continue
        for candidate in cal.candidates.itertuples(index=False):
            key = (candidate.feature, candidate.metric, candidate.fit)
            kept = key == (cal.predictor.feature, cal.predictor.metric, cal.predictor.fit)
            rows.append(
                named
                | candidate._asdict()
                | {"kept": kept, "rival": key in rival, "halfwidth": cal.halfwidth if kept else math.nan}
            )
    return pd.DataFrame(rows, columns=PREDICTOR_COLUMNS)


def predict(
    *,
    points,
    scores,
    models_summary,
    output,
    predictors,
    models: dict,
    datasets: dict,
    coverage: float = 0.9,
    fits=FITS,
    rivals: float = RIVALS,
    prefer: str = PREFER,
    plugins=(),
    calibration_plot=None,
    forest_plot=None,
) -> None:
    """The predicted AUC of every dataset × model entry, the predictors chosen (:func:`.predict.predict_auc`) and
    the figure of the calibration.

    Parameters
    ----------
    points : the calibration points (:func:`collect_points`).
    scores : the run's ``metrics/summary.tsv`` (the measures of the datasets to predict).
    models_summary : the run's ``models/summary.tsv`` (measured AUCs: those datasets are predicted
        leave-one-family-out, as a check).
    output : TSV, one row per dataset × model (:data:`.predict.PREDICTION_COLUMNS`).
    predictors : TSV, the candidates of each model entry on all points (:func:`predictor_table`).
    models : the models to predict for, in order: name → its entry as points compare it (None for a performance
        table's model), named in ``predictors``.
    datasets : dataset → its ``family`` and ``kind`` (:meth:`difficulty.pipeline.config.Plan.calibration_datasets`).
    coverage, fits, rivals, prefer : the interval's coverage, the fits to choose from, the rivals factor and the
        measures preferred (:func:`.predict.calibrate`).
    plugins : plugin modules to load first (where a model type comes from one).
    calibration_plot : PNG, the calibration points of each model's kept predictor, its fit and band, the
        predicted datasets marked (:func:`.plots.calibration_plot`).
    forest_plot : SVG, each model entry's predicted AUC and interval per dataset, the measured AUC beside it
        (:func:`.plots.forest_plot`).
    """
    load_plugins(plugins)
    calibration = read_table(points)
    table = predict_auc(
        calibration,
        read_table(scores),
        models=list(models),
        families=_of(datasets, "family"),
        coverage=coverage,
        measured=read_table(models_summary),
        fits=fits,
        rivals=rivals,
        prefer=prefer,
    )
    log.info("\n%s", table.drop(columns="note").to_string())
    write_table(table, output)
    write_table(predictor_table(calibration, list(models), models, coverage, fits, rivals, prefer), predictors)
    from . import plots

    if calibration_plot:
        plots.calibration_plot(
            calibration, read_table(output), read_table(predictors), read_table(scores), calibration_plot
        )
    if forest_plot:
        plots.forest_plot(read_table(output), forest_plot)
