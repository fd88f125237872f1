"""Class folders: one subfolder per class, each holding one image file or one DICOM series folder per case.

The layout AUCMEDI reads. Masks come from a parallel tree of class folders or from a file-name pattern;
patient ids from an optional regular expression on the case name. Cases are read as sample-sheet rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataError
from ...options import Option
from ..grid import GRID_OPTIONS
from ..qc import normalize_labels
from . import sheet
from .dicom import DICOM_OPTIONS
from .registry import SOURCES, register_source

IMAGE_SUFFIXES = (".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd", ".dcm")
DATA_SUFFIXES = (".raw", ".zraw", ".raw.gz")  # the voxels of .mhd and .nhdr headers: not cases of their own


def case_name(entry: Path) -> str | None:
    """The case name of a class folder's entry: a series folder's name, an image file's without its suffix."""
    if entry.is_dir():
        return entry.name
    lower = entry.name.lower()
    suffix = next((s for s in IMAGE_SUFFIXES if lower.endswith(s)), None)
    return entry.name[: -len(suffix)] if suffix and len(entry.name) > len(suffix) else None


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _pattern(template: str) -> re.Pattern:
    """A mask file-name template (``{case}_mask.nii.gz``) as a regular expression that finds the case."""
    return re.compile(re.escape(template).replace(re.escape("{case}"), "(?P<case>.+)") + "$")


def _mask_of(case: str, label: str, image: Path, spec: dict) -> str:
    masks, template = spec["masks"], spec["mask_pattern"]
    if masks is None and template is None:
        return ""
    folder = Path(masks) / label if masks is not None else image.parent
    if template is not None:
        path = folder / template.format(case=case)
        if not path.exists():
            raise DataError(f"case {case!r} (class folder {image.parent}): its mask {path} does not exist")
        return str(path)
    found = [p for p in _entries(folder) if case_name(p) == case] if folder.is_dir() else []
    if len(found) != 1:
        what = "no" if not found else f"{len(found)} ({', '.join(p.name for p in found)})"
        raise DataError(
            f"case {case!r} (class folder {image.parent}): {what} mask named {case!r} in {folder}; the mask tree "
            "holds one file or series folder per case, named as the case's image"
        )
    return str(found[0])


def _patient(case: str, pattern: str | None) -> str:
    if not pattern:
        return case
    match = re.search(pattern, case)
    if match is None:
        raise DataError(f"case {case!r}: patient_pattern {pattern!r} does not match its name")
    if "patient" in match.groupdict():
        return match.group("patient")
    return match.group(1) if match.groups() else match.group(0)


def read_folder(spec: dict) -> pd.DataFrame:
    """The case table of a class-folder layout: ``case_id, label, image, mask, patient_id`` (no image is read).

    Raises a DataError naming the folder and what is wrong: fewer than two class folders, a class folder with
    fewer than two cases, an entry that is neither an image file nor a series folder, a case name in two class
    folders, a missing mask, a case name that ``patient_pattern`` does not match.
    """
    root = Path(spec["path"])
    if not root.is_dir():
        raise DataError(f"class folder layout {root} is not a folder; check the dataset's 'path'")
    classes = [p for p in _entries(root) if p.is_dir()]
    if len(classes) < 2:
        raise DataError(
            f"class folder layout {root}: {len(classes)} class folder(s) ({', '.join(p.name for p in classes)}); "
            "one subfolder per class is needed, two at least"
        )
    mask_files = _pattern(spec["mask_pattern"]) if spec["mask_pattern"] and spec["masks"] is None else None
    rows, seen = [], {}
    for folder in classes:
        cases = []
        for entry in _entries(folder):
            if mask_files is not None and mask_files.match(entry.name):
                continue
            name = case_name(entry)
            if name is None:
                if entry.name.lower().endswith(DATA_SUFFIXES):
                    continue
                raise DataError(
                    f"class folder {folder}: {entry.name} is neither an image file ({', '.join(IMAGE_SUFFIXES)}) "
                    "nor a series folder; move it out of the class folder"
                )
            if name in seen:
                raise DataError(
                    f"class folder layout {root}: case {name!r} is in class folders {seen[name]!r} and "
                    f"{folder.name!r}; case names must be unique across classes"
                )
            seen[name] = folder.name
            cases.append((name, entry))
        if len(cases) < 2:
            raise DataError(
                f"class folder {folder} holds {len(cases)} case(s); a class needs two at least (one image file "
                "or one series folder per case, in the class's folder)"
            )
        for name, entry in cases:
            mask = _mask_of(name, folder.name, entry, spec)
            rows.append((name, folder.name, str(entry), mask, _patient(name, spec["patient_pattern"])))
    df = pd.DataFrame(rows, columns=["case_id", "label", "image", "mask", "patient_id"])
    df["label"] = normalize_labels(df["label"], df["case_id"], f"class folder layout {root}")
    return df


