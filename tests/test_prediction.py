"""Predicted AUC from calibration points: fits, leave-one-family-out, intervals, compatibility of entries."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from difficulty.io import read_table, write_table
from difficulty.prediction import (
    MIN_FAMILIES,
    POINT_COLUMNS,
    PREDICTION_COLUMNS,
    RIVALS,
    calibrate,
    calibration_points,
    canonical_options,
    conformal_halfwidth,
    fit_monotone,
    lofo_predictions,
    min_families,
    predict_auc,
    predict_value,
    select_points,
)
from difficulty.prediction.fits import expit, logit
from difficulty.prediction.points import KEYS

MODEL = {"cnn": {"type": "cnn3d", "epochs": 8}}
FEATURE = {"rad": {"type": "radiomics", "params": "fast"}}
METRIC = {"sil": {"type": "sil"}}


def simulate(rng, n_families, variants=1, *, slope=4.0, intercept=0.3, noise=0.03, family_sd=0.0, prefix="f"):
    """Calibration points with AUC = expit(intercept + slope · x + family effect) + noise.

    A family is a root (x drawn in [-0.1, 0.5], like a Silhouette score) and ``variants - 1`` harder
    variants down a ladder of x (steps of 0.08); ``family_sd`` is a shared offset of the family's logit.
    """
    rows = []
    for f in range(n_families):
        x0, offset = rng.uniform(-0.1, 0.5), rng.normal(0, family_sd)
        for v in range(variants):
            x = x0 - 0.08 * v
            auc = float(np.clip(expit(intercept + slope * x + offset) + rng.normal(0, noise), 0, 1))
            rows.append(
                {
                    "dataset": f"{prefix}{f}_v{v}",
                    "family": f"{prefix}{f}",
                    "kind": "real" if v == 0 else "variant",
                    "model": "cnn",
                    "model_type": "cnn3d",
                    "model_options": canonical_options(MODEL["cnn"]),
                    "feature": "rad",
                    "feature_type": "radiomics",
                    "feature_options": canonical_options(FEATURE["rad"]),
                    "metric": "sil",
                    "metric_type": "sil",
                    "metric_options": "{}",
                    "higher_is_easier": True,
                    "auc_units": False,
                    "score_mean": x,
                    "score_sd": 0.0,
                    "auc_mean": auc,
                    "auc_sd": 0.02,
                    "source": "simulated",
                }
            )
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def targets_of(points):
    return points[["dataset", "feature", "metric", "score_mean", "score_sd"]]


def test_linear_logit_fit_recovers_a_known_relation_in_either_direction():
    points = simulate(np.random.default_rng(0), 15, 3, noise=0.005)
    x, auc = points["score_mean"].to_numpy(), points["auc_mean"].to_numpy()
    fit = fit_monotone(x, auc, "linear_logit", increasing=True)
    assert fit.slope == pytest.approx(4.0, abs=0.3) and fit.intercept == pytest.approx(0.3, abs=0.1)
    falling = fit_monotone(-x, auc, "linear_logit", increasing=False)  # a measure where higher is harder
    assert falling.slope == pytest.approx(-fit.slope) and falling.intercept == pytest.approx(fit.intercept)
    grid = np.linspace(x.min(), x.max(), 50)
    np.testing.assert_allclose(fit.predict(grid), expit(0.3 + 4 * grid), atol=0.01)
    iso = fit_monotone(x, auc, "isotonic", increasing=True)
    assert np.all(np.diff(iso.predict(grid)) >= 0)
    np.testing.assert_allclose(iso.predict(grid), expit(0.3 + 4 * grid), atol=0.03)
    np.testing.assert_allclose(fit_monotone(-x, auc, "isotonic", False).predict(-grid), iso.predict(grid))


def test_isotonic_fit_is_scikit_learns_isotonic_regression():
    from sklearn.isotonic import IsotonicRegression

    rng = np.random.default_rng(1)
    x, auc = np.round(rng.uniform(0, 1, 30), 1), rng.uniform(0.5, 1, 30)  # ties in x
    grid = np.linspace(-0.2, 1.2, 99)
    for increasing in (True, False):
        expected = IsotonicRegression(increasing=increasing, out_of_bounds="clip").fit(x, auc).predict(grid)
        np.testing.assert_allclose(fit_monotone(x, auc, "isotonic", increasing).predict(grid), expected)


def test_a_slope_of_the_wrong_sign_gives_the_constrained_optimum():
    x = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    auc = np.array([0.9, 0.85, 0.8, 0.75, 0.6])  # falls with a measure that says higher is easier
    fit = fit_monotone(x, auc, "linear_logit", increasing=True)
    assert fit.slope == 0 and fit.intercept == pytest.approx(logit(auc).mean())
    sse = [np.sum((logit(auc) - logit(auc).mean() - b * (x - x.mean())) ** 2) for b in np.linspace(0, 5, 51)]
    assert np.argmin(sse) == 0  # of all slopes allowed (≥ 0), 0 fits best
    assert fit_monotone(x, auc, "linear_logit", increasing=False).slope < 0


def test_lofo_prediction_of_a_point_uses_no_point_of_its_family():
    points = simulate(np.random.default_rng(2), 6, 3)
    x, auc, fam = points["score_mean"].to_numpy(), points["auc_mean"].to_numpy(), points["family"].to_numpy()
    lofo = lofo_predictions(x, auc, fam, "isotonic", True)
    changed = auc.copy()
    changed[fam == "f0"] = 1 - changed[fam == "f0"]  # wreck family f0's AUCs
    again = lofo_predictions(x, changed, fam, "isotonic", True)
    np.testing.assert_array_equal(again[fam == "f0"], lofo[fam == "f0"])
    assert not np.allclose(again[fam != "f0"], lofo[fam != "f0"])  # the others did use f0


def test_conformal_rank_and_unbounded_intervals():
    assert min_families(0.9) == 9 and min_families(0.8) == 4 and min_families(0.5) == 1
    scores = np.arange(1, 20) / 100  # F = 19: the ⌈0.9 · 20⌉ = 18th smallest
    assert conformal_halfwidth(scores, 0.9) == pytest.approx(0.18)
    assert conformal_halfwidth(scores[:9], 0.9) == pytest.approx(0.09)
    assert math.isinf(conformal_halfwidth(scores[:8], 0.9))


@pytest.mark.parametrize(
    ("variants", "family_sd", "draws", "low", "high"),
    [(1, 0.0, 200, 0.86, 0.94), (3, 0.15, 100, 0.87, 1.0)],
    ids=["one-dataset families", "families of three variants"],
)
def test_intervals_cover_new_families_at_their_nominal_rate(variants, family_sd, draws, low, high):
    """200 draws of 19 calibration families, each checked on 10 new families' datasets.

    With 19 families the interval is the prediction ± the 18th smallest of 19 family scores, which covers
    a new family's dataset with probability 18/20 = 0.90 where the scores are exchangeable. Over 2,000
    checks in 200 draws the Monte Carlo SD of the observed rate is about 0.007 (binomial 0.0067, and the
    draw-to-draw spread of a conformal interval's coverage, Beta(18, 2)'s SD 0.065 over √200, 0.0046),
    so ±0.04 is over 4 SDs: it fails only if the method is off, not by chance. Families of several
    variants score their largest residual, which bounds every one of their datasets: coverage is at the
    nominal rate or above (0.96 with these settings), so only the lower bound is tight there, and 100
    draws (Monte Carlo SD about 0.01) suffice.
    """
    rng = np.random.default_rng(3)
    hits = []
    for _ in range(draws):
        cal = calibrate(simulate(rng, 19, variants, family_sd=family_sd), coverage=0.9)
        new = simulate(rng, 10, variants, family_sd=family_sd)
        for x, auc in zip(new["score_mean"], new["auc_mean"]):
            got = predict_value(cal, x, 0.0)
            hits.append(got["ci_low"] <= auc <= got["ci_high"])
    assert low <= np.mean(hits) <= high, np.mean(hits)


def test_the_predictor_is_chosen_by_lofo_error_not_by_its_in_sample_fit():
    """Isotonic fits every calibration set at least as well in sample; on a logit-linear truth it loses LOFO."""
    points = simulate(np.random.default_rng(4), 12, 1, noise=0.04)
    cal = calibrate(points)
    x, auc = points["score_mean"].to_numpy(), points["auc_mean"].to_numpy()
    in_sample = {k: np.abs(auc - fit_monotone(x, auc, k, True).predict(x)).mean() for k in ("linear_logit", "isotonic")}
    assert in_sample["isotonic"] < in_sample["linear_logit"]
    best = cal.candidates.loc[cal.candidates["lofo_mae"].idxmin()]
    assert str(cal.predictor) == f"rad.sil:{best['fit']}" == "rad.sil:linear_logit"
    assert cal.lofo_mae == best["lofo_mae"]
    res = cal.residuals.set_index("dataset").loc[points["dataset"]]
    np.testing.assert_allclose(res["residual"], auc - res["lofo_auc"])
    np.testing.assert_allclose(res["lofo_auc"], lofo_predictions(x, auc, points["family"], "linear_logit", True))


def test_the_best_measure_wins_among_several():
    rng = np.random.default_rng(5)
    good = simulate(rng, 10, 2, noise=0.01)
    noisy = good.assign(metric="fid", metric_type="fid", score_mean=good["score_mean"] + rng.normal(0, 0.15, len(good)))
    cal = calibrate(pd.concat([noisy, good], ignore_index=True))
    assert cal.predictor.metric == "sil" and len(cal.candidates) == 4
    assert (cal.candidates.groupby("metric")["lofo_mae"].min()["fid"]) > 2 * cal.lofo_mae


def twin_measures(rng, sd=0.01):
    """Points of ``rad.sil`` and of ``rad.fid`` = sil + N(0, sd): two measures about as good on the families."""
    good = simulate(rng, 12, 2, noise=0.01)
    twin = good.assign(metric="fid", metric_type="fid", score_mean=good["score_mean"] + rng.normal(0, sd, len(good)))
    return pd.concat([good, twin], ignore_index=True)


def test_rival_measures_that_disagree_stretch_the_interval_to_their_predictions():
    """Two measures fit the families about equally well; on a dataset where they disagree, the calibration
    cannot tell which is right, so the interval reaches both predictions. ``rivals=1`` keeps the kept
    predictor's split-conformal interval alone, as does a dataset on which the two agree."""
    points = twin_measures(np.random.default_rng(25))
    cal = calibrate(points)
    other = "fid" if cal.predictor.metric == "sil" else "sil"
    assert RIVALS == 2.0 and [(p.feature, p.metric) for p, _ in cal.rivals] == [("rad", other)]
    rival_fit = cal.rivals[0][1]
    x = {"sil": 0.3, "fid": 0.3}
    x[other] = -0.05  # the rival says much harder
    scores = {("rad", m): v for m, v in x.items()}
    alone = predict_value(calibrate(points, rivals=1.0), x[cal.predictor.metric])
    got = predict_value(cal, x[cal.predictor.metric], 0.0, scores)
    assert calibrate(points, rivals=1.0).rivals == ()
    assert (alone["ci_low"], alone["ci_high"]) == pytest.approx(
        (float(cal.fit.predict(0.3)) - cal.halfwidth, min(1.0, float(cal.fit.predict(0.3)) + cal.halfwidth))
    )
    assert got["predicted_auc"] == alone["predicted_auc"] and got["ci_high"] == alone["ci_high"]
    assert got["ci_low"] == pytest.approx(float(rival_fit.predict(-0.05))) and got["ci_low"] < alone["ci_low"] - 0.2
    assert f"rad.{other}:" in got["note"] and "interval stretched" in got["note"]
    agree = predict_value(cal, 0.2, 0.0, {("rad", "sil"): 0.2, ("rad", "fid"): 0.2})
    assert (agree["ci_low"], agree["ci_high"], agree["note"]) == (
        predict_value(cal, 0.2)["ci_low"],
        predict_value(cal, 0.2)["ci_high"],
        "",
    )
    table = predict_auc(
        points,
        pd.DataFrame({"dataset": "new", "feature": "rad", "metric": list(x), "score_mean": list(x.values())}),
        models=["cnn"],
        families={"new": "new"},
    )
    assert table["ci_low"].iloc[0] == pytest.approx(got["ci_low"])
    assert predict_auc(
        points,
        pd.DataFrame({"dataset": "new", "feature": "rad", "metric": list(x), "score_mean": list(x.values())}),
        models=["cnn"],
        families={"new": "new"},
        rivals=1.0,
    )["ci_low"].iloc[0] == pytest.approx(alone["ci_low"])


