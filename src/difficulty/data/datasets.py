"""Datasets: declarations (sources and label-noise variants), per-case preparation, the prepared data."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..logs import Progress
from ..options import ConfigError, Option, resolve
from ..registry import load_plugins
from .cases import Case
from .grid import GRID_OPTIONS, GridStore, check_grid, to_grid
from .qc import ON_BAD_CASE, BadCase, bad_case_error, voxel_problem
from .sources import SOURCES

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_LABEL_NOISE = Option(
    0.0, "seeded fraction of labels flipped to another class", {"type": "number", "minimum": 0, "maximum": 1}
)
# Options every source dataset takes, besides its source's own (which may give other defaults).
DATASET_OPTIONS = GRID_OPTIONS | {
    "label_noise": _LABEL_NOISE,
    "shards": Option(1, "parallel preparation jobs (every k-th case each)", {"type": "integer", "minimum": 1}),
    "on_bad_case": ON_BAD_CASE,
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
    resolved = {"name": name, "source": source.name, **resolve(DATASET_OPTIONS | source.options, rest, where)}
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


def shard_rows(cases: pd.DataFrame, shard: int, shards: int) -> pd.DataFrame:
    """The rows of one shard: every ``shards``-th case, starting at ``shard``."""
    return cases.iloc[shard::shards]


def prepare_cases(spec: dict, rows: pd.DataFrame, seed: int) -> Iterator[tuple | BadCase]:
    """Each case of ``rows`` read from its source, checked and brought onto the model grid, one at a time.

    Yields (case_id, grid image, grid mask, case-table columns of the original view), or, with
    ``on_bad_case: skip``, a :class:`BadCase` for a case that cannot be read or used; without it such a
    case raises a DataError naming it.
    """
    progress = Progress(len(rows), f"prepare {spec['name']}")
    for case in SOURCES.get(spec["source"]).read(spec, rows, seed):
        item = case if isinstance(case, BadCase) else _on_grid(case, spec)
        if isinstance(item, BadCase):
            if spec.get("on_bad_case", "stop") != "skip":
                raise bad_case_error(spec["name"], item)
            log.warning("dataset %r: case %r skipped: %s", spec["name"], item.case_id, item.problem)
        yield item
        progress.update()


def _on_grid(case: Case, spec: dict) -> tuple | BadCase:
    problem = voxel_problem(case)
    if problem:
        return BadCase(case.case_id, problem)
    try:
        image, mask = to_grid(case, spec)
    except ValueError as err:
        return BadCase(case.case_id, str(err))
    return case.case_id, image, mask, case.geometry() | {"mask_voxels": int(np.count_nonzero(case.mask))}


@dataclass(frozen=True)
class Prepared:
    """A prepared dataset: its case table, its model grid (memory-mapped) and the way back to its original views.

    Attributes
    ----------
    folder : where the prepare step wrote it (``cases.parquet``, ``source.json``, ``shard{k}/grid*.npy``).
    cases : one row per case: ``case_id, patient_id, label``, the source's columns, the original view's
        ``shape_*`` and ``spacing_*`` (z, y, x), ``mask_voxels``, and ``shard, row`` in the grid store.
    spec, seed : the dataset entry and seed its source reads the original views with.
    """

    folder: Path
    cases: pd.DataFrame
    spec: dict
    seed: int

    @classmethod
    def open(cls, folder) -> Prepared:
        """Open what the prepare steps wrote into ``folder`` (nothing is loaded but the case table)."""
        folder = Path(folder)
        source = json.loads((folder / "source.json").read_text())
        load_plugins(source["plugins"])
        return cls(folder, pd.read_parquet(folder / "cases.parquet"), source["spec"], source["seed"])

    @property
    def case_ids(self) -> np.ndarray:
        return self.cases["case_id"].to_numpy()

    @property
    def grid(self) -> GridStore:
        """The model grid volumes, case i at ``grid[i]`` (read from disk when indexed)."""
        return GridStore(self.folder, self.cases)

    def originals(self) -> Iterator[Case]:
        """The original view of each case (image and mask as the source gives them), one at a time."""
        for case in SOURCES.get(self.spec["source"]).read(self.spec, self.cases, self.seed):
            if isinstance(case, BadCase):
                raise bad_case_error(self.spec["name"], case)
            yield case

    def subset(self, rows) -> Prepared:
        """The cases at positions ``rows`` (ascending: sources read cases in the case table's order)."""
        rows = np.asarray(rows, dtype=int)
        if np.any(np.diff(rows) <= 0):
            raise ValueError("a subset of a prepared dataset takes ascending case positions")
        return Prepared(self.folder, self.cases.iloc[rows].reset_index(drop=True), self.spec, self.seed)