def _check(spec: dict, downloads: bool) -> None:
    read_folder(spec)


def write_example(folder: Path) -> dict:
    """Write a tiny class-folder dataset into ``folder`` (two classes of three NIfTI cases, masks by pattern);
    returns the dataset options that read it."""
    import SimpleITK as sitk

    rng = np.random.default_rng(0)
    for c, label in enumerate(("benign", "malignant")):
        (folder / label).mkdir(parents=True, exist_ok=True)
        for i in range(3):
            image = sitk.GetImageFromArray(rng.normal(100 + 30 * c, 10, (8, 10, 12)).astype(np.float32))
            mask = np.zeros((8, 10, 12), np.uint8)
            mask[2:6, 3:7, 3:9] = 1
            mask = sitk.GetImageFromArray(mask)
            for item in (image, mask):
                item.SetSpacing((0.8, 0.8, 2.0))
            sitk.WriteImage(image, str(folder / label / f"pt{i}_{label}.nii.gz"))
            sitk.WriteImage(mask, str(folder / label / f"pt{i}_{label}_mask.nii.gz"))
    return {"path": str(folder), "mask_pattern": "{case}_mask.nii.gz", "patient_pattern": r"^(pt\d+)_"}


@register_source(
    "folder",
    cases=read_folder,
    options={
        "path": Option(
            help="a folder with one subfolder per class, each holding one image file or DICOM series folder per case",
            schema={"type": "string"},
        ),
        "masks": Option(
            None,
            "a folder of class folders parallel to path, with each case's mask named as its image; none: see "
            "mask_pattern",
            {"type": ["string", "null"]},
        ),
        "mask_pattern": Option(
            None,
            "the mask's file name, with {case} for the case name (e.g. {case}_mask.nii.gz), in the case's class "
            "folder (or in masks); such files are not cases. None and no masks: the whole volume",
            {"type": ["string", "null"], "pattern": r"\{case\}"},
        ),
        "patient_pattern": Option(
            None,
            "a regular expression on the case name whose group 'patient' (or first group, or match) is the "
            "patient id; none: one patient per case",
            {"type": ["string", "null"]},
        ),
        **{name: SOURCES.get("sheet").options[name] for name in ("mask_label", "geometry_tolerance")},
        **DICOM_OPTIONS,
        "crop_margin": replace(GRID_OPTIONS["crop_margin"], default=10.0),
        "size": replace(GRID_OPTIONS["size"], default=[64, 64, 64]),
    },
    files=lambda spec, rows: sheet.case_files(read_folder(spec) if rows is None else rows),
    check=_check,
    example=write_example,
)
def read_source(spec: dict, rows: pd.DataFrame, seed: int) -> Iterator:
    """Class folders (one per class) of image files or DICOM series folders, masks by a parallel tree or a pattern.

    Each case is read as a sample sheet's row (:func:`difficulty.data.sources.sheet.read_source`).
    """
    return sheet.read_source(spec, rows, seed)
