"""Degradations: seeded variant kinds that make a dataset harder in a known direction.

Image kinds (``lower_resolution``, ``blur``, ``image_noise``) change each
case's original view and keep its shape, geometry and mask:
``fn(case, options, seed) -> Case``. They run before the model grid and
before radiomics, as a coarser, blurrier or noisier scanner would, so a
variant of one has its own preparation and features. The case-selection kind
(``fewer_cases``) keeps fewer cases: ``fn(table, options, seed) -> table``.
Each kind is selected by its own option (``{name, parent, blur: 2.0}``);
``seed`` is an int or keys (:func:`difficulty.seeding.derive_seed`), in the
pipeline derived from the config's seed, the variant's name and the kind.

Ladders built with one seed are nested: the noise of a case is one seeded
draw scaled by ``sd``, and a smaller ``fraction`` keeps a subset of the
patients a larger one keeps.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import ndimage

from ...options import Option
from ...seeding import derive_seed
from ..cases import Case
from ..preprocess import resize
from .registry import register_variant

_FACTOR = {"type": "number", "minimum": 1}
LOWER_RESOLUTION = Option(
    help="downsampling factor (one number, or z, y, x): each image goes to a grid this many times coarser "
    "(Gaussian anti-aliasing, linear interpolation), then back to its own grid",
    schema={"oneOf": [_FACTOR, {"type": "array", "items": _FACTOR, "minItems": 3, "maxItems": 3}]},
)
BLUR = Option(
    help="SD of a Gaussian blur of each image, in mm (per axis in voxels: blur / spacing)",
    schema={"type": "number", "minimum": 0},
)
IMAGE_NOISE = Option(
    help="SD of the Gaussian noise added to every voxel, in the image's intensity units (0–255 for MedMNIST, HU "
    "for CT); each case its own seeded draw",
    schema={"type": "number", "minimum": 0},
)
FEWER_CASES = Option(
    help="fraction of each class's patients kept (at least one), with all their cases",
    schema={"type": "number", "exclusiveMinimum": 0, "maximum": 1},
)


def _float_image(case: Case) -> np.ndarray:
    """The case's image as float32 (float64 where its dtype needs it)."""
    return np.asarray(case.image, dtype=np.result_type(case.image.dtype, np.float32))


def _per_channel(image: np.ndarray, change) -> np.ndarray:
    """``change`` of a (D, H, W) image, or of each channel of a (C, D, H, W) image of several sequences."""
    return np.stack([change(channel) for channel in image]) if image.ndim == 4 else change(image)


def _factors(factor) -> tuple[float, float, float]:
    factors = tuple(float(f) for f in (factor if isinstance(factor, list | tuple) else [factor] * 3))
    if len(factors) != 3 or min(factors) < 1:
        raise ValueError(f"lower_resolution must be a number ≥ 1 or three of them (z, y, x), got {factor!r}")
    return factors


def lower_resolution(case: Case, options: dict, seed=None) -> Case:
    """The case as a scanner with ``lower_resolution`` times coarser voxels would see it, on its own grid.

    The image is smoothed with a Gaussian of SD (factor − 1) / 2 voxels per axis (anti-aliasing),
    resized to round(n / factor) voxels per axis (linear), and resized back to its shape (linear).
    Shape, spacing, origin, direction and mask are kept. Deterministic (``seed`` is not used).
    """
    factors = _factors(options["lower_resolution"])
    image = _float_image(case)
    if factors == (1.0, 1.0, 1.0):
        return dataclasses.replace(case, image=image)

    def coarser(volume: np.ndarray) -> np.ndarray:
        smooth = ndimage.gaussian_filter(volume, [(f - 1) / 2 for f in factors], mode="nearest")
        coarse = resize(smooth, [max(1, round(n / f)) for n, f in zip(volume.shape, factors)], order=1)
        return resize(coarse, volume.shape, order=1).astype(volume.dtype)

    return dataclasses.replace(case, image=_per_channel(image, coarser))


def blur(case: Case, options: dict, seed=None) -> Case:
    """The case's image smoothed by a Gaussian of SD ``blur`` (mm, through the case's spacing).

    Shape, geometry and mask are kept. Deterministic (``seed`` is not used).
    """
    sigma_mm = float(options["blur"])
    if sigma_mm < 0:
        raise ValueError(f"blur must be ≥ 0 (mm), got {sigma_mm}")
    image = _float_image(case)
    sigma = [sigma_mm / float(s) for s in case.spacing]
    smooth = _per_channel(image, lambda volume: ndimage.gaussian_filter(volume, sigma, mode="nearest"))
    return dataclasses.replace(case, image=smooth)


def image_noise(case: Case, options: dict, seed) -> Case:
    """The case's image with Gaussian noise of SD ``image_noise`` (intensity units) added to every voxel.

    The noise is drawn from ``derive_seed(seed, case_id)``, so every case gets its own draw, the same in
    every run, and a ladder of SDs with one seed scales one draw. The SD is the same for every case (not
    scaled by the image's own contrast, which may differ between the classes and would tell them apart).
    Shape, geometry and mask are kept.
    """
    sd = float(options["image_noise"])
    if sd < 0:
        raise ValueError(f"image_noise must be ≥ 0, got {sd}")
    image = _float_image(case)
    noise = np.random.default_rng(derive_seed(seed, case.case_id)).standard_normal(image.shape, dtype=np.float64)
    return dataclasses.replace(case, image=(image + noise * sd).astype(image.dtype))


def fewer_cases(table: pd.DataFrame, options: dict, seed) -> pd.DataFrame:
    """A seeded subsample of a case table: a fraction (``fewer_cases``) of each class's patients, with all their cases.

    Patients are grouped by the set of labels of their cases (one label for most). Of each group,
    max(1, round(fraction × its patients)) patients are kept: the first ones of a permutation seeded
    from ``seed`` and the group's labels, so a smaller fraction with the same seed keeps a subset of a
    larger one's patients. The rows keep their order and columns.

    Parameters
    ----------
    table : a case table (``case_id, patient_id, label``, any more columns).
    options : ``{"fewer_cases": f}``, 0 < f ≤ 1.
    seed : an int or keys.
    """
    fraction = float(options["fewer_cases"])
    if not 0 < fraction <= 1:
        raise ValueError(f"fewer_cases must be in (0, 1], got {fraction}")
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


def same_labels(table: pd.DataFrame, options: dict, seed) -> pd.DataFrame:
    """The parent's label table unchanged: an image kind changes the images, not the labels or the cases."""
    return table


# Image kinds change the images: a variant of one has its own preparation and features.
register_variant(
    "lower_resolution",
    same_labels,
    image=lower_resolution,
    options={"lower_resolution": LOWER_RESOLUTION},
    help="each image downsampled, then back to its grid (its own preparation and features; labels kept)",
    example=lambda folder: {"lower_resolution": 2},
)
register_variant(
    "blur",
    same_labels,
    image=blur,
    options={"blur": BLUR},
    help="each image blurred by a Gaussian in mm (its own preparation and features; labels kept)",
    example=lambda folder: {"blur": 1.5},
)
register_variant(
    "image_noise",
    same_labels,
    image=image_noise,
    options={"image_noise": IMAGE_NOISE},
    help="seeded Gaussian noise added to each image (its own preparation and features; labels kept)",
    example=lambda folder: {"image_noise": 20.0},
)
register_variant(
    "fewer_cases",
    fewer_cases,
    options={"fewer_cases": FEWER_CASES},
    help="a seeded subsample of each class's patients (the parent's images and features)",
    example=lambda folder: {"fewer_cases": 0.5},
)
