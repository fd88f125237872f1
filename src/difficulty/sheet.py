"""Sample sheets: a TSV/CSV listing image (and mask) files with labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk

REQUIRED = ("case_id", "label", "image")


def read_sheet(path) -> pd.DataFrame:
    """Read and check a sample sheet; image and mask paths become absolute.

    Columns ``case_id, label, image`` are required, ``mask, patient_id``
    optional; paths are relative to the sheet. Every problem names the sheet,
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
        df[column] = [str((path.parent / p).resolve()) if p else "" for p in df[column]]
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