def test_a_measure_much_worse_on_the_families_is_no_rival():
    rng = np.random.default_rng(26)
    points = twin_measures(rng, sd=0.2)  # fid: sil blurred by noise as large as the range of sil
    cal = calibrate(points)
    assert cal.predictor.metric == "sil" and cal.rivals == ()
    worst = cal.candidates.groupby("metric")["lofo_mae"].min()
    assert worst["fid"] > RIVALS * worst["sil"]
    assert calibrate(points, rivals=worst["fid"] / worst["sil"] + 0.01).rivals[0][0].metric == "fid"
    with pytest.raises(ValueError, match="rivals must be a factor ≥ 1"):
        calibrate(points, rivals=0.5)


def test_fewer_than_three_families_give_no_fit_and_say_so():
    points = simulate(np.random.default_rng(6), 2, 4)
    cal = calibrate(points)
    assert not cal.fitted and MIN_FAMILIES == 3
    assert cal.reason == "not fitted: 2 calibration families (f0, f1), 3 needed"
    with pytest.raises(ValueError, match="3 needed"):
        predict_value(cal, 0.1)
    new = simulate(np.random.default_rng(7), 1, 1, prefix="new")
    table = predict_auc(points, targets_of(new), models=["cnn"], families={"new0_v0": "new0"})
    row = table.iloc[0]
    assert list(table.columns) == PREDICTION_COLUMNS
    assert math.isnan(row["predicted_auc"]) and math.isnan(row["ci_low"]) and pd.isna(row["outside_calibration"])
    assert row["note"] == cal.reason and row["predictor"] == "" and row["calibration_families"] == 2
    none = predict_auc(points.iloc[:0], targets_of(new), models=["cnn"], families={"new0_v0": "new0"})
    assert none["note"].iloc[0] == "not fitted: no calibration points for this model entry (its type and options)"


