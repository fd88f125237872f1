"""Dataset declarations: sources, parents (label-noise variants) and preparation."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .logs import Progress
from .masks import derive_mask
from .medmnist import read_medmnist
from .preprocess import prepare_case
from .sheet import read_sheet, read_volume
from .synthetic import make_phantoms

log = logging.getLogger(__name__)


def index(datasets: list[dict]) -> dict[str, dict]:
    """Datasets by name, checked: unique names, known parents, no cycles."""
    by_name = {}
    for spec in datasets:
        name = spec["name"]
        if name in by_name:
            raise ValueError(f"config: dataset {name!r} is declared twice")
        if ("source" in spec) == ("parent" in spec):
            raise ValueError(f"config: dataset {name!r} needs exactly one of 'source' or 'parent'")
        by_name[name] = spec
    for name in by_name:
        root(by_name, name)
    return by_name


def root(by_name: dict[str, dict], name: str) -> str:
    """The dataset whose images ``name`` uses (itself, or its parent's root)."""
    seen = [name]
    while "parent" in by_name[seen[-1]]:
        parent = by_name[seen[-1]]["parent"]
        if parent not in by_name:
            raise ValueError(f"config: dataset {seen[-1]!r} has unknown parent {parent!r}")
        if parent in seen:
            raise ValueError(f"config: datasets {' -> '.join([*seen, parent])} form a cycle")
        seen.append(parent)
    return seen[-1]


def source_files(spec: dict) -> list[str]:
    """Input files of a source dataset (a change in any of them invalidates it)."""
    if spec["source"] == "medmnist":
        return [spec["path"]]
    if spec["source"] == "sheet":
        sheet = read_sheet(spec["path"])
        masks = [m for m in sheet["mask"] if m] if "mask" in sheet.columns else []
        return [spec["path"], *sheet["image"], *masks]
    return []


def load(spec: dict, seed: int):
    """Cases, images, masks and spacing of a source dataset on its common grid."""
    source, size, method = spec["source"], spec.get("size"), spec.get("normalize", "none")
    if source == "synthetic":
        cases, images, masks = make_phantoms(spec["n_per_class"], spec["separation"], spec["shape"], seed)
        spacing = np.ones((len(cases), 3))
        items = zip(cases["case_id"], images, masks, spacing)
    elif source == "medmnist":
        cases, volumes = read_medmnist(spec["path"], spec.get("splits", ["train", "val", "test"]))
        spacing = [tuple(spec.get("spacing", [1.0, 1.0, 1.0]))] * len(cases)
        items = ((c, v, derive_mask(v), s) for c, v, s in zip(cases["case_id"], volumes, spacing))
    elif source == "sheet":
        sheet = read_sheet(spec["path"])
        cases = sheet[["case_id", "patient_id", "label"]].copy()
        items = _sheet_items(sheet)
    else:
        raise ValueError(f"unknown source {source!r}")
    images, masks, spacings = [], [], []
    progress = Progress(len(cases), f"prepare {spec['name']}")
    shapes = set()
    for case, image, mask, spacing in items:
        try:
            image, mask, spacing = prepare_case(image, mask, spacing, size, method)
        except ValueError as err:
            raise ValueError(f"dataset {spec['name']!r}, case {case!r}: {err}") from None
        shapes.add(image.shape)
        if len(shapes) > 1:
            raise ValueError(
                f"dataset {spec['name']!r}, case {case!r}: shape {image.shape} differs from earlier cases "
                f"{sorted(shapes - {image.shape})}; set 'size' to resize all cases to one grid"
            )
        images.append(image)
        masks.append(mask)
        spacings.append(spacing)
        progress.update()
    cases = cases.reset_index(drop=True)
    cases[["spacing_z", "spacing_y", "spacing_x"]] = np.asarray(spacings, dtype=np.float64)
    cases["label"] = cases["label"].astype(str)
    cases["patient_id"] = cases["patient_id"].astype(str)
    return cases, np.stack(images), np.stack(masks)


def _sheet_items(sheet: pd.DataFrame):
    for row in sheet.itertuples():
        image, spacing = read_volume(row.image, row.case_id)
        mask_file = getattr(row, "mask", "")
        if mask_file:
            mask, _ = read_volume(mask_file, row.case_id, "mask")
        else:
            mask = np.ones(image.shape, dtype=np.uint8)
        yield row.case_id, image, mask, spacing


def load_prepared(folder) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Cases, images and masks written by the prepare step (arrays memory-mapped)."""
    folder = Path(folder)
    return (
        pd.read_parquet(folder / "cases.parquet"),
        np.load(folder / "images.npy", mmap_mode="r"),
        np.load(folder / "masks.npy", mmap_mode="r"),
    )
