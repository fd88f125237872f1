"""Sample sheets: a TSV/CSV listing image (and mask) files with labels."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk

from ...errors import DataError
from ...options import Option
from ..cases import Case
from ..grid import GRID_OPTIONS
from ..qc import BadCase, fill_blank_patients, nonfinite_voxels, normalize_labels
from . import dicom
from .dicom import DICOM_OPTIONS, DicomOptions
from .registry import register_source

REQUIRED = ("case_id", "label", "image")


def read_sheet(path) -> pd.DataFrame:
    """Read and check a sample sheet; image and mask paths are joined to the sheet's folder.

    Columns ``case_id, label, image`` are required, ``mask, patient_id``
    optional; paths in the sheet are relative to it (or absolute). An image may be a DICOM series folder,
    ``series_uid`` (optional) picks one series of it (kept as ``series_key``, a digest: no UID in the case table);
    ``segment`` and ``roi`` (optional) pick a DICOM SEG's segment and an RTSTRUCT's structure. A relative
    sheet path gives paths relative to the working folder, so that a project
    folder can move. Stray whitespace around labels is stripped; every problem (a missing file, a duplicate
    case id, an empty label, labels that differ only in case, one class only) raises a DataError naming the
    sheet, the case and the column, before any image is read.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"sample sheet {path} does not exist; check the dataset's 'path'")
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt") else ","
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError(f"sample sheet {path}: missing column(s) {missing}; has {list(df.columns)}")
    if df.empty:
        raise DataError(f"sample sheet {path} lists no cases")
    dup = df["case_id"][df["case_id"].duplicated()]
    if len(dup):
        raise DataError(f"sample sheet {path}: case_id {dup.iloc[0]!r} appears more than once; case ids must be unique")
    for column in ("case_id", "image"):
        empty = df["case_id"][df[column].str.strip() == ""]
        if len(empty):
            raise DataError(f"sample sheet {path}: case {empty.iloc[0]!r} has an empty {column!r}")
    df["label"] = normalize_labels(df["label"], df["case_id"], f"sample sheet {path}")
    if "patient_id" not in df.columns:
        df["patient_id"] = df["case_id"]
    df = fill_blank_patients(df, f"sample sheet {path}")
    if "mask" not in df.columns:
        df["mask"] = ""
    for column in ("image", "mask"):
        df[column] = [os.path.normpath(path.parent / p) if p else "" for p in df[column]]
        for case, file in zip(df["case_id"], df[column]):
            if file and not Path(file).exists():
                raise DataError(
                    f"sample sheet {path}: case {case!r}: {column} file {file} does not exist; "
                    f"correct the {column!r} column or remove the row"
                )
    if "series_uid" in df.columns:
        df["series_key"] = [dicom.series_key(uid) if uid.strip() else "" for uid in df.pop("series_uid")]
    if df["label"].nunique() < 2:
        raise DataError(f"sample sheet {path}: all cases have label {df['label'].iloc[0]!r}; two classes are needed")
    return df


def nifti_problem(file) -> str | None:
    """What is wrong with a NIfTI file's voxel data (``.nii``, ``.nii.gz``) that SimpleITK hides; None if nothing.

    SimpleITK fills the missing part of a truncated NIfTI file with zeros, and reads NaN and inf voxels
    as zeros, without a word; the sheet source checks the raw data first (other formats: SimpleITK's own
    checks, and a check of the voxels read).
    """
    name = str(file).lower()
    if not name.endswith((".nii", ".nii.gz")):
        return None
    try:
        with (gzip.open if name.endswith(".gz") else open)(file, "rb") as fh:
            data = fh.read()
    except (EOFError, OSError, zlib.error) as err:
        return f"the compressed data end early or are corrupt ({err})"
    for order in "<>":
        size = int(np.frombuffer(data[:4], f"{order}i4")[0]) if len(data) >= 4 else 0
        if size == 348 and len(data) >= 112:
            dims = np.frombuffer(data[40:56], f"{order}i2").astype(np.int64)
            datatype, bitpix = (int(v) for v in np.frombuffer(data[70:74], f"{order}i2"))
            offset = max(int(np.frombuffer(data[108:112], f"{order}f4")[0]), 352)
            break
        if size == 540 and len(data) >= 176:
            datatype, bitpix = (int(v) for v in np.frombuffer(data[12:16], f"{order}i2"))
            dims = np.frombuffer(data[16:80], f"{order}i8")
            offset = int(np.frombuffer(data[168:176], f"{order}i8")[0])
            break
    else:
        return None  # not a NIfTI header: SimpleITK says what it is
    count = int(np.prod(dims[1 : 1 + int(dims[0])]))
    if len(data) < offset + count * bitpix // 8:
        return f"the file holds {len(data)} bytes, its header declares {offset + count * bitpix // 8} (truncated)"
    float_type = {16: "f4", 64: "f8"}.get(datatype)
    if float_type:
        voxels = np.frombuffer(data, f"{order}{float_type}", count=count, offset=offset)
        bad = np.flatnonzero(~np.isfinite(voxels))
        if bad.size:
            first = np.unravel_index(bad[0], dims[1 : 1 + int(dims[0])][::-1])
            return f"it holds {bad.size} NaN or inf voxel(s) (first at z, y, x = {tuple(int(i) for i in first)})"
    return None


