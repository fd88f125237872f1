"""Degradations change the images (or the cases) in their stated direction, and nothing else."""

import numpy as np
import pandas as pd
import pytest
from scipy import ndimage

from difficulty.data import Case
from difficulty.data.sources.synthetic import iter_phantoms
from difficulty.data.variants.degrade import blur, fewer_cases, image_noise, lower_resolution

ROTATED = (0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0)


@pytest.fixture(scope="module")
def case():
    """A textured phantom (uint8 as MedMNIST stores it) with anisotropic spacing and a non-trivial geometry."""
    image, mask = next(iter_phantoms(2, 1.0, shape=(20, 24, 28), seed=3))
    image = np.clip(image, 0, 255).astype(np.uint8)
    return Case("c0", image, mask, spacing=(2.0, 1.0, 0.5), origin=(-10.0, 4.0, 7.5), direction=ROTATED)


def detail(image):
    """High-frequency energy: mean squared Laplacian (falls as an image gets smoother)."""
    return float(np.mean(ndimage.laplace(np.asarray(image, np.float64)) ** 2))


def same_but_image(a, b):
    assert b.image.shape == a.image.shape and b.case_id == a.case_id
    assert (b.spacing, b.origin, b.direction) == (a.spacing, a.origin, a.direction)
    assert b.mask is a.mask


@pytest.mark.parametrize(
    ("fn", "key", "ladder"),
    [(lower_resolution, "lower_resolution", [1.5, 2, 3, 4]), (blur, "blur", [0.5, 1, 2, 4])],
    ids=["lower_resolution", "blur"],
)
def test_smoothing_degradations_remove_detail_monotonically(case, fn, key, ladder):
    out = [fn(case, {key: v}, seed=0) for v in ladder]
    for item in out:
        same_but_image(case, item)
        assert item.image.dtype == np.float32
    energies = [detail(case.image)] + [detail(c.image) for c in out]
    assert all(a > b for a, b in zip(energies, energies[1:])), energies
    assert energies[-1] < 0.5 * energies[0]
    for item in out:  # positive kernels and linear interpolation: no new extremes (no ringing)
        assert case.image.min() - 1e-3 <= item.image.min() and item.image.max() <= case.image.max() + 1e-3
    np.testing.assert_array_equal(fn(case, {key: ladder[1]}, seed=0).image, out[1].image)


def test_identity_settings_leave_the_image_as_it_is(case):
    np.testing.assert_array_equal(lower_resolution(case, {"lower_resolution": 1}, 0).image, case.image)
    np.testing.assert_array_equal(blur(case, {"blur": 0}, 0).image, case.image)
    np.testing.assert_array_equal(image_noise(case, {"image_noise": 0}, 0).image, case.image)


def test_blur_works_in_mm_through_the_spacing(case):
    """A blur of 1 mm is 0.5 voxel along z (2 mm voxels) and 2 voxels along x (0.5 mm voxels)."""
    expected = ndimage.gaussian_filter(case.image.astype(np.float32), [0.5, 1.0, 2.0], mode="nearest")
    np.testing.assert_allclose(blur(case, {"blur": 1.0}, 0).image, expected, rtol=1e-6)


def test_lower_resolution_along_one_axis_only_smooths_that_axis(case):
    """Slices along z are averaged; an image that varies along x only is left as it is."""
    stripes = np.broadcast_to(np.arange(28) % 2 * 100.0, (20, 24, 28)).astype(np.float32)
    layers = np.broadcast_to((np.arange(20) % 2 * 100.0)[:, None, None], (20, 24, 28)).astype(np.float32)
    np.testing.assert_allclose(
        lower_resolution(Case("s", stripes, case.mask), {"lower_resolution": [4, 1, 1]}, 0).image, stripes
    )
    flat = lower_resolution(Case("l", layers, case.mask), {"lower_resolution": [4, 1, 1]}, 0).image
    assert np.ptp(flat) < 0.2 * np.ptp(layers)
    with pytest.raises(ValueError, match="lower_resolution must be a number ≥ 1"):
        lower_resolution(case, {"lower_resolution": 0.5}, 0)


