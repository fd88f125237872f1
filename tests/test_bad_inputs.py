"""Messy inputs: each stops with one readable message naming the file, case and column, or is a recorded skip."""

import gzip
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pydicom
import pytest
import SimpleITK as sitk

from conftest import REPO, prepared, write_nifti
from dicom_files import write_rtstruct, write_seg, write_series
from difficulty.data import qc
from difficulty.data.sources import sheet
from difficulty.features.postprocess import reduce_pca, zscore_drop_nan
from difficulty.io import write_table
from difficulty.metrics.bootstrap import draw_sessions
from difficulty.metrics.validation import check_inputs
from difficulty.models.splits import make_folds
from difficulty.options import ConfigError, DataError


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("img/c3.nii.gz", "img/gone.nii.gz"),
            r"case 'c3': image file .*gone.nii.gz does not exist",
        ),
        (
            lambda t: t.replace("img/c2_mask.nii.gz", "img/no.nii.gz"),
            r"case 'c2': mask file .*no.nii.gz does not exist",
        ),
        (lambda t: t.replace("c4\t", "c1\t"), r"case_id 'c1' appears more than once; case ids must be unique"),
        (lambda t: t.replace("p2\ttumour", "p2\t "), r"case 'c5' has an empty 'label'"),
        (
            lambda t: t.replace("p0\ttumour", "p0\tTumour"),
            r"differ only in upper/lower case: 'Tumour' \(e.g. case 'c1'\)",
        ),
        (lambda t: t.replace("tumour", "normal"), r"all cases have label 'normal'; two classes are needed"),
    ],
)
def test_bad_sheets_stop_before_any_image_is_read(nifti_sheet, edit, message):
    nifti_sheet.write_text(edit(nifti_sheet.read_text()))
    with pytest.raises(DataError, match=message) as err:
        sheet.read_sheet(nifti_sheet)
    assert f"sample sheet {nifti_sheet}" in str(err.value)


def test_stray_whitespace_in_labels_is_stripped_and_logged(nifti_sheet, caplog):
    nifti_sheet.write_text(nifti_sheet.read_text().replace("p1\ttumour", "p1\t tumour "))
    labels = sheet.read_sheet(nifti_sheet)["label"]
    assert labels.tolist() == ["normal", "tumour"] * 3
    assert "1 label(s) had stray whitespace, stripped (e.g. case 'c3': ' tumour ' → 'tumour')" in caplog.text


def test_a_blank_patient_id_is_its_own_patient_with_a_warning_and_a_qc_line(nifti_sheet, tmp_path, caplog):
    nifti_sheet.write_text(nifti_sheet.read_text().replace("c1\tp0\t", "c1\t\t").replace("c4\tp2\t", "c4\t  \t"))
    cases = sheet.read_sheet(nifti_sheet)
    assert cases["patient_id"].tolist() == ["p0", "c1", "p1", "p1", "c4", "p2"]
    assert cases[qc.BLANK_PATIENT].tolist() == [False, True, False, False, True, False]
    assert f"sample sheet {nifti_sheet}: 2 case(s) have a blank patient_id (e.g. case 'c1')" in caplog.text
    prepared(tmp_path / "p", {"source": "sheet", "path": str(nifti_sheet), "size": [8, 8, 8]})
    report = pd.read_csv(tmp_path / "p" / "qc.tsv", sep="\t")
    blank = report[report["problem"].str.startswith("blank patient_id: taken as its own patient")]
    assert blank[["case_id", "patient_id", "outcome"]].values.tolist() == [["c1", "c1", "kept"], ["c4", "c4", "kept"]]
    assert set(report["case_id"]) - set(blank["case_id"]) == {"c2", "c3"}  # p1, under two labels: its own line
    caplog.clear()
    table = pd.read_csv(nifti_sheet, sep="\t", dtype=str).drop(columns="patient_id")
    table.to_csv(nifti_sheet, sep="\t", index=False)
    cases = sheet.read_sheet(nifti_sheet)  # no column: one patient per case, nothing to warn of
    assert (cases["patient_id"] == cases["case_id"]).all() and not cases[qc.BLANK_PATIENT].any()
    assert "blank patient_id" not in caplog.text