def test_few_families_give_a_prediction_with_the_whole_range_as_interval():
    points = simulate(np.random.default_rng(8), 5, 2)
    got = predict_value(calibrate(points), 0.2, 0.01)
    assert 0.5 < got["predicted_auc"] < 1 and (got["ci_low"], got["ci_high"]) == (0.0, 1.0)
    assert got["note"] == "interval unbounded: a 90% interval needs 9 calibration families, there are 5"


def test_a_measure_outside_the_calibration_range_is_flagged_and_not_extrapolated():
    points = simulate(np.random.default_rng(9), 12, 1)
    cal = calibrate(points)
    low, high = points["score_mean"].min(), points["score_mean"].max()
    inside = predict_value(cal, (low + high) / 2)
    above, below = predict_value(cal, high + 0.5), predict_value(cal, low - 0.5)
    assert not inside["outside_calibration"] and inside["note"] == ""
    assert above["outside_calibration"] and below["outside_calibration"]
    assert above["predicted_auc"] == pytest.approx(float(cal.fit.predict(high)))  # the range's end, not beyond
    assert below["predicted_auc"] == pytest.approx(float(cal.fit.predict(low)))
    assert above["ci_high"] == 1.0 and above["ci_low"] > 0.5  # open towards easier
    assert below["ci_low"] == 0.0 and below["ci_high"] < 1.0  # open towards harder
    assert "above the calibration's range" in above["note"]
    table = predict_auc(
        points,
        pd.DataFrame({"dataset": ["far"], "feature": ["rad"], "metric": ["sil"], "score_mean": [high + 0.5]}),
        models=["cnn"],
        families={"far": "far"},
    )
    assert bool(table["outside_calibration"].iloc[0]) and table["ci_high"].iloc[0] == 1.0


