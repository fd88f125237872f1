"""Readers, masks, phantoms, label noise and preprocessing on real (small) files."""

import numpy as np
import pandas as pd
import pytest
import SimpleITK as sitk
import yaml

from conftest import ADRENAL, prepared, write_nifti
from difficulty.data import SOURCES, Case, datasets, grid, masks, preprocess
from difficulty.data.sources import medmnist, sheet, synthetic
from difficulty.data.variants import labels
from difficulty.io import file_digest
from difficulty.seeding import derive_seed


def test_shipped_adrenal_file_is_the_official_one():
    assert file_digest(ADRENAL, "md5") == medmnist.MD5["adrenalmnist3d"][28]


def test_medmnist_case_table_and_volumes_are_read_one_at_a_time():
    cases = medmnist.read_cases(ADRENAL)
    assert len(cases) == 1584 and list(cases["case_id"][:2]) == ["train_0", "train_1"]
    assert cases["case_id"].iloc[-1] == "test_297"
    assert cases["label"].value_counts().to_dict() == {"0": 1234, "1": 350}  # 929+76+229 / 259+22+69
    assert len(medmnist.read_cases(ADRENAL, ["val"])) == 98
    with np.load(ADRENAL) as npz:
        expected = npz["val_images"][[3, 40, 97]]
    got = list(medmnist.iter_volumes(ADRENAL, "val", [3, 40, 97]))
    assert [i for i, _ in got] == [3, 40, 97]
    np.testing.assert_array_equal(np.stack([v for _, v in got]), expected)


def test_read_medmnist_refuses_other_npz(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, images=np.zeros((2, 4, 4, 4)))
    with pytest.raises(ValueError, match=r"x\.npz: not a MedMNIST 3D file.*train_images"):
        medmnist.read_cases(bad)


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


def test_sheet_reads_nifti_with_its_geometry_and_patients(nifti_sheet, tmp_path):
    df = sheet.read_sheet(nifti_sheet)
    assert list(df["patient_id"]) == ["p0", "p0", "p1", "p1", "p2", "p2"]
    case = sheet.read_case(next(df.itertuples()))
    assert case.image.shape == (10, 12, 14) and case.spacing == (0.5, 1.0, 2.0)
    assert case.origin == (0.0, 0.0, 0.0) and case.mask.sum() == 6 * 6 * 8
    entry = {"source": "sheet", "path": str(nifti_sheet), "size": [8, 8, 8], "normalize": "zscore"}
    data = prepared(tmp_path / "prep", entry)
    assert data.grid.shape == (6, 8, 8, 8)
    assert data.cases[["spacing_z", "spacing_y", "spacing_x"]].iloc[0].tolist() == [0.5, 1.0, 2.0]
    inside = data.grid[0][data.grid.mask(0) > 0]
    assert inside.mean() == pytest.approx(0, abs=1e-5) and inside.std() == pytest.approx(1, abs=1e-4)
    assert len(SOURCES.get("sheet").files(data.spec, None)) == 1 + 6 + 6


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
        sheet.read_image(bad, "x7")
    write_nifti(tmp_path / "flat.nii.gz", np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="is 2-D"):
        sheet.read_image(tmp_path / "flat.nii.gz", "x8")


def test_mixed_shapes_and_spacings_come_onto_one_grid_by_default(tmp_path, nifti_sheet):
    write_nifti(tmp_path / "img" / "c5.nii.gz", np.ones((19, 9, 30), np.float32), (0.7, 0.7, 3.0))
    mask = np.zeros((19, 9, 30), np.uint8)
    mask[10:20, 2:6, 3:5] = 1
    write_nifti(tmp_path / "img" / "c5_mask.nii.gz", mask, (0.7, 0.7, 3.0))
    data = prepared(tmp_path / "prep", {"source": "sheet", "path": str(nifti_sheet)})
    assert data.grid.shape == (6, 64, 64, 64)
    assert data.cases["shape_z"].tolist() == [10] * 5 + [19]
    assert data.cases["spacing_z"].tolist() == [0.5] * 5 + [3.0]
    with pytest.raises(ValueError, match="case 'c5': grid shape .* differs from earlier cases .* set 'size'"):
        prepared(tmp_path / "native", {"source": "sheet", "path": str(nifti_sheet), "size": None, "crop_margin": None})


