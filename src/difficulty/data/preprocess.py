"""Preprocessing to a common grid: resize, intensity normalisation."""

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


def prepare_case(image, mask, spacing, size=None, method: str = "none"):
    """One case on the common grid: image (float32), mask (uint8), spacing after resizing."""
    image = np.asarray(image, dtype=np.float32)
    mask = np.asarray(mask) > 0
    if image.shape != mask.shape:
        raise ValueError(f"image shape {image.shape} and mask shape {mask.shape} differ")
    if size is not None:
        spacing = tuple(sp * s / t for sp, s, t in zip(spacing, image.shape, size))
        image = resize(image, size, order=1)
        mask = resize(mask.astype(np.uint8), size, order=0) > 0
    if not mask.any():
        raise ValueError("mask is empty")
    return normalize(image, mask, method).astype(np.float32), mask.astype(np.uint8), tuple(spacing)
