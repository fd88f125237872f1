"""``difficulty init PATH``: look at a dataset (a class-folder layout or a sample sheet) and write a starter config.

It prints the cases per class, the patients, the range of shapes, spacings and modalities, and every problem
it finds, in the words of the pipeline's own errors: it runs the checks the workflow runs before any job
(:meth:`difficulty.pipeline.config.Plan.check_inputs`), then reads every case, one at a time, as the prepare
jobs do. A folder holding several series is listed with the series' UIDs, on the terminal only, so that one
can be named in a ``series_uid`` column.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .data.datasets import resolve_dataset
from .data.qc import BadCase, bad_case_error, voxel_problem
from .data.sources import SOURCES, dicom
from .errors import ConfigError, DataError

SHEET_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
# The default run's config: a starter config takes everything from it but its datasets, results folder and seed.
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "config.yaml"
NOISE_LADDER = (0.1, 0.2, 0.3)
_MASK_SUFFIX = re.compile(r"_mask(\.nii\.gz|\.nii|\.nrrd|\.mha|\.dcm)$", re.IGNORECASE)


def dataset_entry(path, name: str | None = None, **options) -> dict:
    """The dataset entry of ``path``: a sample sheet (``.csv``, ``.tsv``) or a folder of class folders.

    A class-folder layout whose folders hold ``<case>_mask.<suffix>`` files gets that ``mask_pattern``.
    ``options`` (none left out) are added to the entry.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path} does not exist; give a sample sheet or a folder of class folders")
    name = name or re.sub(r"[^A-Za-z0-9_-]+", "_", path.stem if path.is_file() else path.name).strip("_") or "data"
    if not name[0].isalnum():
        name = f"d{name}"
    if path.is_file():
        if path.suffix.lower() not in SHEET_SUFFIXES:
            raise DataError(f"{path} is neither a sample sheet ({', '.join(SHEET_SUFFIXES)}) nor a folder")
        entry = {"name": name, "source": "sheet", "path": str(path)}
    else:
        entry = {"name": name, "source": "folder", "path": str(path)}
        if options.get("mask_pattern") is None and options.get("masks") is None:
            suffixes = {
                m.group(1).lower()
                for folder in path.iterdir()
                if folder.is_dir()
                for m in map(_MASK_SUFFIX.search, (p.name for p in folder.iterdir()))
                if m
            }
            if len(suffixes) == 1:
                entry["mask_pattern"] = "{case}_mask" + suffixes.pop()
    return entry | {k: v for k, v in options.items() if v is not None}


def starter_config(entry: dict) -> dict:
    """A config for one dataset entry: the dataset, a label-noise ladder of it, the default features to models."""
    variants = [
        {"name": f"{entry['name']}_noise{round(100 * p)}", "parent": entry["name"], "label_noise": p}
        for p in NOISE_LADDER
    ]
    default = yaml.safe_load(DEFAULT_CONFIG.read_text())
    rest = {key: value for key, value in default.items() if key not in ("results", "seed", "datasets")}
    return {"results": "results", "seed": 0, "datasets": [entry, *variants], **rest}


@dataclass
class Inspection:
    """What ``difficulty init`` found in one dataset."""

    entry: dict
    cases: pd.DataFrame | None = None
    rows: list[dict] = field(default_factory=list)  # per case read: case_id, shape, spacing, kind
    problems: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)


def _kind(image: str) -> str:
    """The modality and format of a case's image (DICOM: the Modality of its first slice)."""
    path = Path(image)
    first = next(iter(dicom.series_files(path)), None) if path.is_dir() else path
    if first is not None and dicom.is_dicom(first):
        import pydicom

        modality = pydicom.dcmread(first, stop_before_pixels=True, specific_tags=["Modality"]).get("Modality", "?")
        return f"{modality} (DICOM {'series' if path.is_dir() else 'multi-frame file'})"
    lower = path.name.lower()
    return "NIfTI" if lower.endswith((".nii", ".nii.gz")) else (path.suffix.lstrip(".").upper() or "?")


def _series_hint(image: str) -> str | None:
    """The image series of a folder with their UIDs (for the terminal only: nothing in results names a UID)."""
    path = Path(image)
    if not path.is_dir():
        return None
    counts: Counter = Counter()
    for file in dicom.series_files(path):
        try:
            item = dicom.read_slice(file, "", str(path))
        except DataError:
            continue
        if item.is_slice:
            counts[(item.series, item.number)] += 1
    if len(counts) < 2:
        return None
    listed = "; ".join(f"{uid} (series number {number or '?'}, {n} files)" for (uid, number), n in counts.items())
    return f"series in {path}: {listed}"


