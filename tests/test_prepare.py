"""The data stage's jobs with a source that misbehaves, bad and skipped cases, and the checks of dataset entries.

A test source (registered for these tests only, removed after) gives four small cases and can be told to give
them out of order, to give too few, or to give bad cases.
"""

import dataclasses
import logging

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import prepared
from difficulty.data import SOURCES, Case, datasets, resolve_dataset
from difficulty.data.jobs import merge_cases, prepare_shard, write_labels
from difficulty.data.qc import BadCase
from difficulty.data.sources import register_source
from difficulty.errors import DataError
from difficulty.options import ConfigError, Option


@pytest.fixture
def toy():
    """The source ``toy``: cases c0..c3 (labels a b a b, patients p0 p0 p1 p2), ``mode`` says how it misbehaves
    (``swap_descending``: the case table lists c3..c0; ``off_grid``: c1's mask has another shape; ``many``: 300
    cases c0..c299; ``three_``: the first three cases only; ``short_one_bad``: both; ``extra``: a case c9 after
    the table's)."""

    def cases(spec):
        if spec["mode"] == "many":
            n = 300
            return pd.DataFrame(
                {"case_id": [f"c{i}" for i in range(n)], "patient_id": "p", "label": ["a", "b"] * (n // 2)}
            )
        table = pd.DataFrame(
            {
                "case_id": [f"c{i}" for i in range(4)],
                "patient_id": ["p0", "p0", "p1", "p2"],
                "label": ["a", "b", "a", "b"],
            }
        )
        if spec["mode"] == "swap_descending":
            return table[::-1].reset_index(drop=True)
        return table[:3] if spec["mode"].startswith("three") else table

    @register_source("toy", cases=cases, options={"mode": Option("ok", "how to misbehave", {"type": "string"})})
    def read(spec, rows, seed):
        ids = list(rows["case_id"])
        if spec["mode"].startswith("swap"):
            ids = ids[::-1]
        if "short" in spec["mode"]:
            ids = ids[:-1]
        if spec["mode"] == "extra":
            ids = [*ids, "c9"]
        for case_id in ids:
            if spec["mode"] == "bad" or (spec["mode"].endswith("one_bad") and case_id == "c1"):
                yield BadCase(case_id, "unreadable on purpose")
                continue
            image = np.full((6, 6, 6), float(case_id[1:]) + 1, np.float32)
            mask = np.zeros((5, 6, 6) if spec["mode"] == "off_grid" and case_id == "c1" else (6, 6, 6), bool)
            mask[1:5, 1:5, 1:5] = True
            yield Case(case_id, image, mask, (2.0, 1.0, 1.0))

    yield "toy"
    SOURCES.remove("toy")


def shard(tmp_path, spec, k=0):
    base = tmp_path / f"shard{k}"
    outputs = {"cases": base / "cases.parquet", "images": base / "grid.npy", "masks": base / "grid_masks.npy"}
    prepare_shard(spec=spec, seed=0, shard=k, skipped=base / "skipped.tsv", **outputs)
    return base


def test_a_source_that_gives_cases_out_of_order_or_too_few_is_stopped(toy, tmp_path):
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "swap"})
    with pytest.raises(DataError, match=r"dataset 'd', shard 0: source 'toy' gave case 'c3' out of the case tabl"):
        shard(tmp_path, spec)
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "swap_descending"})
    with pytest.raises(DataError, match=r"dataset 'd', shard 0: source 'toy' gave case 'c0' out of the case tabl"):
        shard(tmp_path, spec)  # c0 where the table has c3 first: out of order whichever way the ids sort
    with pytest.raises(DataError, match=r"dataset 'd', shard 0: source 'toy' gave case 'c9' out of the case tabl"):
        shard(tmp_path, resolve_dataset({"name": "d", "source": toy, "mode": "extra"}))  # one more than the table
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "short", "shards": 2})
    with pytest.raises(DataError, match=r"dataset 'd', shard 1: source 'toy' gave 1 of 2 cases"):
        shard(tmp_path, spec, k=1)  # shard 1: c1 and c3; the source gives c1 only
    with pytest.raises(DataError, match=r"dataset 'd', shard 0: source 'toy' gave 3 of 4 cases"):
        shard(tmp_path, resolve_dataset({"name": "d", "source": toy, "mode": "short"}))
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "short_one_bad", "on_bad_case": "skip"})
    with pytest.raises(DataError, match=r"dataset 'd', shard 0: source 'toy' gave 3 of 4 cases"):
        shard(tmp_path, spec)  # the cases skipped count as given: 2 kept, 1 skipped
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "three_short_one_bad", "on_bad_case": "skip"})
    with pytest.raises(DataError, match=r"dataset 'd', shard 0: source 'toy' gave 2 of 3 cases"):
        shard(tmp_path, spec)  # 1 kept, 1 skipped
    assert not list(tmp_path.rglob("*.npy")) and not list(tmp_path.rglob("*.parquet"))  # nothing half-written


