"""Data stage: dataset sources, per-case preparation onto a model grid, masks and label noise.

Built-in sources: ``medmnist``, ``sheet`` and ``synthetic``; importing this
package registers them. A new source is one module that calls
:func:`register_source`. Degradations (``degrade.py``) make harder variants of a dataset.
"""

from . import medmnist, sheet, synthetic  # noqa: F401  (built-in sources register on import)
from .cases import Case
from .datasets import DATASET_OPTIONS, VARIANT_OPTIONS, Prepared, index, resolve_dataset, root
from .degrade import blur, fewer_cases, image_noise, lower_resolution
from .grid import GRID_OPTIONS, GridStore, to_grid
from .labels import flip_labels
from .masks import derive_mask
from .sources import SOURCES, Source, register_source

__all__ = [
    "DATASET_OPTIONS",
    "GRID_OPTIONS",
    "SOURCES",
    "VARIANT_OPTIONS",
    "Case",
    "GridStore",
    "Prepared",
    "Source",
    "blur",
    "derive_mask",
    "fewer_cases",
    "flip_labels",
    "image_noise",
    "index",
    "lower_resolution",
    "register_source",
    "resolve_dataset",
    "root",
    "to_grid",
]
