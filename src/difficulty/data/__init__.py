"""Data stage: dataset sources and variant kinds, per-case preparation onto a model grid, masks.

A new source is one module of this package that calls :func:`register_source`
(a new variant kind: :func:`register_variant`); importing the package imports
every such module, so that the built-in types register.
"""

from .cases import Case
from .datasets import Prepared, index, resolve_dataset, root
from .grid import GRID_OPTIONS, GridStore, to_grid
from .masks import derive_mask
from .sources import DATASET_OPTIONS, SOURCES, Source, register_source
from .variants import VARIANT_OPTIONS, VARIANTS, VariantKind, register_variant
from .variants.labels import flip_labels

SOURCES.discover(__name__)
VARIANTS.discover(__name__)

__all__ = [
    "DATASET_OPTIONS",
    "GRID_OPTIONS",
    "SOURCES",
    "VARIANTS",
    "VARIANT_OPTIONS",
    "Case",
    "GridStore",
    "Prepared",
    "Source",
    "VariantKind",
    "derive_mask",
    "flip_labels",
    "index",
    "register_source",
    "register_variant",
    "resolve_dataset",
    "root",
    "to_grid",
]
