"""Data stage: dataset sources, preparation onto a grid, masks and label noise.

Built-in sources: ``medmnist``, ``sheet`` and ``synthetic``; importing this
package registers them. A new source is one module that calls
:func:`register_source`.
"""

from . import medmnist, sheet, synthetic  # noqa: F401  (built-in sources register on import)
from .datasets import DATASET_OPTIONS, VARIANT_OPTIONS, Prepared, index, load, resolve_dataset, root
from .labels import flip_labels
from .masks import derive_mask
from .sources import SOURCES, Source, register_source

__all__ = [
    "DATASET_OPTIONS",
    "SOURCES",
    "VARIANT_OPTIONS",
    "Prepared",
    "Source",
    "derive_mask",
    "flip_labels",
    "index",
    "load",
    "register_source",
    "resolve_dataset",
    "root",
]
