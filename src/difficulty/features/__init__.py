"""Feature stage: extractors that turn prepared cases into feature tables, then z-scoring or PCA.

A new extractor is one module of this package that calls :func:`register_feature`;
importing the package imports every such module, so that the built-in extractors register.
"""

from .postprocess import reduce_pca, zscore_drop_nan
from .registry import (
    FEATURE_OPTIONS,
    FEATURES,
    STABILITY_OPTIONS,
    FeatureExtractor,
    register_feature,
    resolve_feature,
)

FEATURES.discover(__name__)

__all__ = [
    "FEATURES",
    "FEATURE_OPTIONS",
    "STABILITY_OPTIONS",
    "FeatureExtractor",
    "reduce_pca",
    "register_feature",
    "resolve_feature",
    "zscore_drop_nan",
]
