"""What each job asks a scheduler for: memory (MB) and run time (minutes) from the size of its input.

Every function takes values (input sizes in MB, case counts, voxels per case, options) and the
``attempt`` (1 on the first run); memory and time double on each retry, so that a job killed for
running out of either gets more. Run times are generous: a cluster kills a job that overruns.
"""

import math

import numpy as np
import pandas as pd

GROWTH = 2  # memory and time are multiplied by this on every retry
BASE_MB = 1000  # an interpreter with numpy, pandas and pyarrow loaded
TORCH_MB = 2000  # ... with torch as well
BASE_MIN = 10  # start-up, imports and writing, with room to spare
TABLE_FACTOR = 6  # a table in memory and its copies, per MB of parquet read
MB = 1024**2


def grow(value: float, attempt: int) -> int:
    """``value`` for the first attempt, ``GROWTH`` times more for each later one."""
    return int(math.ceil(value * GROWTH ** (max(attempt, 1) - 1)))


def grid_size(paths) -> tuple[int, int]:
    """Cases and voxels per case of the prepared grid shards at ``paths`` (read from the .npy headers)."""
    cases = voxels = 0
    for path in paths:
        shape = np.load(path, mmap_mode="r").shape  # reads the header only
        cases, voxels = cases + shape[0], math.prod(shape[1:])
    return cases, voxels


def case_sizes(cases_path) -> tuple[int, int]:
    """Cases and the largest case's voxels on its original geometry, from a prepared case table."""
    with open(cases_path, "rb") as f:  # a missing file: FileNotFoundError naming it (Snakemake waits for it)
        shapes = pd.read_parquet(f, columns=["shape_z", "shape_y", "shape_x"])
    return len(shapes), int(shapes.prod(axis=1).max()) if len(shapes) else 0


def prepare_mem_mb(input_mb: float, attempt: int) -> int:
    """A preparation shard reads one case at a time; a source file (a MedMNIST .npz) may be read whole."""
    return grow(BASE_MB + 3 * input_mb, attempt)


def prepare_runtime(input_mb: float, attempt: int) -> int:
    """Reading, resampling and writing: about two minutes per GB of source files."""
    return grow(BASE_MIN + 2 * input_mb / 1024, attempt)


def table_mem_mb(input_mb: float, attempt: int) -> int:
    """Jobs that read tables (merges, summaries, correlation, plots)."""
    return grow(BASE_MB + TABLE_FACTOR * input_mb, attempt)


def table_runtime(input_mb: float, attempt: int) -> int:
    return grow(BASE_MIN + input_mb / 1024, attempt)


def pca_mem_mb(input_mb: float, components: int | None, cases: int, attempt: int) -> int:
    """Standardised copy of the raw table, plus the components' scores and loadings."""
    extra = 8 * (components or 0) * cases / MB
    return grow(BASE_MB + 2 * TABLE_FACTOR * input_mb + extra, attempt)


def extract_mem_mb(entry_mb: int, voxels: int, attempt: int) -> int:
    """The extractor's own need (a network, a batch) plus float copies of the largest case."""
    return grow(entry_mb + 16 * 4 * voxels / MB, attempt)


def extract_runtime(cases: int, voxels: int, shards: int, attempt: int) -> int:
    """One shard's cases; about a minute per case of 10 million voxels on one CPU core."""
    per_shard = math.ceil(cases / max(shards, 1))
    return grow(BASE_MIN + per_shard * max(voxels, 1e6) / 1e7, attempt)


def bootstrap_mem_mb(features_mb: float, attempt: int) -> int:
    """Sessions are drawn from the feature table and computed in batches (pairwise distances, covariances)."""
    return grow(2 * BASE_MB + 4 * TABLE_FACTOR * features_mb, attempt)


def bootstrap_runtime(features_mb: float, sessions: int, attempt: int) -> int:
    return grow(BASE_MIN + sessions * (0.1 + features_mb / 100), attempt)


def train_mem_mb(voxels: int, batch_size: int, attempt: int) -> int:
    """A batch of volumes through a 3D network: activations of a few dozen channels per voxel."""
    return grow(TORCH_MB + 2000 + batch_size * voxels * 4 * 64 / MB, attempt)


def train_runtime(cases: int, voxels: int, folds: int, epochs: int, attempt: int) -> int:
    """Every fold trains ``epochs`` passes over the cases; about a minute per 10 000 case-passes of 1 Mvoxel on CPU."""
    passes = folds * epochs * cases
    return grow(BASE_MIN + passes * max(voxels, 1e6) / 1e10 * 60, attempt)


def table_rows(path) -> int:
    """Rows of a Parquet table (read from its footer)."""
    import pyarrow.parquet as pq

    with open(path, "rb") as f:  # a missing file: FileNotFoundError naming it (Snakemake waits for it)
        return pq.ParquetFile(f).metadata.num_rows


def curation_mem_mb(input_mb: float, cases: int, attempt: int) -> int:
    """The tables in memory and the cases × cases distances of kDN and the outlier score (a few float64 copies)."""
    return grow(BASE_MB + TABLE_FACTOR * input_mb + 4 * 8 * cases**2 / MB, attempt)


def curation_runtime(input_mb: float, cases: int, attempt: int) -> int:
    """Probe fits per feature table and the distances: about a minute per 10 000 cases, plus reading the tables."""
    return grow(BASE_MIN + cases / 1e4 + input_mb / 1024, attempt)


def extract(entry, cases_path, grid_paths, attempt: int) -> tuple[int, int]:
    """(mem_mb, runtime) of a feature entry's extraction shard, from the prepared cases' sizes."""
    cases, original = case_sizes(cases_path)
    voxels = max(original, grid_size(grid_paths)[1])
    return extract_mem_mb(entry.registered.mem_mb, voxels, attempt), extract_runtime(
        cases, voxels, entry.shards, attempt
    )


def train(entry, grid_paths, attempt: int) -> tuple[int, int]:
    """(mem_mb, runtime) of a model entry's cross-validation, from the model grid's size."""
    cases, voxels = grid_size(grid_paths)
    return (
        train_mem_mb(voxels, entry.batch_size, attempt),
        train_runtime(cases, voxels, entry.folds, entry.epochs, attempt),
    )
