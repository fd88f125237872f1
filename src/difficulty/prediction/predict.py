"""The AUC a model entry will reach on a dataset, predicted from a measure, with a split-conformal interval.

Per model entry, every candidate predictor (feature × metric × fit) is checked
by leave-one-family-out (LOFO), and the one with the smallest LOFO MAE is kept
(never the in-sample fit or correlation); the MAE weighs the families of real
images and the phantom families equally. A measure in AUC units (a k-NN or
linear probe's AUC) is also a candidate as it is (``identity``) and shifted by
one shrunk offset on the logit scale (``offset_logit``). Its interval at
coverage 1 − α is

    [fit(x − s) − q, fit(x + s) + q]  (ends swapped for a falling fit), within [0, 1],

where x and s are the dataset's bootstrap mean and SD of the measure and q is
the ⌈(1 − α)(F + 1)⌉-th smallest of the F families' LOFO scores (each
family's largest |residual|, :mod:`.lofo`). Where F is too small for that rank
the interval is the whole AUC range [0, 1] and the note says why. The
residuals are measured AUCs minus predictions, so the interval is for the AUC
a run of the model would measure, its own noise included.

The interval is then stretched to reach the prediction of every *rival*: the
best fit of each other measure whose LOFO MAE is at most ``rivals`` times the
kept one's. The calibration families cannot tell those measures apart, so
where they disagree on a dataset (a dataset unlike every calibration family)
the conformal interval of one of them alone would be too sure; where they
agree, the interval is unchanged. ``rivals=1`` keeps the conformal interval
alone.

A dataset with a measured AUC whose family is among the calibration's is
predicted by the whole procedure (choice of predictor, fit, residuals,
interval) run without that family: its row is a LOFO prediction, an honest
check against its measured AUC. A dataset without one (``train: false``) is
predicted from every calibration point but its own (a calibration table may
hold a point of the same dataset): the other datasets of its family are
evidence about it, and the interval, whose scores come from whole families
left out, is then conservative.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fits import AUC_FITS, FITS, MonotoneFit, fit_monotone
from .lofo import conformal_halfwidth, family_residuals, family_weights, lofo_mae, lofo_predictions, min_families

log = logging.getLogger(__name__)

MIN_FAMILIES = 3
AUC_RANGE = (0.0, 1.0)
RIVALS = 2.0  # a rival's LOFO MAE is at most this many times the kept predictor's
PREFERENCES = ("auc_units", "any")  # which measures the kept predictor and its rivals may be
PREFER = "auc_units"
PREDICTION_COLUMNS = [
    "dataset",
    "model",
    "predictor",
    "predicted_auc",
    "ci_low",
    "ci_high",
    "coverage",
    "calibration_families",
    "calibration_datasets",
    "lofo_mae",
    "outside_calibration",
    "calibrated_by",
    "measured_auc",
    "note",
]


@dataclass(frozen=True)
class Predictor:
    """A candidate predictor: a feature entry's metric entry, mapped to the AUC by a fit kind."""

    feature: str
    metric: str
    fit: str

    def __str__(self) -> str:
        return f"{self.feature}.{self.metric}:{self.fit}"


@dataclass(frozen=True)
class Calibration:
    """The predictor kept for one model entry, its fit on all calibration points and its LOFO check.

    Attributes
    ----------
    model : the model entry's name.
    coverage : the interval's nominal coverage 1 − α.
    families, datasets : the calibration families and datasets of the kept predictor (of all points where
        nothing was fitted).
    predictor, fit : the kept predictor and its fit on all its points; None where nothing was fitted.
    halfwidth : q, the conformal half-width (``inf`` where too few families give none; NaN: not fitted).
    lofo_mae : the kept predictor's LOFO MAE (families weighted equally, and the families of real images and the
        phantom families weighted equally); NaN: not fitted.
    residuals : the kept predictor's points: ``dataset, family, kind, score_mean, auc_mean, lofo_auc, residual``.
    candidates : every candidate: ``feature, metric, fit, families, datasets, lofo_mae, note``.
    reason : why nothing was fitted; empty where a predictor was kept.
    rivals : the best fit of each other measure whose LOFO MAE is at most ``RIVALS`` (or the given factor)
        times the kept one's, as (predictor, its fit on all its points), by LOFO MAE.
    """

    model: str
    coverage: float
    families: tuple[str, ...]
    datasets: tuple[str, ...]
    predictor: Predictor | None
    fit: MonotoneFit | None
    halfwidth: float
    lofo_mae: float
    residuals: pd.DataFrame
    candidates: pd.DataFrame
    reason: str = ""
    rivals: tuple[tuple[Predictor, MonotoneFit], ...] = ()

    @property
    def fitted(self) -> bool:
        return self.predictor is not None