def test_the_bootstrap_spread_of_the_measure_widens_the_interval():
    cal = calibrate(simulate(np.random.default_rng(10), 12, 1))
    sharp, spread = predict_value(cal, 0.2, 0.0), predict_value(cal, 0.2, 0.05)
    assert sharp["predicted_auc"] == spread["predicted_auc"]
    assert spread["ci_low"] == pytest.approx(float(cal.fit.predict(0.15)) - cal.halfwidth)
    assert spread["ci_high"] == pytest.approx(float(cal.fit.predict(0.25)) + cal.halfwidth)
    assert sharp["ci_high"] - sharp["ci_low"] == pytest.approx(2 * cal.halfwidth)


def test_datasets_in_the_calibration_get_their_leave_one_family_out_prediction():
    rng = np.random.default_rng(11)
    points = simulate(rng, 11, 3)
    families = dict(zip(points["dataset"], points["family"]))
    measured = points[["dataset", "model", "auc_mean"]]
    table = predict_auc(points, targets_of(points), models=["cnn"], families=families, measured=measured)
    row = table.set_index("dataset").loc["f3_v1"]
    alone = predict_value(
        calibrate(points[points["family"] != "f3"]), points.set_index("dataset").loc["f3_v1", "score_mean"]
    )
    assert row["predicted_auc"] == alone["predicted_auc"] and row["ci_low"] == alone["ci_low"]
    assert row["calibration_families"] == 10 and row["calibration_datasets"] == 30
    assert row["note"] == "leave-one-family-out: calibrated without family 'f3'"
    assert row["measured_auc"] == points.set_index("dataset").loc["f3_v1", "auc_mean"]
    # A leak of f3's other variants would move f3_v1's row; wrecking them must not, and must move the others'.
    wrecked = points.copy()
    siblings = wrecked["dataset"].isin(["f3_v0", "f3_v2"])
    wrecked.loc[siblings, "auc_mean"] = 0.5
    wrecked.loc[siblings, "score_mean"] = [0.7, -0.3]
    again = predict_auc(wrecked, targets_of(points), models=["cnn"], families=families, measured=measured)
    again = again.set_index("dataset")
    pd.testing.assert_series_equal(again.loc["f3_v1"], row)
    others = table.set_index("dataset").drop(index=["f3_v0", "f3_v1", "f3_v2"])
    assert not np.allclose(again.loc[others.index, "ci_high"], others["ci_high"])
    # A prediction-only dataset (no measured AUC) of a calibrated family uses its family's other points, and
    # never a point of its own name (a calibration table may hold one).
    new = pd.DataFrame({"dataset": ["f3_blur", "f3_v1"], "feature": ["rad"] * 2, "metric": ["sil"] * 2})
    new["score_mean"] = [0.1, 0.1]
    fresh = predict_auc(points, new, models=["cnn"], families={"f3_blur": "f3", "f3_v1": "f3"}).set_index("dataset")
    assert fresh.loc["f3_blur", "predicted_auc"] == predict_value(calibrate(points), 0.1)["predicted_auc"]
    own_left_out = predict_value(calibrate(points[points["dataset"] != "f3_v1"]), 0.1)["predicted_auc"]
    assert fresh.loc["f3_v1", "predicted_auc"] == own_left_out != fresh.loc["f3_blur", "predicted_auc"]
    assert fresh.loc["f3_blur", "note"] == "prediction only: calibrated with 3 other dataset(s) of its family 'f3'"
    assert fresh.loc["f3_v1", "note"] == "prediction only: calibrated with 2 other dataset(s) of its family 'f3'"
    assert fresh["measured_auc"].isna().all() and fresh.loc["f3_blur", "calibration_families"] == 11


def summaries(rng, datasets, feature_entries, model_entries, shift):
    """metrics/summary.tsv and models/summary.tsv of a run: a measure per feature entry, an AUC per model entry.

    ``shift[name]`` moves the AUCs of a model entry, or the scores of a feature entry: points of entries
    with other options follow another relation.
    """
    metrics, models = [], []
    for d in datasets:
        x = rng.uniform(-0.1, 0.5)
        for f in feature_entries:
            metrics.append((d, f, "sil", True, x + shift.get(f, 0), 0.01, 100))
        for m in model_entries:
            models.append((d, m, float(expit(0.3 + 4 * x + shift.get(m, 0))), 0.02, 3))
    return (
        pd.DataFrame(
            metrics, columns=["dataset", "feature", "metric", "higher_is_easier", "score_mean", "score_sd", "sessions"]
        ),
        pd.DataFrame(models, columns=["dataset", "model", "auc_mean", "auc_sd", "folds"]),
    )


