"""Correlation statistics, ranking, the answer table and label placement on inputs with known answers."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from difficulty.analysis import answer, plots, ranking, statistics


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
    assert (a["cases"], a["patients"], a["classes"], a["imbalance"]) == (4, 3, 2, 3.0)
    assert a["rad.knn_error"] == pytest.approx(0.2) and a["cnn.auc_mean"] == 0.9
    assert a["rad.knn_error_ci_low"] == pytest.approx(np.percentile([0.1, 0.2, 0.3], 2.5))
    assert list(table.columns[6:9]) == ["rad.knn_error", "rad.knn_error_ci_low", "rad.knn_error_ci_high"]
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
