"""Dataset difficulty metrics and their block-based bootstrap.

A new metric is one module of this package that calls :func:`register_metric`;
importing the package imports every such module, so that the built-in metrics
register. Any registered metric type gives its value on a sample set by name,
``metrics.score("knn_auc", X, y, groups, k=5)``, and bootstrapped,
``metrics.bootstrap("knn_auc", X, y, groups, k=5)``. The study's two
definitions are here by their own names too: :func:`silhouette` (``sil``) and
:func:`fid_score` (``fid``), with :func:`frechet_distance` of two sets.
"""

from .backend import resolve_device
from .bootstrap import bootstrap, draw_sessions, score, session_seed
from .frechet import fid_score, frechet_distance
from .registry import BOOTSTRAP_OPTIONS, METRICS, Metric, metric_names, register_metric, resolve_metric
from .silhouette_score import silhouette
from .validation import Inputs, check_inputs, class_pairs

METRICS.discover(__name__)

__all__ = [
    "BOOTSTRAP_OPTIONS",
    "METRICS",
    "Inputs",
    "Metric",
    "bootstrap",
    "check_inputs",
    "class_pairs",
    "draw_sessions",
    "fid_score",
    "frechet_distance",
    "metric_names",
    "register_metric",
    "resolve_device",
    "resolve_metric",
    "score",
    "session_seed",
    "silhouette",
]
