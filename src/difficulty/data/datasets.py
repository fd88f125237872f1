"""Datasets: declarations (sources and variants), per-case preparation, the prepared data."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..logs import Progress
from ..options import ConfigError, resolve
from ..registry import load_plugins
from . import columns
from .cases import Case
from .grid import GridStore, check_grid, to_grid
from .qc import BadCase, bad_case_error, voxel_problem
from .sources import SOURCES
from .variants import VARIANTS, resolve_variant

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def resolve_dataset(spec: dict) -> dict:
    """A dataset entry checked against its source's options (or a variant kind's), with defaults filled."""
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"config: datasets: name {name!r} must be letters, digits, '_' or '-'")
    rest = {k: v for k, v in spec.items() if k != "name"}
    where = f"datasets[{name}]"
    if ("source" in rest) == ("parent" in rest):
        raise ConfigError(f"config: {where}: needs exactly one of 'source' or 'parent'")
    if "parent" in rest:
        return {"name": name, **resolve_variant(rest, where)}
    try:
        source = SOURCES.get(rest.pop("source"))
    except ConfigError as err:
        raise ConfigError(f"config: {where}.source: {err}") from None
    resolved = {"name": name, "source": source.name, **resolve(source.all_options(), rest, where)}
    try:
        check_grid(resolved)
    except ValueError as err:
        raise ConfigError(f"config: {where}: {err}") from None
    return resolved


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


def changes_images(spec: dict) -> bool:
    """Whether a resolved dataset entry is a variant whose kind changes the images (it is prepared on its own)."""
    return "variant" in spec and VARIANTS.get(spec["variant"]).image is not None


def prepared_root(by_name: dict[str, dict], name: str) -> str:
    """The dataset whose prepared data and features ``name`` uses: itself if it is a source or a variant whose
    kind changes the images, else its parent's prepared root."""
    while "parent" in by_name[name] and not changes_images(by_name[name]):
        name = by_name[name]["parent"]
    return name


def read_originals(spec: dict, rows: pd.DataFrame, seed: int) -> Iterator[Case | BadCase]:
    """The original view of each case of ``rows`` from the entry's source, each image change of its chain applied.

    ``spec`` is a preparation entry: a source dataset's, or an image variant's (its source's entry with
    ``images``: the chain of ``{"dataset", "variant", "options", "seed"}`` from the source down, applied in
    that order). A :class:`BadCase` passes unchanged.
    """
    changes = [(VARIANTS.get(c["variant"]).image, c["options"], c["seed"]) for c in spec.get("images", ())]
    for case in SOURCES.get(spec["source"]).read(spec, rows, seed):
        if not isinstance(case, BadCase):
            for change, options, change_seed in changes:
                case = change(case, options, change_seed)
        yield case


class GridCase(NamedTuple):
    """A case on the model grid: its (D, H, W) image (float32) and mask (uint8), and the case-table columns of
    its original view (shape, spacing, mask voxels)."""

    case_id: str
    image: np.ndarray
    mask: np.ndarray
    record: dict


def prepare_cases(spec: dict, rows: pd.DataFrame, seed: int) -> Iterator[GridCase | BadCase]:
    """Each case of ``rows`` read from its source, checked and brought onto the model grid, one at a time.

    Yields a :class:`GridCase` per case or, with ``on_bad_case: skip``, a :class:`BadCase` for a case that
    cannot be read or used; without it such a case raises a DataError naming it.
    """
    progress = Progress(len(rows), f"prepare {spec['name']}")
    for case in read_originals(spec, rows, seed):
        item = case if isinstance(case, BadCase) else _on_grid(case, spec)
        if isinstance(item, BadCase):
            if spec.get("on_bad_case", "stop") != "skip":
                raise bad_case_error(spec["name"], item)
            log.warning("dataset %r: case %r skipped: %s", spec["name"], item.case_id, item.problem)
        yield item
        progress.update()


def _on_grid(case: Case, spec: dict) -> GridCase | BadCase:
    problem = voxel_problem(case)
    if problem:
        return BadCase(case.case_id, problem)
    try:
        image, mask = to_grid(case, spec)
    except ValueError as err:
        return BadCase(case.case_id, str(err))
    return GridCase(case.case_id, image, mask, case.geometry() | {"mask_voxels": int(np.count_nonzero(case.mask))})


@dataclass(frozen=True)
class Prepared:
    """A prepared dataset: its case table, its model grid (memory-mapped) and the way back to its original views.

    Attributes
    ----------
    folder : where the prepare step wrote it (``cases.parquet``, ``source.json``, ``shard{k}/grid*.npy``).
    cases : one row per case: ``case_id, patient_id, label``, the source's columns, the original view's
        ``shape_*`` and ``spacing_*`` (z, y, x), ``mask_voxels``, and ``shard, row`` in the grid store.
    spec, seed : the dataset entry and seed its source reads the original views with.
    classes : label → the class's name as the data names it (MedMNIST's names of its class indices).
    rater : where set, the original views carry this rater's mask as their region of interest.
    """

    folder: Path
    cases: pd.DataFrame
    spec: dict
    seed: int
    classes: dict = field(default_factory=dict)
    rater: str | None = None

    @classmethod
    def open(cls, folder) -> Prepared:
        """Open what the prepare steps wrote into ``folder`` (nothing is loaded but the case table)."""
        folder = Path(folder)
        source = json.loads((folder / "source.json").read_text())
        load_plugins(source["plugins"])
        cases = pd.read_parquet(folder / "cases.parquet")
        classes = source.get("classes") or {str(label): str(label) for label in sorted(set(cases["label"].astype(str)))}
        return cls(folder, cases, source["spec"], source["seed"], classes)

    @property
    def case_ids(self) -> np.ndarray:
        return self.cases["case_id"].to_numpy()

    @property
    def sequences(self) -> list[str]:
        """The names of the sequences of each case (the grid's channels), [] for one image per case."""
        return columns.sequences(self.cases)

    @property
    def mask_raters(self) -> list[str]:
        """The raters whose masks each case has (:mod:`difficulty.data.columns`)."""
        return columns.mask_raters(self.cases)

    def with_rater(self, rater: str) -> Prepared:
        """The dataset with rater ``rater``'s masks as the original views' regions of interest."""
        if rater not in self.mask_raters:
            raise ValueError(f"dataset {self.spec['name']!r} has no masks of rater {rater!r} ({self.mask_raters})")
        return replace(self, rater=rater)

    @property
    def grid(self) -> GridStore:
        """The model grid volumes, case i at ``grid[i]`` (read from disk when indexed)."""
        return GridStore(self.folder, self.cases)

    def originals(self) -> Iterator[Case]:
        """The original view of each case (as the source gives it, the image changes of a variant applied), one at a
        time."""
        for case in read_originals(self.spec, self.cases, self.seed):
            if isinstance(case, BadCase):
                raise bad_case_error(self.spec["name"], case)
            yield case if self.rater is None else case.with_rater_mask(self.rater)

    def subset(self, rows) -> Prepared:
        """The cases at positions ``rows`` (ascending: sources read cases in the case table's order)."""
        rows = np.asarray(rows, dtype=int)
        if np.any(np.diff(rows) <= 0):
            raise ValueError("a subset of a prepared dataset takes ascending case positions")
        return replace(self, cases=self.cases.iloc[rows].reset_index(drop=True))