def test_calibration_points_from_the_pipeline_summaries():
    datasets = ["a", "a_noise10", "b", "c"]
    features = {
        "rad": {"type": "radiomics", "params": "fast", "shards": 4},
        "rnd": {"type": "random_resnet", "depth": 10},
    }
    models = {"cnn": {"type": "cnn3d", "channels": [8, 16, 32], "lr": 0.003}}
    metric_summary, model_summary = summaries(np.random.default_rng(12), datasets, features, models, {})
    model_summary = pd.concat(
        [model_summary, pd.DataFrame([("d", "cnn", 0.7, 0.01, 3)], columns=model_summary.columns)]
    )
    families = {"a": "a", "a_noise10": "a", "b": "b", "c": "c", "d": "d"}
    kinds = {"a": "real", "a_noise10": "variant", "b": "real", "c": "phantom", "d": "phantom"}
    points = calibration_points(
        metric_summary, model_summary, models=models, features=features, metrics=METRIC, families=families, kinds=kinds
    )
    assert list(points.columns) == POINT_COLUMNS and len(points) == 4 * 2  # "d" has an AUC but no measure
    row = points[(points["dataset"] == "a_noise10") & (points["feature"] == "rad")].iloc[0]
    assert row["family"] == "a" and row["model_type"] == "cnn3d" and row["source"] == "trained"
    assert row["kind"] == "variant" and not row["auc_units"]  # sil is no AUC
    assert json.loads(row["model_options"]) == {"channels": [8, 16, 32], "lr": 0.003}
    assert row["feature_options"] == '{"params":"fast","shards":4}' and row["metric_options"] == "{}"
    assert canonical_options({"type": "cnn3d", "lr": 0.003, "epochs": 8.0}) == canonical_options(
        {"epochs": 8, "lr": 0.003}
    )
    with pytest.raises(ValueError, match=r"no family given for dataset\(s\) \['c'\]"):
        calibration_points(
            metric_summary,
            model_summary,
            models=models,
            features=features,
            metrics=METRIC,
            families={"a": "a", "a_noise10": "a", "b": "b"},
            kinds=kinds,
        )
    with pytest.raises(ValueError, match=r"no kind given for dataset\(s\) \['c'\]"):
        calibration_points(
            metric_summary,
            model_summary,
            models=models,
            features=features,
            metrics=METRIC,
            families=families,
            kinds={"a": "real", "a_noise10": "variant", "b": "real"},
        )
    with pytest.raises(ValueError, match=r"unknown kind\(s\) \['synthetic'\]"):
        calibration_points(
            metric_summary,
            model_summary,
            models=models,
            features=features,
            metrics=METRIC,
            families=families,
            kinds=kinds | {"c": "synthetic"},
        )
    with pytest.raises(ValueError, match="feature 'rnd' is not among the feature entries given"):
        calibration_points(
            metric_summary,
            model_summary,
            models=models,
            features={"rad": features["rad"]},
            metrics=METRIC,
            families=families,
            kinds=kinds,
        )


def test_points_whose_feature_or_model_options_differ_are_not_mixed(tmp_path):
    """Two feature entries and two model entries of one type each, with other options and other relations."""
    rng = np.random.default_rng(13)
    features = {"fast": {"type": "radiomics", "params": "fast"}, "study": {"type": "radiomics", "params": "study"}}
    models = {"short": {"type": "cnn3d", "epochs": 8}, "long": {"type": "cnn3d", "epochs": 30}, "published": None}
    datasets = [f"d{i}" for i in range(12)]
    metric_summary, model_summary = summaries(
        rng, datasets, features, models, {"study": 0.3, "long": 1.0, "published": 2.0}
    )
    points = calibration_points(
        metric_summary,
        model_summary,
        models=models,
        features=features,
        metrics=METRIC,
        families={d: d for d in datasets},
        kinds=dict.fromkeys(datasets, "real"),
    )
    write_table(points, tmp_path / "calibration.tsv")  # a shipped table is read back from TSV
    shipped = read_table(tmp_path / "calibration.tsv")
    run = {
        "models": {"cnn": {"type": "cnn3d", "epochs": 8.0}, "published": None},
        "features": {"rad": features["fast"]},
    }
    chosen = select_points(shipped, **run, metrics={"silhouette": {"type": "sil"}})
    assert set(chosen["model"]) == {"cnn", "published"} and set(chosen["feature"]) == {"rad"}
    assert set(chosen["metric"]) == {"silhouette"} and len(chosen) == 2 * len(datasets)
    expected = points[(points["feature"] == "fast") & (points["model"] == "short")]
    np.testing.assert_allclose(chosen[chosen["model"] == "cnn"]["score_mean"], expected["score_mean"])
    np.testing.assert_allclose(chosen[chosen["model"] == "cnn"]["auc_mean"], expected["auc_mean"])
    assert select_points(
        shipped, models={"cnn": {"type": "cnn3d", "epochs": 9}}, features=run["features"], metrics=METRIC
    ).empty
    # Mixed in, the other entries' points would change the prediction: kept apart, they do not.
    target = pd.DataFrame({"dataset": ["new"], "feature": ["rad"], "metric": ["silhouette"], "score_mean": [0.2]})
    got = predict_auc(chosen, target, models=["cnn"], families={"new": "new"})["predicted_auc"].iloc[0]
    assert got == pytest.approx(float(expit(0.3 + 4 * 0.2)), abs=0.01)
    mixed = points.assign(
        model="cnn", feature="rad", metric="silhouette", dataset=points["dataset"] + points.index.astype(str)
    )
    mixed_cal, kept_cal = calibrate(mixed), calibrate(chosen[chosen["model"] == "cnn"])
    grid = np.linspace(0.0, 0.4, 9)
    assert np.abs(mixed_cal.fit.predict(grid) - kept_cal.fit.predict(grid)).max() > 0.05
    assert mixed_cal.lofo_mae > 0.05 > 0.01 > kept_cal.lofo_mae


