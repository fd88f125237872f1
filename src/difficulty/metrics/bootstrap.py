"""Block-based bootstrapping: one metric value per session of drawn samples, deterministic for a seed."""

from __future__ import annotations

import logging

import numpy as np

from ..options import resolve
from ..seeding import derive_seed
from .backend import resolve_device
from .registry import METRICS, Metric, MetricFn
from .validation import Inputs, check_inputs

log = logging.getLogger(__name__)


def draw_sessions(data: Inputs, sessions: int, fraction: float, patient_wise: bool, rng) -> list[list[np.ndarray]]:
    """Per session, per class: the drawn sample indices, in draw order.

    A session draws round(n_c · fraction) samples of each class c without
    replacement; patient-wise, it draws that fraction of each class's patient
    ids and takes all their cases of that class.

    Parameters
    ----------
    data : checked inputs (:func:`check_inputs`).
    sessions : number of sessions.
    fraction : in (0, 1].
    patient_wise : draw patients instead of cases.
    rng : a ``numpy.random.Generator``.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    members = data.members()
    if patient_wise:
        by_patient = []
        for m in members:
            ids, inverse = np.unique(data.groups[m], return_inverse=True)
            by_patient.append((len(ids), [m[inverse == k] for k in range(len(ids))]))
    out = []
    for _ in range(sessions):
        drawn = []
        for c, m in enumerate(members):
            if patient_wise:
                n_ids, cases = by_patient[c]
                pick = rng.choice(n_ids, size=max(1, round(n_ids * fraction)), replace=False)
                drawn.append(np.concatenate([cases[k] for k in pick]))
            else:
                drawn.append(rng.choice(m, size=max(1, round(len(m) * fraction)), replace=False))
        out.append(drawn)
    return out


def session_seed(seed: int, session: int) -> int:
    """Seed of a seeded metric's own randomness in one bootstrap session."""
    return derive_seed(seed, "session", session)


def _metric(metric: str | MetricFn) -> Metric:
    """The registered metric type of a name, or an unregistered entry around a function."""
    return METRICS.get(metric) if isinstance(metric, str) else Metric(name=getattr(metric, "__name__", "fn"), fn=metric)


def score(metric: str | MetricFn, X, y, groups=None, seed: int = 0, **options) -> float:
    """The value of a metric on one sample set.

    Parameters
    ----------
    metric : a registered metric type name (its options checked, defaults filled), or a function
        ``fn(X, y, groups) -> float``.
    X : (n, d) features; y : (n,) labels; groups : (n,) patient ids or None.
    seed : the seed of a seeded metric's own randomness (e.g. the probe's folds).
    **options : the metric type's options (e.g. ``k`` of ``knn_auc``).
    """
    entry = _metric(metric)
    options = resolve(entry.options, options, f"metric {entry.name}")
    return float(entry.fn(X, y, groups, **options, **({"seed": seed} if entry.seeded else {})))


def bootstrap(
    metric: str | MetricFn,
    X,
    y,
    groups=None,
    sessions: int = 1000,
    fraction: float = 0.6,
    patient_wise: bool = False,
    seed: int = 0,
    device: str = "auto",
    **options,
) -> np.ndarray:
    """Block-based bootstrap of a metric: (sessions,) scores, deterministic for a seed.

    Parameters
    ----------
    metric : a registered metric type name, or a function ``fn(X, y, groups) -> float``.
    X : (n, d) features; y : (n,) labels; groups : (n,) patient ids or None.
    sessions, fraction, patient_wise : see :func:`draw_sessions`.
    seed : seed of the session draws.
    device : ``"numpy"``, a torch device, or ``"auto"`` (CUDA when torch sees a GPU) for batched metrics.
    **options : the metric type's options (e.g. ``multiclass`` of ``sil``).
    """
    if sessions < 1:
        raise ValueError(f"sessions must be at least 1, got {sessions}")
    if patient_wise and groups is None:
        raise ValueError("patient_wise=True needs groups (patient ids)")
    entry = _metric(metric)
    options = resolve(entry.options, options, f"metric {entry.name}")
    data = check_inputs(X, y, groups, min_per_class=entry.min_per_class)
    draws = draw_sessions(data, sessions, fraction, patient_wise, np.random.default_rng(seed))
    if entry.sessions is not None:
        scores = entry.sessions(data, draws, resolve_device(device), **options)
    else:
        labels = data.classes[data.codes]
        scores = []
        for s, idx in enumerate(map(np.concatenate, draws)):
            seeded = {"seed": session_seed(seed, s)} if entry.seeded else {}
            scores.append(entry.fn(data.X[idx], labels[idx], data.groups[idx], **options, **seeded))
        scores = np.array(scores)
    undefined = int(np.isnan(scores).sum())
    if undefined:
        log.warning(
            "metric %s: %d of %d sessions are undefined (NaN; the metric's warning says why); "
            "the summaries and correlations leave them out",
            entry.name,
            undefined,
            len(scores),
        )
    return scores
