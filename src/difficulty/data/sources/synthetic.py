"""Seeded 3D phantoms of two classes with a known difficulty, differing in shape, texture, intensity or size."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import ndimage

from ...options import Option
from ..cases import Case
from .registry import register_source

DIFFERENCES = ("shape", "texture", "intensity", "size")
DEFAULT_DIFFERENCES = ("shape", "texture", "intensity")


def _check(n_per_class: int, separation: float, differences=DEFAULT_DIFFERENCES) -> None:
    unknown = sorted(set(differences) - set(DIFFERENCES))
    if unknown or not differences:
        raise ValueError(f"differences must be some of {', '.join(DIFFERENCES)}, got {list(differences)}")
    if not 0 <= separation <= 1:
        raise ValueError(f"separation must be in [0, 1], got {separation}")
    if n_per_class < 2:
        raise ValueError(f"n_per_class must be at least 2, got {n_per_class}")


def phantom_cases(n_per_class: int) -> pd.DataFrame:
    """The case table of a phantom set: ``case_id, patient_id, label`` (class 0 first, then class 1)."""
    ids = [f"case_{i:04d}" for i in range(2 * n_per_class)]
    return pd.DataFrame({"case_id": ids, "patient_id": ids, "label": np.repeat([0, 1], n_per_class)})


def iter_phantoms(
    n_per_class: int, separation: float, shape=(28, 28, 28), seed: int = 0, differences=DEFAULT_DIFFERENCES
):
    """Images (float32) and masks (uint8) of noisy textured ellipsoids, one case at a time, in case-table order.

    Class 1 differs from class 0 by each of ``differences``, scaled by ``separation`` (0 gives two
    identical distributions, 1 an easy task): ``shape`` an elongated ellipsoid (radii × 1 + 0.35 s,
    1, 1 − 0.25 s), ``texture`` a coarser texture (smoothing SD 1 + 1.5 s voxels), ``intensity`` a
    brighter one (mean 100 + 40 s), ``size`` a larger object (radii × 1 + 0.3 s). Every case draws
    its own size, orientation and noise, so even at 1 the classes overlap a little. The draws are the
    same whatever the differences: phantoms of one seed that differ in other ways share their noise.
    """
    _check(n_per_class, separation, differences)
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[np.linspace(-1, 1, s) for s in shape], indexing="ij"))
    for label in np.repeat([0, 1], n_per_class):
        shift = {kind: separation * label if kind in differences else 0.0 for kind in DIFFERENCES}
        radii = rng.uniform(0.45, 0.6, 3) * np.array([1.0 + 0.35 * shift["shape"], 1.0, 1.0 - 0.25 * shift["shape"]])
        if "size" in differences:
            radii = radii * (1.0 + 0.3 * shift["size"])
        rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        centre = rng.uniform(-0.08, 0.08, 3)
        coords = np.tensordot(rotation, grid - centre[:, None, None, None], axes=1)
        inside = ((coords / radii[:, None, None, None]) ** 2).sum(axis=0) <= 1.0
        texture = ndimage.gaussian_filter(rng.normal(size=shape), sigma=1.0 + 1.5 * shift["texture"])
        texture /= texture.std() + 1e-12
        intensity = 100.0 + 40.0 * shift["intensity"] + 20.0 * texture + rng.normal(0, 10, shape)
        yield np.where(inside, intensity, rng.normal(0, 5, shape)).astype(np.float32), inside.astype(np.uint8)


def make_phantoms(
    n_per_class: int, separation: float, shape=(28, 28, 28), seed: int = 0, differences=DEFAULT_DIFFERENCES
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Cases, images (n, D, H, W) and masks of a whole phantom set in memory (see :func:`iter_phantoms`)."""
    images, masks = zip(*iter_phantoms(n_per_class, separation, shape, seed, differences))
    return phantom_cases(n_per_class), np.stack(images), np.stack(masks)


@register_source(
    "synthetic",
    phantom=True,
    cases=lambda spec: phantom_cases(spec["n_per_class"]).astype({"label": str}),
    options={
        "separation": Option(
            help="class separation: 0 = identical classes, 1 = an easy task",
            schema={"type": "number", "minimum": 0, "maximum": 1},
        ),
        "n_per_class": Option(100, "cases per class", {"type": "integer", "minimum": 4}),
        "shape": Option(
            [28, 28, 28],
            "volume shape (D, H, W)",
            {"type": "array", "items": {"type": "integer", "minimum": 8}, "minItems": 3, "maxItems": 3},
        ),
        "differences": Option(
            list(DEFAULT_DIFFERENCES),
            "how class 1 differs from class 0, each scaled by the separation: shape (elongated), texture (coarser), "
            "intensity (brighter), size (larger)",
            {"type": "array", "items": {"enum": list(DIFFERENCES)}, "minItems": 1, "uniqueItems": True},
        ),
    },
    example=lambda folder: {"separation": 0.5, "n_per_class": 4, "shape": [8, 8, 8]},
)
def read_source(spec: dict, rows: pd.DataFrame, seed: int):
    """Seeded phantoms of two classes whose separation sets the difficulty: a ladder of known difficulty."""
    wanted = set(rows["case_id"])
    differences = spec.get("differences", DEFAULT_DIFFERENCES)
    phantoms = iter_phantoms(spec["n_per_class"], spec["separation"], spec["shape"], seed, differences)
    for case, (image, mask) in zip(phantom_cases(spec["n_per_class"])["case_id"], phantoms):
        if case in wanted:
            yield Case(case, image, mask > 0)
