"""Feature post-processing, correlation and plots on small known inputs."""

import os

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from difficulty import io
from difficulty.analysis import correlation, plots
from difficulty.analysis.ranking import rank_measures
from difficulty.analysis.summaries import summarize_metrics, summarize_models
from difficulty.features import postprocess as features
from difficulty.figures import plt
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
    unknown = pd.DataFrame({"case_id": [f"x{i}" for i in range(7)], "label": "x", "patient_id": "p"})
    with pytest.raises(ValueError, match=r"7 cases have no features \(e.g. \['x0', 'x1', 'x2', 'x3', 'x4'\]\)"):
        join_labels(table({"a": [0.0, 1.0, 2.0, 3.0]}), pd.concat([cases, unknown]))  # c3: features, no case
    ids = [f"c{i}" for i in range(300)]  # hundreds of cases: counts compared by value
    cases = pd.DataFrame({"case_id": ids[::-1], "label": "x", "patient_id": "p"})
    X, _, _ = join_labels(table({"a": np.arange(300.0)}), cases)
    np.testing.assert_array_equal(X[:, 0], np.arange(300.0)[::-1])


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


@pytest.fixture
def drawn(monkeypatch):
    """(first axes, size in pixels) of each figure the plot functions hand to the PNG writer, newest last."""
    figures = []
    write = plots.write_png

    def keep(fig, path, **kwargs):
        figures.append((fig.axes[0], fig.get_size_inches() * 120))  # before it is closed; its size at 120 dpi
        write(fig, path, **kwargs)

    monkeypatch.setattr(plots, "write_png", keep)
    return figures


