"""Dataset difficulty metrics and their block-based bootstrap.

Built-in metric types: ``sil`` (Silhouette score) and ``fid`` (Fréchet-distance
class-separation score), both as the study defines them (Thornblad et al. 2025).
A new metric is one module that calls :func:`register_metric`.
Importing this package registers them.
"""

from .backend import resolve_device
from .bootstrap import bootstrap, draw_sessions
from .frechet import fid, fid_score
from .registry import BOOTSTRAP_OPTIONS, METRICS, Metric, metric_names, register_metric, resolve_metric
from .silhouette_score import silhouette
from .validation import Inputs, check_inputs, class_pairs

__all__ = [
    "BOOTSTRAP_OPTIONS",
    "METRICS",
    "Inputs",
    "Metric",
    "bootstrap",
    "check_inputs",
    "class_pairs",
    "draw_sessions",
    "fid",
    "fid_score",
    "metric_names",
    "register_metric",
    "resolve_device",
    "resolve_metric",
    "silhouette",
]