def test_classes_too_small_for_a_metric_or_the_folds_are_refused():
    labels = ["a"] * 5 + ["b"] * 2
    qc.check_class_sizes(labels, {"metric 'sil'": 2}, "sheet.csv")
    with pytest.raises(
        DataError, match=r"sheet.csv: class 'b' has 2 case\(s\); model 'cnn3d' \(3 folds\) needs at least 3"
    ):
        qc.check_class_sizes(labels, {"metric 'sil'": 2, "model 'cnn3d' (3 folds)": 3}, "sheet.csv")
    with pytest.raises(DataError, match="every case has label 'a'"):
        qc.check_class_sizes(["a"] * 4, {}, "sheet.csv")


def _truncate(path):
    data = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(data[: len(data) // 2]))


def _vector(path):
    sitk.WriteImage(sitk.GetImageFromArray(np.zeros((10, 12, 14, 3), np.float32), isVector=True), str(path))


def _series(path):
    volume = sitk.GetImageFromArray(np.zeros((10, 12, 14), np.float32))
    sitk.WriteImage(sitk.JoinSeries([volume, volume]), str(path))


def _voxels(value, suffix=None, count=1, dtype=None):
    """Set ``count`` voxels (z = 5, 4, ... at y, x = 6, 7) to ``value``; with a suffix, write that format instead
    (NRRD, MHA) and point the sheet at it."""

    def edit(path):
        image = sitk.ReadImage(str(path))
        array = sitk.GetArrayFromImage(image).astype(dtype or sitk.GetArrayViewFromImage(image).dtype)
        array[5 - count + 1 : 6, 6, 7] = value
        out = sitk.GetImageFromArray(array)
        out.CopyInformation(image)
        target = path if suffix is None else path.with_name(path.name.removesuffix(".nii.gz") + suffix)
        sitk.WriteImage(out, str(target), useCompression=True)
        if suffix is not None:
            sheet = path.parents[1] / "sheet.tsv"
            sheet.write_text(sheet.read_text().replace(f"img/{path.name}", f"img/{target.name}"))

    return edit


BAD_FILES = {
    "not an image": ("c3.nii.gz", lambda p: p.write_bytes(b"not an image"), r"cannot read image file .*c3.nii.gz"),
    "truncated": (
        "c3.nii.gz",
        _truncate,
        r"cannot read image file .*c3.nii.gz: the file holds 3536 bytes, its header "
        r"declares 7072",
    ),
    "cut gzip": (
        "c3_mask.nii.gz",
        lambda p: p.write_bytes(p.read_bytes()[:-20]),
        r"cannot read mask file .*c3_mask.nii.gz: the compressed data end early",
    ),
    "mask size": (
        "c3_mask.nii.gz",
        lambda p: write_nifti(p, np.ones((10, 12, 15), np.uint8), (2.0, 1.0, 0.5)),
        r"mask file .*c3_mask.nii.gz does not lie on its image .*: size \(15, 12, 10\) vs \(14, 12, 10\)",
    ),
    "mask spacing": (
        "c3_mask.nii.gz",
        lambda p: write_nifti(p, np.ones((10, 12, 14), np.uint8), (2.0, 1.0, 0.7)),
        r"mask file .*c3_mask.nii.gz does not lie on its image .*: "
        r"spacing \(2.0, 1.0, 0.7\) vs \(2.0, 1.0, 0.5\) \(mm, x y z\) \(mask vs image\)",
    ),
    "empty mask": (
        "c3_mask.nii.gz",
        lambda p: write_nifti(p, np.zeros((10, 12, 14), np.uint8), (2.0, 1.0, 0.5)),
        r"mask file .*c3_mask.nii.gz has no voxel of any non-zero label \(has \[0\]\)",
    ),
    "4D image": (
        "c3.nii.gz",
        _series,
        r"image file .*c3.nii.gz is 4-D with 1 comp",
    ),
    "multi-channel": ("c3.nii.gz", _vector, r"image file .*c3.nii.gz is 3-D with 3 component\(s\)"),
    "NaN voxel": (
        "c3.nii.gz",
        _voxels(np.nan),
        r"cannot read image file .*: it holds 1 NaN or inf voxel\(s\) \(first at z, y, x = \(5, 6, 7\)\)",
    ),
    "inf voxel": ("c3.nii.gz", _voxels(np.inf), r"cannot read image file .*: it holds 1 NaN or inf voxel\(s\)"),
    # SimpleITK reads NaN and inf in NRRD and MHA files as they are: the voxels read are checked.
    "NaN voxel, NRRD": (
        "c3.nii.gz",
        _voxels(np.nan, ".nrrd"),
        r"the image holds 1 NaN or inf voxel\(s\) \(first at z, y, x = \(5, 6, 7\)\)",
    ),
    "inf voxels, MHA": (
        "c3.nii.gz",
        _voxels(-np.inf, ".mha", 3),
        r"the image holds 3 NaN or inf voxel\(s\) \(first at z, y, x = \(3, 6, 7\)\)",
    ),
    "NaN voxel, MHA": ("c3.nii.gz", _voxels(np.nan, ".mha"), r"the image holds 1 NaN or inf voxel\(s\)"),
    "inf voxel, NRRD": ("c3.nii.gz", _voxels(np.inf, ".nrrd"), r"the image holds 1 NaN or inf voxel\(s\)"),
    "NaN mask voxel, NRRD": (
        "c3_mask.nii.gz",
        _voxels(np.nan, ".nrrd", dtype=np.float32),
        r"cannot read mask file .*c3_mask.nrrd: it holds 1 NaN or inf voxel\(s\) \(first at z, y, x = \(5, 6, 7\)\)",
    ),
    "inf mask voxel, MHA": (
        "c3_mask.nii.gz",
        _voxels(np.inf, ".mha", dtype=np.float64),
        r"cannot read mask file .*c3_mask.mha: it holds 1 NaN or inf voxel\(s\)",
    ),
}


@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_a_bad_case_stops_its_job_naming_it_or_is_a_recorded_skip(nifti_sheet, tmp_path, bad):
    name, damage, message = BAD_FILES[bad]
    entry = {"source": "sheet", "path": str(nifti_sheet), "size": [8, 8, 8]}
    clean = prepared(tmp_path / "clean", entry)
    damage(tmp_path / "img" / name)
    with pytest.raises(DataError, match=rf"^dataset 'd', case 'c3': {message}.*set `on_bad_case: skip`") as err:
        prepared(tmp_path / "stop", entry)
    assert "results/qc/d.tsv" in str(err.value)
    assert not list((tmp_path / "stop").rglob("*.npy")) and not list((tmp_path / "stop").rglob("*.parquet"))
    data = prepared(tmp_path / "skip", entry | {"on_bad_case": "skip"})
    kept = ["c0", "c1", "c2", "c4", "c5"]
    assert data.case_ids.tolist() == kept and data.cases["row"].tolist() == [0, 1, 2, 4, 5]
    report = pd.read_csv(tmp_path / "skip" / "qc.tsv", sep="\t")
    skipped = report.query("outcome == 'skipped'")
    assert skipped[["case_id", "patient_id", "label"]].values.tolist() == [["c3", "p1", "tumour"]]
    assert re.match(message, skipped["problem"].iloc[0])
    # The cases kept are exactly those of a clean run, on the grid and in the originals.
    for i, case in enumerate(kept):
        j = clean.case_ids.tolist().index(case)
        np.testing.assert_array_equal(data.grid[i], clean.grid[j])
    assert [c.case_id for c in data.originals()] == kept


def test_skipping_every_case_of_a_class_stops_with_the_count(nifti_sheet, tmp_path):
    for i in (1, 3, 5):
        (tmp_path / "img" / f"c{i}.nii.gz").write_bytes(b"broken")
    with pytest.raises(DataError, match=r"dataset 'd' \(3 case\(s\) skipped\): every case has label 'normal'"):
        prepared(
            tmp_path / "p", {"source": "sheet", "path": str(nifti_sheet), "size": [8, 8, 8], "on_bad_case": "skip"}
        )


def test_a_patient_under_two_labels_is_reported_and_kept_together():
    cases = pd.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(12)],
            "patient_id": ["left_right", "left_right"] + [f"p{i}" for i in range(10)],
            "label": ["a", "b"] + ["a", "b"] * 5,
        }
    )
    report = qc.qc_table(cases, pd.DataFrame(columns=qc.QC_COLUMNS))
    assert report["case_id"].tolist() == ["c0", "c1"] and (report["outcome"] == "kept").all()
    y = (cases["label"] == "b").to_numpy().astype(int)
    groups = cases["patient_id"].to_numpy()
    for fold in make_folds(y, groups, "folds", 3, 0.0, seed=1):
        test = set(groups[fold.test])
        assert not test & set(groups[fold.train])
        assert ("left_right" in test) == (0 in fold.test) == (1 in fold.test)
    # Patient-wise bootstrap draws patients within each class: the patient's case of class a with class a only.
    data = check_inputs(np.zeros((12, 2)), cases["label"], groups)
    for session in draw_sessions(data, 50, 0.5, True, np.random.default_rng(0)):
        for c, drawn in enumerate(session):
            assert (data.codes[drawn] == c).all() and len(set(drawn)) == len(drawn)