def png_size(path):
    """(width, height) in pixels of a PNG, from its header; the file is a PNG with something drawn."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = plt.imread(path)[..., :3]
    assert (pixels.min(axis=-1) < 0.5).mean() > 0.01  # ink, not a blank canvas
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_scatter_draws_each_dataset_its_line_band_and_correlations(tmp_path, runs, drawn):
    scores, folds, score, auc = runs
    corr = correlation.correlate(scores, folds, n_boot=50).iloc[0]
    points = summarize_metrics(scores).assign(score_sd=0.01).merge(summarize_models(folds), on="dataset")
    grid = np.linspace(0, 0.5, 5)
    plots.scatter(points, corr, (grid, grid + 0.4, grid + 0.5), tmp_path / "s.png")
    ax, size = drawn[-1]
    assert png_size(tmp_path / "s.png") == tuple(size.round().astype(int)) == (720, 576)
    x, y = ax.lines[0].get_data()  # the points (errorbar's line), one per dataset
    np.testing.assert_allclose(x, score, atol=1e-12)
    np.testing.assert_allclose(y, auc, atol=1e-12)
    slope, intercept = np.polyfit(score, auc, 1)
    line_x, line_y = next(line for line in ax.lines if line.get_linestyle() == "--").get_data()
    np.testing.assert_allclose(line_y, slope * line_x + intercept, atol=1e-12)
    band = ax.collections[-1].get_paths()[0].vertices  # fill_between: the band from grid + 0.4 to grid + 0.5
    assert band[:, 0].min() == 0 and band[:, 0].max() == 0.5 and band[:, 1].min() == 0.4 and band[:, 1].max() == 1.0
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"Pearson r = {corr['pearson_r']:.2f} [{corr['pearson_ci_low']:.2f}, {corr['pearson_ci_high']:.2f}]" in texts
    assert "n = 6 datasets" in texts and {f"d{i}" for i in range(6)} <= {t.get_text() for t in ax.texts}


def test_heatmap_colours_and_prints_each_correlation(tmp_path, runs, drawn):
    scores, folds, *_ = runs
    two = pd.concat([folds, folds.assign(model="other", auc=folds["auc"][::-1].to_numpy())])
    corr = correlation.correlate(scores, two, n_boot=20)
    plots.heatmap(corr, tmp_path / "h.png")
    ax, size = drawn[-1]
    assert png_size(tmp_path / "h.png") == tuple(size.round().astype(int))
    shown = ax.images[0].get_array()
    by_model = corr.set_index("model")
    np.testing.assert_allclose(
        shown, [[by_model.loc[m, f"{s}_r"] for s in ("pearson", "spearman") for m in ("cnn3d", "other")]]
    )
    assert [t.get_text() for t in ax.get_xticklabels()] == ["r · cnn3d", "r · other", "ρ · cnn3d", "ρ · other"]
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in shown.ravel()]
    assert ax.images[0].get_clim() == (-1, 1)


def test_ranking_draws_each_measure_at_its_agreement_with_its_interval(tmp_path, runs, drawn):
    """Also where the bootstrap interval does not hold the estimate (it did not draw at all before)."""
    scores, folds, *_ = runs
    other = scores.assign(metric="fid", score=scores["score"] * -1.0)
    ranked = rank_measures(correlation.correlate(pd.concat([scores, other]), folds, n_boot=50))
    ranked.loc[0, ["agreement_ci_low", "agreement_ci_high"]] = [0.2, 0.5]  # an estimate above its interval
    ranked.loc[1, ["agreement_ci_low", "agreement_ci_high"]] = np.nan  # an undefined interval
    plots.ranking(ranked, tmp_path / "r.png")
    ax, size = drawn[-1]
    assert png_size(tmp_path / "r.png") == tuple(size.round().astype(int))
    bottom_up = ranked.sort_values("rank", ascending=False)
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(x, bottom_up["agreement"])
    assert list(y) == [0, 1]
    segments = ax.collections[0].get_segments()
    ends = [(s[0][0], s[1][0]) if len(s) else (np.nan, np.nan) for s in segments]  # NaN: nothing drawn
    np.testing.assert_allclose(ends, bottom_up[["agreement_ci_low", "agreement_ci_high"]].to_numpy())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{r}. radiomics · {m.upper()}" for r, m in zip(bottom_up["rank"], bottom_up["metric"])]


def test_distributions_box_each_datasets_sessions(tmp_path, runs, drawn):
    scores, *_ = runs
    plots.distributions(scores, "sil", tmp_path / "d.png")
    ax, size = drawn[-1]
    assert png_size(tmp_path / "d.png") == tuple(size.round().astype(int))
    medians = [line for line in ax.lines if line.get_color() == "C1"]  # boxplot's median lines, box by box
    expected = scores.groupby("dataset")["score"].median().loc[[f"d{i}" for i in range(6)]]
    np.testing.assert_allclose([line.get_ydata()[0] for line in medians], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose([line.get_xdata().mean() for line in medians], range(1, 7))
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"d{i}" for i in range(6)]


def test_roc_draws_each_folds_curve_and_the_pooled_auc(tmp_path, drawn):
    rng = np.random.default_rng(0)
    truth = np.tile([0, 1], 20)
    proba = np.clip(0.5 + 0.3 * (truth - 0.5) + rng.normal(0, 0.25, 40), 0, 1)
    predictions = pd.DataFrame({"fold": np.repeat([0, 1], 20), "label": truth.astype(str)})
    predictions["proba_0"], predictions["proba_1"] = 1 - proba, proba
    plots.roc(predictions, tmp_path / "roc.png", "m on d")
    ax = drawn[-1][0]
    assert png_size(tmp_path / "roc.png") == (600, 540)
    from sklearn.metrics import roc_auc_score

    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"pooled folds: AUC {roc_auc_score(truth, proba):.3f}"
    ]
    assert len(ax.lines) == 2 + 1 + 1  # each fold, the pooled curve, the diagonal
    fpr, tpr = ax.lines[2].get_data()
    assert (np.diff(fpr) >= 0).all() and (np.diff(tpr) >= 0).all() and fpr[-1] == tpr[-1] == 1


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "t.parquet"
    io.write_table(pd.DataFrame({"a": [1]}), target)
    with pytest.raises(RuntimeError, match="crash"), io.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert io.read_table(target)["a"].tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_every_writer_gives_the_mode_the_umask_gives_a_new_file(tmp_path, umask):
    """Tables, figures, grids, JSON and downloads all go through the atomic writer; mkstemp's private mode (0600)
    must not reach a results folder that colleagues read."""
    from difficulty.data.grid import grid_writer
    from difficulty.figures import plt, write_png

    old = os.umask(umask)
    try:
        io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
        io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.tsv")
        fig, _ = plt.subplots()
        write_png(fig, tmp_path / "f.png")
        with io.atomic_path(tmp_path / "s.json") as tmp:
            tmp.write_text("{}")
        with grid_writer(1, tmp_path / "g.npy", tmp_path / "m.npy") as grid:
            grid.write(0, "c", np.ones((2, 2, 2), np.float32), np.ones((2, 2, 2), np.uint8))
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys(["t.parquet", "t.tsv", "f.png", "s.json", "g.npy", "m.npy"], 0o666 & ~umask)
