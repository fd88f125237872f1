"""The model grid: each case cropped, resampled and resized onto one grid for deep features and reference models.

A dataset's grid volumes are stored per shard of cases as ``.npy`` arrays,
written through a memory map one case at a time and read back one case at a
time, so that loaders stream cases from disk and no job holds the dataset in
memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
    window around the mask's centre, or resize to ``size``; then normalise inside the mask. A case of several
    sequences gives a (C, D, H, W) image, each channel brought onto the grid alike, and one (D, H, W) mask.
    """
    mask = np.asarray(case.mask) > 0
    if case.image.shape[-3:] != mask.shape:
        raise ValueError(f"image shape {case.image.shape} and mask shape {mask.shape} differ")
    if not mask.any():
        raise ValueError("mask is empty")
    on_grid = [_channel_to_grid(image, mask, case.spacing, options) for _, image in case.channels()]
    if not case.sequences:
        return on_grid[0]
    return np.stack([image for image, _ in on_grid]), on_grid[0][1]


def _channel_to_grid(image: np.ndarray, mask: np.ndarray, spacing, options: dict) -> tuple[np.ndarray, np.ndarray]:
    """One (D, H, W) image and its boolean mask on the model grid (:func:`to_grid`)."""
    image = np.asarray(image, dtype=np.float32)
    if options.get("crop_margin") is not None:
        box = mask_box(mask, spacing, options["crop_margin"])
        image, mask = image[box], mask[box]
    size = options.get("size")
    if options.get("grid_spacing") is not None:
        image = resample(image, spacing, options["grid_spacing"], order=1)
        mask = resample(mask.astype(np.uint8), spacing, options["grid_spacing"], order=0) > 0
        centre = np.argwhere(mask).mean(axis=0) if mask.any() else np.asarray(mask.shape) / 2
        image = crop_or_pad(image, size, centre, float(image.min()))
        mask = crop_or_pad(mask, size, centre, False)
    elif size is not None:
        image = resize(image, size, order=1)
        mask = resize(mask.astype(np.uint8), size, order=0) > 0
    if not mask.any():
        raise ValueError(f"mask is empty on the model grid {image.shape}; use a larger size or grid_spacing")
    return normalize(image, mask, options.get("normalize", "none")).astype(np.float32), mask.astype(np.uint8)


class GridFiles:
    """The grid volumes of one shard as they are written (see :func:`grid_writer`)."""

    def __init__(self, n: int, images, masks):
        self.n, self.paths, self.arrays = n, (images, masks), None

    def write(self, row: int, case_id: str, image: np.ndarray, mask: np.ndarray) -> None:
        """Put one case's (D, H, W) or (C, D, H, W) image (float32) and (D, H, W) mask (uint8) at ``row``; every
        case needs the same shape."""
        if self.arrays is None:
            self.arrays = [
                np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(self.n, *shape))
                for path, dtype, shape in zip(self.paths, (np.float32, np.uint8), (image.shape, mask.shape))
            ]
        if image.shape != self.arrays[0].shape[1:]:
            raise ValueError(
                f"case {case_id!r}: grid shape {image.shape} differs from earlier cases "
                f"{self.arrays[0].shape[1:]}; set 'size' to bring all cases onto one grid"
            )
        self.arrays[0][row], self.arrays[1][row] = image, mask

    def close(self) -> None:
        """Flush the files; a shard of which no case was written is an error."""
        if self.arrays is None:
            raise ValueError(f"none of the {self.n} cases could be used")
        for array in self.arrays:
            array.flush()
        self.arrays = None


@contextmanager
def grid_writer(n: int, images, masks) -> Iterator[GridFiles]:
    """Memory-mapped ``.npy`` files for the grid volumes of ``n`` cases, written one case at a time, atomically.

    ``with grid_writer(n, images, masks) as grid: grid.write(row, case_id, image, mask)``. The files land at
    ``images`` and ``masks`` when the block ends without an error and wrote at least one case; a row no case
    fills (a skipped case's) stays zero.
    """
    with atomic_path(images) as tmp_images, atomic_path(masks) as tmp_masks:
        files = GridFiles(n, tmp_images, tmp_masks)
        yield files
        files.close()


class GridStore:
    """The grid volumes of a dataset's cases, read from its shards' ``.npy`` files one case at a time.

    ``store[i]`` is case i's image (D, H, W) float32 ((C, D, H, W) for a dataset of C sequences),
    ``store.mask(i)`` its (D, H, W) mask, both read with a
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
        """(n, D, H, W), or (n, C, D, H, W)."""
        return (len(self), *self[0].shape)

    @property
    def channels(self) -> int:
        """C, the sequences of each case (1 for one image)."""
        return self[0].shape[0] if self[0].ndim == 4 else 1

    def channel(self, c: int) -> ChannelStore:
        """The store of sequence ``c`` alone: ``[i]`` is case i's (D, H, W) image of that sequence."""
        return ChannelStore(self, c)

    def subset(self, rows) -> GridStore:
        """The store of the cases at positions ``rows``."""
        rows = np.asarray(rows, dtype=int)
        sub = GridStore.__new__(GridStore)
        sub.folder, sub.shard, sub.row, sub._headers = self.folder, self.shard[rows], self.row[rows], self._headers
        return sub


class ChannelStore:
    """One sequence of a :class:`GridStore` of several: ``[i]`` is its (D, H, W) image, ``mask(i)`` the case's mask."""

    def __init__(self, store: GridStore, c: int):
        self.store, self.c = store, c

    def __len__(self) -> int:
        return len(self.store)

    def __getitem__(self, i: int) -> np.ndarray:
        return self.store[i][self.c]

    def mask(self, i: int) -> np.ndarray:
        return self.store.mask(i)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self), *self[0].shape)

    def subset(self, rows) -> ChannelStore:
        return ChannelStore(self.store.subset(rows), self.c)
