"""The registry of difficulty metrics: one entry per metric type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..options import Option
from ..registry import Registered, Registry

MetricFn = Callable[..., float]

# Options of the bootstrap, shared by every metric (config: ``bootstrap``, or per metric entry).
BOOTSTRAP_OPTIONS = {
    "chunks": Option(
        2,
        "bootstrap jobs per dataset × feature × metric, each a chunk of sessions seeded from its keys",
        {"type": "integer", "minimum": 1},
        affects_results=False,
    ),
    "sessions_per_chunk": Option(
        500, "sessions per job (the study used 1000 in all)", {"type": "integer", "minimum": 1}, affects_results=False
    ),
    "fraction": Option(
        0.6,
        "fraction of each class (or of its patients) drawn per session",
        {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    ),
    "patient_wise": Option(False, "draw patients instead of cases", {"type": "boolean"}),
}


@dataclass(frozen=True, kw_only=True)
class Metric(Registered):
    """A difficulty metric.

    Attributes
    ----------
    fn : ``fn(X, y, groups, **options) -> float`` on (n, d) features, (n,) labels and (n,) group codes.
    sessions : optional batched route ``sessions(inputs, draws, device, **options) -> (sessions,)``
        for :func:`difficulty.metrics.bootstrap`; without it every session calls ``fn``.
    higher_is_easier : the direction of the score.
    reference : where the measure is defined (for the README's table of measures).
    min_per_class : the fewest samples per class the metric accepts.
    seeded : ``fn`` takes a ``seed`` (its own randomness, e.g. cross-validation folds); the
        bootstrap passes each session one derived from its seed (:func:`difficulty.metrics.session_seed`).
    scale_free : the score does not change when all features are multiplied by one positive factor.
    order_free : the score does not depend on the order of the samples.
    label_only : the score reads the labels only, not the features (e.g. class imbalance).
    auc_units : the score is a ROC AUC (of a classifier on the features): the prediction stage may map it to a
        model's AUC by the identity, shrunk offsets of it and nothing more (:mod:`difficulty.prediction.fits`).
    """

    fn: MetricFn
    sessions: Callable | None = None
    higher_is_easier: bool = True
    reference: str = ""
    min_per_class: int = 2
    seeded: bool = False
    scale_free: bool = True
    order_free: bool = True
    label_only: bool = False
    auc_units: bool = False

    def shared_options(self) -> dict[str, Option]:
        """The bootstrap options."""
        return dict(BOOTSTRAP_OPTIONS)

    def describe(self) -> str:
        return f"{self.help.rstrip('.')}; {'higher' if self.higher_is_easier else 'lower'} is easier"


METRICS: Registry[Metric] = Registry("metric", Metric, "metrics", "fn", "register_metric")


def register_metric(name: str, fn: MetricFn | None = None, /, **fields):
    """Register a difficulty metric under ``name``; usable as a decorator of ``fn``.

    ``fn(X, y, groups, **options) -> float`` computes the metric on one set of samples;
    ``bootstrap(name, ...)`` and the pipeline's metric jobs then run it. ``fields`` are those of
    :class:`Metric` (``options``, ``help``, ``sessions``, ``higher_is_easier``, the flags), with its
    defaults; the common tests check what the flags claim.
    """
    return METRICS.register(name, fn, **fields)


def metric_names() -> list[str]:
    """Names of the registered metric types."""
    return METRICS.names()


def resolve_metric(name: str, spec: dict, bootstrap_defaults: dict) -> dict:
    """A metric entry checked against its type's options and the bootstrap options, with defaults filled.

    ``bootstrap_defaults`` (the config's ``bootstrap`` block) fills the bootstrap options the entry leaves out.
    """
    return METRICS.resolve(name, spec, bootstrap_defaults)
