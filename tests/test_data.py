"""Readers, masks, phantoms, label noise and preprocessing on real (small) files."""

import numpy as np
import pandas as pd
import pytest

from conftest import ADRENAL, write_nifti
from difficulty.data import SOURCES, datasets, labels, masks, medmnist, preprocess, sheet, synthetic
from difficulty.io import file_digest
from difficulty.seeding import derive_seed


def test_shipped_adrenal_file_is_the_official_one():
    assert file_digest(ADRENAL, "md5") == medmnist.MD5["adrenalmnist3d"][28]


def test_read_medmnist_pools_splits_with_split_case_ids():
    cases, volumes = medmnist.read_medmnist(ADRENAL)
    assert volumes.shape == (1584, 28, 28, 28)
    assert list(cases["case_id"][:2]) == ["train_0", "train_1"]
    assert cases["case_id"].iloc[-1] == "test_297"
    assert cases["label"].value_counts().to_dict() == {0: 1234, 1: 350}  # 929+76+229 / 259+22+69
    only_val, _ = medmnist.read_medmnist(ADRENAL, ["val"])
    assert len(only_val) == 98


def test_read_medmnist_refuses_other_npz(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, images=np.zeros((2, 4, 4, 4)))
    with pytest.raises(ValueError, match=r"x\.npz: not a MedMNIST 3D file.*train_images"):
        medmnist.read_medmnist(bad)


def test_download_medmnist_checks_md5(tmp_path):
    served = tmp_path / "server"
    served.mkdir()
    (served / "adrenalmnist3d.npz").write_bytes(ADRENAL.read_bytes())
    dest = tmp_path / "got" / "adrenalmnist3d.npz"
    medmnist.download_medmnist("adrenalmnist3d", 28, dest, base_url=served.as_uri())
    assert dest.read_bytes() == ADRENAL.read_bytes()
    (served / "adrenalmnist3d_64.npz").write_bytes(b"corrupt")
    with pytest.raises(ValueError, match="does not match the official"):
        medmnist.download_medmnist("adrenalmnist3d", 64, tmp_path / "bad.npz", base_url=served.as_uri())
    assert not (tmp_path / "bad.npz").exists()


def test_derive_mask_fills_holes_and_keeps_the_shape():
    volume = np.zeros((12, 12, 12), np.uint8)
    volume[3:9, 3:9, 3:9] = 255
    volume[5:7, 5:7, 5:7] = 0  # an interior hole
    mask = masks.derive_mask(volume)
    expected = np.zeros_like(mask)
    expected[3:9, 3:9, 3:9] = 1
    np.testing.assert_array_equal(mask, expected)


def test_sheet_reads_nifti_with_spacing_and_patients(nifti_sheet):
    df = sheet.read_sheet(nifti_sheet)
    assert list(df["patient_id"]) == ["p0", "p0", "p1", "p1", "p2", "p2"]
    image, spacing = sheet.read_volume(df["image"][0], "c0")
    assert image.shape == (10, 12, 14) and spacing == (0.5, 1.0, 2.0)
    spec = {"name": "nifti", "source": "sheet", "path": str(nifti_sheet), "size": [8, 8, 8], "normalize": "zscore"}
    cases, images, mask = datasets.load(datasets.resolve_dataset(spec), seed=0)
    assert images.shape == (6, 8, 8, 8) and mask.shape == (6, 8, 8, 8)
    assert cases[["spacing_z", "spacing_y", "spacing_x"]].iloc[0].tolist() == pytest.approx([0.625, 1.5, 3.5])
    inside = images[0][mask[0] > 0]
    assert inside.mean() == pytest.approx(0, abs=1e-5) and inside.std() == pytest.approx(1, abs=1e-4)
    assert len(SOURCES.get("sheet").files(spec)) == 1 + 6 + 6


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("\tlabel", "\tclass"), r"missing column\(s\) \['label'\]"),
        (
            lambda t: t.replace("img/c3.nii.gz", "img/nope.nii.gz"),
            r"case 'c3': image file .*nope\.nii\.gz does not exist",
        ),
        (lambda t: t.replace("c4\t", "c1\t"), "case_id 'c1' appears more than once"),
        (lambda t: t.replace("tumour", "normal"), "two classes are needed"),
    ],
)
def test_sheet_errors_name_the_sheet_and_case(nifti_sheet, edit, message):
    nifti_sheet.write_text(edit(nifti_sheet.read_text()))
    with pytest.raises((ValueError, FileNotFoundError), match=message) as err:
        sheet.read_sheet(nifti_sheet)
    assert "sheet.tsv" in str(err.value)


def test_unreadable_image_names_the_case(tmp_path):
    bad = tmp_path / "broken.nii.gz"
    bad.write_bytes(b"not an image")
    with pytest.raises(ValueError, match="case 'x7': cannot read image file .*broken.nii.gz"):
        sheet.read_volume(bad, "x7")
    write_nifti(tmp_path / "flat.nii.gz", np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="is 2-D"):
        sheet.read_volume(tmp_path / "flat.nii.gz", "x8")


