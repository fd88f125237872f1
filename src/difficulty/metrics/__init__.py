"""Dataset difficulty metrics and their block-based bootstrap.

Built-in metric types: ``sil`` (Silhouette score) and ``fid`` (Fréchet-distance
class-separation score), both as the study defines them (Thornblad et al. 2025);
``knn_error``, ``knn_auc`` (k-NN leave-one-out), ``probe`` (linear probe), ``f1``,
``n1``, ``n2``, ``lsc`` (classical complexity measures), ``csg`` (cumulative
spectral gradient), ``dsi`` (distance-based separability index), ``cosine``
(cosine-similarity separation) and ``imbalance`` (class imbalance ratio).
A new metric is one module that calls :func:`register_metric`.
Importing this package registers them.
"""

from .backend import resolve_device
from .bootstrap import bootstrap, draw_sessions, session_seed
from .complexity import f1, lsc, n1, n2
from .cosine import cosine_separation
from .frechet import fid, fid_score
from .imbalance import imbalance_ratio
from .knn import knn_auc, knn_error
from .probe import linear_probe
from .registry import BOOTSTRAP_OPTIONS, METRICS, Metric, metric_names, register_metric, resolve_metric
from .separability import dsi
from .silhouette_score import silhouette
from .spectral import csg
from .validation import Inputs, check_inputs, class_pairs

__all__ = [
    "BOOTSTRAP_OPTIONS",
    "METRICS",
    "Inputs",
    "Metric",
    "bootstrap",
    "check_inputs",
    "class_pairs",
    "cosine_separation",
    "csg",
    "draw_sessions",
    "dsi",
    "f1",
    "fid",
    "fid_score",
    "imbalance_ratio",
    "knn_auc",
    "knn_error",
    "linear_probe",
    "lsc",
    "metric_names",
    "n1",
    "n2",
    "register_metric",
    "resolve_device",
    "resolve_metric",
    "session_seed",
    "silhouette",
]
