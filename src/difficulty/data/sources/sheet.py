"""Sample sheets: a TSV/CSV listing image (and mask) files with labels."""

from __future__ import annotations

import gzip
import logging
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
from ...seeding import derive_seed
from .. import columns
from ..cases import Case
from ..consensus import consensus_labels, consensus_mask
from ..grid import GRID_OPTIONS
from ..qc import BadCase, fill_blank_patients, nonfinite_voxels, normalize_labels
from . import dicom
from .dicom import DICOM_OPTIONS, DicomOptions
from .registry import register_source

log = logging.getLogger(__name__)

REQUIRED = ("case_id",)
MASK_CONSENSUS = ("majority", "staple")


def read_sheet(path, on_bad_case: str = "stop", tie_seed: int = 0) -> pd.DataFrame:
    """Read and check a sample sheet; image and mask paths are joined to the sheet's folder.

    Columns ``case_id``, ``label`` and ``image`` are required, ``mask, patient_id`` optional; paths in the sheet
    are relative to it (or absolute). An image may be a DICOM series folder, ``series_uid`` (optional) picks one
    series of it (kept as ``series_key``, a digest: no UID in the case table); ``segment`` and ``roi`` (optional)
    pick a DICOM SEG's segment and an RTSTRUCT's structure. A relative sheet path gives paths relative to the
    working folder, so that a project folder can move. Stray whitespace around labels is stripped; every problem
    (a missing file, a duplicate case id, an empty label, labels that differ only in case, one class only) raises
    a DataError naming the sheet, the case and the column, before any image is read.

    Several per case (:mod:`difficulty.data.columns`): ``image:<sequence>`` columns instead of ``image`` (every
    case needs every sequence; ``image`` becomes the first's), ``mask:<rater>`` beside or instead of ``mask``, and
    ``label:<rater>`` beside or instead of ``label``. Without ``label`` the label is the raters' majority, a tie
    drawn with ``tie_seed`` (:func:`~difficulty.data.consensus.consensus_labels`) and marked in ``label_tie``. A
    case without a rater's mask stops here, or with ``on_bad_case: skip`` is skipped when it is read.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"sample sheet {path} does not exist; check the dataset's 'path'")
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt") else ","
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    where = f"sample sheet {path}"
    try:
        columns.check_names(df.columns, where)
    except ValueError as err:
        raise DataError(str(err)) from None
    sequences, label_raters = columns.sequences(df), columns.label_raters(df)
    missing = [c for c in REQUIRED if c not in df.columns]
    missing += [] if "image" in df.columns or sequences else ["image"]
    missing += [] if "label" in df.columns or label_raters else ["label"]
    if missing:
        several = (
            "; several per case: image:<sequence>, label:<rater> columns" if {"image", "label"} & set(missing) else ""
        )
        raise DataError(f"{where}: missing column(s) {missing}; has {list(df.columns)}{several}")
    if "image" in df.columns and sequences:
        raise DataError(f"{where}: has both 'image' and image:<sequence> columns; name every sequence's column")
    if df.empty:
        raise DataError(f"{where} lists no cases")
    dup = df["case_id"][df["case_id"].duplicated()]
    if len(dup):
        raise DataError(f"{where}: case_id {dup.iloc[0]!r} appears more than once; case ids must be unique")
    images = [columns.SEQUENCE + name for name in sequences] or ["image"]
    for column in ("case_id", *images):
        empty = df["case_id"][df[column].str.strip() == ""]
        if len(empty):
            why = (
                f" (sequence {column[len(columns.SEQUENCE) :]!r}: every case needs every sequence)" if sequences else ""
            )
            raise DataError(f"{where}: case {empty.iloc[0]!r} has an empty {column!r}{why}")
    df = _rater_labels(df, label_raters, tie_seed, where)
    df["label"] = normalize_labels(df["label"], df["case_id"], where)
    if "patient_id" not in df.columns:
        df["patient_id"] = df["case_id"]
    df = fill_blank_patients(df, where)
    if "mask" not in df.columns:
        df["mask"] = ""
    rater_masks = [columns.RATER_MASK + name for name in columns.mask_raters(df)]
    for column in rater_masks:
        empty = df["case_id"][df[column].str.strip() == ""]
        if len(empty) and on_bad_case != "skip":
            raise DataError(
                f"{where}: case {empty.iloc[0]!r} has no mask of rater {column[len(columns.RATER_MASK) :]!r} (column "
                f"{column!r}, {len(empty)} case(s)); give every case every rater's mask, or set on_bad_case: skip"
            )
    for column in (*images, "mask", *rater_masks):
        df[column] = [os.path.normpath(path.parent / p) if p else "" for p in df[column]]
        for case, file in zip(df["case_id"], df[column]):
            if file and not Path(file).exists():
                raise DataError(
                    f"sample sheet {path}: case {case!r}: {column} file {file} does not exist; "
                    f"correct the {column!r} column or remove the row"
                )
    if sequences:
        df["image"] = df[images[0]]
    if "series_uid" in df.columns:
        df["series_key"] = [dicom.series_key(uid) if uid.strip() else "" for uid in df.pop("series_uid")]
    if df["label"].nunique() < 2:
        raise DataError(f"sample sheet {path}: all cases have label {df['label'].iloc[0]!r}; two classes are needed")
    return df


def _rater_labels(df: pd.DataFrame, raters: list[str], seed: int, where: str) -> pd.DataFrame:
    """The sheet with its ``label:<rater>`` columns checked (stripped; a rater with no label at all refused) and,
    without a ``label`` column, their majority as ``label`` and ``label_tie`` (True where it was a tie)."""
    if not raters:
        return df
    rater_columns = [columns.RATER_LABEL + r for r in raters]
    for column in rater_columns:
        df[column] = df[column].str.strip()
        if (df[column] == "").all():
            raise DataError(f"{where}: rater {column[len(columns.RATER_LABEL) :]!r} (column {column!r}) gives no label")
    if "label" in df.columns:
        return df
    given = df[rater_columns].where(df[rater_columns] != "", None).to_numpy(dtype=object)
    try:
        label, tie = consensus_labels(given, seed, df["case_id"].to_numpy())
    except ValueError as err:
        raise DataError(f"{where}: {err}") from None
    if tie.any():
        log.info("%s: %d label(s) tied between raters, drawn (seed %d)", where, int(tie.sum()), seed)
    return df.assign(label=label.astype(str), label_tie=tie)


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


def read_case(
    row,
    mask_label=None,
    tolerance: float = 1e-3,
    dicom_options: DicomOptions | None = None,
    extra: dict | None = None,
    resample_sequences: bool = False,
    mask_consensus: str = "majority",
) -> Case:
    """The original view of one sheet row: image and mask with the image's geometry, checked against each other.

    The image is a file SimpleITK reads, a DICOM series folder or a multi-frame DICOM file; the mask a file
    SimpleITK reads, or a DICOM SEG or RTSTRUCT file on a DICOM image (:mod:`difficulty.data.sources.dicom`).

    ``extra`` : the row's ``image:<sequence>`` and ``mask:<rater>`` columns (:mod:`difficulty.data.columns`). The
    other sequences must lie on the first one's grid (within ``tolerance``) or, with ``resample_sequences``, are
    resampled onto it (linear); the raters' masks lie on the first sequence. Without a ``mask``, the mask is the
    raters' ``mask_consensus``: ``majority``, ``staple`` or one rater's name (:func:`~.consensus_mask`).
    """
    dicom_options, extra = dicom_options or DicomOptions(), extra or {}
    image, series = _read_volume(row.image, row.case_id, getattr(row, "series_key", "") or None, dicom_options)
    sequences = columns.named(extra, columns.SEQUENCE)
    arrays = [sitk.GetArrayFromImage(image)]
    for name in sequences[1:]:
        file = extra[columns.SEQUENCE + name]
        other, _ = _read_volume(file, row.case_id, None, dicom_options, f"image of sequence {name!r}")
        difference = geometry_difference(image, other, tolerance)
        if difference and not resample_sequences:
            raise DataError(
                f"case {row.case_id!r}: sequence {name!r} ({file}) does not lie on the first sequence's grid "
                f"({row.image}): {difference} ({name} vs the first); resample it, or set sequences: resample"
            )
        if difference:
            other = sitk.Resample(other, image, sitk.Transform(), sitk.sitkLinear, 0.0, other.GetPixelID())
        arrays.append(sitk.GetArrayFromImage(other))
    choice = getattr(row, "segment", None), getattr(row, "roi", None)
    raters = columns.named(extra, columns.RATER_MASK)
    rater_masks = []
    for rater in raters:
        file = extra[columns.RATER_MASK + rater]
        if not file:
            raise DataError(f"case {row.case_id!r}: no mask of rater {rater!r} (column {columns.RATER_MASK + rater!r})")
        what = f"mask of rater {rater!r}"
        rater_masks.append(_read_mask(file, row, image, series, mask_label, tolerance, dicom_options, choice, what))
    if row.mask:
        mask = _read_mask(row.mask, row, image, series, mask_label, tolerance, dicom_options, choice)
    elif rater_masks:
        method, name = (mask_consensus, None) if mask_consensus in MASK_CONSENSUS else ("rater", mask_consensus)
        mask = consensus_mask(rater_masks, method, raters, name) > 0
    else:
        mask = np.ones(arrays[0].shape, dtype=bool)
    array = arrays[0] if not sequences else np.stack(arrays).astype(np.result_type(*arrays))
    spacing = tuple(float(s) for s in reversed(image.GetSpacing()))
    return Case(
        row.case_id,
        array,
        mask,
        spacing,
        image.GetOrigin(),
        image.GetDirection(),
        tuple(sequences),
        tuple(raters),
        tuple(rater_masks),
    )


def _read_volume(file, case: str, key, options: DicomOptions, what: str = "image"):
    """A SimpleITK image of an image file, DICOM series folder or multi-frame DICOM file, and its DICOM series."""
    if Path(file).is_dir() or dicom.is_dicom(file):
        series = dicom.scan_series(file, case, key, options)
        return dicom.read_series(series, case), series
    return read_image(file, case, what), None


def _read_mask(file, row, image, series, mask_label, tolerance, options, choice, what: str = "mask") -> np.ndarray:
    """The boolean region of interest of a mask file on its image (checked to lie on it, not empty)."""
    kind = dicom.mask_kind(file)
    if kind:
        return dicom.read_dicom_mask(file, kind, series, row.case_id, options, choice[0 if kind == "seg" else 1])
    mask_image = read_image(file, row.case_id, what)
    difference = geometry_difference(image, mask_image, tolerance)
    if difference:
        raise DataError(
            f"case {row.case_id!r}: {what} file {file} does not lie on its image {row.image}: {difference} "
            "(mask vs image); resample the mask onto its image"
        )
    values = sitk.GetArrayFromImage(mask_image)
    found = nonfinite_voxels(values)  # NRRD, MHA, ... read NaN as NaN (NIfTI: nifti_problem)
    if found:
        raise DataError(f"case {row.case_id!r}: cannot read {what} file {file}: it holds {found}")
    mask = select_labels(values, mask_label)
    if not mask.any():
        present = np.unique(values).tolist()[:10]
        wanted = "any non-zero label" if mask_label is None else f"label(s) {mask_label}"
        raise DataError(f"case {row.case_id!r}: {what} file {file} has no voxel of {wanted} (has {present})")
    return mask


def cases_of(spec: dict) -> pd.DataFrame:
    """The case table of a sheet dataset entry (:func:`read_sheet` with the entry's ``on_bad_case``; label ties
    between raters drawn with a seed from the dataset's name)."""
    return read_sheet(spec["path"], spec.get("on_bad_case", "stop"), derive_seed(spec.get("name", ""), "label_ties"))


def sheet_files(spec: dict, rows: pd.DataFrame | None) -> list[str]:
    """The sheet and the image and mask files of the given rows (of every row if None)."""
    rows = cases_of(spec) if rows is None else rows
    return [spec["path"], *case_files(rows)]


def case_files(rows: pd.DataFrame) -> list[str]:
    """The image files (each file of a series folder) and mask files of case-table rows, every sequence's and
    rater's."""
    sequences = [columns.SEQUENCE + name for name in columns.sequences(rows)] or ["image"]
    masks = ["mask", *(columns.RATER_MASK + name for name in columns.mask_raters(rows))]
    images = [
        str(f)
        for column in sequences
        for image in rows[column]
        for f in (dicom.series_files(image) if Path(image).is_dir() else [image])
    ]
    return [*images, *(m for column in masks for m in rows[column] if m)]


def _check(spec: dict, downloads: bool) -> None:
    rows = cases_of(spec)
    consensus = spec.get("mask_consensus", "majority")
    raters = columns.mask_raters(rows)
    if raters and consensus not in MASK_CONSENSUS and consensus not in raters:
        raise DataError(
            f"sample sheet {spec['path']}: mask_consensus {consensus!r} is neither {' nor '.join(MASK_CONSENSUS)} nor "
            f"a rater of its mask:<rater> columns ({', '.join(raters)})"
        )


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
    cases=cases_of,
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
        "sequences": Option(
            "check",
            "several image:<sequence> columns: check that every sequence lies on the first one's grid (a case whose "
            "sequence does not is refused, naming both files), or resample each onto it",
            {"enum": ["check", "resample"]},
        ),
        "mask_consensus": Option(
            "majority",
            "several mask:<rater> columns and no mask: the mask of the features, the raters' majority vote (voxels "
            "more than half of them outline), STAPLE (SimpleITK), or the name of one rater",
            {"type": "string", "minLength": 1},
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
    extra = [c for c in rows.columns if c.startswith((columns.SEQUENCE, columns.RATER_MASK))]
    resample, consensus = spec.get("sequences") == "resample", spec.get("mask_consensus", "majority")
    for row, more in zip(rows.itertuples(), rows[extra].to_dict("records")):
        try:
            yield read_case(row, spec["mask_label"], spec["geometry_tolerance"], options, more, resample, consensus)
        except dicom.ReferenceMismatch:
            raise
        except DataError as err:
            yield BadCase(row.case_id, str(err).removeprefix(f"case {row.case_id!r}: "))
