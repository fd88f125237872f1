"""The registry of difficulty metrics: one entry per metric type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..options import Option
from ..registry import Registered, Registry

MetricFn = Callable[..., float]

# Options of the bootstrap, shared by every metric (config: ``bootstrap``, or per metric entry).
BOOTSTRAP_OPTIONS = {
    "seeds": Option(
        2, "bootstrap jobs per dataset × feature × metric, each seeded from its keys", {"type": "integer", "minimum": 1}
    ),
    "sessions_per_seed": Option(
        500, "sessions per job (the study used 1000 in all)", {"type": "integer", "minimum": 1}
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
    min_per_class : the fewest samples per class the metric accepts.
    seeded : ``fn`` takes a ``seed`` (its own randomness, e.g. cross-validation folds); the
        bootstrap passes each session one derived from its seed (:func:`difficulty.metrics.session_seed`).
    scale_free : the score does not change when all features are multiplied by one positive factor.
    order_free : the score does not depend on the order of the samples.
    label_only : the score reads the labels only, not the features (e.g. class imbalance).
    """

    fn: MetricFn
    sessions: Callable | None = None
    higher_is_easier: bool = True
    min_per_class: int = 2
    seeded: bool = False
    scale_free: bool = True
    order_free: bool = True
    label_only: bool = False


METRICS: Registry[Metric] = Registry("metric", Metric, "metrics")


def register_metric(
    name: str,
    fn: MetricFn | None = None,
    *,
    sessions: Callable | None = None,
    higher_is_easier: bool = True,
    min_per_class: int = 2,
    seeded: bool = False,
    scale_free: bool = True,
    order_free: bool = True,
    label_only: bool = False,
    options: Mapping[str, Option] | None = None,
    help: str | None = None,
):
    """Register a difficulty metric under ``name``; usable as a decorator of ``fn``.

    ``fn(X, y, groups, **options) -> float`` computes the metric on one set of
    samples; ``bootstrap(name, ...)`` and the pipeline's metric jobs then run it.
    The flags are described in :class:`Metric`; the common tests check what they claim.
    """

    clash = sorted(set(options or {}) & set(BOOTSTRAP_OPTIONS))
    if clash:
        raise ValueError(f"metric type {name!r}: option {clash[0]!r} is a bootstrap option; choose another name")
    add = METRICS.decorator(
        name,
        "fn",
        options=options,
        help=help,
        sessions=sessions,
        higher_is_easier=higher_is_easier,
        min_per_class=min_per_class,
        seeded=seeded,
        scale_free=scale_free,
        order_free=order_free,
        label_only=label_only,
    )
    return add if fn is None else add(fn)


def metric_names() -> list[str]:
    """Names of the registered metric types."""
    return METRICS.names()


def resolve_metric(name: str, spec: dict, bootstrap_defaults: dict) -> dict:
    """A metric entry checked against its type's options and the bootstrap options, with defaults filled.

    ``bootstrap_defaults`` (the config's ``bootstrap`` block) fills the bootstrap options the entry leaves out.
    """
    shared = {k: Option(bootstrap_defaults[k], o.help, o.schema) for k, o in BOOTSTRAP_OPTIONS.items()}
    return METRICS.resolve(name, spec, shared)