def _usable(points: pd.DataFrame) -> pd.DataFrame:
    finite = np.isfinite(points["score_mean"].to_numpy(float)) & np.isfinite(points["auc_mean"].to_numpy(float))
    if not finite.all():
        dropped = points.loc[~finite, ["dataset", "feature", "metric"]].astype(str).agg(".".join, axis=1)
        log.info("calibration points without a finite measure or AUC left out: %s", ", ".join(dropped))
    return points[finite]


def _candidates(points: pd.DataFrame):
    """(feature, metric, its points, higher_is_easier, auc_units) per measure, in name order."""
    for (feature, metric), group in points.groupby(["feature", "metric"], sort=True):
        twice = group["dataset"][group["dataset"].duplicated()]
        if len(twice):
            raise ValueError(f"calibration: {feature}.{metric} has dataset {twice.iloc[0]!r} twice for one model")
        direction = group["higher_is_easier"].astype(bool).unique()
        if len(direction) > 1:
            raise ValueError(f"calibration: {feature}.{metric} has points of both directions (higher_is_easier)")
        yield feature, metric, group.sort_values("dataset"), bool(direction[0]), bool(group["auc_units"].all())


def calibrate(
    points: pd.DataFrame, coverage: float = 0.9, fits=FITS, rivals: float = RIVALS, prefer: str = PREFER
) -> Calibration:
    """Choose and fit the predictor of one model entry from its calibration points.

    Parameters
    ----------
    points : the calibration points of one model entry (:data:`.points.POINT_COLUMNS`; at least ``dataset,
        family, model, feature, metric, higher_is_easier, score_mean, auc_mean``), already compatible with
        the run's entries (:func:`.points.select_points`).
    coverage : the interval's nominal coverage 1 − α.
    fits : the fit kinds to choose from (:data:`.fits.FITS`).
    rivals : a measure other than the kept one is a rival where its best fit's LOFO MAE is at most this
        many times the kept one's (≥ 1; 1: only exact ties).
    prefer : ``"auc_units"``: the kept predictor and its rivals are measures in AUC units where one of them has
        enough families (the others' LOFO errors are listed, marked); ``"any"``: every measure competes.

    Returns
    -------
    The :class:`Calibration`: the candidate with the smallest LOFO MAE among those with at least
    ``MIN_FAMILIES`` families (of the preferred ones; ties: the first by feature, metric and fit order), fitted
    on all its points, and its rivals; or, where no candidate has that many families, no fit and the reason.
    """
    if prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {PREFERENCES}, got {prefer!r}")
    if not rivals >= 1:
        raise ValueError(f"rivals must be a factor ≥ 1, got {rivals}")
    models = points["model"].unique() if len(points) else []
    if len(models) > 1:
        raise ValueError(f"calibrate takes the points of one model entry, got {sorted(models)}")
    model = str(models[0]) if len(models) else ""
    points = _usable(points)
    rows, evaluated, groups = [], [], {}
    for feature, metric, group, increasing, auc_units in _candidates(points):
        groups[feature, metric] = group, increasing
        x, auc, fam = group["score_mean"].to_numpy(float), group["auc_mean"].to_numpy(float), group["family"].to_numpy()
        n_fam = len(np.unique(fam))
        for kind in fits:
            if kind in AUC_FITS and not auc_units:
                continue
            row = {"feature": feature, "metric": metric, "fit": kind, "auc_units": auc_units}
            row |= {"families": n_fam, "datasets": len(group)}
            if n_fam < MIN_FAMILIES:
                rows.append(row | {"lofo_mae": math.nan, "note": f"{n_fam} families, {MIN_FAMILIES} needed"})
                continue
            lofo = lofo_predictions(x, auc, fam, kind, increasing)
            mae = lofo_mae(auc - lofo, fam, group["kind"].to_numpy() == "phantom")
            rows.append(row | {"lofo_mae": mae, "note": ""})
            evaluated.append((mae, Predictor(feature, metric, kind), group, increasing, lofo, auc_units))
    pool = [e for e in evaluated if e[5]] if prefer == "auc_units" and any(e[5] for e in evaluated) else evaluated
    best = min(pool, key=lambda e: e[0])[:5] if pool else None  # min keeps the first of equal errors
    columns = ["feature", "metric", "fit", "auc_units", "families", "datasets", "lofo_mae", "note"]
    candidates = pd.DataFrame(rows, columns=columns)
    if len(pool) < len(evaluated):
        candidates.loc[~candidates["auc_units"] & candidates["lofo_mae"].notna(), "note"] = "not in AUC units"
    residual_columns = ["dataset", "family", "kind", "score_mean", "auc_mean", "lofo_auc", "residual"]
    if best is None:
        names = tuple(sorted(points["family"].astype(str).unique()))
        if not len(points):
            reason = "not fitted: no calibration points for this model entry (its type and options)"
        else:
            most = int(candidates["families"].max())
            reason = (
                f"not fitted: {most} calibration famil{'y' if most == 1 else 'ies'} "
                f"({', '.join(names)}), {MIN_FAMILIES} needed"
            )
        return Calibration(
            model,
            coverage,
            names,
            tuple(sorted(points["dataset"].astype(str).unique())),
            None,
            None,
            math.nan,
            math.nan,
            pd.DataFrame(columns=residual_columns),
            candidates,
            reason,
        )
    mae, predictor, group, increasing, lofo = best
    fam = group["family"].to_numpy()
    fit = fit_monotone(
        group["score_mean"].to_numpy(float),
        group["auc_mean"].to_numpy(float),
        predictor.fit,
        increasing,
        family_weights(fam),
    )
    residuals = group[["dataset", "family", "kind", "score_mean", "auc_mean"]].assign(lofo_auc=lofo)
    residuals["residual"] = residuals["auc_mean"] - residuals["lofo_auc"]
    scores = family_residuals(residuals["residual"], fam)
    return Calibration(
        model,
        coverage,
        tuple(sorted(map(str, np.unique(fam)))),
        tuple(map(str, group["dataset"])),
        predictor,
        fit,
        conformal_halfwidth(scores.to_numpy(), coverage),
        mae,
        residuals.reset_index(drop=True),
        candidates,
        rivals=_rivals(candidates[candidates["note"] == ""], groups, predictor, rivals * mae),
    )


