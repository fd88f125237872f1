"""Correlation statistics, ranking, the answer table and label placement on inputs with known answers."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from difficulty.analysis import answer, correlation, plots, ranking, statistics
from difficulty.analysis import jobs as analysis_jobs
from difficulty.io import write_table
from difficulty.seeding import derive_seed


def test_rowwise_correlations_equal_scipy():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 7)), rng.normal(size=(20, 7))
    y[3] = x[3] * 2 + 1
    pearson = statistics.rowwise_pearson(x, y)
    spearman = statistics.rowwise_spearman(x, np.round(y, 1))  # ties
    for i in range(20):
        assert pearson[i] == pytest.approx(stats.pearsonr(x[i], y[i])[0])
        assert spearman[i] == pytest.approx(stats.spearmanr(x[i], np.round(y[i], 1))[0])
    assert pearson[3] == pytest.approx(1.0)
    assert np.isnan(statistics.rowwise_pearson(np.ones((1, 4)), y[:1, :4]))[0]


def test_rowwise_pearson_is_scale_free():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(10, 6)), rng.normal(size=(10, 6))
    np.testing.assert_allclose(statistics.rowwise_pearson(1e-4 * x, 1e-3 * y), statistics.rowwise_pearson(x, y))


def test_interval_is_the_percentile_interval_of_the_finite_values():
    values = np.r_[np.arange(101.0), np.nan, np.inf, -np.inf]
    assert statistics.interval(values) == pytest.approx((2.5, 97.5))
    assert statistics.interval(values, level=0.5) == pytest.approx((25.0, 75.0))
    assert statistics.interval(values, level=0.2) == pytest.approx((40.0, 60.0))
    assert np.isnan(statistics.interval(np.array([np.nan, np.inf]))).all()
    assert statistics.interval(np.array([0.3, np.nan])) == (0.3, 0.3)


def test_resamples_follow_the_documented_draw_order():
    """Datasets first (n_boot × n), then the sessions of each dataset's draws, then the folds, row-major."""
    rng = np.random.default_rng(3)
    scores, aucs = [rng.normal(size=m) for m in (4, 7, 5, 6)], [rng.uniform(size=m) for m in (3, 2, 5, 4)]
    x, y, distinct = statistics.hierarchical_resamples(scores, aucs, 50, seed=12)
    rng = np.random.default_rng(12)
    drawn = rng.integers(0, 4, (50, 4))
    for values, got in ((scores, x), (aucs, y)):
        expected = np.empty((50, 4))
        for j, v in enumerate(values):
            expected[drawn == j] = v[rng.integers(0, len(v), ((drawn == j).sum(), len(v)))].mean(axis=1)
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(distinct, [len(set(row)) for row in drawn])


def test_resamples_draw_datasets_and_average_their_sessions_and_folds():
    scores = [np.array([0.0, 1.0]), np.array([10.0]), np.array([20.0, 21.0, 22.0])]
    aucs = [np.array([0.5]), np.array([0.6, 0.7]), np.array([0.9])]
    x, y, distinct = statistics.hierarchical_resamples(scores, aucs, 500, seed=1)
    assert x.shape == y.shape == (500, 3) and distinct.shape == (500,)
    # every resampled mean lies in its dataset's range, and pairs stay paired
    in_range = [
        ((x >= 0) & (x <= 1) & (y == 0.5)),
        (x == 10) & (y >= 0.6) & (y <= 0.7),
        (x >= 20) & (x <= 22) & (y == 0.9),
    ]
    assert np.all(in_range[0] | in_range[1] | in_range[2])
    assert set(np.unique(x[in_range[0]])) == {0.0, 0.5, 1.0}  # the two sessions resampled
    assert set(distinct) <= {1, 2, 3} and (distinct == 3).mean() == pytest.approx(6 / 27, abs=0.06)
    again = statistics.hierarchical_resamples(scores, aucs, 500, seed=1)
    np.testing.assert_array_equal(again[0], x)