def test_nan_inf_and_constant_features_are_dropped_and_logged(caplog):
    caplog.set_level("INFO")
    table = pd.DataFrame(
        {"case_id": list("abcdef"), "f1": [1.0, 2, 3, 4, 5, 7], "flat": 3.0, "nan": [1.0, np.nan, 2, 3, 4, 5]}
    )
    table["inf"] = [1.0, 2, np.inf, 3, 4, 5]
    out = zscore_drop_nan(table)
    assert list(out.columns) == ["case_id", "f1"]
    assert "3 feature(s) dropped: 'flat' (constant), 'nan' (NaN or inf), 'inf' (NaN or inf)" in caplog.text
    pcs, variance = reduce_pca(table.assign(f2=[2.0, 1, 0, 5, 3, 3], f3=[0.0, 1, 1, 0, 2, 9]), 20)
    assert pcs.shape == (6, 1 + 3) and len(variance) == 3  # 3 features kept: 20 components capped at 3
    assert "pca: 20 components asked, 3 computed (6 cases, 3 features)" in caplog.text


def test_a_data_error_is_one_line_without_traceback_unless_asked(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(
        "from difficulty.logs import setup\nfrom difficulty.options import DataError\n"
        f"setup({str(tmp_path / 'job.log')!r})\nraise DataError(\"case 'c3': mask file m.nii.gz is empty\")\n"
    )
    env = os.environ | {"PYTHONPATH": str(REPO / "src")}
    env.pop("DIFFICULTY_TRACEBACK", None)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0] == "DataError: case 'c3': mask file m.nii.gz is empty"
    assert "CRITICAL root: DataError: case 'c3'" in (tmp_path / "job.log").read_text()
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env | {"DIFFICULTY_TRACEBACK": "1"}
    )
    assert run.returncode == 1 and "Traceback" in run.stderr