def read_image(file, case: str, what: str = "image"):
    """A 3D single-channel SimpleITK image; a DataError naming the case and file otherwise."""
    problem = nifti_problem(file)
    if problem:
        raise DataError(f"case {case!r}: cannot read {what} file {file}: {problem}")
    try:
        image = sitk.ReadImage(str(file))
    except RuntimeError as err:
        reason = str(err).strip().splitlines()[-1] if str(err).strip() else "unknown error"
        raise DataError(
            f"case {case!r}: cannot read {what} file {file} (not an image, or truncated): {reason}"
        ) from None
    if image.GetDimension() != 3 or image.GetNumberOfComponentsPerPixel() != 1:
        raise DataError(
            f"case {case!r}: {what} file {file} is {image.GetDimension()}-D with "
            f"{image.GetNumberOfComponentsPerPixel()} component(s); a 3D single-channel volume is needed"
        )
    return image


def geometry_difference(image, mask, tolerance: float) -> str | None:
    """What differs between the geometry of a mask and its image, beyond ``tolerance``; None if nothing.

    Sizes must be equal; spacings within ``tolerance`` of the image's (relative), origins within
    ``tolerance`` of a voxel, direction cosines within ``tolerance``.
    """
    if image.GetSize() != mask.GetSize():
        return f"size {mask.GetSize()} vs {image.GetSize()} (voxels, x y z)"
    spacing = np.asarray(image.GetSpacing())
    checks = [
        ("spacing", mask.GetSpacing(), image.GetSpacing(), tolerance * spacing, "mm, x y z"),
        ("origin", mask.GetOrigin(), image.GetOrigin(), tolerance * spacing.min(), "mm, x y z"),
        ("direction", mask.GetDirection(), image.GetDirection(), tolerance, "cosines"),
    ]
    for name, got, want, tol, unit in checks:
        if np.any(np.abs(np.subtract(got, want)) > tol):
            fmt = tuple(round(v, 6) for v in got), tuple(round(v, 6) for v in want)
            return f"{name} {fmt[0]} vs {fmt[1]} ({unit})"
    return None


def select_labels(mask: np.ndarray, labels) -> np.ndarray:
    """The region of interest of a label mask: every non-zero voxel (``labels`` None), or the given label(s)."""
    if labels is None:
        return mask != 0
    return np.isin(mask, np.atleast_1d(labels))


def read_case(row, mask_label=None, tolerance: float = 1e-3, dicom_options: DicomOptions | None = None) -> Case:
    """The original view of one sheet row: image and mask with the image's geometry, checked against each other.

    The image is a file SimpleITK reads, a DICOM series folder or a multi-frame DICOM file; the mask a file
    SimpleITK reads, or a DICOM SEG or RTSTRUCT file on a DICOM image (:mod:`difficulty.data.sources.dicom`).
    """
    series, dicom_options = None, dicom_options or DicomOptions()
    if Path(row.image).is_dir() or dicom.is_dicom(row.image):
        series = dicom.scan_series(row.image, row.case_id, getattr(row, "series_key", "") or None, dicom_options)
        image = dicom.read_series(series, row.case_id)
    else:
        image = read_image(row.image, row.case_id)
    array = sitk.GetArrayFromImage(image)
    kind = dicom.mask_kind(row.mask) if row.mask else None
    if kind:
        choice = getattr(row, "segment" if kind == "seg" else "roi", None)
        mask = dicom.read_dicom_mask(row.mask, kind, series, row.case_id, dicom_options, choice)
    elif row.mask:
        mask_image = read_image(row.mask, row.case_id, "mask")
        difference = geometry_difference(image, mask_image, tolerance)
        if difference:
            raise DataError(
                f"case {row.case_id!r}: mask file {row.mask} does not lie on its image {row.image}: {difference} "
                "(mask vs image); resample the mask onto its image"
            )
        values = sitk.GetArrayFromImage(mask_image)
        found = nonfinite_voxels(values)  # NRRD, MHA, ... read NaN as NaN (NIfTI: nifti_problem)
        if found:
            raise DataError(f"case {row.case_id!r}: cannot read mask file {row.mask}: it holds {found}")
        mask = select_labels(values, mask_label)
        if not mask.any():
            present = np.unique(values).tolist()[:10]
            wanted = "any non-zero label" if mask_label is None else f"label(s) {mask_label}"
            raise DataError(f"case {row.case_id!r}: mask file {row.mask} has no voxel of {wanted} (has {present})")
    else:
        mask = np.ones(array.shape, dtype=bool)
    spacing = tuple(float(s) for s in reversed(image.GetSpacing()))
    return Case(row.case_id, array, mask, spacing, image.GetOrigin(), image.GetDirection())


