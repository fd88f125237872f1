"""Shared fixtures: small real files written by the tests."""

from pathlib import Path

import numpy as np
import pytest
import SimpleITK as sitk

REPO = Path(__file__).resolve().parents[1]
ADRENAL = REPO / "resources" / "medmnist" / "adrenalmnist3d.npz"


def write_nifti(path, array, spacing=(1.0, 1.0, 1.0)):
    image = sitk.GetImageFromArray(np.asarray(array))
    image.SetSpacing(spacing)
    sitk.WriteImage(image, str(path))
    return path


@pytest.fixture
def nifti_sheet(tmp_path):
    """A sample sheet of six NIfTI cases of two classes, three patients, masks for all."""
    rng = np.random.default_rng(0)
    rows = ["case_id\tpatient_id\tlabel\timage\tmask"]
    (tmp_path / "img").mkdir()
    for i in range(6):
        image = rng.normal(100 + 30 * (i % 2), 10, (10, 12, 14)).astype(np.float32)
        mask = np.zeros((10, 12, 14), np.uint8)
        mask[2:8, 3:9, 3:11] = 1
        write_nifti(tmp_path / "img" / f"c{i}.nii.gz", image, (2.0, 1.0, 0.5))
        write_nifti(tmp_path / "img" / f"c{i}_mask.nii.gz", mask, (2.0, 1.0, 0.5))
        rows.append(f"c{i}\tp{i // 2}\t{'tumour' if i % 2 else 'normal'}\timg/c{i}.nii.gz\timg/c{i}_mask.nii.gz")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("\n".join(rows) + "\n")
    return sheet


def prepared(folder, entry, seed=0):
    """Run the prepare steps of a dataset entry into ``folder`` and open the result (a real Prepared)."""
    from difficulty.data import Prepared, resolve_dataset
    from difficulty.data.jobs import merge_cases, prepare_shard

    spec = resolve_dataset({"name": "d", **entry})
    shards = []
    for k in range(spec["shards"]):
        base = folder / f"shard{k}"
        prepare_shard(
            spec=spec,
            seed=seed,
            shard=k,
            cases=base / "cases.parquet",
            images=base / "grid.npy",
            masks=base / "grid_masks.npy",
            skipped=base / "skipped.tsv",
        )
        shards.append(base / "cases.parquet")
    merge_cases(
        shards=shards,
        skipped=[p.with_name("skipped.tsv") for p in shards],
        output=folder / "cases.parquet",
        source=folder / "source.json",
        qc=folder / "qc.tsv",
        spec=spec,
        seed=seed,
    )
    return Prepared.open(folder)
