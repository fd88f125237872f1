"""Thumbnails of cases for a clinician: three central orthogonal slices of the model grid, the mask outlined."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

VIEWS = ("axial", "coronal", "sagittal")
OUTLINE = "#ff0000"


def central_slices(image: np.ndarray, mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(image, mask) slices through the centre of the mask's bounding box: axial (D), coronal (H), sagittal (W).

    Parameters
    ----------
    image : (D, H, W) volume; mask : (D, H, W), non-zero inside, not empty.
    """
    image, mask = np.asarray(image), np.asarray(mask) > 0
    if image.ndim != 3 or image.shape != mask.shape:
        raise ValueError(f"image {image.shape} and mask {mask.shape} must be one (D, H, W) shape")
    if not mask.any():
        raise ValueError("the mask is empty: no slice through it")
    inside = np.argwhere(mask)
    centre = (inside.min(axis=0) + inside.max(axis=0)) // 2
    return [(np.take(image, c, axis=a), np.take(mask, c, axis=a)) for a, c in enumerate(centre)]


def thumbnail_grid(images: Sequence, masks: Sequence, titles: Sequence[str], path, cases_per_row: int = 3) -> None:
    """One PNG of the cases' central slices (:func:`central_slices`), the mask outlined in red, each case titled.

    Parameters
    ----------
    images, masks : per case a (D, H, W) volume and its mask.
    titles : per case its title (what identifies it: case id, label, suspected label).
    path : the PNG, written atomically.
    cases_per_row : cases side by side (three panels each).
    """
    from ..figures import plt, write_png

    if not (len(images) == len(masks) == len(titles)) or len(images) == 0:
        raise ValueError(f"{len(images)} images, {len(masks)} masks and {len(titles)} titles: one each, at least one")
    per_row = min(cases_per_row, len(images))
    rows = math.ceil(len(images) / per_row)
    fig, axes = plt.subplots(rows, 3 * per_row, figsize=(3 * per_row * 1.25, rows * 1.55), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for i, (image, mask, title) in enumerate(zip(images, masks, titles)):
        image = np.asarray(image, dtype=np.float64)
        low, high = np.percentile(image, [1, 99])
        for v, (plane, outline) in enumerate(central_slices(image, mask)):
            ax = axes[i // per_row, 3 * (i % per_row) + v]
            ax.imshow(plane, cmap="gray", vmin=low, vmax=max(high, low + 1e-6), interpolation="nearest")
            ax.contour(outline.astype(np.float32), levels=[0.5], colors=OUTLINE, linewidths=0.8)
            if v == 1:
                ax.set_title(title, fontsize=6.5)
    fig.tight_layout(pad=0.3)
    write_png(fig, path, tight=False)


def worst_thumbnails(table: pd.DataFrame, grid, case_ids, path, n: int = 12, cases_per_row: int = 3) -> None:
    """Thumbnails of the first ``n`` cases of a curation table (worst first), read from the model grid.

    Parameters
    ----------
    table : the curation table (``case_id, class, suspected_class`` at least: class names), worst first.
    grid : the model grid, ``grid[i]`` (D, H, W) image (of several sequences, the first is shown) and
        ``grid.mask(i)`` its mask (a ``GridStore``).
    case_ids : (len(grid),) the case id of each grid position (``Prepared.case_ids``).
    path : the PNG, written atomically.
    """
    top = table.head(n)
    where = pd.Index(np.asarray(case_ids).astype(str)).get_indexer(top["case_id"].astype(str))
    if (where < 0).any():
        raise ValueError(f"case {top['case_id'].iloc[int(np.flatnonzero(where < 0)[0])]!r} is not on the grid")
    titles = [
        f"#{rank} {c}: {label}" + (f", suspected {suspected}" if pd.notna(suspected) else "")
        for rank, (c, label, suspected) in enumerate(zip(top["case_id"], top["class"], top["suspected_class"]), start=1)
    ]
    images = [grid[int(i)] for i in where]
    images = [image[0] if image.ndim == 4 else image for image in images]  # several sequences: the first
    masks = [grid.mask(int(i)) for i in where]
    thumbnail_grid(images, masks, titles, path, cases_per_row)