def test_a_writer_failing_in_the_middle_leaves_nothing(tmp_path):
    class Half(pd.DataFrame):
        def to_parquet(self, path, **kw):
            path.write_bytes(b"PAR1 half")
            raise MemoryError("killed in the middle")

    target = tmp_path / "out" / "table.parquet"
    with pytest.raises(MemoryError):
        write_table(Half({"a": [1]}), target)
    assert list((tmp_path / "out").iterdir()) == []


# ---- DICOM inputs and class folders -------------------------------------------------------------------------


@pytest.fixture
def dicom_sheet(tmp_path):
    """Six DICOM CT series of two classes, three patients; a SEG and an RTSTRUCT of each (the sheet names the SEG)."""
    rng = np.random.default_rng(0)
    rows = ["case_id,patient_id,label,image,mask"]
    mask = np.zeros((4, 8, 8), bool)
    mask[1:3, 2:6, 2:6] = True
    for i in range(6):
        folder = tmp_path / "dcm" / f"c{i}"
        written = write_series(folder, rng.integers(900, 1300 + 50 * (i % 2), (4, 8, 8)).astype(np.int16))
        write_seg(tmp_path / "dcm" / f"c{i}_seg.dcm", written, {"lesion": mask})
        write_rtstruct(tmp_path / "dcm" / f"c{i}_rt.dcm", folder, written, {"lesion": mask})
        rows.append(f"c{i},p{i // 2},{'tumour' if i % 2 else 'normal'},dcm/c{i},dcm/c{i}_seg.dcm")
    sheet = tmp_path / "dicom.csv"
    sheet.write_text("\n".join(rows) + "\n")
    return sheet


