"""What jobs ask a scheduler for: memory and time grow with the input and with each retry."""

import numpy as np
import pandas as pd
import pytest

from difficulty.pipeline import resources as res


def test_retries_double_memory_and_time():
    assert [res.grow(1000, attempt) for attempt in (1, 2, 3)] == [1000, 2000, 4000]
    assert res.table_mem_mb(10, 2) == 2 * res.table_mem_mb(10, 1) == 2 * (1000 + 6 * 10)
    assert res.bootstrap_runtime(5, 20, 3) == 4 * res.bootstrap_runtime(5, 20, 1)


def test_memory_and_time_grow_with_the_input():
    assert res.prepare_mem_mb(0, 1) == 1000 and res.prepare_mem_mb(2000, 1) == 7000
    assert res.prepare_runtime(10 * 1024, 1) == 30
    assert res.pca_mem_mb(10, 50, 100_000, 1) > res.pca_mem_mb(10, 5, 100_000, 1) > res.pca_mem_mb(10, None, 0, 1)
    # MedicalNet's own 8 GB plus float copies of a 512 x 512 x 300 CT
    assert res.extract_mem_mb(8000, 512 * 512 * 300, 1) == 8000 + 4800
    # 1000 cases of 10 Mvoxels in 4 shards: a minute per case, plus start-up
    assert res.extract_runtime(1000, 10**7, 4, 1) == 10 + 250
    assert res.extract_runtime(30, 64**3, 2, 1) == 12  # small volumes count as 1 Mvoxel
    small, large = res.train_mem_mb(64**3, 8, 1), res.train_mem_mb(128**3, 8, 1)
    assert small == 4000 + 512 and large == 4000 + 4096
    assert res.train_runtime(1000, 64**3, 5, 8, 1) == 10 + 240


def test_sizes_are_read_from_the_prepared_files(tmp_path):
    for k, n in enumerate((3, 2)):
        np.save(tmp_path / f"grid{k}.npy", np.zeros((n, 4, 5, 6), np.float32))
    assert res.grid_size([tmp_path / "grid0.npy", tmp_path / "grid1.npy"]) == (5, 120)
    cases = pd.DataFrame({"case_id": ["a", "b"], "shape_z": [10, 20], "shape_y": [5, 5], "shape_x": [2, 3]})
    cases.to_parquet(tmp_path / "cases.parquet")
    assert res.case_sizes(tmp_path / "cases.parquet") == (2, 300)
    with pytest.raises(FileNotFoundError) as err:  # Snakemake evaluates it again once the file exists
        res.case_sizes(str(tmp_path / "missing.parquet"))
    assert err.value.filename == str(tmp_path / "missing.parquet")
