"""Rater masks of one case: overlap, volume spread and surface distance between raters, and a consensus mask."""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np

from ..data.consensus import stack_masks


def _voxel_volume(spacing, ndim: int) -> float:
    if len(spacing) != ndim or min(spacing) <= 0:
        raise ValueError(f"spacing must be {ndim} positive voxel sizes in mm (the array's axis order), got {spacing}")
    return float(np.prod(spacing))


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    size = a.sum() + b.sum()
    return float(2 * (a & b).sum() / size) if size else 1.0


def dice(a, b) -> float:
    """Dice coefficient 2|A ∩ B| / (|A| + |B|) of two binary masks of one shape; 1.0 when both are empty."""
    return _dice(*stack_masks([a, b]))


def pairwise_dice(masks) -> float:
    """Mean Dice over all pairs of k ≥ 2 rater masks (two empty masks: 1.0; one empty: 0.0).

    Parameters
    ----------
    masks : k binary arrays of one shape, e.g. (z, y, x).
    """
    masks = stack_masks(masks, least=2)
    return float(np.mean([_dice(a, b) for a, b in combinations(masks, 2)]))


def volume_cv(masks, spacing) -> float:
    """Coefficient of variation (SD with ddof = 1 over the mean) of the raters' mask volumes in mm³.

    Parameters
    ----------
    masks : k ≥ 2 binary arrays of one shape (z, y, x); spacing : voxel size in mm per axis, (z, y, x).

    Returns
    -------
    The CV; NaN when every mask is empty.
    """
    masks = stack_masks(masks, least=2)
    volumes = masks.reshape(len(masks), -1).sum(axis=1) * _voxel_volume(spacing, masks.ndim - 1)
    mean = volumes.mean()
    return float(volumes.std(ddof=1) / mean) if mean > 0 else float("nan")


def hd95(masks, spacing) -> float:
    """Mean over rater pairs of the symmetric 95th-percentile Hausdorff distance in mm (MONAI).

    MONAI's ``compute_hausdorff_distance`` (``percentile=95``, ``directed=False``): the surface of a mask is
    its voxels that a one-voxel erosion (face connectivity) removes; for each surface voxel of one mask the
    Euclidean distance in mm to the nearest surface voxel of the other is taken, both ways, and the distance
    is the larger of the two directions' 95th percentiles (linear interpolation). Each mask goes in as the
    one foreground channel of a one-hot (1, 1, z, y, x) tensor; MONAI computes in float32.

    Parameters
    ----------
    masks : k ≥ 2 binary arrays of one shape (z, y, x); spacing : voxel size in mm per axis, (z, y, x).

    Returns
    -------
    The mean HD95 in mm; NaN when any mask is empty (no surface to measure from).
    """
    import torch
    from monai.metrics import compute_hausdorff_distance

    masks = stack_masks(masks, least=2)
    _voxel_volume(spacing, masks.ndim - 1)
    if not masks.reshape(len(masks), -1).any(axis=1).all():
        return float("nan")
    with warnings.catch_warnings():  # MONAI 1.6 passes its own deprecated always_return_as_numpy internally
        warnings.filterwarnings("ignore", message=".*always_return_as_numpy", category=FutureWarning)
        distances = [
            compute_hausdorff_distance(
                torch.from_numpy(a[None, None]),
                torch.from_numpy(b[None, None]),
                include_background=True,
                percentile=95,
                spacing=list(spacing),
            ).item()
            for a, b in combinations(masks, 2)
        ]
    return float(np.mean(distances))


def mask_agreement(masks, spacing) -> dict[str, float]:
    """``mask_dice``, ``mask_volume_cv`` and ``mask_hd95`` (mm) of one case's k ≥ 2 rater masks.

    Parameters
    ----------
    masks : k binary arrays of one shape (z, y, x); spacing : voxel size in mm per axis, (z, y, x).
    """
    return {
        "mask_dice": pairwise_dice(masks),
        "mask_volume_cv": volume_cv(masks, spacing),
        "mask_hd95": hd95(masks, spacing),
    }
