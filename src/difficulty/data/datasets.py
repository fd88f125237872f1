"""Datasets: declarations (sources and label-noise variants), preparation onto a grid, prepared data."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..logs import Progress
from ..options import ConfigError, Option, resolve
from .preprocess import NORMALIZATIONS, prepare_case
from .sources import SOURCES

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_LABEL_NOISE = Option(
    0.0, "seeded fraction of labels flipped to another class", {"type": "number", "minimum": 0, "maximum": 1}
)
# Options every source dataset takes, besides its source's own.
DATASET_OPTIONS = {
    "size": Option(
        None,
        "resize every case to this (D, H, W) grid",
        {"type": ["array", "null"], "items": {"type": "integer", "minimum": 8}, "minItems": 3, "maxItems": 3},
    ),
    "normalize": Option("none", "intensity normalisation, statistics inside the mask", {"enum": list(NORMALIZATIONS)}),
    "label_noise": _LABEL_NOISE,
}
# Options of a variant that reuses another dataset's images (``parent``).
VARIANT_OPTIONS = {
    "parent": Option(help="the dataset whose images (and features) this one reuses", schema={"type": "string"}),
    "label_noise": _LABEL_NOISE,
}


def resolve_dataset(spec: dict) -> dict:
    """A dataset entry checked against its source's options (or a variant's), with defaults filled."""
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"config: datasets: name {name!r} must be letters, digits, '_' or '-'")
    rest = {k: v for k, v in spec.items() if k != "name"}
    where = f"datasets[{name}]"
    if ("source" in rest) == ("parent" in rest):
        raise ConfigError(f"config: {where}: needs exactly one of 'source' or 'parent'")
    if "parent" in rest:
        return {"name": name, **resolve(VARIANT_OPTIONS, rest, where)}
    try:
        source = SOURCES.get(rest.pop("source"))
    except ConfigError as err:
        raise ConfigError(f"config: {where}.source: {err}") from None
    return {"name": name, "source": source.name, **resolve(DATASET_OPTIONS | source.options, rest, where)}


def index(datasets: list[dict]) -> dict[str, dict]:
    """Resolved datasets (:func:`resolve_dataset`) by name, checked: unique names, known parents, no cycles."""
    by_name = {}
    for spec in datasets:
        name = spec["name"]
        if name in by_name:
            raise ConfigError(f"config: dataset {name!r} is declared twice")
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
            raise ConfigError(f"config: dataset {seen[-1]!r} has unknown parent {parent!r}")
        if parent in seen:
            raise ConfigError(f"config: datasets {' -> '.join([*seen, parent])} form a cycle")
        seen.append(parent)
    return seen[-1]


def load(spec: dict, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Cases, images and masks of a source dataset on its common grid.

    Returns
    -------
    cases : ``case_id, patient_id, label`` (strings), source columns, ``spacing_z, spacing_y, spacing_x``.
    images : (n, D, H, W) float32; masks : (n, D, H, W) uint8.
    """
    size, method = spec.get("size"), spec.get("normalize", "none")
    cases, items = SOURCES.get(spec["source"]).read(spec, seed)
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


@dataclass(frozen=True)
class Prepared:
    """A prepared dataset: its case table and (memory-mapped) volumes.

    Attributes
    ----------
    cases : one row per case (``case_id, patient_id, label, spacing_z, spacing_y, spacing_x``, ...).
    images : (n, D, H, W) float32; masks : (n, D, H, W) uint8, row i belongs to ``cases`` row i.
    """

    cases: pd.DataFrame
    images: np.ndarray
    masks: np.ndarray

    @classmethod
    def load(cls, cases, images, masks) -> Prepared:
        """Read what the prepare step wrote (arrays memory-mapped, not loaded)."""
        return cls(pd.read_parquet(cases), np.load(images, mmap_mode="r"), np.load(masks, mmap_mode="r"))

    @property
    def case_ids(self) -> np.ndarray:
        return self.cases["case_id"].to_numpy()

    @property
    def spacing(self) -> np.ndarray:
        """(n, 3) voxel spacing (z, y, x) in mm."""
        return self.cases[["spacing_z", "spacing_y", "spacing_x"]].to_numpy()

    def subset(self, rows) -> Prepared:
        """The cases at positions ``rows`` (their volumes are read when used)."""
        rows = np.asarray(rows)
        return Prepared(self.cases.iloc[rows].reset_index(drop=True), self.images[rows], self.masks[rows])