def mismatch(tmp_path, **geometry):
    image = sitk.GetImageFromArray(np.zeros((6, 7, 8), np.float32))
    image.SetSpacing((0.8, 0.8, 2.5))
    mask = sitk.GetImageFromArray(np.ones(geometry.pop("shape", (6, 7, 8)), np.uint8))
    mask.CopyInformation(image) if mask.GetSize() == image.GetSize() else mask.SetSpacing(image.GetSpacing())
    for key, value in geometry.items():
        getattr(mask, f"Set{key.capitalize()}")(value)
    sitk.WriteImage(image, str(tmp_path / "i.nii.gz"))
    sitk.WriteImage(mask, str(tmp_path / "m.nii.gz"))
    row = pd.DataFrame(
        {"case_id": ["ct7"], "image": [str(tmp_path / "i.nii.gz")], "mask": [str(tmp_path / "m.nii.gz")]}
    )
    return next(row.itertuples())


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"spacing": (0.8, 0.8, 3.0)}, r"spacing \(0.8, 0.8, 3.0\) vs \(0.8, 0.8, 2.5\) \(mm, x y z\)"),
        ({"origin": (0.0, 5.0, 0.0)}, r"origin \(0.0, 5.0, 0.0\) vs \(0.0, 0.0, 0.0\)"),
        ({"direction": (0, 1, 0, 1, 0, 0, 0, 0, 1)}, r"direction \(0.0, 1.0, 0.0, 1.0, "),
        ({"shape": (6, 7, 9)}, r"size \(9, 7, 6\) vs \(8, 7, 6\) \(voxels, x y z\)"),
    ],
)
def test_a_mask_off_its_image_is_refused_naming_the_case_and_the_difference(tmp_path, geometry, message):
    row = mismatch(tmp_path, **geometry)
    with pytest.raises(ValueError, match=rf"case 'ct7': mask file .*m.nii.gz does not lie on its image .*: {message}"):
        sheet.read_case(row)


def test_a_mask_within_tolerance_and_label_selection(tmp_path):
    row = mismatch(tmp_path, spacing=(0.8, 0.8, 2.5004))
    assert sheet.read_case(row).mask.all()
    labels = np.array([[[0, 1, 2, 3]]])
    np.testing.assert_array_equal(sheet.select_labels(labels, None), [[[False, True, True, True]]])
    np.testing.assert_array_equal(sheet.select_labels(labels, 2), [[[False, False, True, False]]])
    np.testing.assert_array_equal(sheet.select_labels(labels, [1, 3]), [[[False, True, False, True]]])
    with pytest.raises(ValueError, match=r"case 'ct7': mask file .* has no voxel of label\(s\) 4 \(has \[1\]\)"):
        sheet.read_case(row, mask_label=4)


def test_preparing_holds_one_case_at_a_time(tmp_path):
    """Peak traced memory with 20 cases stays near that with 2: the dataset is never held in memory."""
    import tracemalloc

    def peak(n, name):
        folder = tmp_path / name
        folder.mkdir()
        rows = ["case_id,label,image,mask"]
        rng = np.random.default_rng(n)
        for i in range(n):
            shape = (40 + i % 3, 64, 64)
            write_nifti(folder / f"c{i}.nii.gz", rng.normal(size=shape).astype(np.float32), (2.0, 0.8, 0.8))
            mask = np.zeros(shape, np.uint8)
            mask[10:30, 20:40, 20:44] = 1
            write_nifti(folder / f"m{i}.nii.gz", mask, (2.0, 0.8, 0.8))
            rows.append(f"c{i},{i % 2},c{i}.nii.gz,m{i}.nii.gz")
        (folder / "sheet.csv").write_text("\n".join(rows) + "\n")
        tracemalloc.start()
        prepared(folder / "prep", {"source": "sheet", "path": str(folder / "sheet.csv")})
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    peak(2, "warm-up")  # first calls allocate caches (pandas, pyarrow) that would count for the first size only
    small, large = peak(2, "small"), peak(20, "large")
    case_bytes = 41 * 64 * 64 * 4
    assert case_bytes < small and large < 1.5 * small, (small, large)  # 20 cases held would be > 13 MB more


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


