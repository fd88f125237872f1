"""Ladder trends: does a measure's ease fall with each step of known difficulty?"""

import numpy as np
import pandas as pd
import pytest

from difficulty.analysis import ladder_trends, summarize_metrics


def test_ladder_trends_follow_the_direction_of_each_measure():
    steps = ["easy", "mid", "hard", "hardest"]
    summary = pd.DataFrame(
        {
            "dataset": steps * 3 + ["other"],
            "feature": ["f"] * 13,
            "metric": ["sil"] * 4 + ["n1"] * 4 + ["fid"] * 4 + ["sil"],
            "score_mean": [0.4, 0.3, 0.2, 0.1] + [0.1, 0.2, 0.3, 0.4] + [0.5, 0.2, 0.3, 0.1] + [9.0],
        }
    )
    table = ladder_trends(summary, {"noise": steps}, {"sil": True, "n1": False, "fid": True}).set_index("metric")
    assert table.loc["sil", "spearman"] == pytest.approx(-1.0) and table.loc["sil", "monotonic"]
    assert table.loc["n1", "spearman"] == pytest.approx(-1.0) and table.loc["n1", "monotonic"]  # lower is easier
    assert table.loc["fid", "spearman"] == pytest.approx(-0.8) and not table.loc["fid", "monotonic"]
    assert (table["n_steps"] == 4).all() and table.loc["sil", "scores"] == "0.4, 0.3, 0.2, 0.1"


def test_an_incomplete_or_flat_ladder_has_no_trend():
    summary = pd.DataFrame(
        {"dataset": ["a", "b", "c", "a", "b"], "feature": "f", "metric": ["m"] * 3 + ["k"] * 2}
        | {"score_mean": [1.0, 1.0, 1.0, 0.5, 0.4]}
    )
    table = ladder_trends(summary, {"l": ["a", "b", "c"]}, {"m": True, "k": True}).set_index("metric")
    assert np.isnan(table.loc["m", "spearman"]) and not table.loc["m", "monotonic"]
    assert table.loc["k", "n_steps"] == 2 and np.isnan(table.loc["k", "spearman"])


def test_the_direction_comes_from_the_summary():
    scores = pd.DataFrame(
        {"dataset": ["a", "b", "c"] * 2, "feature": "f", "metric": ["knn_error"] * 3 + ["knn_auc"] * 3}
        | {"score": [0.1, 0.2, 0.3, 0.9, 0.8, 0.7], "higher_is_easier": [False] * 3 + [True] * 3}
    )
    summary = summarize_metrics(pd.concat([scores, scores]))
    assert (summary["higher_is_easier"] == (summary["metric"] == "knn_auc")).all() and len(summary) == 6
    table = ladder_trends(summary, {"l": ["a", "b", "c"]})
    assert table["spearman"].tolist() == pytest.approx([-1.0, -1.0]) and table["monotonic"].all()


def test_a_bootstrap_job_writes_the_direction_of_its_metric(tmp_path, caplog):
    from difficulty.io import read_table, write_table
    from difficulty.metrics.jobs import bootstrap_chunk

    rng = np.random.default_rng(0)
    ids = [f"c{i}" for i in range(20)]
    features = pd.DataFrame({"case_id": ids, "a": rng.normal(size=20), "b": rng.normal(size=20)})
    write_table(features, tmp_path / "f.parquet")
    labels = pd.DataFrame({"case_id": ids, "patient_id": ids, "label": ["x", "y"] * 10})
    write_table(labels, tmp_path / "l.parquet")
    spec = {"type": "n2", "chunks": 1, "sessions_per_chunk": 2, "fraction": 0.6, "patient_wise": False}
    caplog.set_level("INFO", logger="difficulty")
    out = tmp_path / "out.parquet"

    def scores(sessions):
        files = {"features": tmp_path / "f.parquet", "labels": tmp_path / "l.parquet", "output": out}
        keys = {"dataset": "d", "feature": "f", "metric": "complexity", "chunk": 0}
        bootstrap_chunk(**files, **keys, spec=spec | {"sessions_per_chunk": sessions}, seed=1)
        return read_table(out)

    table = scores(2)
    assert len(table) == 2 and not table["higher_is_easier"].any()  # N2: lower is easier
    two = table["score"].to_numpy()
    assert f"mean {two.mean():.4f}, sd {two.std(ddof=1):.4f}" in caplog.messages and two[0] != two[1]
    one = scores(1)["score"].iloc[0]
    assert caplog.messages[-1] == f"mean {one:.4f}, sd 0.0000"  # one session: no spread
