"""Radiomic features with pyradiomics, from a named preset or a pyradiomics parameter file."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..data.cases import Case
from ..logs import Progress
from ..options import Option
from .registry import register_feature

PRESETS = Path(__file__).with_name("radiomics_presets")


def preset_names() -> list[str]:
    """Names of the shipped pyradiomics presets (``fast``, ``study``)."""
    return sorted(p.stem for p in PRESETS.glob("*.yaml"))


def params_file(params: str) -> Path:
    """The parameter file of a preset name, or ``params`` itself as a path."""
    return PRESETS / f"{params}.yaml" if params in preset_names() else Path(params)


def extract_radiomics(cases: Iterable[Case], params, total: int | None = None) -> pd.DataFrame:
    """One row of pyradiomics features per case (diagnostics left out), keyed by ``case_id``.

    Parameters
    ----------
    cases : original views (image, mask and geometry as read), one at a time; the image is handed to
        pyradiomics as float64, the mask as label 1, both with the case's spacing, origin and direction. A case
        of several sequences gives each sequence's features, prefixed by its name (``t2_original_...``).
    params : a pyradiomics parameter file (its own resampling, if any, applies).
    total : number of cases, for progress lines.
    """
    from radiomics import featureextractor

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    extractor = featureextractor.RadiomicsFeatureExtractor(str(params))
    ids, rows = [], []
    progress = Progress(total or 0, "radiomics")
    for case in cases:
        case_id, sequences, row = case.case_id, list(case.sequences) or [None], {}
        for k, sequence in enumerate(sequences):
            image, mask = case.sitk_images(case.image[k] if sequence else None)
            if k == len(sequences) - 1:
                del case  # pyradiomics works on the SimpleITK images; the arrays can go
            try:
                result = extractor.execute(image, mask, label=1)
            except (ValueError, RuntimeError) as err:
                where = f", sequence {sequence!r}" if sequence else ""
                raise ValueError(f"radiomics failed for case {case_id!r}{where} ({params}): {err}") from None
            prefix = f"{sequence}_" if sequence else ""
            row |= {prefix + key: float(value) for key, value in result.items() if not key.startswith("diagnostics_")}
        ids.append(case_id)
        rows.append(row)
        progress.update()
    table = pd.DataFrame(rows)
    table.insert(0, "case_id", ids)
    return table


def _check(options: dict, downloads: bool) -> None:
    if not params_file(options["params"]).exists():
        raise ValueError(
            f"pyradiomics parameter file {options['params']} does not exist; "
            f"name a preset ({', '.join(preset_names())}) or a parameter file"
        )


@register_feature(
    "radiomics",
    options={
        "params": Option(
            "fast",
            "pyradiomics preset (fast: original image, all 3D classes; study: the study's settings) or parameter file",
            {"type": "string"},
        )
    },
    inputs=lambda options: {"params": str(params_file(options["params"]))},
    check=_check,
    reads_masks=True,
)
def extract(data, *, options: dict, inputs: dict, seed: int, threads: int) -> pd.DataFrame:
    """Radiomic features (pyradiomics) of the original images and masks, with the preset's own resampling."""
    return extract_radiomics(data.originals(), inputs["params"], len(data.cases))
