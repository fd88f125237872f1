"""A run's entries as calibration points compare them: type and the options that change results."""

from __future__ import annotations

from .points import comparable


def run_entries(plan) -> dict[str, dict]:
    """``models``, ``features``, ``metrics``: name → the entry without its options that do not change results.

    ``plan`` is a :class:`difficulty.pipeline.config.Plan`. A model known only from a performance table is
    None (matched by name). The result is what :func:`.points.calibration_points` and
    :func:`.points.select_points` take as entries.
    """
    out = {}
    for kind in ("models", "features", "metrics"):
        entries = getattr(plan, kind)
        out[kind] = {name: comparable(spec, plan.entry(kind, name).all_options()) for name, spec in entries.items()}
    out["models"] |= {name: None for name in plan.scored_models() if name not in plan.models}
    return out