def _rivals(candidates: pd.DataFrame, groups: dict, kept: Predictor, bound: float) -> tuple:
    """The best fit of each measure but the kept one with a LOFO MAE ≤ ``bound``, fitted on all its points."""
    fitted = candidates.dropna(subset=["lofo_mae"]).sort_values("lofo_mae", kind="stable")
    best = fitted.drop_duplicates(["feature", "metric"])
    out = []
    for row in best[best["lofo_mae"] <= bound].itertuples(index=False):
        if (row.feature, row.metric) == (kept.feature, kept.metric):
            continue
        group, increasing = groups[row.feature, row.metric]
        x, auc = group["score_mean"].to_numpy(float), group["auc_mean"].to_numpy(float)
        fit = fit_monotone(x, auc, row.fit, increasing, family_weights(group["family"].to_numpy()))
        out.append((Predictor(row.feature, row.metric, row.fit), fit))
    return tuple(out)


def predict_value(
    calibration: Calibration, score_mean: float, score_sd: float = 0.0, rival_scores: Mapping | None = None
) -> dict:
    """The predicted AUC and its interval for one dataset's measure (bootstrap mean and SD).

    Parameters
    ----------
    calibration : a fitted :class:`Calibration`.
    score_mean, score_sd : the dataset's bootstrap mean and SD of the kept predictor's measure.
    rival_scores : ``(feature, metric)`` → the dataset's bootstrap mean of that measure; the interval is
        stretched to reach the prediction of each of the calibration's rivals found there (none: not at all).

    Returns
    -------
    ``predicted_auc, ci_low, ci_high, outside_calibration, calibrated_by, note``; ``calibrated_by`` says which
    kinds of family have calibration points around the measure (``real``, ``phantom``, ``real and phantom``:
    the range of their values holds it; ``none`` outside both), and where only phantom families calibrate there,
    the note says so. A measure outside the fit's range is
    predicted at the range's nearest end (never extrapolated), flagged, and its interval is open on that
    side (up to 1 where the dataset looks easier than every calibration point, down to 0 where harder).
    Where too few families give a conformal half-width, the interval is [0, 1] and the note says so.
    Where rivals predict outside the interval, it is stretched to reach them and the note says so.
    """
    if not calibration.fitted:
        raise ValueError(f"model {calibration.model!r}: {calibration.reason}")
    fit = calibration.fit
    x = float(score_mean)
    if not math.isfinite(x):
        raise ValueError(f"model {calibration.model!r}: the measure {calibration.predictor} is {x}, not a number")
    s = float(score_sd) if score_sd is not None and math.isfinite(float(score_sd)) else 0.0
    centre = float(fit.predict(x))
    ends = fit.predict([x - abs(s), x, x + abs(s)])
    notes = []
    q = calibration.halfwidth
    if math.isinf(q):
        low, high = AUC_RANGE
        need = min_families(calibration.coverage)
        notes.append(
            f"interval unbounded: a {calibration.coverage:.0%} interval needs {need} calibration families, "
            f"there are {len(calibration.families)}"
        )
    else:
        low, high = max(AUC_RANGE[0], float(ends.min()) - q), min(AUC_RANGE[1], float(ends.max()) + q)
    outside = bool(fit.outside(x))
    if outside:
        above = x > fit.high
        if above == fit.increasing:
            high = AUC_RANGE[1]
        else:
            low = AUC_RANGE[0]
        notes.append(
            f"outside calibration: {calibration.predictor.feature}.{calibration.predictor.metric} = {x:.4g} is "
            f"{'above' if above else 'below'} the calibration's range [{fit.low:.4g}, {fit.high:.4g}]; predicted at "
            "its end, the interval open on that side"
        )
    rival = {
        str(p): float(f.predict(rival_scores[p.feature, p.metric]))
        for p, f in calibration.rivals
        if rival_scores and math.isfinite(float(rival_scores.get((p.feature, p.metric), math.nan)))
    }
    beyond = {name: auc for name, auc in rival.items() if not low <= auc <= high}
    if beyond:
        low, high = min(low, *beyond.values()), max(high, *beyond.values())
        notes.append(
            "interval stretched to the predictions of measures that fit the calibration families about as well "
            "(LOFO MAE within the rivals factor of the kept one's) and disagree here: "
            + ", ".join(f"{name} {auc:.2f}" for name, auc in beyond.items())
        )
    by = _calibrated_by(calibration.residuals, x)
    if by in ("phantom", "none"):
        measure = f"{calibration.predictor.feature}.{calibration.predictor.metric}"
        real = calibration.residuals.loc[calibration.residuals["kind"] != "phantom", "score_mean"]
        where = f"the real families' points lie in [{real.min():.4g}, {real.max():.4g}]" if len(real) else ""
        units = calibration.candidates.loc[calibration.candidates["auc_units"], ["feature", "metric"]]
        own = {
            f"{f}.{m}": float(rival_scores[f, m])
            for f, m in units.drop_duplicates().itertuples(index=False)
            if rival_scores and math.isfinite(float(rival_scores.get((f, m), math.nan)))
        }
        beyond = {name: auc for name, auc in own.items() if not low <= auc <= high}
        low, high = min([low, *own.values()]), max([high, *own.values()])
        notes.append(
            f"no real family calibrates {measure} = {x:.4g} ({where or 'no real family has points'}): the interval "
            "reaches the AUC of every measure in AUC units on this dataset (each a classifier's)"
            + (": " + ", ".join(f"{name} {auc:.2f}" for name, auc in beyond.items()) if beyond else "")
        )
    return {
        "predicted_auc": centre,
        "ci_low": low,
        "ci_high": high,
        "outside_calibration": outside,
        "calibrated_by": by,
        "note": "; ".join(notes),
    }