def test_duplicates_across_sources_keep_the_first():
    rng = np.random.default_rng(14)
    run_points = simulate(rng, 4, 1).assign(source="trained")
    shipped = run_points.assign(auc_mean=0.5, source="resources/calibration/calibration.tsv")
    chosen = select_points(pd.concat([run_points, shipped]), models=MODEL, features=FEATURE, metrics=METRIC)
    assert len(chosen) == 4 and set(chosen["source"]) == {"trained"}


def run_files(tmp_path, rng, datasets, features, models, shift=None):
    """A run's ``metrics/summary.tsv`` and ``models/folds.tsv`` (three folds each) written under ``tmp_path``."""
    metric_summary, model_summary = summaries(rng, datasets, features, models, shift or {})
    folds = model_summary.loc[model_summary.index.repeat(3), ["dataset", "model", "auc_mean"]]
    folds = folds.rename(columns={"auc_mean": "auc"}).assign(fold=np.tile([0, 1, 2], len(model_summary)))
    folds["auc"] += np.tile([-0.01, 0.0, 0.01], len(model_summary))
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_table(metric_summary, tmp_path / "summary.tsv")
    write_table(folds.assign(source="trained"), tmp_path / "folds.tsv")
    return tmp_path / "summary.tsv", tmp_path / "folds.tsv"


def test_a_table_exported_by_one_run_calibrates_another_with_the_same_entries_only(tmp_path):
    """Export a calibration run's points; another run takes them for its entries of the same type and options
    (options that do not change results, like ``shards``, not compared), and its own points first."""
    from difficulty.prediction.jobs import collect_points

    rng = np.random.default_rng(15)
    shipped_features = {"rad": {"type": "radiomics", "params": "fast", "shards": 4}}
    datasets = [f"d{i}" for i in range(11)]
    scores, folds = run_files(tmp_path / "cal", rng, datasets, shipped_features, {"cnn": MODEL["cnn"]})
    entries = {"models": MODEL, "features": {"rad": {"type": "radiomics", "params": "fast"}}, "metrics": METRIC}
    collect_points(
        scores=scores,
        folds=folds,
        tables=[],
        output=tmp_path / "points_of_the_calibration_run.tsv",
        entries=entries,
        datasets={d: {"family": d, "kind": "phantom"} for d in datasets},
        export=tmp_path / "shipped.tsv",
    )
    shipped = read_table(tmp_path / "shipped.tsv")
    assert list(shipped.columns) == POINT_COLUMNS and len(shipped) == 11 and set(shipped["source"]) == {"trained"}
    np.testing.assert_allclose(shipped["auc_sd"], 0.01)  # the SD over the three folds
    # Another run: its own dataset d0 (same name: its point is kept, the table's left out), two new ones.
    mine = ["d0", "new1", "new2"]
    run_scores, run_folds = run_files(
        tmp_path / "run", np.random.default_rng(16), mine, {"radiomics": {}}, {"cnn3d": {}}
    )
    fast = {"radiomics": {"type": "radiomics", "params": "fast"}}
    points = tmp_path / "points.tsv"
    run = {"models": {"cnn3d": MODEL["cnn"]}, "features": fast, "metrics": METRIC}

    def collect(tables=(tmp_path / "shipped.tsv",), entries=run, **options):
        collect_points(
            scores=run_scores,
            folds=run_folds,
            tables=list(tables),
            output=points,
            entries=entries,
            datasets={d: {"family": d, "kind": "real"} for d in mine},
            **options,
        )
        return read_table(points)

    got = collect()
    assert len(got) == 3 + 10 and set(got["model"]) == {"cnn3d"} and set(got["feature"]) == {"radiomics"}
    assert got.set_index("dataset").loc["d0", "source"] == "trained"
    assert (got[got["dataset"] != "d0"]["source"].isin(["trained", str(tmp_path / "shipped.tsv")])).all()
    other = {"radiomics": {"type": "radiomics", "params": "study"}}
    got = collect(entries=run | {"features": other})
    assert len(got) == 3 and set(got["source"]) == {"trained"}  # none mixed in
    assert len(collect(trained=False)) == 11  # the table's points only: d0 is the table's again
    assert collect(tables=[], predictors=["radiomics.fid"]).empty
    write_table(shipped.drop(columns="family"), tmp_path / "bad.tsv")
    with pytest.raises(ValueError, match=r"bad.tsv: columns \['family'\] are missing"):
        collect(tables=[tmp_path / "bad.tsv"])


def test_the_predictor_table_names_the_model_entry_and_marks_the_kept_predictor():
    from difficulty.prediction.jobs import PREDICTOR_COLUMNS, predictor_table

    points = simulate(np.random.default_rng(17), 12, 2)
    few = simulate(np.random.default_rng(18), 2, 2).assign(model="tiny")
    table = predictor_table(pd.concat([points, few]), ["cnn", "tiny"], MODEL | {"tiny": None}, 0.9)
    assert list(table.columns) == PREDICTOR_COLUMNS
    cnn = table[table["model"] == "cnn"]
    assert len(cnn) == 2 and cnn["kept"].sum() == 1 and (cnn["model_type"] == "cnn3d").all()
    assert not cnn["rival"].any()  # one measure: its other fit is no rival
    assert (cnn["model_options"] == canonical_options(MODEL["cnn"])).all()
    kept = cnn[cnn["kept"]].iloc[0]
    cal = calibrate(points)
    assert f"{kept['feature']}.{kept['metric']}:{kept['fit']}" == str(cal.predictor)
    assert kept["halfwidth"] == cal.halfwidth and kept["lofo_mae"] == cal.lofo_mae and kept["families"] == 12
    tiny = table[table["model"] == "tiny"].iloc[0]
    assert tiny["note"] == "not fitted: 2 calibration families (f0, f1), 3 needed" and not tiny["kept"]
    assert tiny["model_type"] == ""
    assert (cnn["model_benchmark"].str.contains("0.814 on average over 10 seeds")).all()
    assert tiny["model_benchmark"] == ""