def _odd_slice(tmp_path):
    c3 = tmp_path / "dcm" / "c3"
    uids = (
        pydicom.dcmread(c3 / "IM0000.dcm").SeriesInstanceUID,
        pydicom.uid.generate_uid(),
        pydicom.uid.generate_uid(),
    )
    write_series(c3, np.zeros((1, 8, 6), np.int16), origin=(-10.0, 20.0, 40.0), uids=uids, names=["odd.dcm"])


def _seg_named(label):
    def damage(tmp_path):
        slices = [pydicom.dcmread(f) for f in sorted((tmp_path / "dcm" / "c3").glob("*.dcm"))]
        mask = np.zeros((4, 8, 8), bool)
        mask[1:3, 2:6, 2:6] = True
        write_seg(tmp_path / "dcm" / "c3_seg.dcm", slices, {label: mask})

    return damage


def _rtstruct(edit=None):
    def damage(tmp_path):
        sheet = tmp_path / "dicom.csv"
        sheet.write_text(sheet.read_text().replace("dcm/c3_seg.dcm", "dcm/c3_rt.dcm"))
        if edit:
            path = tmp_path / "dcm" / "c3_rt.dcm"
            ds = pydicom.dcmread(path)
            edit(ds)
            ds.save_as(path)

    return damage


def _rename_roi(ds):
    ds.StructureSetROISequence[0].ROIName = "GTV"


def _no_contours(ds):
    ds.ROIContourSequence[0].ContourSequence = pydicom.Sequence([])


BAD_DICOM = {
    "mixed slice sizes": (
        _odd_slice,
        r"mixed slice sizes in series folder .*c3: IM0000.dcm is 8 × 8, odd.dcm is 8 × 6 \(rows × columns\)",
        {},
    ),
    "two series": (
        lambda t: write_series(t / "dcm" / "c3", np.zeros((3, 8, 8), np.int16), names=["b0.dcm", "b1.dcm", "b2.dcm"]),
        r"series folder .*c3 holds 2 image series \(series number 3: 4 file\(s\), e.g. IM0000.dcm, series number 3: "
        r"3 file\(s\), e.g. b0.dcm\); name the one to read in a sample sheet's 'series_uid' column",
        {},
    ),
    "non-image file": (
        lambda t: (t / "dcm" / "c3" / "report.pdf").write_bytes(b"%PDF-1.4"),
        r"file .*c3/report.pdf in series folder .*c3 is not a DICOM file \(InvalidDicomError\); keep only the series'",
        {},
    ),
    "missing slice": (
        lambda t: (t / "dcm" / "c3" / "IM0002.dcm").unlink(),
        r"series folder .*c3: a gap of 5 mm between IM0001.dcm and IM0003.dcm .* where the closest slices are 2.5 mm "
        r"apart: a missing slice",
        {},
    ),
    "missing segment": (
        _seg_named("liver"),
        r"DICOM SEG file .*c3_seg.dcm has no segment 'lesion' \(has 1 'liver'\)",
        {"segment": "lesion"},
    ),
    "missing ROI": (
        _rtstruct(_rename_roi),
        r"RTSTRUCT file .*c3_rt.dcm has no structure 'lesion' \(has \['GTV'\]\)",
        {"roi": "lesion"},
    ),
    "empty ROI": (_rtstruct(_no_contours), r"structure 'lesion' of RTSTRUCT file .*c3_rt.dcm covers no voxel", {}),
}