def test_image_noise_adds_the_stated_sd_seeded_per_case(case):
    """The SD is in intensity units, the same for every case (a binary MedMNIST mask gets noise too)."""
    sds = (5.0, 10.0, 20.0)
    ladder = [image_noise(case, {"image_noise": sd}, seed=7) for sd in sds]
    added = [c.image.astype(np.float64) - case.image for c in ladder]
    for sd, item, noise in zip(sds, ladder, added):
        same_but_image(case, item)
        assert noise.std() == pytest.approx(sd, rel=0.03)
        assert abs(noise.mean()) < 0.04 * sd  # about 4 standard errors
    binary = Case("b", np.where(case.mask, 255, 0).astype(np.uint8), case.mask)
    assert (image_noise(binary, {"image_noise": 64.0}, 1).image - binary.image).std() == pytest.approx(64, rel=0.03)
    assert detail(ladder[0].image) < detail(ladder[1].image) < detail(ladder[2].image)
    np.testing.assert_allclose(added[1], 2 * added[0], rtol=1e-4, atol=1e-3)  # one draw, scaled: a nested ladder
    np.testing.assert_array_equal(image_noise(case, {"image_noise": 10.0}, seed=7).image, ladder[1].image)
    other_seed = image_noise(case, {"image_noise": 10.0}, seed=8).image
    other_case = image_noise(Case("c1", case.image, case.mask), {"image_noise": 10.0}, seed=7).image
    for other in (other_seed, other_case):
        assert abs(np.corrcoef((other - case.image).ravel(), added[1].ravel())[0, 1]) < 0.05


@pytest.fixture
def table():
    """40 patients of class a (2 cases each), 20 of class b (1 case each), one patient with both labels."""
    rows = [(f"a{i}_{k}", f"pa{i}", "a") for i in range(40) for k in range(2)]
    rows += [(f"b{i}", f"pb{i}", "b") for i in range(20)] + [("m0", "pm", "a"), ("m1", "pm", "b")]
    frame = pd.DataFrame(rows, columns=["case_id", "patient_id", "label"])
    return frame.assign(extra=np.arange(len(frame)))


def test_fewer_cases_keeps_a_fraction_of_each_class_with_whole_patients(table):
    half = fewer_cases(table, {"fewer_cases": 0.5}, seed=1)
    assert list(half.columns) == list(table.columns)
    assert half["extra"].is_monotonic_increasing  # rows keep their order
    patients = half.groupby("label")["patient_id"].nunique()
    assert patients.to_dict() == {"a": 20 + 1, "b": 10 + 1}  # 20 of 40, 10 of 20, and the mixed patient
    sizes = table.groupby("patient_id").size()
    kept = half.groupby("patient_id").size()
    assert kept.equals(sizes[kept.index])  # whole patients
    pd.testing.assert_frame_equal(fewer_cases(table, {"fewer_cases": 0.5}, seed=1), half)
    assert set(fewer_cases(table, {"fewer_cases": 0.5}, seed=2)["patient_id"]) != set(half["patient_id"])
    quarter = fewer_cases(table, {"fewer_cases": 0.25}, seed=1)
    assert set(quarter["patient_id"]) < set(half["patient_id"])  # nested ladder
    assert len(quarter) < len(half) < len(table)
    assert fewer_cases(table, {"fewer_cases": 0.01}, seed=1).groupby("label")["patient_id"].nunique().min() >= 1
    pd.testing.assert_frame_equal(fewer_cases(table, {"fewer_cases": 1}, seed=1), table)
    shuffled = table.sample(frac=1, random_state=0)
    assert set(fewer_cases(shuffled, {"fewer_cases": 0.5}, seed=1)["case_id"]) == set(half["case_id"])
    with pytest.raises(ValueError, match=r"fewer_cases must be in \(0, 1\]"):
        fewer_cases(table, {"fewer_cases": 0}, seed=1)


@pytest.mark.parametrize(
    ("kind", "options"),
    [("lower_resolution", {"lower_resolution": 3}), ("blur", {"blur": 2.0}), ("image_noise", {"image_noise": 60.0})],
)
def test_each_registered_image_kind_makes_the_task_harder(kind, options):
    """Phantoms whose classes differ by their texture only: the kind, through the registry as the pipeline runs it,
    lowers the k-NN AUC of two texture features (detail and SD inside the mask)."""
    from difficulty import metrics
    from difficulty.data import VARIANTS

    change = VARIANTS.get(kind).image
    cases = [
        Case(f"c{i}", image, mask > 0)
        for i, (image, mask) in enumerate(iter_phantoms(30, 1.0, shape=(16, 16, 16), seed=4, differences=("texture",)))
    ]
    y = np.repeat([0, 1], 30)

    def auc(items):
        X = np.array([[np.log(detail(c.image)), np.log(np.std(c.image[c.mask]))] for c in items])
        return metrics.score("knn_auc", X, y, np.arange(len(y)), k=5)

    clean, degraded = auc(cases), auc([change(c, options, 9) for c in cases])
    assert clean > 0.9 and degraded < clean - 0.1, (clean, degraded)
