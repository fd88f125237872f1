"""The model grid: each case cropped, resampled and resized onto one grid for deep features and reference models.

A dataset's grid volumes are stored per shard of cases as ``.npy`` arrays,
written through a memory map one case at a time and read back one case at a
time, so that loaders stream cases from disk and no job holds the dataset in
memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..io import atomic_path, read_npy_header
from ..options import Option
from .cases import Case
from .preprocess import NORMALIZATIONS, crop_or_pad, mask_box, normalize, resample, resize

_SIZE = {"type": ["array", "null"], "items": {"type": "integer", "minimum": 8}, "minItems": 3, "maxItems": 3}
# Options of the model grid, taken by every source dataset (a source may give other defaults).
GRID_OPTIONS = {
    "crop_margin": Option(
        None,
        "crop each case to its mask's bounding box grown by this margin (mm); none: the whole volume",
        {"type": ["number", "null"], "minimum": 0},
    ),
    "grid_spacing": Option(
        None,
        "resample to this voxel size (z, y, x; mm), then cut a `size` window around the mask's centre",
        {"type": ["array", "null"], "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 3, "maxItems": 3},
    ),
    "size": Option(
        None,
        "the grid (D, H, W): without grid_spacing, resize every case to it; none: keep the source's grid",
        _SIZE,
    ),
    "normalize": Option("none", "intensity normalisation, statistics inside the mask", {"enum": list(NORMALIZATIONS)}),
}


def check_grid(options: dict) -> None:
    """Refuse option combinations that cannot give one grid."""
    if options.get("grid_spacing") is not None and options.get("size") is None:
        raise ValueError("grid_spacing needs size (the window cut around the mask's centre)")


def to_grid(case: Case, options: dict) -> tuple[np.ndarray, np.ndarray]:
    """A case on the model grid: image (float32) and mask (uint8), shaped ``size`` when one is given.

    Crop to the mask (``crop_margin``), then either resample (``grid_spacing``) and cut a ``size``
    window around the mask's centre, or resize to ``size``; then normalise inside the mask.
    """
    image = np.asarray(case.image, dtype=np.float32)
    mask = np.asarray(case.mask) > 0
    if image.shape != mask.shape:
        raise ValueError(f"image shape {image.shape} and mask shape {mask.shape} differ")
    if not mask.any():
        raise ValueError("mask is empty")
    if options.get("crop_margin") is not None:
        box = mask_box(mask, case.spacing, options["crop_margin"])
        image, mask = image[box], mask[box]
    size = options.get("size")
    if options.get("grid_spacing") is not None:
        image = resample(image, case.spacing, options["grid_spacing"], order=1)
        mask = resample(mask.astype(np.uint8), case.spacing, options["grid_spacing"], order=0) > 0
        centre = np.argwhere(mask).mean(axis=0) if mask.any() else np.asarray(mask.shape) / 2
        image = crop_or_pad(image, size, centre, float(image.min()))
        mask = crop_or_pad(mask, size, centre, False)
    elif size is not None:
        image = resize(image, size, order=1)
        mask = resize(mask.astype(np.uint8), size, order=0) > 0
    if not mask.any():
        raise ValueError(f"mask is empty on the model grid {image.shape}; use a larger size or grid_spacing")
    return normalize(image, mask, options.get("normalize", "none")).astype(np.float32), mask.astype(np.uint8)


def write_grid(items, n: int, images, masks) -> None:
    """Write the grid volumes of up to ``n`` cases into memory-mapped ``.npy`` files, one case at a time, atomically.

    Parameters
    ----------
    items : iterable of (row, case_id, image (D, H, W) float32, mask (D, H, W) uint8), all of one shape; ``row``
        is the case's place in the files (0 ≤ row < n; a row no item fills, a skipped case's, stays zero).
    n : number of rows.
    images, masks : output paths; nothing is left there if an item fails, or if there is none.
    """
    with atomic_path(images) as tmp_images, atomic_path(masks) as tmp_masks:
        arrays = None
        for row, case_id, image, mask in items:
            if arrays is None:
                arrays = [
                    np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype, shape=(n, *image.shape))
                    for tmp, dtype in ((tmp_images, np.float32), (tmp_masks, np.uint8))
                ]
            if image.shape != arrays[0].shape[1:]:
                raise ValueError(
                    f"case {case_id!r}: grid shape {image.shape} differs from earlier cases "
                    f"{arrays[0].shape[1:]}; set 'size' to bring all cases onto one grid"
                )
            arrays[0][row], arrays[1][row] = image, mask
        if arrays is None:
            raise ValueError(f"none of the {n} cases could be used")
        for array in arrays:
            array.flush()
        del arrays


class GridStore:
    """The grid volumes of a dataset's cases, read from its shards' ``.npy`` files one case at a time.

    ``store[i]`` is case i's image (D, H, W) float32, ``store.mask(i)`` its mask, both read with a
    positioned file read (not a memory map, whose touched pages would stay resident and count to the
    job's memory as it goes through the dataset).
    """

    def __init__(self, folder, cases: pd.DataFrame):
        self.folder = Path(folder)
        self.shard, self.row = cases["shard"].to_numpy(), cases["row"].to_numpy()
        self._headers: dict[Path, tuple[int, tuple[int, ...], np.dtype]] = {}

    def _read(self, i: int, name: str) -> np.ndarray:
        path = self.folder / f"shard{int(self.shard[i])}" / name
        if path not in self._headers:
            with open(path, "rb") as fh:
                shape, dtype = read_npy_header(fh, path)
                self._headers[path] = (fh.tell(), shape, dtype)
        offset, shape, dtype = self._headers[path]
        count = int(np.prod(shape[1:]))
        start = offset + int(self.row[i]) * count * dtype.itemsize
        return np.fromfile(path, dtype=dtype, count=count, offset=start).reshape(shape[1:])

    def __len__(self) -> int:
        return len(self.shard)

    def __getitem__(self, i: int) -> np.ndarray:
        return self._read(i, "grid.npy")

    def mask(self, i: int) -> np.ndarray:
        return self._read(i, "grid_masks.npy")

    @property
    def shape(self) -> tuple[int, ...]:
        """(n, D, H, W)."""
        return (len(self), *self[0].shape)

    def subset(self, rows) -> GridStore:
        """The store of the cases at positions ``rows``."""
        rows = np.asarray(rows, dtype=int)
        sub = GridStore.__new__(GridStore)
        sub.folder, sub.shard, sub.row, sub._headers = self.folder, self.shard[rows], self.row[rows], self._headers
        return sub
