"""Feature stage: extractors that turn prepared cases into feature tables, then z-scoring or PCA.

Built-in extractors: ``radiomics`` (pyradiomics), ``medicalnet`` (pretrained
MedicalNet ResNets) and ``random_resnet`` (the same architecture, seeded
random: a control); importing this package registers them. A new extractor
is one module that calls :func:`register_feature`.
"""

from . import medicalnet, radiomics  # noqa: F401  (built-in extractors register on import)
from .postprocess import join_labels, reduce_pca, zscore_drop_nan
from .registry import FEATURE_OPTIONS, FEATURES, FeatureExtractor, register_feature, resolve_feature

__all__ = [
    "FEATURES",
    "FEATURE_OPTIONS",
    "FeatureExtractor",
    "join_labels",
    "reduce_pca",
    "register_feature",
    "resolve_feature",
    "zscore_drop_nan",
]
