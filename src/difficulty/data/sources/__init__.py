"""Dataset sources: where a dataset's cases come from (the registry, and the modules that register the built-ins)."""

from .registry import DATASET_OPTIONS, SOURCES, Source, register_source

__all__ = ["DATASET_OPTIONS", "SOURCES", "Source", "register_source"]
