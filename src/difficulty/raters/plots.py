"""Figures of the raters: the cases they outline most differently, and the features' ICC across their masks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

COLOURS = ("#e41a1c", "#377eb8", "#4daf4a", "#ff7f00", "#984ea3", "#a65628", "#f781bf", "#999999")
MARGIN = 8  # voxels shown around the raters' masks


def axial_crop(image: np.ndarray, masks: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The axial slice through the centre of the raters' masks (their union's bounding box), cropped to it.

    Parameters
    ----------
    image : (D, H, W) volume; masks : each rater's (D, H, W) mask (not all empty).

    Returns
    -------
    The (h, w) image slice and each rater's (h, w) mask slice.
    """
    union = np.any(np.stack([np.asarray(m) > 0 for m in masks]), axis=0)
    if not union.any():
        raise ValueError("every rater's mask is empty: no slice through them")
    inside = np.argwhere(union)
    low, high = inside.min(axis=0), inside.max(axis=0)
    z = (low[0] + high[0]) // 2
    box = tuple(slice(max(0, lo - MARGIN), hi + MARGIN + 1) for lo, hi in zip(low[1:], high[1:]))
    return np.asarray(image)[z][box], [(np.asarray(m)[z] > 0)[box] for m in masks]


def outline_thumbnails(slices: Sequence, raters: Sequence[str], titles: Sequence[str], path, per_row: int = 3) -> None:
    """One PNG of cases, each an image slice with every rater's outline in its own colour.

    Parameters
    ----------
    slices : per case ``(image, masks)`` as :func:`axial_crop` gives them.
    raters : the raters' names, in the masks' order (the legend).
    titles : per case its title; path : the PNG, written atomically; per_row : cases side by side.
    """
    from ..figures import plt, write_png

    if len(slices) != len(titles) or not slices:
        raise ValueError(f"{len(slices)} cases and {len(titles)} titles: one each, at least one")
    per_row = min(per_row, len(slices))
    rows = math.ceil(len(slices) / per_row)
    fig, axes = plt.subplots(rows, per_row, figsize=(2.4 * per_row, 2.5 * rows + 0.3), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, (image, masks), title in zip(axes.flat, slices, titles):
        image = np.asarray(image, dtype=np.float64)
        low, high = np.percentile(image, [1, 99])
        ax.imshow(image, cmap="gray", vmin=low, vmax=max(high, low + 1e-6), interpolation="nearest")
        for mask, colour in zip(masks, COLOURS * len(masks)):
            if mask.any():
                ax.contour(mask.astype(np.float32), levels=[0.5], colors=colour, linewidths=1.0)
        ax.set_title(title, fontsize=7)
    handles = [plt.Line2D([], [], color=c, lw=1.5) for c in (COLOURS * len(raters))[: len(raters)]]
    fig.legend(handles, list(raters), loc="lower center", ncol=min(len(raters), 8), fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1), pad=0.3)
    write_png(fig, path, tight=False)


def icc_figure(icc: Mapping[str, pd.Series], thresholds: Mapping[str, float], path) -> None:
    """Histograms of the features' ICC(3,1) across raters' masks, one panel per dataset · feature entry.

    Parameters
    ----------
    icc : ``"dataset · feature"`` → the ICC of each feature (NaN left out); thresholds : the same keys → the
        least ICC of a stable feature (a line); path : the PNG, written atomically.
    """
    from ..figures import plt, write_png

    if not icc:
        raise ValueError("no ICC table to draw")
    fig, axes = plt.subplots(1, len(icc), figsize=(3.2 * len(icc), 2.6), squeeze=False)
    for ax, (name, values) in zip(axes.flat, icc.items()):
        values = values.dropna().clip(-1, 1)
        stable = int((values >= thresholds[name]).sum())
        ax.hist(values, bins=np.linspace(min(-0.2, values.min() if len(values) else 0), 1, 25), color="#4c72b0")
        ax.axvline(thresholds[name], color="#c44e52", ls="--", lw=1)
        ax.set_title(f"{name}: {stable} of {len(values)} stable", fontsize=8)
        ax.set_xlabel("ICC(3,1) across raters' masks", fontsize=8)
        ax.set_ylabel("features", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    write_png(fig, path, tight=False)
