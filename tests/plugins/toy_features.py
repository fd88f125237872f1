"""Toy feature extractor, registered from a plugin module: mask size and intensity percentiles inside the mask."""

import numpy as np
import pandas as pd

from difficulty.features import register_feature
from difficulty.options import Option


@register_feature(
    "intensity_percentiles",
    options={"percentiles": Option([10, 50, 90], "percentiles of the voxels inside the mask", {"type": "array"})},
)
def extract(data, *, options, inputs, seed, threads):
    """Voxel count of each case's mask and percentiles of the intensities inside it (original views)."""
    rows = []
    for case in data.originals():
        inside = case.image[case.mask]
        rows.append([inside.size, *np.percentile(inside, options["percentiles"])])
    table = pd.DataFrame(
        np.asarray(rows, dtype=np.float64), columns=["voxels"] + [f"p{p}" for p in options["percentiles"]]
    )
    table.insert(0, "case_id", data.case_ids)
    return table
