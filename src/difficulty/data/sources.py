"""The registry of dataset sources: where a dataset's cases come from."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from ..options import Option
from ..registry import Registered, Registry
from .cases import Case
from .qc import BadCase

ReadFn = Callable[[dict, pd.DataFrame, int], Iterator[Case | BadCase]]


def _no_files(spec: dict, cases: pd.DataFrame) -> list[str]:
    return []


@dataclass(frozen=True, kw_only=True)
class Source(Registered):
    """A dataset source.

    Attributes
    ----------
    read : ``read(spec, rows, seed) -> iterator of Case``: the original view of each case in ``rows``
        (rows of the case table, in its order), in that order, one at a time; ``seed`` (from the config's seed and the
        dataset's name) for sources that generate their cases. A case that cannot be read comes as a
        :class:`~difficulty.data.qc.BadCase` saying why (the dataset's ``on_bad_case`` decides: stop or skip).
    cases : ``cases(spec) -> DataFrame``: the case table (``case_id, patient_id, label`` as strings, and
        whatever columns ``read`` needs to find a case), without reading any image.
    files : ``files(spec, rows) -> [path, ...]``: the input files of those rows, or of every case if ``rows``
        is None (a change in one re-runs them).
    check : ``check(spec, downloads)``: raise ValueError with a readable message before any work
        when the dataset cannot be read (``downloads``: whether download rules may fetch missing files).
    """

    read: ReadFn
    cases: Callable[[dict], pd.DataFrame]
    files: Callable[[dict, pd.DataFrame], list[str]] = _no_files
    check: Callable[[dict, bool], None] | None = None


SOURCES: Registry[Source] = Registry("dataset source", Source, "datasets")


def register_source(
    name: str,
    *,
    cases: Callable[[dict], pd.DataFrame],
    options: Mapping[str, Option] | None = None,
    files: Callable[[dict, pd.DataFrame], list[str]] = _no_files,
    check: Callable[[dict, bool], None] | None = None,
    help: str | None = None,
):
    """Register a dataset source; decorates its ``read(spec, rows, seed)`` function (see :class:`Source`)."""
    return SOURCES.decorator(name, "read", options=options, help=help, cases=cases, files=files, check=check)
