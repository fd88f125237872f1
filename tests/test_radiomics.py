"""pyradiomics extraction with the shipped presets, on real AdrenalMNIST3D cases."""

import numpy as np
import pytest

from conftest import ADRENAL
from difficulty.data.masks import derive_mask
from difficulty.data.medmnist import read_medmnist
from difficulty.features.radiomics import extract_radiomics, params_file, preset_names


@pytest.fixture(scope="module")
def cases():
    table, volumes = read_medmnist(ADRENAL, ["val"])
    images = volumes[:3].astype(np.float32)
    return list(table["case_id"][:3]), images, np.stack([derive_mask(v) for v in images])


def test_fast_preset_gives_one_row_per_case(cases):
    ids, images, masks = cases
    table = extract_radiomics(ids, images, masks, np.ones((3, 3)), params_file("fast"))
    assert list(table["case_id"]) == ids
    assert table.shape[1] - 1 == 107  # 14 shape + 18 first-order + 75 texture features
    volume = table["original_shape_VoxelVolume"].to_numpy()
    np.testing.assert_allclose(volume, masks.reshape(3, -1).sum(1))


def test_study_preset_gives_the_studys_1316_features(cases):
    ids, images, masks = cases
    table = extract_radiomics(ids[:1], images[:1], masks[:1], np.ones((1, 3)), params_file("study"))
    assert table.shape == (1, 1 + 1316)
    assert any(c.startswith("wavelet-LLH_") for c in table.columns)
    assert any(c.startswith("log-sigma-5-0-mm-3D_") for c in table.columns)


def test_failure_names_the_case(cases):
    ids, images, masks = cases
    with pytest.raises(ValueError, match=f"radiomics failed for case '{ids[0]}'"):
        extract_radiomics(ids[:1], images[:1], np.zeros_like(masks[:1]), np.ones((1, 3)), params_file("fast"))


def test_presets_are_shipped_and_paths_still_work(tmp_path):
    assert preset_names() == ["fast", "study"]
    assert params_file("study").read_text().count("voxelArrayShift: 1000") == 1
    own = tmp_path / "mine.yaml"
    assert params_file(str(own)) == own