def _calibrated_by(residuals: pd.DataFrame, x: float) -> str:
    """Which kinds of family (``real``: real images and their variants; ``phantom``) have calibration points whose
    range of measure values holds ``x``: ``real``, ``phantom``, ``real and phantom`` or ``none``."""
    phantom = residuals["kind"].astype(str).to_numpy() == "phantom"
    values = residuals["score_mean"].to_numpy(float)
    found = [
        name
        for name, mine in (("real", ~phantom), ("phantom", phantom))
        if mine.any() and values[mine].min() <= x <= values[mine].max()
    ]
    return " and ".join(found) or "none"


def predict_auc(
    points: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    models: Iterable[str],
    families: Mapping[str, str],
    coverage: float = 0.9,
    measured: pd.DataFrame | None = None,
    fits=FITS,
    rivals: float = RIVALS,
    prefer: str = PREFER,
) -> pd.DataFrame:
    """Predicted AUC with its interval for every target dataset × model entry.

    Parameters
    ----------
    points : calibration points compatible with the run's entries (:func:`.points.select_points`).
    targets : the measures of the datasets to predict: ``dataset, feature, metric, score_mean, score_sd``
        (the run's ``metrics/summary.tsv``).
    models : the run's model entry names (one row each per dataset, with a note where nothing is fitted).
    families : dataset → family for every target dataset. A target with a measured AUC whose family is in the
        calibration is predicted without that family (its LOFO prediction); a target without one, from every
        point but those of its own name.
    coverage : nominal coverage 1 − α of the intervals.
    measured : ``dataset, model, auc_mean`` (the run's ``models/summary.tsv``) for the ``measured_auc``
        column; None: none measured.
    fits : the fit kinds to choose from.
    rivals, prefer : the rivals factor and the measures preferred (:func:`calibrate`).

    Returns
    -------
    One row per target dataset × model, columns :data:`PREDICTION_COLUMNS`. Where nothing is fitted,
    ``predicted_auc``, ``ci_low`` and ``ci_high`` are empty and ``note`` says why.
    """
    datasets = sorted(targets["dataset"].astype(str).unique())
    unknown = [d for d in datasets if d not in families]
    if unknown:
        raise ValueError(f"predict_auc: no family given for target dataset(s) {unknown}")
    scores = targets.assign(dataset=targets["dataset"].astype(str)).set_index(["dataset", "feature", "metric"])
    if scores.index.duplicated().any():
        raise ValueError(f"predict_auc: target measure {scores.index[scores.index.duplicated()][0]} is given twice")
    scores = scores.sort_index()
    truth = {}
    if measured is not None:
        truth = {(str(d), str(m)): float(a) for d, m, a in measured[["dataset", "model", "auc_mean"]].itertuples(False)}
    rows = []
    for model in models:
        mine = points[points["model"] == model]
        family_of, name_of = mine["family"].astype(str), mine["dataset"].astype(str)
        cache: dict[tuple[str, str], Calibration] = {}
        for dataset in datasets:
            family = str(families[dataset])
            checked = (dataset, model) in truth
            if checked and family in set(family_of):
                key, kept = ("family", family), family_of != family
            elif dataset in set(name_of):
                key, kept = ("dataset", dataset), name_of != dataset
            else:
                key, kept = ("all", ""), name_of == name_of
            if key not in cache:
                cache[key] = calibrate(mine[kept], coverage, fits, rivals, prefer)
            cal = cache[key]
            row = {
                "dataset": dataset,
                "model": model,
                "predictor": str(cal.predictor) if cal.fitted else "",
                "predicted_auc": math.nan,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "coverage": coverage,
                "calibration_families": len(cal.families),
                "calibration_datasets": len(cal.datasets),
                "lofo_mae": cal.lofo_mae,
                "outside_calibration": pd.NA,
                "calibrated_by": "",
                "measured_auc": truth.get((dataset, model), math.nan),
                "note": cal.reason,
            }
            if cal.fitted:
                measure = (dataset, cal.predictor.feature, cal.predictor.metric)
                if measure in scores.index:
                    score = scores.loc[measure]
                    own = scores.loc[dataset, "score_mean"]
                    row |= predict_value(cal, score["score_mean"], score.get("score_sd", 0.0), own.to_dict())
                else:
                    row["note"] = f"no {cal.predictor.feature}.{cal.predictor.metric} score for this dataset"
            how = ""
            if key[0] == "family":
                how = f"leave-one-family-out: calibrated without family {family!r}"
            elif not checked and family in set(family_of[kept]):
                kin = name_of[kept & (family_of == family)].nunique()
                how = f"prediction only: calibrated with {kin} other dataset(s) of its family {family!r}"
            row["note"] = "; ".join(n for n in (how, row["note"]) if n)
            rows.append(row)
    table = pd.DataFrame(rows, columns=PREDICTION_COLUMNS)
    table["outside_calibration"] = table["outside_calibration"].astype("boolean")
    return table
