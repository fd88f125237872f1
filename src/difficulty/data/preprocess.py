"""Array operations that bring a case onto a model grid: crop, resample, resize, pad, normalise."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

NORMALIZATIONS = ("none", "zscore", "minmax")


def resize(volume: np.ndarray, size, order: int) -> np.ndarray:
    """Resize a (D, H, W) volume to ``size`` (linear for images, nearest for masks)."""
    size = tuple(int(s) for s in size)
    if volume.shape == size:
        return volume
    return ndimage.zoom(
        volume, [t / s for t, s in zip(size, volume.shape)], order=order, grid_mode=True, mode="nearest"
    )


def normalize(image: np.ndarray, mask: np.ndarray, method: str) -> np.ndarray:
    """``zscore`` or ``minmax`` with statistics from the mask's voxels, or ``none``."""
    if method == "none":
        return image
    values = image[mask > 0] if mask.any() else image.ravel()
    if method == "zscore":
        return (image - values.mean()) / (values.std() + 1e-8)
    if method == "minmax":
        lo, hi = values.min(), values.max()
        return (image - lo) / (hi - lo + 1e-8)
    raise ValueError(f"unknown normalisation {method!r}; known: {NORMALIZATIONS}")


def mask_box(mask: np.ndarray, spacing, margin_mm: float) -> tuple[slice, ...]:
    """Slices of the mask's bounding box grown by ``margin_mm`` on every side, within the volume."""
    where = np.argwhere(mask)
    low, high = where.min(axis=0), where.max(axis=0) + 1
    grow = np.ceil(margin_mm / np.asarray(spacing, dtype=np.float64)).astype(int)
    return tuple(slice(max(0, lo - g), min(n, hi + g)) for lo, hi, g, n in zip(low, high, grow, mask.shape))


def resample(volume: np.ndarray, spacing, target, order: int) -> np.ndarray:
    """Resample a (D, H, W) volume from ``spacing`` to the voxel size ``target`` (mm, z y x)."""
    shape = [max(1, round(n * s / t)) for n, s, t in zip(volume.shape, spacing, target)]
    return resize(volume, shape, order)


def crop_or_pad(volume: np.ndarray, size, centre, fill: float) -> np.ndarray:
    """The ``size`` window of a volume centred on the voxel ``centre``, padded with ``fill`` where it leaves it."""
    out = np.full(tuple(int(s) for s in size), fill, dtype=volume.dtype)
    src, dst = [], []
    for n, s, c in zip(volume.shape, size, centre):
        start = int(round(c)) - int(s) // 2
        lo, hi = max(0, start), min(n, start + int(s))
        src.append(slice(lo, hi))
        dst.append(slice(lo - start, hi - start))
    out[tuple(dst)] = volume[tuple(src)]
    return out