def sheet_files(spec: dict, rows: pd.DataFrame | None) -> list[str]:
    """The sheet and the image and mask files of the given rows (of every row if None)."""
    rows = read_sheet(spec["path"]) if rows is None else rows
    return [spec["path"], *case_files(rows)]


def case_files(rows: pd.DataFrame) -> list[str]:
    """The image files (each file of a series folder) and mask files of case-table rows."""
    images = [
        str(f) for image in rows["image"] for f in (dicom.series_files(image) if Path(image).is_dir() else [image])
    ]
    return [*images, *(m for m in rows["mask"] if m)]


def _check(spec: dict, downloads: bool) -> None:
    read_sheet(spec["path"])


def write_example(folder: Path) -> dict:
    """Six NIfTI cases of two classes (three patients, a mask each) and their sheet, written into ``folder``.

    Returns the options of an entry that reads them (the common tests' example of this source).
    """
    rng = np.random.default_rng(0)
    (folder / "img").mkdir(parents=True, exist_ok=True)
    rows = ["case_id\tpatient_id\tlabel\timage\tmask"]
    for i in range(6):
        mask = np.zeros((10, 12, 14), np.uint8)
        mask[2:8, 3:9, 3:11] = 1
        image = rng.normal(100 + 30 * (i % 2), 10, mask.shape).astype(np.float32)
        for name, array in ((f"c{i}", image), (f"c{i}_mask", mask)):
            volume = sitk.GetImageFromArray(array)
            volume.SetSpacing((2.0, 1.0, 0.5))
            sitk.WriteImage(volume, str(folder / "img" / f"{name}.nii.gz"))
        rows.append(f"c{i}\tp{i // 2}\t{'tumour' if i % 2 else 'normal'}\timg/c{i}.nii.gz\timg/c{i}_mask.nii.gz")
    sheet = folder / "sheet.tsv"
    sheet.write_text("\n".join(rows) + "\n")
    return {"path": str(sheet)}


@register_source(
    "sheet",
    cases=lambda spec: read_sheet(spec["path"]),
    options={
        "path": Option(help="a TSV or CSV sample sheet (see 'Your own data')", schema={"type": "string"}),
        "mask_label": Option(
            None,
            "label value(s) of a label mask that form the region of interest; none: every non-zero voxel",
            {"type": ["integer", "array", "null"], "items": {"type": "integer"}},
        ),
        "geometry_tolerance": Option(
            1e-3,
            "how far a mask's spacing (relative), origin (in voxels) and direction may differ from its image's",
            {"type": "number", "minimum": 0},
        ),
        **DICOM_OPTIONS,
        # Clinical volumes differ in shape: by default the grid is the mask's surroundings, resized to 64³.
        "crop_margin": replace(GRID_OPTIONS["crop_margin"], default=10.0),
        "size": replace(GRID_OPTIONS["size"], default=[64, 64, 64]),
    },
    files=sheet_files,
    check=_check,
    example=write_example,
)
def read_source(spec: dict, rows: pd.DataFrame, seed: int) -> Iterator[Case]:
    """A sample sheet of images (NIfTI, NRRD, MHA or DICOM series) and masks (those, DICOM SEG or RTSTRUCT).

    A case whose files cannot be used comes as a :class:`BadCase` saying why; a SEG or RTSTRUCT paired with
    another series than its image stops the job (a sheet error, whose message names the two UIDs).
    """
    options = DicomOptions.of(spec)
    for row in rows.itertuples():
        try:
            yield read_case(row, spec["mask_label"], spec["geometry_tolerance"], options)
        except dicom.ReferenceMismatch:
            raise
        except DataError as err:
            yield BadCase(row.case_id, str(err).removeprefix(f"case {row.case_id!r}: "))