def test_a_shard_of_bad_cases_only_stops_and_a_bad_case_stops_without_skip(toy, tmp_path):
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "bad", "on_bad_case": "skip"})
    with pytest.raises(DataError, match=r"dataset 'd', shard 0: none of the 4 cases could be used"):
        shard(tmp_path, spec)
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "one_bad"})
    with pytest.raises(DataError, match=r"dataset 'd', case 'c1': unreadable on purpose\. Fix or remove the case"):
        shard(tmp_path, spec)


def test_a_skipped_case_is_in_no_table_its_row_stays_zero_and_the_merge_says_so(toy, tmp_path, caplog):
    caplog.set_level("INFO", logger="difficulty")
    entry = {"source": toy, "mode": "one_bad", "on_bad_case": "skip", "shards": 2}
    data = prepared(tmp_path, entry)
    assert data.cases["case_id"].tolist() == ["c0", "c2", "c3"]
    assert data.cases[["shard", "row"]].values.tolist() == [[0, 0], [0, 1], [1, 1]]
    assert np.load(tmp_path / "shard1" / "grid.npy")[0].max() == 0  # c1's row: never written
    assert [float(data.grid[i].max()) for i in range(3)] == [1.0, 3.0, 4.0]
    skipped = pd.read_csv(tmp_path / "shard1" / "skipped.tsv", sep="\t")
    assert skipped[["case_id", "outcome", "problem"]].values.tolist() == [["c1", "skipped", "unreadable on purpose"]]
    qc = pd.read_csv(tmp_path / "qc.tsv", sep="\t")
    assert qc.query("outcome == 'skipped'")["case_id"].tolist() == ["c1"]
    messages = [r.getMessage() for r in caplog.records]
    assert "dataset 'd': case 'c1' skipped: unreadable on purpose" in messages
    assert any(m == f"1 case(s) skipped, listed in {tmp_path / 'qc.tsv'}" for m in messages)
    assert "3 cases, labels {'a': 2, 'b': 1}" in messages
    assert [r.levelno for r in caplog.records if "skipped" in r.getMessage()] == [logging.WARNING] * 2
    for rows in ([2, 0], [1, 1]):
        with pytest.raises(ValueError, match="ascending case positions"):
            data.subset(rows)
    assert data.subset([0, 2]).case_ids.tolist() == ["c0", "c3"]
    assert data.subset([0, 1]).case_ids.tolist() == ["c0", "c2"]
    assert data.subset([0, 1]).cases.equals(data.cases.iloc[:2])  # the same columns, positions from 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.seed = 1  # a prepared dataset is a read-only view


def test_a_shard_of_hundreds_of_cases_and_its_case_table_columns(toy, tmp_path):
    data = prepared(tmp_path, {"source": toy, "mode": "many"})
    assert data.cases["case_id"].tolist() == [f"c{i}" for i in range(300)]
    geometry = [f"{what}_{axis}" for what in ("shape", "spacing") for axis in "zyx"]
    assert data.cases.columns.tolist()[:3] == ["case_id", "patient_id", "label"] and "index" not in data.cases
    assert set(geometry + ["mask_voxels", "shard", "row"]) <= set(data.cases.columns)


def test_a_case_that_cannot_come_onto_the_grid_is_a_bad_case(toy, tmp_path):
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "off_grid"})
    with pytest.raises(DataError, match=r"case 'c1': image shape \(6, 6, 6\) and mask shape \(5, 6, 6\) differ"):
        shard(tmp_path, spec)
    skip = yaml.safe_load("name: d\nmode: off_grid\non_bad_case: skip")  # YAML's strings, as a config has them
    data = prepared(tmp_path / "skip", {"source": toy, **skip})
    assert data.cases["case_id"].tolist() == ["c0", "c2", "c3"]


