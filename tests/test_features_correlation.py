"""Feature post-processing, correlation and plots on small known inputs."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from difficulty import io
from difficulty.analysis import correlation, plots
from difficulty.analysis.ranking import rank_measures
from difficulty.analysis.summaries import summarize_metrics, summarize_models
from difficulty.features import postprocess as features
from difficulty.metrics.jobs import join_labels


def table(values):
    df = pd.DataFrame(values)
    df.insert(0, "case_id", [f"c{i}" for i in range(len(df))])
    return df


def test_zscore_drops_nan_and_constant_columns():
    raw = table({"a": [1.0, 2.0, 3.0, 4.0], "const": [5.0] * 4, "nan": [1.0, np.nan, 2.0, 3.0]})
    out = features.zscore_drop_nan(raw)
    assert list(out.columns) == ["case_id", "a"]
    np.testing.assert_allclose(out["a"], (raw["a"] - 2.5) / raw["a"].std(ddof=0))


def test_pca_caps_components_and_reports_variance():
    rng = np.random.default_rng(0)
    raw = table({f"f{i}": rng.normal(size=10) for i in range(30)})
    reduced, variance = features.reduce_pca(raw, 210)
    assert reduced.shape == (10, 1 + 9)  # capped at n - 1
    assert variance["cumulative"].iloc[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(reduced.drop(columns="case_id").mean(), 0, atol=1e-12)


def test_join_labels_aligns_by_case_id_and_reports_missing():
    feats = table({"a": [0.0, 1.0, 2.0]})
    cases = pd.DataFrame({"case_id": ["c2", "c0", "c1"], "label": ["x", "y", "x"], "patient_id": ["p", "q", "r"]})
    X, y, g = join_labels(feats, cases)
    np.testing.assert_array_equal(X[:, 0], [2.0, 0.0, 1.0])
    assert list(y) == ["x", "y", "x"] and list(g) == ["p", "q", "r"]
    with pytest.raises(ValueError, match=r"1 cases have no features \(e.g. \['c9'\]\)"):
        join_labels(feats, pd.concat([cases, cases.iloc[:1].assign(case_id="c9")]))


@pytest.fixture
def runs():
    """Six datasets: bootstrap sessions around a known mean score, folds around a known mean AUC."""
    rng = np.random.default_rng(3)
    datasets = [f"d{i}" for i in range(6)]
    score = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.5])
    auc = np.array([0.55, 0.6, 0.58, 0.75, 0.8, 0.9])
    sessions = rng.normal(0, 0.01, (6, 40))
    folds = rng.normal(0, 0.02, (6, 5))
    scores = pd.DataFrame(
        {
            "dataset": np.repeat(datasets, 40),
            "feature": "radiomics",
            "metric": "sil",
            "score": (score[:, None] + sessions - sessions.mean(axis=1, keepdims=True)).ravel(),
            "higher_is_easier": True,
        }
    )
    fold_table = pd.DataFrame(
        {
            "dataset": np.repeat(datasets, 5),
            "model": "cnn3d",
            "fold": np.tile(range(5), 6),
            "auc": (auc[:, None] + folds - folds.mean(axis=1, keepdims=True)).ravel(),
        }
    )
    return scores, fold_table, score, auc


def test_correlate_across_datasets(runs):
    scores, folds, score, auc = runs
    out = correlation.correlate(scores, folds, n_boot=200, seed=1).iloc[0]
    r, p = stats.pearsonr(score, auc)
    assert out["n_datasets"] == 6 and out["higher_is_easier"]
    assert out["pearson_r"] == pytest.approx(r) and out["pearson_p"] == pytest.approx(p)
    assert out["spearman_r"] == pytest.approx(stats.spearmanr(score, auc)[0])
    assert out["pearson_ci_low"] < r < out["pearson_ci_high"] <= 1
    lodo = [stats.pearsonr(np.delete(score, i), np.delete(auc, i))[0] for i in range(6)]
    assert out["pearson_lodo_low"] == pytest.approx(min(lodo)) and out["pearson_lodo_high"] == pytest.approx(max(lodo))
    again = correlation.correlate(scores, folds, n_boot=200, seed=1).iloc[0]
    assert again["pearson_ci_low"] == out["pearson_ci_low"]


def test_summaries_and_study_mode():
    scores = pd.DataFrame(
        {
            "dataset": np.repeat(["a", "b", "c"], 4),
            "feature": "radiomics",
            "metric": "sil",
            "score": [0.1, 0.2, 0.1, 0.2, 0.3, 0.4, 0.3, 0.4, 0.5, 0.6, 0.5, 0.6],
        }
    )
    summary = summarize_metrics(scores)
    assert summary["score_mean"].tolist() == pytest.approx([0.15, 0.35, 0.55])
    assert summary["sessions"].tolist() == [4, 4, 4]
    folds = pd.DataFrame(
        {"dataset": np.repeat(["a", "b", "c"], 2), "model": "cnn3d", "auc": [0.6, 0.62, 0.7, 0.72, 0.8, 0.82]}
    )
    study = correlation.correlate_study(scores, folds, seed=0).iloc[0]
    assert study["n_pooled"] == 12 and study["pearson_r"] > 0.9


def test_plots_write_png(tmp_path, runs):
    scores, folds, *_ = runs
    corr = correlation.correlate(scores, folds, n_boot=50)
    points = summarize_metrics(scores).assign(score_sd=0.01).merge(summarize_models(folds), on="dataset")
    grid = np.linspace(0, 0.5, 5)
    plots.scatter(points, corr.iloc[0], (grid, grid + 0.4, grid + 0.5), tmp_path / "s.png")
    plots.heatmap(corr, tmp_path / "h.png")
    plots.ranking(rank_measures(corr), tmp_path / "r.png")
    plots.distributions(scores, "sil", tmp_path / "d.png")
    for name in ("s.png", "h.png", "r.png", "d.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "t.parquet"
    io.write_table(pd.DataFrame({"a": [1]}), target)
    with pytest.raises(RuntimeError, match="crash"), io.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert io.read_table(target)["a"].tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]
