"""Radiomic features with pyradiomics."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import SimpleITK as sitk

from .logs import Progress


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
