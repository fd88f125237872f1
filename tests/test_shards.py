"""A dataset prepared in 1, 2 or 3 `shards` is the same dataset, to the bit, whatever its source.

Shard k holds every ``shards``-th case from case k (``difficulty.sharding``); the merge step puts the
shards' rows back in the source's order (``case_positions``). If that order were dropped or swapped, the
case table, the grid store's rows and every feature table would come out permuted, which these tests see.
"""

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, prepared
from difficulty.data import SOURCES
from difficulty.features import FEATURES, resolve_feature
from difficulty.features.jobs import extract_shard, merge_shards
from difficulty.sharding import case_positions, shard_positions

BUILT_IN = [name for name in SOURCES.names() if SOURCES.get(name).module.startswith("difficulty.")]
# real AdrenalMNIST3D cases (30) rather than the source's example, whose noise volumes have no lesion to measure
OWN_DATA = {"medmnist": {"path": str(REPO / ".test" / "data" / "tiny.npz")}}
# the original view (radiomics reads each case again from its source) and the model grid (a random network)
EXTRACTORS = {
    "rad": {"type": "radiomics", "params": "fast"},
    "deep": {"type": "random_resnet", "depth": 10, "size": [16, 16, 16], "batch_size": 3},
}


def features(data, name):
    extractor = FEATURES.get(EXTRACTORS[name]["type"])
    _, options = extractor.split(resolve_feature(name, EXTRACTORS[name]))
    return extractor.extract(data, options=options, inputs=extractor.inputs(options), seed=3, threads=1)


@pytest.fixture(scope="module", params=BUILT_IN)
def in_shards(request, tmp_path_factory):
    """One source's example dataset prepared in 1, 2 and 3 shards: {shards: Prepared}."""
    folder = tmp_path_factory.mktemp(request.param)
    (folder / "input").mkdir()
    example = OWN_DATA.get(request.param) or SOURCES.get(request.param).example_options(folder / "input")
    entry = {"source": request.param, **example, "size": [16, 16, 16]}
    return {k: prepared(folder / f"in{k}", entry | {"shards": k}, seed=5) for k in (1, 2, 3)}


def test_every_shard_count_gives_the_same_case_table_grid_and_qc(in_shards):
    one = in_shards[1]
    n = len(one.cases)
    assert n >= 6 and one.cases["shard"].eq(0).all() and one.cases["row"].tolist() == list(range(n))
    for k, data in in_shards.items():
        cases = data.cases
        # each case sits in the shard and row the sharding rule gives it
        assert cases["shard"].tolist() == [i % k for i in range(n)], k
        assert cases["row"].tolist() == [i // k for i in range(n)], k
        pd.testing.assert_frame_equal(cases.drop(columns=["shard", "row"]), one.cases.drop(columns=["shard", "row"]))
        assert sorted(p.name for p in data.folder.glob("shard*")) == [f"shard{j}" for j in range(k)]
        for i in range(n):
            assert data.grid[i].tobytes() == one.grid[i].tobytes(), (k, i)
            assert data.grid.mask(i).tobytes() == one.grid.mask(i).tobytes(), (k, i)
        assert (data.folder / "qc.tsv").read_bytes() == (one.folder / "qc.tsv").read_bytes()
    assert len({one.grid[i].tobytes() for i in range(n)}) == n  # distinct cases: a permutation would show


@pytest.mark.parametrize("extractor", list(EXTRACTORS))
def test_every_shard_count_gives_the_same_features(in_shards, extractor):
    tables = {k: features(data, extractor) for k, data in in_shards.items()}
    assert list(tables[1]["case_id"]) == list(in_shards[1].case_ids)
    assert tables[1].drop(columns="case_id").nunique().max() == len(tables[1])  # no two cases alike
    for k in (2, 3):
        pd.testing.assert_frame_equal(tables[k], tables[1], check_exact=True)


@pytest.mark.parametrize("extractor", list(EXTRACTORS))
def test_feature_shards_of_a_sharded_dataset_merge_to_the_same_features(in_shards, extractor, tmp_path):
    """Both stages sharded: 3 prepare shards, 2 extraction shards; the merged rows are the unsharded rows.

    Radiomics measures each case alone: the same to the bit. A network's batches hold other cases in another
    shard, and CPU convolutions sum in an order that depends on the batch: the same to float32 rounding.
    """
    data = in_shards[3]
    spec = resolve_feature(extractor, EXTRACTORS[extractor] | {"shards": 2})
    parts = [tmp_path / f"shard{k}.parquet" for k in range(2)]
    for k, part in enumerate(parts):
        extract_shard(prepared=data.folder, output=part, spec=spec, shard=k, seed=3)
    merge_shards(shards=parts, output=tmp_path / "raw.parquet")
    merged = pd.read_parquet(tmp_path / "raw.parquet")
    n = len(data.cases)
    order = np.concatenate([shard_positions(n, k, 2) for k in range(2)])
    assert list(merged["case_id"]) == list(data.case_ids[order])  # shard by shard, keyed by case_id
    expected = features(in_shards[1], extractor).set_index("case_id")
    got = merged.set_index("case_id").loc[expected.index]
    if extractor == "rad":
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    else:  # float32 sums: within 1e-5 of the largest feature value (measured: at most 2e-7 of it)
        assert list(got.columns) == list(expected.columns)
        scale = np.abs(expected.to_numpy()).max()
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-5 * scale)


def test_case_positions_invert_shard_positions():
    for n in (1, 5, 12, 13):
        for shards in (1, 2, 3, 5):
            shard = np.concatenate([np.full(len(shard_positions(n, k, shards)), k) for k in range(shards)])
            row = np.concatenate([np.arange(len(shard_positions(n, k, shards))) for k in range(shards)])
            positions = np.concatenate([shard_positions(n, k, shards) for k in range(shards)])
            np.testing.assert_array_equal(case_positions(shard, row, shards), positions)
    with pytest.raises(ValueError, match="shard 3 is not one of 3 shards"):
        shard_positions(10, 3, 3)
