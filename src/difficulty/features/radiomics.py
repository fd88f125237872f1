"""Radiomic features with pyradiomics, from a named preset or a pyradiomics parameter file."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk

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


def extract_radiomics(case_ids, images, masks, spacing, params) -> pd.DataFrame:
    """One row of pyradiomics features per case (diagnostics left out), keyed by ``case_id``.

    ``spacing`` is (n, 3) in (z, y, x) order; ``params`` a pyradiomics parameter file.
    """
    from radiomics import featureextractor

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    extractor = featureextractor.RadiomicsFeatureExtractor(str(params))
    rows = []
    progress = Progress(len(case_ids), "radiomics")
    for case, image, mask, sp in zip(case_ids, images, masks, np.asarray(spacing)):
        img = sitk.GetImageFromArray(np.asarray(image, dtype=np.float32))
        msk = sitk.GetImageFromArray(np.asarray(mask, dtype=np.uint8))
        for item in (img, msk):
            item.SetSpacing(tuple(float(s) for s in sp[::-1]))
        try:
            result = extractor.execute(img, msk, label=1)
        except (ValueError, RuntimeError) as err:
            raise ValueError(f"radiomics failed for case {case!r} ({params}): {err}") from None
        rows.append({k: float(v) for k, v in result.items() if not k.startswith("diagnostics_")})
        progress.update()
    table = pd.DataFrame(rows)
    table.insert(0, "case_id", list(case_ids))
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
)
def extract(data, *, options: dict, inputs: dict, seed: int, threads: int) -> pd.DataFrame:
    """Radiomic features (pyradiomics): shape, first-order and texture classes of the preset's images."""
    return extract_radiomics(data.case_ids, data.images, data.masks, data.spacing, inputs["params"])