def test_the_benchmarked_figure_is_named_only_for_the_network_and_training_it_measured():
    from difficulty.models.registry import MODELS, benchmark_note

    figure = MODELS.get("cnn3d").benchmark
    assert "0.814" in figure and "cheap stand-in" in figure
    assert benchmark_note({"type": "cnn3d"}) == figure
    # how the AUC is measured does not change the network: the figure stands
    assert benchmark_note({"type": "cnn3d", "split": "official", "folds": 5, "validation": 0.1}) == figure
    assert benchmark_note({"type": "cnn3d", "channels": [8, 16, 32], "lr": 0.003}) == figure
    for changed in ({"epochs": 20}, {"channels": [16, 32, 64]}, {"dropout": 0.5}, {"augment": False}):
        assert benchmark_note({"type": "cnn3d"} | changed) == "", changed
    assert benchmark_note({"type": "resnet3d", "depth": 18}) == ""  # not benchmarked


def test_the_answer_table_reads_the_prediction_first_then_the_measured_auc():
    from difficulty.analysis.answer import answer_table

    labels = {
        d: pd.DataFrame({"case_id": list("abcd"), "patient_id": list("abcd"), "label": list("0011")})
        for d in ("easy", "hard", "new")
    }
    scores = pd.DataFrame(
        {
            "dataset": ["easy"] * 2 + ["hard"] * 2 + ["new"] * 2,
            "feature": "rad",
            "metric": "sil",
            "score": [0.5, 0.6, 0.1, 0.2, 0.3, 0.4],
        }
    )
    models = pd.DataFrame({"dataset": ["easy", "hard"], "model": "cnn", "auc_mean": [0.9, 0.6], "auc_sd": 0.01})
    predictions = pd.DataFrame(
        {
            "dataset": ["easy", "hard", "new"],
            "model": "cnn",
            "predicted_auc": [0.88, math.nan, 0.75],
            "ci_low": [0.8, math.nan, 0.6],
            "ci_high": [0.95, math.nan, 1.0],
            "outside_calibration": [False, pd.NA, True],
            "note": [
                "",
                "leave-one-family-out: calibrated without family 'hard'; not fitted: 2 calibration families "
                "(a, b), 3 needed",
                "outside calibration: ...",
            ],
        }
    )
    table = answer_table(labels, scores, models, ("rad", "sil"), True, predictions)
    assert list(table.columns[:13]) == [
        "dataset",
        "difficulty_rank",
        "cases",
        "patients",
        "classes",
        "imbalance",
        "class_sizes",
        "cnn.predicted_auc",
        "cnn.predicted_ci_low",
        "cnn.predicted_ci_high",
        "cnn.prediction",
        "cnn.auc_mean",
        "cnn.auc_sd",
    ]
    assert list(table.columns[13:]) == ["rad.sil", "rad.sil_ci_low", "rad.sil_ci_high"]
    rows = table.set_index("dataset")
    assert list(table["dataset"]) == ["easy", "new", "hard"]
    assert rows.loc["easy", "cnn.prediction"] == "0.88 [0.80, 0.95]"
    assert rows.loc["new", "cnn.prediction"] == "0.75 [0.60, 1.00] outside calibration"
    assert rows.loc["hard", "cnn.prediction"] == "no prediction: 2 calibration families, 3 needed"
    assert math.isnan(rows.loc["new", "cnn.auc_mean"]) and rows.loc["hard", "cnn.auc_mean"] == 0.6
    without = answer_table(labels, scores, models, ("rad", "sil"), True)
    assert "cnn.prediction" not in without and list(without.columns[-2:]) == ["cnn.auc_mean", "cnn.auc_sd"]


SHIPPED = REPO / "resources" / "calibration" / "default.tsv"


def test_the_shipped_calibration_table_matches_the_config_that_made_it_and_the_default_run():
    """resources/calibration/default.tsv holds every trained dataset of config/calibration.yaml with its family,
    and exactly its entries (type and options as points compare them), which are the default run's."""
    import yaml

    from difficulty.pipeline.config import resolve

    plan = resolve(yaml.safe_load((REPO / "config" / "calibration.yaml").read_text()))
    assert REPO / plan.calibration["export"] == SHIPPED and plan.calibration["tables"] == []
    table = read_table(SHIPPED)
    assert list(table.columns) == POINT_COLUMNS and set(table["source"]) == {"trained"}
    assert sorted(table["dataset"].unique()) == sorted(plan.trained)
    assert dict(zip(table["dataset"], table["family"])) == {d: plan.families[d] for d in plan.trained}
    assert table["family"].nunique() >= 10
    default = resolve(yaml.safe_load((REPO / "config" / "config.yaml").read_text())).comparable_entries()
    for kind, column in (("models", "model"), ("features", "feature"), ("metrics", "metric")):
        got = set(table[[column, f"{column}_type", f"{column}_options"]].itertuples(index=False, name=None))
        made = {(name, spec["type"], canonical_options(spec)) for name, spec in plan.comparable_entries()[kind].items()}
        assert got == made  # the default run has each of them (the models: among others)
        assert made <= {(name, spec["type"], canonical_options(spec)) for name, spec in default[kind].items()}
    assert dict(zip(table["dataset"], table["kind"])) == {d: plan.kinds[d] for d in plan.trained}
    sizes = [len(plan.models), len(plan.features), len(plan.metrics)]
    assert len(table) == len(plan.trained) * int(np.prod(sizes)) and not table.duplicated(KEYS).any()
    assert table["auc_mean"].between(0, 1).all() and np.isfinite(table["score_mean"]).all()


