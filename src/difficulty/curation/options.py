"""The curation stage's settings (config: ``curation``) and its sources of out-of-fold probabilities."""

from __future__ import annotations

from collections.abc import Mapping

from ..metrics.out_of_fold import FOLDS
from ..options import ConfigError, Option, resolve
from .hardness import K

PROBE = "probe_"  # a probe source is named after its feature entry: probe_<feature>

CURATION_OPTIONS = {
    "enabled": Option(
        True,
        "write every dataset's curation table and thumbnails (false: only those a `drop_label_issues` variant "
        "reads; kNN on all cases needs a cases × cases distance matrix)",
        {"type": "boolean"},
    ),
    "folds": Option(
        None,
        "patient-grouped, stratified folds of the probe on each feature entry (each class needs cases of at "
        f"least this many patients); none: as many as the class with the fewest patients allows, {FOLDS} at most "
        "(with fewer than 2 the table leaves its label columns empty and says why)",
        {"type": ["integer", "null"], "minimum": 2},
    ),
    "C": Option(
        1.0,
        "inverse L2 regularisation strength of the probe's logistic regression",
        {"type": "number", "exclusiveMinimum": 0},
    ),
    "k": Option(K, "neighbours (of other patients) of kDN and of the outlier score", {"type": "integer", "minimum": 1}),
    "primary": Option(
        None,
        "the source of the table's main columns and of what `drop_label_issues` drops: `probe_<feature>`, or a "
        "reference model cross-validated with `split: folds` (its kept test predictions); none: the probe on "
        "the first feature entry",
        {"type": ["string", "null"]},
    ),
}


def curation_sources(features, models: Mapping[str, dict]) -> tuple[list[str], list[str], list[str]]:
    """The sources of out-of-fold probabilities: probes (``probe_<feature>``, one per feature entry), the
    models cross-validated with ``split: folds``, and the models left out (another split tests only some cases).
    """
    folds = [name for name, spec in models.items() if spec["split"] == "folds"]
    return [f"{PROBE}{f}" for f in features], folds, [name for name in models if name not in folds]


def resolve_curation(given: Mapping | None, features, models: Mapping[str, dict]) -> dict:
    """The ``curation`` block checked, defaults filled, ``primary`` named (ConfigError for an unknown source)."""
    options = resolve(CURATION_OPTIONS, dict(given or {}), "curation")
    probes, folds, left_out = curation_sources(features, models)
    if options["primary"] is None:
        options["primary"] = probes[0]
    primary = options["primary"]
    if primary in left_out:
        raise ConfigError(
            f"config: curation.primary: model {primary!r} is not cross-validated with split: folds, so it has no "
            f"out-of-fold prediction for every case; choose one of: {', '.join(probes + folds)}"
        )
    if primary not in probes + folds:
        raise ConfigError(
            f"config: curation.primary: {primary!r} is no source; choose one of: {', '.join(probes + folds)}"
        )
    return options