def test_sheet_cases_of_different_shapes_need_a_size(tmp_path, nifti_sheet):
    write_nifti(tmp_path / "img" / "c5.nii.gz", np.ones((9, 9, 9), np.float32))
    write_nifti(tmp_path / "img" / "c5_mask.nii.gz", np.ones((9, 9, 9), np.uint8))
    with pytest.raises(ValueError, match="case 'c5': shape .* differs .* set 'size'"):
        datasets.load(datasets.resolve_dataset({"name": "n", "source": "sheet", "path": str(nifti_sheet)}), seed=0)


def test_phantoms_are_seeded_and_separation_moves_the_classes():
    a = synthetic.make_phantoms(20, 0.0, (16, 16, 16), seed=3)
    b = synthetic.make_phantoms(20, 0.0, (16, 16, 16), seed=3)
    np.testing.assert_array_equal(a[1], b[1])

    def gap(separation):
        cases, images, mask = synthetic.make_phantoms(30, separation, (16, 16, 16), seed=1)
        mean = np.array([img[m > 0].mean() for img, m in zip(images, mask)])
        return mean[cases["label"] == 1].mean() - mean[cases["label"] == 0].mean()

    assert abs(gap(0.0)) < 3 < gap(0.5) < gap(1.0)
    with pytest.raises(ValueError, match="separation must be in"):
        synthetic.make_phantoms(5, 1.5)


def test_label_noise_flips_exactly_the_fraction_and_is_seeded():
    y = pd.Series(["a"] * 50 + ["b"] * 50)
    noisy = labels.flip_labels(y, 0.2, seed=5)
    assert (noisy != y.to_numpy()).sum() == 20
    np.testing.assert_array_equal(noisy, labels.flip_labels(y, 0.2, seed=5))
    assert not np.array_equal(noisy, labels.flip_labels(y, 0.2, seed=6))
    three = labels.flip_labels(np.repeat([0, 1, 2], 10), 1.0, seed=0)
    assert np.all(three != np.repeat([0, 1, 2], 10))


def test_resize_and_normalize():
    volume = np.arange(64, dtype=np.float32).reshape(4, 4, 4)
    assert preprocess.resize(volume, (8, 8, 8), order=1).shape == (8, 8, 8)
    out = preprocess.normalize(volume, volume > 10, "minmax")
    assert out[volume > 10].min() == pytest.approx(0) and out.max() == pytest.approx(1, abs=1e-6)
    with pytest.raises(ValueError, match="mask is empty"):
        preprocess.prepare_case(volume, np.zeros_like(volume), (1, 1, 1))


def test_dataset_entries_are_checked_against_their_source():
    resolved = datasets.resolve_dataset({"name": "ph", "source": "synthetic", "separation": 0.5})
    assert resolved == {
        "name": "ph",
        "source": "synthetic",
        "size": None,
        "normalize": "none",
        "label_noise": 0.0,
        "separation": 0.5,
        "n_per_class": 100,
        "shape": [28, 28, 28],
    }
    with pytest.raises(ValueError, match=r"datasets\[ph\]: unknown option 'path' \(known options: label_noise, "):
        datasets.resolve_dataset({"name": "ph", "source": "synthetic", "separation": 0.5, "path": "x"})
    with pytest.raises(ValueError, match=r"datasets\[ph\]: option 'separation' is required"):
        datasets.resolve_dataset({"name": "ph", "source": "synthetic"})
    with pytest.raises(ValueError, match=r"datasets\[ph\].source: unknown dataset source type 'dicom'"):
        datasets.resolve_dataset({"name": "ph", "source": "dicom"})
    with pytest.raises(ValueError, match=r"datasets\[v\]: unknown option 'size'"):
        datasets.resolve_dataset({"name": "v", "parent": "ph", "size": [8, 8, 8]})
    with pytest.raises(ValueError, match="needs exactly one of 'source' or 'parent'"):
        datasets.resolve_dataset({"name": "v", "parent": "ph", "source": "synthetic"})


def test_dataset_index_resolves_parents_and_refuses_cycles():
    specs = [{"name": "a", "source": "synthetic"}, {"name": "b", "parent": "a"}, {"name": "c", "parent": "b"}]
    by_name = datasets.index(specs)
    assert datasets.root(by_name, "c") == "a"
    with pytest.raises(ValueError, match="unknown parent 'z'"):
        datasets.index([{"name": "b", "parent": "z"}])
    with pytest.raises(ValueError, match="b -> c -> b form a cycle"):
        datasets.index([{"name": "b", "parent": "c"}, {"name": "c", "parent": "b"}])


def test_seeds_are_stable_and_key_dependent():
    assert derive_seed(1, "adrenal", "sil", 0) == derive_seed(1, "adrenal", "sil", 0)
    assert derive_seed(1, "adrenal", "sil", 0) != derive_seed(1, "adrenal", "sil", 1)
    assert derive_seed("x") == 1637211439935739938  # a changed value would change every result