def test_an_image_variant_changes_each_good_case_and_passes_a_bad_one(toy):
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "one_bad"})
    chain = [{"dataset": "noisy", "variant": "image_noise", "options": {"image_noise": 0.5}, "seed": 7}]
    rows = SOURCES.get(toy).cases(spec)
    plain = list(datasets.read_originals(spec, rows, 0))
    changed = list(datasets.read_originals(spec | {"images": chain}, rows, 0))
    assert [type(c) for c in changed] == [Case, BadCase, Case, Case] and changed[1] == plain[1]
    for before, after in zip(plain[::2], changed[::2]):
        assert after.case_id == before.case_id and after.image.shape == before.image.shape
        assert 0.3 < np.std(after.image - before.image) < 0.7


def test_merging_refuses_a_dataset_left_with_one_class(toy, tmp_path):
    spec = resolve_dataset({"name": "d", "source": toy, "mode": "one_bad", "on_bad_case": "skip", "shards": 2})
    bases = [shard(tmp_path, spec, k) for k in (0, 1)]
    shards = [b / "cases.parquet" for b in bases]
    only_a = pd.read_parquet(shards[0])  # c0 and c2: both 'a'
    only_a.to_parquet(shards[1])
    with pytest.raises(DataError, match=r"dataset 'd' \(1 case\(s\) skipped\): every case has label 'a'"):
        merge_cases(
            shards=shards,
            skipped=[b / "skipped.tsv" for b in bases],
            output=tmp_path / "cases.parquet",
            source=tmp_path / "source.json",
            qc=tmp_path / "qc.tsv",
            spec=spec,
            seed=0,
        )
    assert not (tmp_path / "cases.parquet").exists()


def test_original_views_of_a_case_that_became_bad_stop_naming_it(toy, tmp_path):
    data = prepared(tmp_path, {"source": toy})
    assert [c.case_id for c in data.originals()] == ["c0", "c1", "c2", "c3"]
    spoilt = datasets.Prepared(data.folder, data.cases, data.spec | {"mode": "one_bad"}, data.seed)
    with pytest.raises(DataError, match=r"dataset 'd', case 'c1': unreadable on purpose"):
        list(spoilt.originals())


def test_labels_of_a_variant_come_from_its_kind_and_the_log_counts_the_changes(tmp_path, caplog):
    parent = pd.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(10)],
            "patient_id": [f"p{i}" for i in range(10)],
            "label": ["a", "b"] * 5,
            "other": range(10),
        }
    )
    parent.to_parquet(tmp_path / "parent.parquet")
    caplog.set_level("INFO", logger="difficulty")
    write_labels(
        parent=tmp_path / "parent.parquet",
        root=tmp_path / "parent.parquet",
        output=tmp_path / "v.parquet",
        variant="label_noise",
        options={"label_noise": 0.4},
        seed=3,
    )
    out = pd.read_parquet(tmp_path / "v.parquet")
    assert list(out.columns[:3]) == ["case_id", "patient_id", "label"] and "other" not in out.columns
    changed = int((out["label"] != parent["label"]).sum())
    assert changed == 4 and out["case_id"].tolist() == parent["case_id"].tolist()
    assert out["flipped"].tolist() == (out["label"] != parent["label"]).tolist()  # against the root: itself here
    assert f"label_noise {{'label_noise': 0.4}}: {changed} of 10 labels changed, 10 of 10 cases kept" in caplog.text


def test_dataset_names_and_declarations_are_checked():
    for name in ("a b", "", "-x", "x/y", None, 3):
        with pytest.raises(ConfigError, match=r"datasets: name .* must be letters, digits, '_' or '-'"):
            resolve_dataset({"name": name, "source": "synthetic", "separation": 0.5})
    assert resolve_dataset({"name": "Ab_1-2", "source": "synthetic", "separation": 0.5})["name"] == "Ab_1-2"
    with pytest.raises(ConfigError, match="dataset 'a' is declared twice"):
        datasets.index([{"name": "a", "source": "synthetic"}, {"name": "a", "source": "synthetic"}])
    with pytest.raises(ConfigError, match=r"config: datasets\[v\]: needs exactly one of 'source' or 'parent'"):
        resolve_dataset({"name": "v"})