@pytest.mark.parametrize("bad", list(BAD_DICOM))
def test_a_bad_dicom_case_stops_its_job_naming_it_or_is_a_recorded_skip(dicom_sheet, tmp_path, bad):
    damage, message, options = BAD_DICOM[bad]
    entry = {"source": "sheet", "path": str(dicom_sheet), "size": [8, 8, 8], **options}
    damage(tmp_path)
    with pytest.raises(DataError, match=rf"^dataset 'd', case 'c3': {message}.*set `on_bad_case: skip`"):
        prepared(tmp_path / "stop", entry)
    assert not list((tmp_path / "stop").rglob("*.npy")) and not list((tmp_path / "stop").rglob("*.parquet"))
    data = prepared(tmp_path / "skip", entry | {"on_bad_case": "skip"})
    assert data.case_ids.tolist() == ["c0", "c1", "c2", "c4", "c5"]
    skipped = pd.read_csv(tmp_path / "skip" / "qc.tsv", sep="\t").query("outcome == 'skipped'")
    assert skipped["case_id"].tolist() == ["c3"] and re.match(message, skipped["problem"].iloc[0])
    assert [c.case_id for c in data.originals()] == ["c0", "c1", "c2", "c4", "c5"]


def test_a_dicom_mask_of_another_series_stops_even_when_skipping(dicom_sheet, tmp_path):
    """A SEG paired with another case's image is a sheet error: it stops, naming both UIDs, and is no QC row."""
    dicom_sheet.write_text(dicom_sheet.read_text().replace("dcm/c3_seg.dcm", "dcm/c2_seg.dcm"))
    theirs = pydicom.dcmread(tmp_path / "dcm" / "c2" / "IM0000.dcm").FrameOfReferenceUID
    mine = pydicom.dcmread(tmp_path / "dcm" / "c3" / "IM0000.dcm").FrameOfReferenceUID
    entry = {"source": "sheet", "path": str(dicom_sheet), "size": [8, 8, 8], "on_bad_case": "skip"}
    with pytest.raises(
        DataError,
        match=rf"case 'c3': DICOM SEG file .*c2_seg.dcm does not belong to its image "
        rf".*c3: it references frame of reference {theirs}, the image's is {mine}",
    ):
        prepared(tmp_path / "p", entry)
    assert not (tmp_path / "p" / "qc.tsv").exists()


def test_a_class_folder_with_one_case_stops_before_any_job(tmp_path):
    from difficulty.data.sources import folder
    from difficulty.errors import ConfigError
    from difficulty.pipeline.config import resolve

    options = folder.write_example(tmp_path / "classes")
    for name in ("pt1_malignant", "pt2_malignant"):
        for suffix in (".nii.gz", "_mask.nii.gz"):
            (tmp_path / "classes" / "malignant" / f"{name}{suffix}").unlink()
    config = {
        "datasets": [{"name": "d", "source": "folder", **options}],
        "features": {"r": {"type": "radiomics"}},
        "metrics": {"sil": {"type": "sil"}},
        "models": {"m": {"type": "cnn3d"}},
    }
    with pytest.raises(
        ConfigError, match=r"^dataset 'd': class folder .*malignant holds 1 case\(s\); a class needs two"
    ):
        resolve(config).check_inputs(False)


PERFORMANCE = "dataset\tmodel\tfold\tauc\nadrenal\tpublished\t0\t0.81\nadrenal\tpublished\t1\t0.79\n" + (
    "synapse\tpublished\t0\t0.85\nsynapse\tonly_elsewhere\t0\t0.7\n"
)


def performance_plan(tmp_path, *tables):
    from difficulty.pipeline import config as pipeline_config

    paths = []
    for i, text in enumerate(tables):
        paths.append(tmp_path / f"perf{i}.tsv")
        paths[-1].write_text(text)
    config = {
        "datasets": [{"name": "adrenal", "source": "synthetic", "separation": 0.5}],
        "features": {"radiomics": {"type": "radiomics"}},
        "metrics": {"sil": {"type": "sil"}},
        "models": {"cnn3d": {"type": "cnn3d"}},
        "performance": [str(p) for p in paths],
    }
    return pipeline_config.resolve(config), paths