def inspect(entry: dict) -> Inspection:
    """Check one dataset entry as the workflow would (before any job, then each case's read), collecting problems."""
    from .pipeline.config import resolve

    found = Inspection(entry)
    try:
        plan = resolve(starter_config(entry))
        plan.check_inputs(False)
    except (ConfigError, DataError) as err:
        found.problems.append(str(err))
    try:
        spec = resolve_dataset(entry)
        source = SOURCES.get(spec["source"])
        found.cases = source.cases(spec)
    except (ConfigError, DataError, OSError) as err:
        if str(err) not in " ".join(found.problems):
            found.problems.append(f"dataset {entry['name']!r}: {err}")
        return found
    for i in range(len(found.cases)):
        row = found.cases.iloc[[i]]
        case_id = row["case_id"].iloc[0]
        try:
            case = next(iter(source.read(spec, row, 0)))
            problem = case.problem if isinstance(case, BadCase) else voxel_problem(case)
        except DataError as err:  # a SEG or RTSTRUCT that references another series
            found.problems.append(str(err))
            continue
        if problem:
            found.problems.append(str(bad_case_error(spec["name"], BadCase(case_id, problem))))
            hint = _series_hint(row["image"].iloc[0]) if "image series" in problem else None
            if hint:
                found.hints.append(hint)
            continue
        found.rows.append(
            {
                "case_id": case_id,
                "shape": case.image.shape,
                "spacing": case.spacing,
                "kind": _kind(row["image"].iloc[0]),
            }
        )
        del case
    return found


def _range(values: np.ndarray, fmt: str) -> str:
    parts = []
    for column in values.T:
        low, high = format(column.min(), fmt), format(column.max(), fmt)
        parts.append(low if low == high else f"{low}–{high}")
    return " × ".join(parts)


def summary(found: Inspection) -> str:
    """What ``difficulty init`` prints of an inspection."""
    entry, lines = found.entry, []
    lines.append(f"dataset {entry['name']!r} (source: {entry['source']}, path: {entry['path']})")
    if found.cases is not None:
        cases = found.cases
        counts = cases["label"].value_counts().sort_index()
        lines.append(
            f"  {len(cases)} cases in {len(counts)} classes: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        per_patient = cases.groupby("patient_id").size()
        each = _range(per_patient.to_numpy()[:, None], "d")
        lines.append(
            f"  {len(per_patient)} patients ({'one' if each == '1' else each} case{'' if each == '1' else 's'} each)"
        )
    if found.rows:
        shapes = np.array([r["shape"] for r in found.rows])
        spacings = np.array([r["spacing"] for r in found.rows])
        lines.append(f"  shapes (z × y × x voxels): {_range(shapes, 'd')}")
        lines.append(f"  spacings (z × y × x mm): {_range(spacings, '.3g')}")
        kinds = Counter(r["kind"] for r in found.rows)
        lines.append("  modalities: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        lines.append(f"  {len(found.rows)} case(s) read without a problem")
    if found.problems:
        lines.append(f"problems ({len(found.problems)}):")
        lines += [f"  - {p}" for p in found.problems]
        lines += [f"    {h}" for h in found.hints]
    else:
        lines.append("no problems found")
    return "\n".join(lines)


def write_starter(entry: dict, output, found: Inspection) -> None:
    """Write the starter config of ``entry`` to ``output``, with a header saying where it came from."""
    head = [
        f"# Starter config written by `difficulty init {entry['path']}`.",
        "# Every key and option is listed, with its default, in the README's configuration reference.",
        f"# {entry['name']}_noise10..30: label-noise variants of the dataset, a ladder of known difficulty",
        "# that the correlation of the measures with the models' AUC spans.",
    ]
    if found.problems:
        head.append(
            f"# `difficulty init` found {len(found.problems)} problem(s): see its output (a bad case can also be "
            "left out with `on_bad_case: skip`)"
        )
    text = "\n".join(head) + "\n" + yaml.safe_dump(starter_config(entry), sort_keys=False)
    Path(output).write_text(text)
