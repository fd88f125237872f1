"""Toy dataset source, registered from a plugin module: bright or dim cubes in noise, seeded."""

import numpy as np
import pandas as pd

from difficulty.data import Case, register_source
from difficulty.options import Option


def cube_cases(spec):
    """``n_per_class`` cases of each class, ``bright`` and ``dim``, one patient each."""
    ids = [f"cube{i:03d}" for i in range(2 * spec["n_per_class"])]
    labels = ["bright", "dim"] * spec["n_per_class"]
    return pd.DataFrame({"case_id": ids, "patient_id": ids, "label": labels})


@register_source(
    "toy_cubes",
    cases=cube_cases,
    options={
        "n_per_class": Option(help="cases per class", schema={"type": "integer", "minimum": 2}),
        "side": Option(12, "volume side (voxels)", {"type": "integer", "minimum": 8}),
    },
    example=lambda folder: {"n_per_class": 3},
)
def read_cubes(spec, rows, seed):
    """A centred cube, brighter in class ``bright``, in Gaussian noise; each case seeded from its id."""
    side = spec["side"]
    for row in rows.itertuples():
        rng = np.random.default_rng([seed, int(row.case_id[4:])])
        image = rng.normal(0.0, 1.0, (side, side, side)).astype(np.float32)
        mask = np.zeros(image.shape, bool)
        mask[side // 4 : -side // 4, side // 4 : -side // 4, side // 4 : -side // 4] = True
        image[mask] += 3.0 if row.label == "bright" else 1.0
        yield Case(row.case_id, image, mask, (1.0, 1.0, 1.0))
