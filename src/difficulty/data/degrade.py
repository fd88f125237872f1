"""Degradations: seeded variants that make a dataset harder in a known direction (issue 18).

Image kinds change each case's original view and keep its grid, geometry and
mask: ``fn(case, options, seed) -> Case``. They run before the model grid and
before radiomics, as a coarser, blurrier or noisier scanner would. The
case-selection kind keeps fewer cases: ``fn(table, options, seed) -> table``.
``options`` is the kind's options (``*_OPTIONS`` below declare them);
``seed`` an int or keys (:func:`difficulty.seeding.derive_seed`).

Ladders built with one seed are nested: the noise of a case is one seeded
draw scaled by ``sd``, and a smaller ``fraction`` keeps a subset of the
patients a larger one keeps.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import ndimage

from ..options import Option
from ..seeding import derive_seed
from .cases import Case
from .preprocess import resize

_FACTOR = {"type": "number", "minimum": 1}
LOWER_RESOLUTION_OPTIONS = {
    "factor": Option(
        help="downsampling factor (one number, or z, y, x): the image goes to a grid this many times coarser "
        "(Gaussian anti-aliasing, linear interpolation), then back to its own grid",
        schema={"oneOf": [_FACTOR, {"type": "array", "items": _FACTOR, "minItems": 3, "maxItems": 3}]},
    )
}
BLUR_OPTIONS = {
    "sigma_mm": Option(
        help="SD of the Gaussian blur in mm (per axis in voxels: sigma_mm / spacing)",
        schema={"type": "number", "minimum": 0},
    )
}
NOISE_OPTIONS = {
    "sd": Option(
        help="SD of the Gaussian noise added to every voxel, relative to the image's SD inside the mask",
        schema={"type": "number", "minimum": 0},
    )
}
FEWER_CASES_OPTIONS = {
    "fraction": Option(
        help="fraction of each class's patients kept (at least one), with all their cases",
        schema={"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    )
}


def _float_image(case: Case) -> np.ndarray:
    """The case's image as float32 (float64 where its dtype needs it)."""
    return np.asarray(case.image, dtype=np.result_type(case.image.dtype, np.float32))


def _factors(factor) -> tuple[float, float, float]:
    factors = tuple(float(f) for f in (factor if isinstance(factor, list | tuple) else [factor] * 3))
    if len(factors) != 3 or min(factors) < 1:
        raise ValueError(f"lower_resolution: factor must be a number ≥ 1 or three of them (z, y, x), got {factor!r}")
    return factors


def lower_resolution(case: Case, options: dict, seed=None) -> Case:
    """The case as a scanner with ``factor`` times coarser voxels would see it, on its own grid.

    The image is smoothed with a Gaussian of SD (factor − 1) / 2 voxels per axis (anti-aliasing),
    resized to round(n / factor) voxels per axis (linear), and resized back to its shape (linear).
    Shape, spacing, origin, direction and mask are kept. Deterministic (``seed`` is not used).
    """
    factors = _factors(options["factor"])
    image = _float_image(case)
    if factors == (1.0, 1.0, 1.0):
        return dataclasses.replace(case, image=image)
    smooth = ndimage.gaussian_filter(image, [(f - 1) / 2 for f in factors], mode="nearest")
    coarse = resize(smooth, [max(1, round(n / f)) for n, f in zip(image.shape, factors)], order=1)
    return dataclasses.replace(case, image=resize(coarse, image.shape, order=1).astype(image.dtype))


def blur(case: Case, options: dict, seed=None) -> Case:
    """The case's image smoothed by a Gaussian of SD ``sigma_mm`` (mm, through the case's spacing).

    Shape, geometry and mask are kept. Deterministic (``seed`` is not used).
    """
    sigma_mm = float(options["sigma_mm"])
    if sigma_mm < 0:
        raise ValueError(f"blur: sigma_mm must be ≥ 0, got {sigma_mm}")
    image = _float_image(case)
    sigma = [sigma_mm / float(s) for s in case.spacing]
    return dataclasses.replace(case, image=ndimage.gaussian_filter(image, sigma, mode="nearest"))


def image_noise(case: Case, options: dict, seed) -> Case:
    """The case's image with Gaussian noise of SD ``sd`` × (the image's SD inside the mask) added to every voxel.

    The noise is drawn from ``derive_seed(seed, case_id)``, so every case gets its own draw, the same in
    every run, and a ladder of ``sd`` values with one seed scales one draw. The SD is the whole image's
    where the mask is empty. Shape, geometry and mask are kept.
    """
    sd = float(options["sd"])
    if sd < 0:
        raise ValueError(f"image_noise: sd must be ≥ 0, got {sd}")
    image = _float_image(case)
    inside = np.asarray(case.mask) > 0
    scale = float(np.std(image[inside] if inside.any() else image, dtype=np.float64))
    noise = np.random.default_rng(derive_seed(seed, case.case_id)).standard_normal(image.shape, dtype=np.float64)
    return dataclasses.replace(case, image=(image + noise * (sd * scale)).astype(image.dtype))


def fewer_cases(table: pd.DataFrame, options: dict, seed) -> pd.DataFrame:
    """A seeded subsample of a case table: a ``fraction`` of each class's patients, with all their cases.

    Patients are grouped by the set of labels of their cases (one label for most). Of each group,
    max(1, round(fraction × its patients)) patients are kept: the first ones of a permutation seeded
    from ``seed`` and the group's labels, so a smaller fraction with the same seed keeps a subset of a
    larger one's patients. The rows keep their order and columns.

    Parameters
    ----------
    table : a case table (``case_id, patient_id, label``, any more columns).
    options : ``{"fraction": f}``, 0 < f ≤ 1.
    seed : an int or keys.
    """
    fraction = float(options["fraction"])
    if not 0 < fraction <= 1:
        raise ValueError(f"fewer_cases: fraction must be in (0, 1], got {fraction}")
    missing = [c for c in ("patient_id", "label") if c not in table.columns]
    if missing:
        raise ValueError(f"fewer_cases: the case table has no column {missing[0]!r}")
    patients = table.groupby("patient_id", sort=True)["label"].agg(lambda s: tuple(sorted(set(map(str, s)))))
    kept = []
    for labels, group in patients.groupby(patients, sort=True):
        ids = group.index.to_numpy()
        order = np.random.default_rng(derive_seed(seed, "fewer_cases", labels)).permutation(len(ids))
        kept.extend(ids[order[: max(1, round(fraction * len(ids)))]])
    return table[table["patient_id"].isin(kept)].reset_index(drop=True)
