"""The registry of dataset sources: where a dataset's cases come from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..options import Option
from ..registry import Registered, Registry

# (case_id, image (D, H, W), mask (D, H, W), spacing (z, y, x) in mm) of one case.
Case = tuple[str, np.ndarray, np.ndarray, tuple[float, float, float]]
ReadFn = Callable[[dict, int], tuple[pd.DataFrame, Iterable[Case]]]


def _no_files(spec: dict) -> list[str]:
    return []


@dataclass(frozen=True, kw_only=True)
class Source(Registered):
    """A dataset source.

    Attributes
    ----------
    read : ``read(spec, seed) -> (cases, items)``: the case table (``case_id, patient_id, label``
        and any further columns) and an iterable of :data:`Case`, one per row, read lazily.
    files : ``files(spec) -> [path, ...]``: the input files (a change in one re-runs the dataset).
    check : ``check(spec, downloads)``: raise ValueError with a readable message before any work
        when the dataset cannot be read (``downloads``: whether download rules may fetch missing files).
    """

    read: ReadFn
    files: Callable[[dict], list[str]] = _no_files
    check: Callable[[dict, bool], None] | None = None


SOURCES: Registry[Source] = Registry("dataset source", Source, "datasets")


def register_source(
    name: str,
    *,
    options: Mapping[str, Option] | None = None,
    files: Callable[[dict], list[str]] = _no_files,
    check: Callable[[dict, bool], None] | None = None,
    help: str | None = None,
):
    """Register a dataset source; decorates its ``read(spec, seed)`` function (see :class:`Source`)."""

    return SOURCES.decorator(name, "read", options=options, help=help, files=files, check=check)