def lesion_case(spacing=(2.0, 0.5, 0.5)):
    image = np.zeros((20, 40, 40), np.float32)
    mask = np.zeros(image.shape, bool)
    mask[8:12, 10:20, 24:30] = True  # 8 x 5 x 3 mm
    image[mask] = 100.0
    return Case("les", image, mask, spacing)


def test_grid_crops_around_the_mask_in_mm_then_resizes_or_resamples():
    case = lesion_case()
    image, mask = grid.to_grid(case, {"crop_margin": 2.0})
    assert image.shape == (4 + 2, 10 + 8, 6 + 8)  # one slice (2 mm) and four pixels (2 mm) each side
    assert mask.sum() == case.mask.sum() and image[mask > 0].min() == 100.0
    image, mask = grid.to_grid(case, {"crop_margin": 2.0, "size": [12, 12, 12]})
    assert image.shape == (12, 12, 12)
    image, mask = grid.to_grid(case, {"grid_spacing": [1.0, 1.0, 1.0], "size": [16, 16, 16]})
    assert image.shape == (16, 16, 16) and mask.sum() == pytest.approx(8 * 5 * 3, rel=0.3)
    assert np.allclose(np.argwhere(mask).mean(axis=0), 7.5, atol=1.0)  # the window is centred on the mask
    with pytest.raises(ValueError, match="mask is empty"):
        grid.to_grid(Case("e", case.image, np.zeros_like(case.mask)), {})
    with pytest.raises(ValueError, match="grid_spacing needs size"):
        datasets.resolve_dataset({"name": "x", "source": "synthetic", "separation": 1, "grid_spacing": [1, 1, 1]})


def test_dataset_entries_are_checked_against_their_source():
    resolved = datasets.resolve_dataset({"name": "ph", "source": "synthetic", "separation": 0.5})
    assert resolved == {
        "name": "ph",
        "source": "synthetic",
        "crop_margin": None,
        "grid_spacing": None,
        "size": None,
        "normalize": "none",
        "label_noise": 0.0,
        "shards": 1,
        "on_bad_case": "stop",
        "train": True,
        "family": None,
        "separation": 0.5,
        "n_per_class": 100,
        "shape": [28, 28, 28],
        "differences": ["shape", "texture", "intensity"],
    }
    with pytest.raises(ValueError, match=r"datasets\[ph\]: unknown option 'path' \(known options: crop_margin, "):
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
    with pytest.raises(ValueError, match="dataset 'b' has unknown parent 'z'"):
        datasets.index([{"name": "c", "parent": "b"}, {"name": "b", "parent": "z"}])  # the one whose parent it is
    with pytest.raises(ValueError, match="b -> c -> b form a cycle"):
        datasets.index([{"name": "b", "parent": "c"}, {"name": "c", "parent": "b"}])


def test_only_a_variant_that_changes_images_is_prepared_on_its_own():
    specs = [
        {"name": "a", "source": "synthetic", "separation": 0.5},
        {"name": "noisy", "parent": "a", "label_noise": 0.1},
        {"name": "blurred", "parent": "a", "blur": 1.0},
        {"name": "blurred_noisy", "parent": "blurred", "label_noise": 0.1},
    ]
    by_name = datasets.index([datasets.resolve_dataset(spec) for spec in specs])
    assert [datasets.changes_images(by_name[n]) for n in by_name] == [False, False, True, False]
    assert [datasets.prepared_root(by_name, n) for n in by_name] == ["a", "a", "blurred", "blurred"]
    assert [datasets.root(by_name, n) for n in by_name] == ["a"] * 4
    from_yaml = yaml.safe_load("name: a\nsource: synthetic\nseparation: 0.5")  # YAML's strings, not literals
    assert datasets.resolve_dataset(from_yaml) == by_name["a"]


def test_seeds_are_stable_and_key_dependent():
    assert derive_seed(1, "adrenal", "sil", 0) == derive_seed(1, "adrenal", "sil", 0)
    assert derive_seed(1, "adrenal", "sil", 0) != derive_seed(1, "adrenal", "sil", 1)
    assert derive_seed("x") == 1637211439935739938  # a changed value would change every result
