"""Variant kinds: datasets made from another dataset's cases (the registry, and the modules of the built-in kinds)."""

from .registry import VARIANT_OPTIONS, VARIANTS, VariantKind, register_variant, resolve_variant

__all__ = ["VARIANT_OPTIONS", "VARIANTS", "VariantKind", "register_variant", "resolve_variant"]
