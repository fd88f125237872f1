"""Rater masks of one case: overlap, volume spread and surface distance between raters, and a consensus mask."""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np

CONSENSUS_METHODS = ("majority", "staple", "rater")


def _stack(masks, least: int = 1) -> np.ndarray:
    """(k, *shape) bool stack of k binary masks of one shape."""
    masks = [np.asarray(m) for m in masks]
    if len(masks) < least:
        raise ValueError(f"at least {least} rater masks are needed, got {len(masks)}")
    shapes = {m.shape for m in masks}
    if len(shapes) > 1:
        raise ValueError(f"the rater masks must have one shape, got {sorted(shapes)}")
    for m in masks:
        if m.dtype != bool and not np.isin(m, (0, 1)).all():
            raise ValueError(f"masks must be binary (0/1 or bool), got values {np.unique(m)[:5]}")
    return np.stack(masks).astype(bool)


def _voxel_volume(spacing, ndim: int) -> float:
    if len(spacing) != ndim or min(spacing) <= 0:
        raise ValueError(f"spacing must be {ndim} positive voxel sizes in mm (the array's axis order), got {spacing}")
    return float(np.prod(spacing))


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    size = a.sum() + b.sum()
    return float(2 * (a & b).sum() / size) if size else 1.0


def dice(a, b) -> float:
    """Dice coefficient 2|A ∩ B| / (|A| + |B|) of two binary masks of one shape; 1.0 when both are empty."""
    return _dice(*_stack([a, b]))


def pairwise_dice(masks) -> float:
    """Mean Dice over all pairs of k ≥ 2 rater masks (two empty masks: 1.0; one empty: 0.0).

    Parameters
    ----------
    masks : k binary arrays of one shape, e.g. (z, y, x).
    """
    masks = _stack(masks, least=2)
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
    masks = _stack(masks, least=2)
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

    masks = _stack(masks, least=2)
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


def consensus_mask(masks, method: str, rater_names=None, name=None) -> np.ndarray:
    """One mask from the raters' masks.

    Parameters
    ----------
    masks : k binary arrays of one shape (z, y, x).
    method : ``"majority"``: voxels more than half of the raters include (exactly half, as with 2 raters who
        disagree, is left out); ``"staple"``: SimpleITK's STAPLE (foreground 1) probability above 0.5;
        ``"rater"``: the mask of the rater ``name`` among ``rater_names``.
    rater_names : (k,) names of the raters, for ``"rater"``; name : the rater to take.

    Returns
    -------
    (z, y, x) uint8 mask.
    """
    masks = _stack(masks)
    if method == "majority":
        return (2 * masks.sum(axis=0) > len(masks)).astype(np.uint8)
    if method == "staple":
        import SimpleITK as sitk

        staple = sitk.STAPLEImageFilter()
        staple.SetForegroundValue(1.0)
        probability = staple.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in masks])
        return (sitk.GetArrayFromImage(probability) > 0.5).astype(np.uint8)
    if method == "rater":
        names = [] if rater_names is None else list(rater_names)
        if len(names) != len(masks):
            raise ValueError(f"{len(masks)} masks but {len(names)} rater names: method 'rater' needs one per mask")
        if name not in names:
            raise ValueError(f"unknown rater {name!r}; the raters are {names}")
        return masks[names.index(name)].astype(np.uint8)
    raise ValueError(f"unknown consensus method {method!r}; choose one of {list(CONSENSUS_METHODS)}")


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