def test_a_dataset_drawn_twice_is_resampled_inside_twice():
    rng = np.random.default_rng(4)
    scores = [rng.uniform(0, 1, 30), rng.uniform(10, 11, 30), rng.uniform(20, 21, 30)]
    aucs = [rng.uniform(0.5, 0.6, 20), rng.uniform(0.6, 0.7, 20), rng.uniform(0.8, 0.9, 20)]
    x, y, distinct = statistics.hierarchical_resamples(scores, aucs, 2000, seed=5)
    dataset = (x // 10).astype(int)  # which dataset each draw took
    low, high = np.array([a.min() for a in aucs]), np.array([a.max() for a in aucs])
    assert ((low[dataset] <= y) & (y <= high[dataset])).all()  # score and AUC of one draw: one dataset
    np.testing.assert_array_equal(distinct, [len(set(row)) for row in dataset])
    twice = 0
    for b in np.flatnonzero(distinct < 3):
        for d in np.unique(dataset[b]):
            draws = np.flatnonzero(dataset[b] == d)
            if len(draws) > 1:  # the draws of one dataset: each its own resample of sessions and of folds
                twice += 1
                assert len(np.unique(x[b, draws])) == len(draws)
                assert len(np.unique(y[b, draws])) == len(draws)
    assert twice > 1000
    # each draw's inner mean is the mean of len(values) values drawn with replacement: its SD is σ / √len
    first = x[dataset == 0]
    assert first.mean() == pytest.approx(scores[0].mean(), abs=0.01)
    assert first.std() == pytest.approx(scores[0].std() / np.sqrt(30), rel=0.08)
    again = statistics.hierarchical_resamples(scores, aucs, 2000, seed=5)
    for a, b in zip(again, (x, y, distinct), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(statistics.hierarchical_resamples(scores, aucs, 2000, seed=6)[0], x)


def test_resamples_with_fewer_than_three_distinct_datasets_are_not_counted():
    # Three noise-free datasets with r = 0.5: a resample of all three gives 0.5, one of two distinct datasets ±1.
    scores, aucs = [np.array([0.0]), np.array([1.0]), np.array([2.0])], [np.array([0.0]), np.array([2.0]), [1.0]]
    x, y, distinct = statistics.hierarchical_resamples(scores, aucs, 300, seed=2)
    kept_x, kept_y = statistics.counted_resamples(scores, aucs, 300, seed=2)
    np.testing.assert_array_equal(kept_x, x[distinct >= 3])
    np.testing.assert_array_equal(kept_y, y[distinct >= 3])
    assert 0 < len(kept_x) < 300 and (np.sort(kept_x, axis=1) == [0.0, 1.0, 2.0]).all()
    assert set(np.round(statistics.rowwise_pearson(x[distinct == 2], y[distinct == 2]), 12)) == {-1.0, 1.0}
    row = statistics.correlation_statistics(scores, aucs, 300, seed=2)
    assert row["pearson_r"] == pytest.approx(0.5)
    assert row["pearson_ci_low"] == pytest.approx(0.5) and row["pearson_ci_high"] == pytest.approx(0.5)
    assert row["spearman_ci_low"] == pytest.approx(0.5) and row["spearman_ci_high"] == pytest.approx(0.5)
    assert np.isnan(row["pearson_lodo_low"])  # two datasets left: no correlation
    four = statistics.correlation_statistics([*scores, np.array([3.0])], [*aucs, np.array([3.0])], 300, seed=2)
    loo = [stats.pearsonr(np.delete([0, 1, 2, 3.0], i), np.delete([0, 2, 1, 3.0], i))[0] for i in range(4)]
    assert (four["pearson_lodo_low"], four["pearson_lodo_high"]) == pytest.approx((min(loo), max(loo)))


def analysis_inputs():
    """Bootstrap sessions of two features × one metric and folds of two models on six datasets."""
    rng = np.random.default_rng(8)
    datasets = [f"d{i}" for i in range(6)]
    level = np.linspace(0, 1, 6)
    sessions = pd.concat(
        [
            pd.DataFrame({"dataset": d, "feature": f, "metric": "sil", "score": m + rng.normal(0, 0.2, 25)})
            for f in ("deep", "rad")
            for d, m in zip(datasets, level, strict=True)
        ],
        ignore_index=True,
    ).assign(higher_is_easier=True, session=lambda t: t.groupby(["dataset", "feature"]).cumcount(), seed=0)
    folds = pd.concat(
        [
            pd.DataFrame({"dataset": d, "model": model, "fold": range(5)}).assign(
                auc=0.6 + 0.3 * m + rng.normal(0, 0.05, 5)
            )
            for model in ("cnn", "res")
            for d, m in zip(datasets, level, strict=True)
            for noise in [rng.normal(0, 0.05, 5)]
        ],
        ignore_index=True,
    )
    return sessions, folds


def test_each_feature_metric_model_has_its_own_seed():
    sessions, folds = analysis_inputs()
    copy = sessions.query("feature == 'rad'").assign(feature="copy")  # rad's sessions under another name
    sessions = pd.concat([sessions, copy], ignore_index=True)
    table = correlation.correlate(sessions, folds, n_boot=300, seed=7).set_index(["feature", "metric", "model"])
    assert len(table) == 6
    for (feature, metric, model), row in table.iterrows():
        _, score_of, auc_of = correlation.per_dataset(
            sessions.query("feature == @feature"), folds.query("model == @model")
        )
        expected = statistics.correlation_statistics(score_of, auc_of, 300, derive_seed(7, feature, metric, model))
        for key, value in expected.items():
            assert row[key] == pytest.approx(value, nan_ok=True), (feature, model, key)
    rad, copy = table.loc[("rad", "sil", "cnn")], table.loc[("copy", "sil", "cnn")]
    assert rad["pearson_r"] == copy["pearson_r"] and rad["pearson_ci_low"] != copy["pearson_ci_low"]


def blocks_reversed(table, keys):
    """The table with its blocks of rows (one per value of ``keys``) in reverse order, each block's rows kept."""
    return pd.concat([part for _, part in table.groupby(keys, sort=True)][::-1], ignore_index=True)


def test_the_correlation_defaults_and_the_order_of_the_tables_blocks():
    sessions, folds = analysis_inputs()
    table = correlation.correlate(sessions, folds)
    pd.testing.assert_frame_equal(table, correlation.correlate(sessions, folds, n_boot=1000, seed=0))
    assert table[["feature", "model"]].values.tolist() == [
        ["deep", "cnn"],
        ["deep", "res"],
        ["rad", "cnn"],
        ["rad", "res"],
    ]
    reordered = correlation.correlate(
        blocks_reversed(sessions, ["feature", "dataset"]), blocks_reversed(folds, "model")
    )
    pd.testing.assert_frame_equal(reordered, table)


def test_the_study_pooled_test_leaves_out_datasets_without_folds():
    sessions, folds = analysis_inputs()
    folds = folds.query("model == 'cnn'")
    full = correlation.correlate_study(sessions, folds)
    # "a" sorts before every other dataset, "z" after: neither has folds, so neither changes the pooled test.
    extra = sessions.query("dataset == 'd0'").assign(dataset="a")
    more = pd.concat([extra, sessions, extra.assign(dataset="z")], ignore_index=True)
    pd.testing.assert_frame_equal(correlation.correlate_study(more, folds), full)


def test_the_study_pooled_test_is_independent_of_block_order_and_needs_three_sessions():
    sessions, folds = analysis_inputs()
    study = correlation.correlate_study(sessions, folds)
    keys = [["deep", "cnn"], ["deep", "res"], ["rad", "cnn"], ["rad", "res"]]
    assert study[["feature", "model"]].values.tolist() == keys
    pd.testing.assert_frame_equal(study, correlation.correlate_study(sessions, folds, seed=0))
    assert not study.equals(correlation.correlate_study(sessions, folds, seed=1))
    # Datasets and features listed in another order: each dataset's sessions still meet the same AUC draws.
    reordered = correlation.correlate_study(blocks_reversed(sessions, ["feature", "dataset"]), folds)
    pd.testing.assert_frame_equal(reordered, study)
    assert (study["n_pooled"] == 150).all() and (study["pearson_r"] > 0.5).all()
    three = sessions.query("feature == 'rad' and session == 0 and dataset in ['d0', 'd1', 'd2']")
    row = correlation.correlate_study(three, folds.query("model == 'cnn'")).iloc[0]
    assert row["n_pooled"] == 3 and np.isfinite(row["pearson_r"])
    for n in (2, 1):
        row = correlation.correlate_study(three.iloc[:n], folds.query("model == 'cnn'")).iloc[0]
        assert row["n_pooled"] == n and np.isnan(row["pearson_r"]) and np.isnan(row["pearson_p"])


def test_one_session_of_one_dataset_gives_a_row_of_nan():
    sessions, folds = analysis_inputs()
    one = sessions.iloc[:1]
    row = correlation.correlate(one, folds.query("model == 'cnn'"), n_boot=10).iloc[0]
    assert row["n_datasets"] == 1 and row["higher_is_easier"] and np.isnan(row["pearson_r"])
    datasets, scores, _ = correlation.per_dataset(one.assign(score=np.nan), folds)
    assert datasets == [] and scores == []


def test_the_scatter_band_resamples_exactly_as_the_correlation_ci(tmp_path, monkeypatch):
    sessions, folds = analysis_inputs()
    paths = {name: tmp_path / f"{name}.parquet" for name in ("scores", "folds", "table", "ranking")}
    write_table(sessions, paths["scores"])
    write_table(folds, paths["folds"])
    analysis_jobs.correlation_table(
        scores=paths["scores"],
        folds=paths["folds"],
        output=paths["table"],
        ranking=paths["ranking"],
        heatmap=tmp_path / "heatmap.png",
        ranking_plot=tmp_path / "ranking.png",
        options={"bootstrap": 400, "rank_by": "spearman"},
        seed=11,
    )
    assert (tmp_path / "heatmap.png").stat().st_size > 0 and (tmp_path / "ranking.png").stat().st_size > 0
    used, drawn = {}, {}

    def record(*args):
        drawn["x"], drawn["y"] = statistics.counted_resamples(*args)
        return drawn["x"], drawn["y"]

    monkeypatch.setattr(analysis_jobs, "counted_resamples", record)
    monkeypatch.setattr(analysis_jobs.plots, "scatter", lambda points, corr, band, path: used.update(band=band))
    table = pd.read_parquet(paths["table"]).set_index(["feature", "metric", "model"])
    for feature, model in (("rad", "res"), ("deep", "cnn")):
        analysis_jobs.scatter_plot(
            scores=paths["scores"],
            folds=paths["folds"],
            table=paths["table"],
            output=tmp_path / "scatter.png",
            feature=feature,
            metric="sil",
            model=model,
            n_boot=400,
            seed=11,
        )
        row = table.loc[(feature, "sil", model)]
        for name in ("pearson", "spearman"):
            rowwise = statistics.CORRELATIONS[name][1]
            lo, hi = statistics.interval(rowwise(drawn["x"], drawn["y"]))
            assert (lo, hi) == (row[f"{name}_ci_low"], row[f"{name}_ci_high"]), (feature, model, name)
        grid, low, high = used["band"]
        np.testing.assert_array_equal(np.stack([low, high]), statistics.regression_band(drawn["x"], drawn["y"], grid))
        assert len(grid) == 50 and (low <= high).all()


def test_undefined_sessions_are_left_out_with_a_log_line(caplog):
    from difficulty.analysis.summaries import summarize_metrics

    sessions, folds = analysis_inputs()
    sessions = sessions.query("feature == 'rad'").copy()
    sessions.loc[sessions["dataset"] == "d2", "score"] = np.nan  # F1 of a dataset whose features are constant
    sessions.loc[sessions.index[:3], "score"] = np.nan  # three of d0's sessions
    with caplog.at_level("WARNING"):
        datasets, score_of, _ = correlation.per_dataset(sessions, folds.query("model == 'cnn'"))
    assert datasets == ["d0", "d1", "d3", "d4", "d5"] and len(score_of[0]) == 22 and np.isfinite(score_of[0]).all()
    assert "rad · sil: datasets ['d2'] have no defined score" in caplog.text
    row = correlation.correlate(sessions, folds, n_boot=50, seed=1).iloc[0]
    assert row["n_datasets"] == 5 and np.isfinite(row["pearson_r"]) and np.isfinite(row["pearson_ci_low"])
    summary = summarize_metrics(sessions).set_index("dataset")
    assert summary.loc["d2", "sessions"] == 0 and np.isnan(summary.loc["d2", "score_mean"])
    assert summary.loc["d0", "sessions"] == 22


def test_interval_tightens_as_within_dataset_noise_falls():
    rng = np.random.default_rng(2)
    means = np.linspace(0, 1, 8)
    widths = []
    for noise in (0.3, 0.01):
        scores = [m + rng.normal(0, noise, 50) for m in means]
        aucs = [0.5 + 0.4 * m + rng.normal(0, noise / 3, 5) for m in means]
        row = statistics.correlation_statistics(scores, aucs, 400, seed=3)
        assert row["pearson_ci_low"] <= row["pearson_r"] <= row["pearson_ci_high"]
        widths.append(row["pearson_ci_high"] - row["pearson_ci_low"])
    assert widths[1] < widths[0]


def test_degenerate_inputs_give_nan_not_a_number():
    row = statistics.correlation_statistics([np.ones(3), np.ones(3)], [np.ones(2), np.zeros(2)], 100, seed=0)
    assert row["n_datasets"] == 2 and np.isnan(row["pearson_r"]) and np.isnan(row["spearman_ci_low"])


def test_leave_one_dataset_out_and_no_datasets_at_all():
    x, y = np.array([0.0, 0.1, 0.2, 0.3, 0.4]), np.array([0.1, 0.4, 0.2, 0.9, 0.7])  # ranges below 1
    scores, aucs = [np.array([v]) for v in x], [np.array([v]) for v in y]
    row = statistics.correlation_statistics(scores, aucs, 0, seed=0)
    loo = [stats.spearmanr(np.delete(x, i), np.delete(y, i))[0] for i in range(5)]
    assert (row["spearman_lodo_low"], row["spearman_lodo_high"]) == pytest.approx((min(loo), max(loo)))
    assert np.isnan(row["spearman_ci_low"])  # n_boot 0: no interval
    two = statistics.correlation_statistics(scores[:2], aucs[:2], 100, seed=0)
    assert np.isnan([two["pearson_r"], two["spearman_p"], two["pearson_ci_low"], two["pearson_lodo_low"]]).all()
    one = statistics.correlation_statistics(scores, aucs, 1, seed=0)  # one resample: its r is the interval
    assert np.isfinite(one["pearson_ci_low"]) and one["pearson_ci_low"] == one["pearson_ci_high"]
    empty = statistics.correlation_statistics([], [], 100, seed=0)  # a model that shares no dataset
    assert empty["n_datasets"] == 0 and np.isnan([empty["pearson_r"], empty["pearson_ci_high"]]).all()


def test_regression_band_is_the_percentile_band_of_the_resampled_lines():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(300, 6))
    y = 0.5 * x + rng.normal(0, 0.3, size=(300, 6))
    x[:5] = 1e-3  # resamples of one value: no line, left out
    grid = np.array([-1.0, 0.0, 2.0])
    slope = np.array([np.polyfit(a, b, 1)[0] for a, b in zip(x[5:], y[5:], strict=True)])
    lines = y[5:].mean(axis=1)[:, None] + slope[:, None] * (grid[None, :] - x[5:].mean(axis=1)[:, None])
    for level in (0.95, 0.5):
        low, high = statistics.regression_band(x, y, grid, level)
        tail = 100 * (1 - level) / 2
        np.testing.assert_allclose(low, np.percentile(lines, tail, axis=0))
        np.testing.assert_allclose(high, np.percentile(lines, 100 - tail, axis=0))
    small = statistics.regression_band(1e-3 * x[5:], 1e-3 * y[5:], 1e-3 * grid)
    np.testing.assert_allclose(small, 1e-3 * np.array(statistics.regression_band(x[5:], y[5:], grid)))


def test_regression_band_contains_the_line_of_noise_free_data():
    grid = np.linspace(0, 1, 5)
    x = np.tile(np.linspace(0, 1, 6), (100, 1))
    low, high = statistics.regression_band(x, 2 * x + 1, grid)
    np.testing.assert_allclose(low, 2 * grid + 1)
    np.testing.assert_allclose(high, 2 * grid + 1)


def correlation_rows():
    return pd.DataFrame(
        {
            "feature": ["rad", "rad", "deep"],
            "metric": ["sil", "knn_error", "sil"],
            "model": "cnn",
            "higher_is_easier": [True, False, True],
            "n_datasets": 6,
            "spearman_r": [0.5, -0.9, 0.7],
            "spearman_ci_low": [0.1, -1.0, -0.2],
            "spearman_ci_high": [0.8, -0.6, 0.95],
            "spearman_lodo_low": [0.4, -0.95, 0.5],
            "spearman_lodo_high": [0.6, -0.8, 0.8],
        }
    )


def test_ranking_signs_by_direction_and_ranks_by_the_lower_bound():
    ranked = ranking.rank_measures(correlation_rows())
    assert ranked["metric"].tolist() == ["knn_error", "sil", "sil"]
    assert ranked["feature"].tolist() == ["rad", "rad", "deep"]  # deep's CI reaches below rad's
    first = ranked.iloc[0]
    assert (first["rank"], first["agreement"], first["agreement_ci_low"], first["agreement_ci_high"]) == (
        1,
        0.9,
        0.6,
        1.0,
    )
    assert ranking.best_measure(ranked) == ("rad", "knn_error")
    with pytest.raises(ValueError, match="rank_by"):
        ranking.rank_measures(correlation_rows(), by="kendall")


def test_answer_table_orders_easiest_first_by_the_measure_direction():
    labels = {
        "a": pd.DataFrame({"case_id": list("abcd"), "patient_id": list("aabc"), "label": [0, 0, 0, 1]}),
        "b": pd.DataFrame({"case_id": list("abcd"), "patient_id": list("abcd"), "label": [0, 1, 0, 1]}),
    }
    scores = pd.DataFrame(
        {
            "dataset": ["a"] * 3 + ["b"] * 3,
            "feature": "rad",
            "metric": "knn_error",
            "score": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )
    scores = pd.concat([scores.assign(feature="deep", metric="sil", score=1 - scores["score"]), scores])
    models = pd.DataFrame({"dataset": ["a", "b"], "model": "cnn", "auc_mean": [0.9, 0.6], "auc_sd": [0.01, 0.05]})
    table = answer.answer_table(labels, scores, models, ("rad", "knn_error"), higher_is_easier=False)
    assert table["dataset"].tolist() == ["a", "b"] and table["difficulty_rank"].tolist() == [1, 2]
    a = table.iloc[0]
    assert (a["cases"], a["patients"], a["classes"], a["imbalance"], a["class_sizes"]) == (4, 3, 2, 3.0, "0 3, 1 1")
    assert a["rad.knn_error"] == pytest.approx(0.2) and a["cnn.auc_mean"] == 0.9
    assert a["rad.knn_error_ci_low"] == pytest.approx(np.percentile([0.1, 0.2, 0.3], 2.5))
    assert list(table.columns[7:10]) == ["rad.knn_error", "rad.knn_error_ci_low", "rad.knn_error_ci_high"]
    named = answer.answer_table(labels, scores, models, ("rad", "knn_error"), False, classes={"a": {"0": "normal"}})
    assert named.set_index("dataset")["class_sizes"].to_dict() == {"a": "normal 3, 1 1", "b": "0 2, 1 2"}
    flipped = answer.answer_table(labels, scores, models, ("rad", "knn_error"), higher_is_easier=True)
    assert flipped["dataset"].tolist() == ["b", "a"]


def test_labels_of_close_points_do_not_overlap():
    fig, ax = plt.subplots(figsize=(5, 4))
    x = np.array([0.30, 0.301, 0.302, 0.6, 0.9])
    y = np.array([0.70, 0.701, 0.699, 0.8, 0.9])
    ax.plot(x, y, "o")
    ax.set_xlim(0.28, 0.91)
    fig.tight_layout()
    names = ["adrenal_noise20", "adrenal_noise30", "adrenal_noise10", "adrenal", "synthetic_sep100"]
    labels = plots.place_labels(ax, x, y, names)
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert [label.get_text() for label in labels] == names
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (names[i], names[j])
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    plt.close(fig)
