"""DICOM inputs: series (any file order, orientation, rescale), multi-frame files, SEG and RTSTRUCT masks, a real
series, radiomics as from NIfTI, class folders, `difficulty init`, and no PHI in the results."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom
import pytest
import SimpleITK as sitk
import yaml

from conftest import REPO, write_nifti
from dicom_files import (
    AXIAL,
    CORONAL,
    PHI,
    SAGITTAL,
    hounsfield,
    write_enhanced,
    write_rtstruct,
    write_seg,
    write_series,
)
from difficulty.data import SOURCES, resolve_dataset
from difficulty.data.sources import dicom, folder
from difficulty.data.sources.dicom import DicomOptions
from difficulty.options import DataError

OBLIQUE = ((np.cos(0.5), np.sin(0.5), 0.0), (0.0, 0.0, -1.0))
REAL_SERIES = Path(pydicom.__file__).parent / "data" / "test_files" / "dicomdirtests"


def stored_volume(shape=(6, 10, 14), seed=0):
    return np.random.default_rng(seed).integers(0, 1500, shape).astype(np.int16)


def box(shape, z=(1, 4), y=(2, 7), x=(3, 11)):
    mask = np.zeros(shape, bool)
    mask[slice(*z), slice(*y), slice(*x)] = True
    return mask


def read(path, key=None, **options):
    series = dicom.scan_series(path, "c1", key, DicomOptions(**options))
    return series, dicom.read_series(series, "c1")


def expected_direction(orientation):
    row, col = (np.asarray(v, float) for v in orientation)
    return tuple(np.stack([row, col, np.cross(row, col)], axis=1).ravel())


@pytest.mark.parametrize(
    "orientation", [AXIAL, CORONAL, SAGITTAL, OBLIQUE], ids=["axial", "coronal", "sagittal", "oblique"]
)
def test_a_series_reads_in_hu_with_the_geometry_of_its_positions_whatever_the_file_order(tmp_path, orientation):
    stored = stored_volume()
    names = [f"f{i:02d}.dcm" for i in np.random.default_rng(1).permutation(len(stored))]  # file order ≠ slice order
    slopes = [1.0, 1.0, 0.5, 1.0, 2.0, 1.0]  # a rescale of each slice's own
    written = write_series(tmp_path / "s", stored, orientation=orientation, slope=slopes, intercept=-1000, names=names)
    series, image = read(tmp_path / "s")
    np.testing.assert_array_equal(sitk.GetArrayFromImage(image), hounsfield(written))  # HU, slice by slice
    assert image.GetSpacing() == pytest.approx((0.7, 0.8, 2.5))  # from the positions: SliceThickness says 99
    assert image.GetOrigin() == pytest.approx(written[0].ImagePositionPatient)
    assert image.GetDirection() == pytest.approx(expected_direction(orientation))
    assert [f.name for f in series.files] == [f"f{i:02d}.dcm" for i in np.random.default_rng(1).permutation(6)]
    # GDCM's own sorting of the same folder gives the same geometry
    gdcm = sitk.ImageSeriesReader()
    gdcm.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(tmp_path / "s")))
    reference = gdcm.Execute()
    for got, want in [(image.GetSpacing(), reference.GetSpacing()), (image.GetOrigin(), reference.GetOrigin())]:
        assert got == pytest.approx(want, abs=1e-6)
    assert np.abs(np.subtract(image.GetDirection(), reference.GetDirection())).max() < 1e-6


def test_integer_rescale_keeps_an_integer_image(tmp_path):
    stored = stored_volume()
    written = write_series(tmp_path / "s", stored)
    _, image = read(tmp_path / "s")
    array = sitk.GetArrayFromImage(image)
    assert np.issubdtype(array.dtype, np.integer) and np.array_equal(array, hounsfield(written))


def test_a_missing_slice_stops_naming_the_case_and_the_gap_unless_the_tolerance_allows_it(tmp_path):
    write_series(tmp_path / "s", stored_volume((7, 8, 8)), skip={3})
    with pytest.raises(
        DataError,
        match=r"case 'c1': series folder .*: a gap of 5 mm between IM0002.dcm and IM0004.dcm "
        r"\(35.00 and 40.00 mm along the slice normal\), where the closest slices are 2.5 mm apart: a missing slice",
    ):
        read(tmp_path / "s")
    write_series(tmp_path / "jitter", stored_volume((5, 8, 8)), spacing=(0.7, 0.8, 2.5), names=None)
    for f, dz in zip(sorted((tmp_path / "jitter").iterdir()), [0, 0.05, -0.05, 0.04, 0]):  # 2 % jitter: kept
        ds = pydicom.dcmread(f)
        ds.ImagePositionPatient[2] += dz
        ds.save_as(f)
    series, _ = read(tmp_path / "jitter")
    assert series.spacing[2] == pytest.approx(2.5)
    series, image = read(tmp_path / "s", slice_tolerance=1.5)  # a user who accepts the gap gets the mean spacing
    assert image.GetSize() == (8, 8, 6) and image.GetSpacing()[2] == pytest.approx(3.0)


def test_two_series_in_one_folder_need_a_series_uid_which_picks_one(tmp_path):
    first = write_series(tmp_path / "s", stored_volume((4, 8, 8), seed=1), names=[f"a{i}.dcm" for i in range(4)])
    second = write_series(tmp_path / "s", stored_volume((5, 8, 8), seed=2), names=[f"b{i}.dcm" for i in range(5)])
    with pytest.raises(
        DataError,
        match=r"holds 2 image series \(series number 3: 4 file\(s\), e.g. a0.dcm, series "
        r"number 3: 5 file\(s\), e.g. b0.dcm\); name the one to read in a sample sheet's 'series_uid'",
    ):
        read(tmp_path / "s")
    for chosen in (first, second):
        _, image = read(tmp_path / "s", dicom.series_key(chosen[0].SeriesInstanceUID))
        np.testing.assert_array_equal(sitk.GetArrayFromImage(image), hounsfield(chosen))


def test_a_gantry_tilt_is_refused_or_resampled_onto_an_orthogonal_grid(tmp_path):
    stored = np.zeros((5, 8, 16), np.int16)
    for k in range(5):
        stored[k, :, 10 - k] = 1000  # a line along the normal in the patient: shifted one column per slice
    write_series(tmp_path / "s", stored, shift=(0.7, 0.0, 0.0))
    with pytest.raises(
        DataError,
        match=r"gantry tilt of 15.6° \(each slice shifted 0.7 mm in plane\); set "
        "`gantry_tilt: resample`",
    ):
        read(tmp_path / "s")
    series, image = read(tmp_path / "s", gantry_tilt="resample")
    array = sitk.GetArrayFromImage(image)
    assert image.GetDirection() == pytest.approx(expected_direction(AXIAL)) and series.spacing[2] == pytest.approx(2.5)
    np.testing.assert_allclose(array[:, :, 10], 1000 - 1024)  # the line is straight on the orthogonal grid
    assert np.all(array[:, :, 11:] == -1024)


def test_an_enhanced_multiframe_file_reads_as_its_single_frame_series(tmp_path):
    stored = stored_volume()
    written = write_series(tmp_path / "s", stored, orientation=OBLIQUE, slope=[1, 1, 0.5, 1, 2, 1], intercept=-1000)
    write_enhanced(tmp_path / "enhanced.dcm", written, order=[3, 1, 0, 5, 2, 4])
    assert int(pydicom.dcmread(tmp_path / "enhanced.dcm", stop_before_pixels=True).NumberOfFrames) == 6
    _, single = read(tmp_path / "s")
    _, multi = read(tmp_path / "enhanced.dcm")
    np.testing.assert_array_equal(sitk.GetArrayFromImage(multi), sitk.GetArrayFromImage(single))
    for get in ("GetSpacing", "GetOrigin", "GetDirection"):
        assert getattr(multi, get)() == pytest.approx(getattr(single, get)())


def test_mixed_sizes_and_non_image_files_among_the_slices_are_refused(tmp_path):
    write_series(tmp_path / "s", stored_volume((4, 8, 8)))
    write_series(tmp_path / "s", stored_volume((1, 8, 6)), names=["odd.dcm"], uids=None)
    with pytest.raises(DataError, match="holds 2 image series"):
        read(tmp_path / "s")
    ds = pydicom.dcmread(tmp_path / "s" / "odd.dcm")
    ds.SeriesInstanceUID = pydicom.dcmread(tmp_path / "s" / "IM0000.dcm").SeriesInstanceUID
    ds.save_as(tmp_path / "s" / "odd.dcm")
    with pytest.raises(
        DataError, match=r"mixed slice sizes in series folder .*: IM0000.dcm is 8 × 8, odd.dcm is 8 × 6"
    ):
        read(tmp_path / "s")
    (tmp_path / "s" / "odd.dcm").unlink()
    (tmp_path / "s" / "notes.txt").write_text("scanned on a Tuesday")
    with pytest.raises(DataError, match=r"file .*notes.txt in series folder .* is not a DICOM file"):
        read(tmp_path / "s")
    (tmp_path / "s" / "notes.txt").unlink()
    (tmp_path / "s" / ".DS_Store").write_bytes(b"\0")  # hidden files are not slices
    assert read(tmp_path / "s")[1].GetSize() == (8, 8, 4)


# ---- masks -------------------------------------------------------------------------------------------------


def test_a_seg_segment_by_number_or_label_lies_on_its_image(tmp_path):
    stored = stored_volume()
    written = write_series(tmp_path / "s", stored, orientation=CORONAL)
    liver, tumour = box(stored.shape), box(stored.shape, z=(2, 5), y=(1, 3), x=(1, 4))
    write_seg(tmp_path / "seg.dcm", written, {"liver": liver, "tumour": tumour})
    series, _ = read(tmp_path / "s")
    for choice, want in [(1, liver), ("2", tumour), ("tumour", tumour)]:
        mask = dicom.read_dicom_mask(tmp_path / "seg.dcm", "seg", series, "c1", DicomOptions(), choice)
        np.testing.assert_array_equal(mask, want)
    with pytest.raises(DataError, match=r"holds 2 segments \(1 'liver', 2 'tumour'\); name one"):
        dicom.read_dicom_mask(tmp_path / "seg.dcm", "seg", series, "c1", DicomOptions(), None)
    with pytest.raises(DataError, match=r"has no segment 'spleen' \(has 1 'liver', 2 'tumour'\)"):
        dicom.read_dicom_mask(tmp_path / "seg.dcm", "seg", series, "c1", DicomOptions(segment="spleen"), None)


def test_an_rtstruct_is_rasterised_onto_non_square_slices_and_pixels(tmp_path):
    stored = stored_volume((6, 10, 16))
    written = write_series(tmp_path / "s", stored, spacing=(0.6, 0.9, 2.0), orientation=SAGITTAL)
    tumour, other = box(stored.shape, z=(1, 4), y=(2, 8), x=(3, 14)), box(stored.shape, z=(0, 2), y=(0, 3), x=(0, 3))
    write_rtstruct(tmp_path / "rt.dcm", tmp_path / "s", written, {"tumour": tumour, "other": other})
    series, _ = read(tmp_path / "s")
    mask = dicom.read_dicom_mask(tmp_path / "rt.dcm", "rtstruct", series, "c1", DicomOptions(roi="tumour"))
    np.testing.assert_array_equal(mask, tumour)
    # the contour's corners, where the geometry puts them in the patient: voxel (z 1, y 2, x 3) and (z 1, y 7, x 13)
    ds = pydicom.dcmread(tmp_path / "rt.dcm")
    points = np.concatenate([np.reshape(c.ContourData, (-1, 3)) for c in ds.ROIContourSequence[0].ContourSequence])
    index = np.array([sitk.Image.TransformPhysicalPointToContinuousIndex(read(tmp_path / "s")[1], p) for p in points])
    assert index.min(0) == pytest.approx([3, 2, 1]) and index.max(0) == pytest.approx([13, 7, 3])
    with pytest.raises(DataError, match=r"RTSTRUCT file .*rt.dcm holds 2 structures \(\['tumour', 'other'\]\)"):
        dicom.read_dicom_mask(tmp_path / "rt.dcm", "rtstruct", series, "c1", DicomOptions())
    with pytest.raises(DataError, match=r"has no structure 'GTV' \(has \['tumour', 'other'\]\)"):
        dicom.read_dicom_mask(tmp_path / "rt.dcm", "rtstruct", series, "c1", DicomOptions(), "GTV")


def test_a_mask_of_another_series_stops_naming_both_uids(tmp_path):
    stored = stored_volume((4, 8, 8))
    written = write_series(tmp_path / "s", stored)
    other = write_series(tmp_path / "other", stored)
    write_seg(tmp_path / "seg.dcm", other, {"tumour": box(stored.shape)})
    write_rtstruct(tmp_path / "rt.dcm", tmp_path / "other", other, {"tumour": box(stored.shape)})
    series, _ = read(tmp_path / "s")
    mine, theirs = written[0].FrameOfReferenceUID, other[0].FrameOfReferenceUID
    for kind, name in (("seg", "DICOM SEG"), ("rtstruct", "RTSTRUCT")):
        with pytest.raises(
            dicom.ReferenceMismatch,
            match=rf"{name} file .* does not belong to its image .*: it "
            rf"references frame of reference {theirs}, the image's is {mine}",
        ):
            dicom.read_dicom_mask(
                tmp_path / f"{'seg' if kind == 'seg' else 'rt'}.dcm", kind, series, "c1", DicomOptions()
            )
    # the same frame of reference, another series (a second reconstruction): stopped too
    again = write_series(
        tmp_path / "again", stored, uids=(pydicom.uid.generate_uid(), mine, written[0].StudyInstanceUID)
    )
    write_seg(tmp_path / "seg2.dcm", again, {"tumour": box(stored.shape)})
    with pytest.raises(
        dicom.ReferenceMismatch,
        match=rf"references series {again[0].SeriesInstanceUID}, the image is "
        rf"series {written[0].SeriesInstanceUID}",
    ):
        dicom.read_dicom_mask(tmp_path / "seg2.dcm", "seg", series, "c1", DicomOptions())


# ---- sheets, radiomics, a real series ----------------------------------------------------------------------


def dicom_case(folder, name, stored, mask, **kw):
    written = write_series(folder / name, stored, **kw)
    write_seg(folder / f"{name}_seg.dcm", written, {"lesion": mask})
    return written


def test_radiomics_of_a_dicom_case_equal_those_of_the_same_volume_from_nifti(tmp_path):
    from difficulty.features.radiomics import extract_radiomics

    rng = np.random.default_rng(3)
    stored = (rng.normal(1100, 60, (12, 24, 20)) + np.linspace(0, 300, 20)).astype(np.int16)
    mask = box(stored.shape, z=(2, 10), y=(4, 20), x=(3, 17))
    written = dicom_case(
        tmp_path, "ct", stored, mask, spacing=(0.7, 0.8, 2.5), orientation=OBLIQUE, slope=0.5, intercept=-1024
    )
    # the same volume and geometry, written as NIfTI from what pydicom says (not from our reader)
    direction = expected_direction(OBLIQUE)
    for name, array in (
        ("ct.nii.gz", hounsfield(written).astype(np.float32)),
        ("ct_mask.nii.gz", mask.astype(np.uint8)),
    ):
        item = sitk.GetImageFromArray(array)
        item.SetSpacing((0.7, 0.8, 2.5))
        item.SetOrigin(tuple(float(v) for v in written[0].ImagePositionPatient))
        item.SetDirection(direction)
        sitk.WriteImage(item, str(tmp_path / name))
    (tmp_path / "sheet.csv").write_text("case_id,label,image,mask\nd,a,ct,ct_seg.dcm\nn,b,ct.nii.gz,ct_mask.nii.gz\n")
    spec = resolve_dataset({"name": "d", "source": "sheet", "path": str(tmp_path / "sheet.csv")})
    from_dicom, from_nifti = SOURCES.get("sheet").read(spec, SOURCES.get("sheet").cases(spec), 0)
    params = tmp_path / "params.yaml"
    params.write_text(
        yaml.safe_dump(
            {
                "setting": {"binWidth": 25, "label": 1},
                "imageType": {"Original": {}},
                "featureClass": {"firstorder": None, "shape": None, "glcm": None},
            }
        )
    )
    table = extract_radiomics([from_dicom, from_nifti], params)
    values = table.drop(columns="case_id").to_numpy(np.float64)
    assert values.shape[1] > 50
    np.testing.assert_allclose(values[0], values[1], rtol=1e-6, atol=1e-9)


def test_a_sheet_of_dicom_series_keeps_no_uid_in_its_case_table(tmp_path):
    written = write_series(tmp_path / "two", stored_volume((4, 8, 8), seed=1), names=[f"a{i}.dcm" for i in range(4)])
    write_series(tmp_path / "two", stored_volume((5, 8, 8), seed=2), names=[f"b{i}.dcm" for i in range(5)])
    write_series(tmp_path / "one", stored_volume((3, 8, 8), seed=3))
    uid = written[0].SeriesInstanceUID
    (tmp_path / "sheet.csv").write_text(f"case_id,label,image,series_uid\nc1,a,two,{uid}\nc2,b,one,\n")
    spec = resolve_dataset({"name": "d", "source": "sheet", "path": str(tmp_path / "sheet.csv")})
    cases = SOURCES.get("sheet").cases(spec)
    assert "series_uid" not in cases and cases["series_key"].tolist() == [dicom.series_key(uid), ""]
    assert uid not in cases.to_csv()
    one, two = SOURCES.get("sheet").read(spec, cases, 0)
    np.testing.assert_array_equal(one.image, hounsfield(written))
    assert two.image.shape == (3, 8, 8) and two.spacing == pytest.approx((2.5, 0.8, 0.7))
    files = SOURCES.get("sheet").files(spec, None)
    assert len(files) == 1 + 9 + 3 and all(Path(f).is_file() for f in files)  # the sheet, then every slice


def test_a_real_ct_series_reads_with_the_geometry_pydicom_reports():
    """A real (anonymised, downsized) CT series shipped with pydicom; a second one has missing slices."""
    folder = REAL_SERIES / "98892001" / "CT5N"
    if not folder.is_dir():
        pytest.skip("pydicom's test files are not installed")
    headers = sorted((pydicom.dcmread(f) for f in folder.iterdir()), key=lambda d: float(d.ImagePositionPatient[2]))
    series, image = read(folder)
    normal = np.cross(*np.reshape(np.asarray(headers[0].ImageOrientationPatient, float), (2, 3)))
    along = [float(np.dot(normal, h.ImagePositionPatient)) for h in headers]
    assert image.GetSize() == (headers[0].Columns, headers[0].Rows, len(headers)) == (16, 16, 5)
    assert image.GetOrigin() == pytest.approx([float(v) for v in headers[0].ImagePositionPatient])
    assert image.GetSpacing() == pytest.approx([*map(float, headers[0].PixelSpacing[::-1]), np.diff(along).mean()])
    assert image.GetDirection() == pytest.approx(
        expected_direction(np.reshape(headers[0].ImageOrientationPatient, (2, 3)))
    )
    np.testing.assert_array_equal(sitk.GetArrayFromImage(image), hounsfield(headers))
    assert series.modality == "CT"
    with pytest.raises(DataError, match=r"a gap of 202 mm between .* where the closest slices are 1.25 mm apart"):
        read(REAL_SERIES / "77654033" / "CT2")


# ---- class folders ------------------------------------------------------------------------------------------


def class_folders(root, masks="pattern", n=2):
    """Two classes of ``n`` NIfTI cases and a DICOM series case (SEG mask), masks by pattern or a parallel tree."""
    rng = np.random.default_rng(0)
    for c, label in enumerate(("benign", "malignant")):
        for i in range(n):
            case = f"pt{i}_{label[0]}{i}"
            image = rng.normal(100 + 30 * c, 10, (6, 8, 10)).astype(np.float32)
            target = root / "masks" / label if masks == "tree" else root / "images" / label
            target.mkdir(parents=True, exist_ok=True)
            (root / "images" / label).mkdir(parents=True, exist_ok=True)
            write_nifti(root / "images" / label / f"{case}.nii.gz", image, (0.8, 0.8, 2.0))
            mask_name = f"{case}.nii.gz" if masks == "tree" else f"{case}_mask.nii.gz"
            write_nifti(target / mask_name, box((6, 8, 10)).astype(np.uint8), (0.8, 0.8, 2.0))
        series = f"pt{n + c}_series"
        written = write_series(root / "images" / label / series, stored_volume((4, 8, 8), seed=c))
        mask_name = f"{series}.dcm" if masks == "tree" else f"{series}_mask.dcm"
        target = root / "masks" / label if masks == "tree" else root / "images" / label
        write_seg(target / mask_name, written, {"lesion": box((4, 8, 8), z=(1, 3), y=(2, 6), x=(2, 6))})


@pytest.mark.parametrize("masks", ["pattern", "tree"])
def test_class_folders_read_images_series_and_masks_with_patient_ids(tmp_path, masks):
    class_folders(tmp_path, masks)
    entry = {"path": str(tmp_path / "images"), "patient_pattern": r"^(?P<patient>pt\d+)_"}
    entry |= {"masks": str(tmp_path / "masks")} if masks == "tree" else {"mask_pattern": "{case}_mask.nii.gz"}
    if masks == "pattern":  # one pattern for both kinds of mask file: the DICOM cases keep theirs in a tree
        with pytest.raises(DataError, match=r"case 'pt2_series' .*: its mask .*pt2_series_mask.nii.gz does not exist"):
            SOURCES.get("folder").cases(resolve_dataset({"name": "d", "source": "folder", **entry}))
        for label in ("benign", "malignant"):
            for seg in (tmp_path / "images" / label).glob("*_mask.dcm"):
                seg.rename(seg.with_name(seg.name.replace("_mask.dcm", "_mask.nii.gz")))
    spec = resolve_dataset({"name": "d", "source": "folder", **entry})
    cases = SOURCES.get("folder").cases(spec)
    assert cases[["case_id", "label", "patient_id"]].values.tolist() == [
        ["pt0_b0", "benign", "pt0"],
        ["pt1_b1", "benign", "pt1"],
        ["pt2_series", "benign", "pt2"],
        ["pt0_m0", "malignant", "pt0"],
        ["pt1_m1", "malignant", "pt1"],
        ["pt3_series", "malignant", "pt3"],
    ]
    read_cases = list(SOURCES.get("folder").read(spec, cases, 0))
    assert [c.case_id for c in read_cases] == cases["case_id"].tolist()
    assert read_cases[2].image.shape == (4, 8, 8) and read_cases[2].mask.sum() == 2 * 4 * 4
    assert read_cases[0].mask.sum() == 3 * 5 * 7 and read_cases[0].spacing == pytest.approx((2.0, 0.8, 0.8))


def test_class_folders_refuse_a_lone_case_a_stray_file_and_a_name_in_two_classes(tmp_path):
    spec = resolve_dataset({"name": "d", "source": "folder", **folder.write_example(tmp_path / "c")})
    source = SOURCES.get("folder")
    assert len(source.cases(spec)) == 6
    (tmp_path / "c" / "benign" / "notes.txt").write_text("x")
    with pytest.raises(DataError, match=r"class folder .*benign: notes.txt is neither an image file"):
        source.check(spec, False)
    (tmp_path / "c" / "benign" / "notes.txt").unlink()
    (tmp_path / "c" / "malignant" / "pt0_benign.nii.gz").write_bytes(b"x")
    with pytest.raises(DataError, match=r"case 'pt0_benign' is in class folders 'benign' and 'malignant'"):
        source.check(spec, False)
    (tmp_path / "c" / "malignant" / "pt0_benign.nii.gz").unlink()
    for i in (1, 2):
        for name in (f"pt{i}_benign.nii.gz", f"pt{i}_benign_mask.nii.gz"):
            (tmp_path / "c" / "benign" / name).unlink()
    with pytest.raises(DataError, match=r"class folder .*benign holds 1 case\(s\); a class needs two at least"):
        source.check(spec, False)


# ---- difficulty init ----------------------------------------------------------------------------------------


def run_init(*args, cwd):
    env = os.environ | {"PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "difficulty.cli", "init", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )


def test_the_console_command_is_declared():
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"difficulty": "difficulty.cli:main"}


def test_init_starts_from_the_default_config():
    from difficulty.starter import starter_config

    default = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    starter = starter_config({"name": "mine", "source": "sheet", "path": "sheet.csv"})
    assert {k: v for k, v in starter.items() if k not in ("results", "seed", "datasets")} == {
        k: v for k, v in default.items() if k not in ("results", "seed", "datasets")
    }
    assert starter["datasets"][0]["name"] == "mine" and len(starter["datasets"]) == 4


def test_init_prints_what_it_found_and_writes_a_config_that_runs(tmp_path):
    class_folders(tmp_path, "tree", n=5)  # six cases per class: as many as FID needs
    done = run_init("images", "--masks", "masks", "--patient-pattern", r"^(pt\d+)_", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "dataset 'images' (source: folder, path: images)" in out
    assert "12 cases in 2 classes: benign 6, malignant 6" in out and "7 patients (1–2 cases each)" in out
    assert (
        "shapes (z × y × x voxels): 4–6 × 8 × 8–10" in out and "spacings (z × y × x mm): 2–2.5 × 0.8 × 0.7–0.8" in out
    )
    assert "modalities: CT (DICOM series) 2, NIfTI 10" in out and "no problems found" in out
    config = yaml.safe_load((tmp_path / "config.yaml").read_text())
    assert config["datasets"][0] == {
        "name": "images",
        "source": "folder",
        "path": "images",
        "masks": "masks",
        "patient_pattern": r"^(pt\d+)_",
    }
    assert [d["name"] for d in config["datasets"][1:]] == ["images_noise10", "images_noise20", "images_noise30"]
    from difficulty.pipeline.config import resolve

    os.chdir(tmp_path)
    try:
        resolve(config)
    finally:
        os.chdir(REPO)
    assert run_init("images", cwd=tmp_path).returncode == 2  # an existing config is kept


def test_init_lists_every_problem_in_the_pipelines_words(tmp_path):
    class_folders(tmp_path, "pattern")
    for label in ("benign", "malignant"):  # pattern masks: the DICOM cases' SEGs named as the pattern says
        for seg in (tmp_path / "images" / label).glob("*_mask.dcm"):
            seg.rename(seg.with_name(seg.name.replace("_mask.dcm", "_mask.nii.gz")))
    write_series(
        tmp_path / "images" / "benign" / "pt2_series", stored_volume((2, 8, 8), seed=5), names=["x0.dcm", "x1.dcm"]
    )  # a second series in the case's folder
    (tmp_path / "images" / "malignant" / "pt1_m1.nii.gz").write_bytes(b"broken")
    done = run_init("images", cwd=tmp_path)
    assert done.returncode == 1
    out = done.stdout
    assert "problems (3):" in out and "  4 case(s) read without a problem" in out
    assert "dataset 'images': images: class 'benign' has 3 case(s); metric 'fid' (fraction 0.6) needs at least 6" in out
    assert "dataset 'images', case 'pt2_series': series folder images/benign/pt2_series holds 2 image series" in out
    assert "set `on_bad_case: skip` on the dataset" in out
    assert "dataset 'images', case 'pt1_m1': cannot read image file images/malignant/pt1_m1.nii.gz" in out
    assert "series in images/benign/pt2_series: 1." in out  # the UIDs, to choose one: on the terminal only
    assert "mask_pattern: '{case}_mask.nii.gz'" in (tmp_path / "config.yaml").read_text()


def test_init_reads_a_sample_sheet_too(tmp_path):
    for i in range(6):
        write_series(tmp_path / f"s{i}", stored_volume((3 + i % 2, 8, 8), seed=i))
    rows = [f"s{i},{'a' if i % 2 else 'b'},s{i},pt{i // 2}" for i in range(6)]
    (tmp_path / "cases.csv").write_text("case_id,label,image,patient_id\n" + "\n".join(rows) + "\n")
    done = run_init("cases.csv", "-o", "liver.yaml", "--name", "liver", cwd=tmp_path)
    out = done.stdout
    assert "dataset 'liver' (source: sheet, path: cases.csv)" in out and "6 cases in 2 classes: a 3, b 3" in out
    assert "3 patients (2 cases each)" in out and "shapes (z × y × x voxels): 3–4 × 8 × 8" in out
    assert "modalities: CT (DICOM series) 6" in out
    config = yaml.safe_load((tmp_path / "liver.yaml").read_text())
    assert config["datasets"][0] == {"name": "liver", "source": "sheet", "path": "cases.csv"}


# ---- privacy ------------------------------------------------------------------------------------------------


def test_no_phi_from_the_headers_reaches_the_results(tmp_path):
    """A run on DICOM series (with SEG and RTSTRUCT masks) whose headers name a patient: no trace in the results."""
    from test_workflow import project, snakemake

    work = tmp_path / "project"
    work.mkdir()
    rng = np.random.default_rng(7)
    rows, uids = ["case_id,label,image,mask,patient_id"], []
    for i in range(8):
        stored = (rng.normal(1000 + 60 * (i % 2), 40, (6, 12, 12))).astype(np.int16)
        mask = box(stored.shape, z=(1, 5), y=(2, 10), x=(2, 10))
        written = write_series(work / "dicom" / f"s{i}", stored, orientation=CORONAL if i % 3 == 0 else AXIAL)
        if i % 2:
            write_seg(work / "dicom" / f"s{i}_seg.dcm", written, {"lesion": mask})
        else:
            write_rtstruct(work / "dicom" / f"s{i}_rt.dcm", work / "dicom" / f"s{i}", written, {"lesion": mask})
        uids += [written[0].SeriesInstanceUID, written[0].StudyInstanceUID, written[0].FrameOfReferenceUID]
        uids += [ds.SOPInstanceUID for ds in written]
        rows.append(f"s{i},{'b' if i % 2 else 'a'},dicom/s{i},dicom/s{i}_{'seg' if i % 2 else 'rt'}.dcm,pt{i // 2}")
    (work / "sheet.csv").write_text("\n".join(rows) + "\n")
    params = {
        "setting": {"binWidth": 25, "label": 1},
        "imageType": {"Original": {}},
        "featureClass": {"firstorder": None, "shape": None},
    }
    (work / "radiomics.yaml").write_text(yaml.safe_dump(params))
    config = {
        "seed": 3,
        "datasets": [
            {"name": "ct", "source": "sheet", "path": "sheet.csv", "size": [8, 8, 8]},
            {"name": "ct_noisy", "parent": "ct", "label_noise": 0.25},
            {"name": "ct_noisier", "parent": "ct", "label_noise": 0.5},
            {"name": "phantoms", "source": "synthetic", "separation": 1.0, "n_per_class": 8, "shape": [8, 8, 8]},
        ],
        "features": {"radiomics": {"type": "radiomics", "params": "radiomics.yaml"}},
        "metrics": {"sil": {"type": "sil"}},
        "bootstrap": {"chunks": 1, "sessions_per_chunk": 5, "fraction": 0.8},
        "models": {"cnn3d": {"type": "cnn3d", "folds": 2, "epochs": 1, "channels": [4, 8]}},
        "curation": {"folds": 2},  # 4 patients per class; the probe's folds group them
        "correlation": {"bootstrap": 10},
    }
    project(work, config)
    snakemake(work)
    snakemake(work, "--report", str(work / "results" / "report.html"))
    results = [p for p in (work / "results").rglob("*") if p.is_file()]
    assert len(pd.read_parquet(work / "results" / "features" / "ct" / "radiomics.parquet")) == 8
    assert work / "results" / "report.html" in results and len(results) > 30
    needles = [*PHI.values(), "Zyxwvut", "Quimby", "MRN55501234", "Qwerty", *uids]
    for path in results:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{needle!r} in {path}"
            assert needle.encode("utf-16-le") not in data, f"{needle!r} (UTF-16) in {path}"
