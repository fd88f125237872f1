"""pyradiomics extraction with the shipped presets, on real AdrenalMNIST3D cases and on original geometry."""

import numpy as np
import pandas as pd
import pytest
import SimpleITK as sitk
from scipy import ndimage

from conftest import ADRENAL
from difficulty.data import SOURCES, Case, resolve_dataset
from difficulty.data.sources.medmnist import iter_volumes
from difficulty.features.radiomics import extract_radiomics, params_file, preset_names


def adrenal_cases(preprocessing, n=3, split="val"):
    spec = resolve_dataset({"name": "a", "source": "medmnist", "path": str(ADRENAL), "splits": [split]})
    spec["preprocessing"] = preprocessing
    rows = SOURCES.get("medmnist").cases(spec).iloc[:n]
    return list(SOURCES.get("medmnist").read(spec, rows, 0))


@pytest.fixture(scope="module")
def cases():
    return adrenal_cases("default")


def test_fast_preset_gives_one_row_per_case(cases):
    table = extract_radiomics(cases, params_file("fast"))
    assert list(table["case_id"]) == [c.case_id for c in cases]
    assert table.shape[1] - 1 == 107  # 14 shape + 18 first-order + 75 texture features
    volume = table["original_shape_VoxelVolume"].to_numpy()
    np.testing.assert_allclose(volume, [c.mask.sum() for c in cases])


def study_reference(volume):
    """The study's own preprocessing and extraction, written from its description, independently of the package."""
    from radiomics import featureextractor

    image = np.float32(volume / 255.0)
    mask = ndimage.binary_erosion(ndimage.binary_fill_holes(ndimage.binary_dilation(image > 0)))
    extractor = featureextractor.RadiomicsFeatureExtractor(str(params_file("study")))
    result = extractor.execute(
        sitk.GetImageFromArray(image.astype(np.float64)), sitk.GetImageFromArray(mask.astype(np.uint8)), label=1
    )
    return image, mask, {k: float(v) for k, v in result.items() if not k.startswith("diagnostics_")}


def test_study_preprocessing_and_preset_reproduce_the_studys_features_exactly():
    """AdrenalMNIST3D val cases through `preprocessing: study` and the study preset: the study's 1316 numbers."""
    ours = adrenal_cases("study", n=2)
    volumes = [v for _, v in iter_volumes(ADRENAL, "val", [0, 1])]
    table = extract_radiomics(ours[:1], params_file("study"))
    assert table.shape == (1, 1 + 1316)
    assert any(c.startswith("wavelet-LLH_") for c in table.columns)
    assert any(c.startswith("log-sigma-5-0-mm-3D_") for c in table.columns)
    for case, volume in zip(ours, volumes):
        image, mask, _ = study_reference(volume)
        assert case.image.dtype == np.float32 and np.array_equal(case.image, image)
        np.testing.assert_array_equal(case.mask, mask)
        assert case.spacing == (1.0, 1.0, 1.0)
    _, _, expected = study_reference(volumes[0])
    pd.testing.assert_series_equal(
        table.drop(columns="case_id").iloc[0], pd.Series(expected, name=0), check_exact=True, check_names=False
    )


def test_study_and_default_masks_differ_only_where_objects_touch_the_border():
    default, study = adrenal_cases("default", n=200, split="train"), adrenal_cases("study", n=200, split="train")
    differ = [d.case_id for d, s in zip(default, study) if not np.array_equal(d.mask, s.mask)]
    assert differ  # some glands touch the crop's border
    for d, s in zip(default, study):
        inner = (slice(1, -1),) * 3
        np.testing.assert_array_equal(d.mask[inner] | ~s.mask[inner], True)  # the study mask lies inside
        np.testing.assert_array_equal(d.image, np.asarray(s.image * 255.0).round().astype(np.uint8))


def test_radiomics_runs_on_the_original_geometry_with_the_presets_resampling():
    """The same lesion at two spacings: shape features in mm agree, as pyradiomics resamples to 1 mm."""
    rng = np.random.default_rng(0)

    def lesion(spacing):
        grid = np.stack(np.meshgrid(*[np.arange(n) * s for n, s in zip((40, 40, 40), spacing)], indexing="ij"))
        mask = ((grid - 20.0) ** 2 / np.array([8.0, 6.0, 5.0])[:, None, None, None] ** 2).sum(axis=0) <= 1
        image = (100 + 10 * rng.normal(size=mask.shape)).astype(np.float32)
        return Case(f"s{spacing[0]}", image, mask, spacing, origin=(-5.0, 3.0, 7.0))

    fine, coarse = lesion((1.0, 1.0, 1.0)), lesion((2.0, 1.0, 1.0))
    table = extract_radiomics([fine, coarse], params_file("study")).set_index("case_id")
    volume = table["original_shape_MeshVolume"]
    assert volume.iloc[1] == pytest.approx(volume.iloc[0], rel=0.05)
    assert volume.iloc[0] == pytest.approx(4 / 3 * np.pi * 8 * 6 * 5, rel=0.05)


def test_presets_are_shipped_and_paths_still_work(tmp_path):
    assert preset_names() == ["fast", "study"]
    assert params_file("study").read_text().count("voxelArrayShift: 1000") == 1
    own = tmp_path / "mine.yaml"
    assert params_file(str(own)) == own


def test_failure_names_the_case(cases):
    empty = Case(cases[0].case_id, cases[0].image, np.zeros_like(cases[0].mask))
    with pytest.raises(ValueError, match=f"radiomics failed for case '{cases[0].case_id}'"):
        extract_radiomics([empty], params_file("fast"))