@pytest.mark.parametrize(
    "config, made",
    [
        ("adrenal64_native.yaml", ["adrenal64"]),
        ("calibration_ladders.yaml", ["adrenal_blur3", "adrenal_blur6", "adrenal_lowres6", "adrenal_lowres14"]),
    ],
)
def test_the_rows_spliced_into_the_shipped_table_come_from_the_calibrations_own_entries(config, made):
    """benchmarks/adrenal64_native.yaml made the table's adrenal64 rows, benchmarks/calibration_ladders.yaml its
    blur and lower-resolution steps: each must hold config/calibration.yaml's seed, entries and dataset entries
    exactly (a variant's parent included), so that its rows are the ones the calibration config gives."""
    import yaml

    from difficulty.pipeline.config import resolve

    calibration = resolve(yaml.safe_load((REPO / "config" / "calibration.yaml").read_text()))
    spliced = resolve(yaml.safe_load((REPO / "benchmarks" / config).read_text()))
    assert spliced.seed == calibration.seed and set(made) <= set(spliced.datasets)
    assert set(spliced.datasets) == set(made) | {spliced.datasets[d].parent or d for d in made}
    for name, spec in spliced.datasets.items():
        assert spec == calibration.datasets[name], name
    for kind in ("features", "metrics", "models"):  # resolved: the bootstrap block is in each metric entry
        assert getattr(spliced, kind) == getattr(calibration, kind), kind


def test_the_answer_table_puts_each_models_prediction_beside_its_measured_auc():
    from difficulty.analysis.answer import answer_table

    labels = {d: pd.DataFrame({"case_id": list("ab"), "patient_id": list("ab"), "label": list("01")}) for d in "xy"}
    scores = pd.DataFrame({"dataset": ["x", "y"], "feature": "rad", "metric": "sil", "score": [0.5, 0.1]})
    models = pd.DataFrame({"dataset": ["x", "x"], "model": ["a", "b"], "auc_mean": [0.9, 0.8], "auc_sd": 0.01})
    predictions = pd.DataFrame(
        {
            "dataset": ["x", "y"] * 2,
            "model": ["a", "a", "b", "b"],
            "predicted_auc": 0.7,
            "ci_low": 0.6,
            "ci_high": 0.8,
            "outside_calibration": False,
            "note": "",
        }
    )
    table = answer_table(labels, scores, models, ("rad", "sil"), True, predictions)
    block = ["predicted_auc", "predicted_ci_low", "predicted_ci_high", "prediction", "auc_mean", "auc_sd"]
    assert list(table.columns[7:19]) == [f"{m}.{c}" for m in "ab" for c in block]
    assert list(table.columns[19:]) == ["rad.sil", "rad.sil_ci_low", "rad.sil_ci_high"]


def test_the_forest_plot_draws_each_models_interval_and_the_measured_dot(tmp_path, monkeypatch):
    import difficulty.prediction.plots as plots

    predictions = pd.DataFrame(
        {
            "dataset": ["easy", "hard", "new"] * 2,
            "model": ["resnet18"] * 3 + ["cnn3d"] * 3,
            "predicted_auc": [0.95, 0.7, 0.8, 0.9, 0.65, np.nan],
            "ci_low": [0.9, 0.6, 0.7, 0.85, 0.55, np.nan],
            "ci_high": [1.0, 0.8, 0.9, 0.95, 0.75, np.nan],
            "measured_auc": [np.nan, np.nan, np.nan, 0.92, 0.6, np.nan],
            "outside_calibration": [False, False, True, False, False, pd.NA],
        }
    )
    drawn = {}

    def keep(fig, path):
        ax = fig.axes[0]
        lines = [np.asarray(line.get_xdata(), dtype=float) for line in ax.lines]
        drawn["rows"] = [t.get_text() for t in ax.get_yticklabels()]
        drawn["bars"] = sorted(tuple(x) for x in lines if len(x) == 2 and x[0] != x[1])
        dots = [line for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]
        drawn["dots"] = sorted(float(np.asarray(line.get_xdata())[0]) for line in dots)
        original(fig, path)

    original = plots.write_svg
    monkeypatch.setattr(plots, "write_svg", keep)
    plots.forest_plot(predictions, tmp_path / "forest.svg")
    assert drawn["rows"] == ["easy", "new", "hard"]  # by the first model's predicted AUC, highest first
    assert drawn["bars"] == [(0.55, 0.75), (0.6, 0.8), (0.7, 0.9), (0.85, 0.95), (0.9, 1.0)]
    assert drawn["dots"] == [0.6, 0.92]  # the measured AUCs of the trained model only
    svg = (tmp_path / "forest.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and ">easy<" in svg  # text kept as text: it can be inlined