def test_a_performance_table_gives_its_models_for_the_configured_datasets(tmp_path, caplog):
    plan, paths = performance_plan(tmp_path, PERFORMANCE)
    assert plan.scored_models() == ["cnn3d", "published"]  # only_elsewhere has no configured dataset
    assert f"performance table {paths[0]}: datasets ['synapse'] are not in the config" in caplog.text


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("\tauc\n", "\troc_auc\n"),
            r"missing column\(s\) \['auc'\]; has \['dataset', 'model', 'fold', 'roc_auc'\]\. Its first line must "
            r"name the columns dataset, model, fold, auc \(tab-separated\)",
        ),
        (
            lambda t: t.replace("0.79", "1.2"),
            r"line 3 has auc 1\.2 \(1 row\(s\) in all\); an AUC is a number in 0\.\.1",
        ),
        (lambda t: t.replace("0.81", "81").replace("0.79", "79"), r"line 2 has auc 81\.0 \(2 row\(s\) in all\)"),
        (lambda t: t.replace("0.79", "-0.1"), r"line 3 has auc -0\.1"),
        (lambda t: t.replace("0.79", "high"), r"line 3 has auc 'high'"),
        (lambda t: t.replace("0.79", "n/a"), r"line 3 has auc NA \(empty\)"),
        (lambda t: t.replace("\t0.79", "\t"), r"line 3 has auc NA \(empty\)"),
        (lambda t: t.replace("\t1\t0.79", "\t0\t0.79"), r"lines 2 and 3 both give dataset 'adrenal', model "),
        (lambda t: t.replace("adrenal\tpublished\t1", "adrenal\t\t1"), r"line 3 has an empty 'model'; fill it in"),
        (lambda t: t.split("\n")[0] + "\n", r"has no rows; add one row per dataset, model and fold"),
        (
            lambda t: t.replace("adrenal", "organ"),
            r"none of its datasets \['organ', 'synapse'\] is in the config \(\['adrenal'\]\); name them as "
            r"`datasets:` does, or take the table out of `performance:`",
        ),
        (
            lambda t: t.replace("adrenal\tpublished\t1", "Adrenal\tpublished\t1"),
            r"line 3 names dataset 'Adrenal', which is not in the config; did you mean 'adrenal'\?",
        ),
        (
            lambda t: t.replace("adrenal\tpublished\t1", "adrenl\tpublished\t1"),
            r"line 3 names dataset 'adrenl', which is not in the config; did you mean 'adrenal'\?",
        ),
        (
            lambda t: t.replace("adrenal\tpublished\t1", "adrenal\tcnn3d\t1"),
            r"line 3 names model 'cnn3d', which the config also trains \(`models: cnn3d`\), so the two would mix "
            r"in one model's folds; give the table's model another name \(e.g. 'cnn3d_given'\)",
        ),
    ],
)
def test_bad_performance_tables_stop_before_any_job(tmp_path, edit, message):
    plan, paths = performance_plan(tmp_path, edit(PERFORMANCE))
    with pytest.raises(ConfigError, match=message) as err:
        plan.check_inputs(downloads=False)
    assert str(err.value).startswith(f"performance table {paths[0]}")


def test_two_performance_tables_giving_one_fold_stop_before_any_job(tmp_path):
    plan, paths = performance_plan(tmp_path, PERFORMANCE, PERFORMANCE.replace("0.81", "0.5"))
    message = rf"performance tables {paths[0]} and {paths[1]} \(line 2\) both give dataset 'adrenal', model "
    with pytest.raises(ConfigError, match=message + r"'published', fold 0; keep it in one table"):
        plan.scored_models()


def test_a_missing_performance_table_stops_before_any_job(tmp_path):
    plan, paths = performance_plan(tmp_path, PERFORMANCE)
    paths[0].unlink()
    with pytest.raises(ConfigError, match=rf"performance table {paths[0]} does not exist"):
        plan.scored_models()
