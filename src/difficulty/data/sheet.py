"""Sample sheets: a TSV/CSV listing image (and mask) files with labels."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk

from ..options import Option
from .sources import register_source

REQUIRED = ("case_id", "label", "image")


def read_sheet(path) -> pd.DataFrame:
    """Read and check a sample sheet; image and mask paths are joined to the sheet's folder.

    Columns ``case_id, label, image`` are required, ``mask, patient_id``
    optional; paths in the sheet are relative to it (or absolute). A relative
    sheet path gives paths relative to the working folder, so that a project
    folder can move. Every problem names the sheet,
    the case and what is wrong, before any image is read.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"sample sheet {path} does not exist")
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt") else ","
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"sample sheet {path}: missing column(s) {missing}; has {list(df.columns)}")
    if df.empty:
        raise ValueError(f"sample sheet {path} lists no cases")
    dup = df["case_id"][df["case_id"].duplicated()]
    if len(dup):
        raise ValueError(f"sample sheet {path}: case_id {dup.iloc[0]!r} appears more than once")
    for column in REQUIRED:
        empty = df["case_id"][df[column].str.strip() == ""]
        if len(empty):
            raise ValueError(f"sample sheet {path}: case {empty.iloc[0]!r} has an empty {column!r}")
    if "patient_id" not in df.columns:
        df["patient_id"] = df["case_id"]
    df["patient_id"] = df["patient_id"].where(df["patient_id"] != "", df["case_id"])
    columns = ["image", "mask"] if "mask" in df.columns else ["image"]
    for column in columns:
        df[column] = [os.path.normpath(path.parent / p) if p else "" for p in df[column]]
        for case, file in zip(df["case_id"], df[column]):
            if file and not Path(file).exists():
                raise FileNotFoundError(f"sample sheet {path}: case {case!r}: {column} file {file} does not exist")
    if df["label"].nunique() < 2:
        raise ValueError(f"sample sheet {path}: all cases have label {df['label'].iloc[0]!r}; two classes are needed")
    return df


def read_volume(file, case: str, what: str = "image") -> tuple[np.ndarray, tuple[float, float, float]]:
    """A 3D volume as a (D, H, W) array and its spacing (z, y, x) in mm."""
    try:
        image = sitk.ReadImage(str(file))
    except RuntimeError as err:
        raise ValueError(f"case {case!r}: cannot read {what} file {file}: {err}") from None
    if image.GetDimension() != 3 or image.GetNumberOfComponentsPerPixel() != 1:
        raise ValueError(
            f"case {case!r}: {what} file {file} is {image.GetDimension()}-D with "
            f"{image.GetNumberOfComponentsPerPixel()} component(s); a 3D single-channel volume is needed"
        )
    return sitk.GetArrayFromImage(image), tuple(reversed(image.GetSpacing()))


def sheet_files(spec: dict) -> list[str]:
    """The sheet and every image and mask file it lists."""
    sheet = read_sheet(spec["path"])
    masks = [m for m in sheet["mask"] if m] if "mask" in sheet.columns else []
    return [spec["path"], *sheet["image"], *masks]


def _check(spec: dict, downloads: bool) -> None:
    read_sheet(spec["path"])


@register_source(
    "sheet",
    options={"path": Option(help="a TSV or CSV sample sheet (see 'Your own data')", schema={"type": "string"})},
    files=sheet_files,
    check=_check,
)
def read_source(spec: dict, seed: int):
    """A sample sheet of image (and mask) files that SimpleITK reads: NIfTI, NRRD, MHA, ..."""
    sheet = read_sheet(spec["path"])
    return sheet[["case_id", "patient_id", "label"]].copy(), _sheet_items(sheet)


def _sheet_items(sheet: pd.DataFrame):
    for row in sheet.itertuples():
        image, spacing = read_volume(row.image, row.case_id)
        mask_file = getattr(row, "mask", "")
        if mask_file:
            mask, _ = read_volume(mask_file, row.case_id, "mask")
        else:
            mask = np.ones(image.shape, dtype=np.uint8)
        yield row.case_id, image, mask, spacing
