"""The options of the prediction stage (the config's ``calibration:`` section), declared once."""

from __future__ import annotations

from pathlib import Path

from ..options import Option
from .fits import FITS
from .predict import PREFER, PREFERENCES, RIVALS

# The calibration tables shipped with the workflow (written by config/calibration.yaml and config/study.yaml).
SHIPPED = Path(__file__).resolve().parents[3] / "resources" / "calibration"

CALIBRATION_OPTIONS = {
    "trained": Option(
        True, "calibrate on this run's trained reference models (every dataset with `train: true`)", {"type": "boolean"}
    ),
    "performance": Option(True, "calibrate on the AUCs of this run's `performance:` tables", {"type": "boolean"}),
    "tables": Option(
        None,
        "calibration tables of other runs whose points join this run's (TSV, written by `export`); none: the "
        "tables shipped in the workflow's resources/calibration/; []: none",
        {"type": ["array", "null"], "items": {"type": "string"}},
    ),
    "coverage": Option(
        0.9,
        "nominal coverage of the predicted AUC's interval (split-conformal over calibration families)",
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    ),
    "rivals": Option(
        RIVALS,
        "the interval also reaches the predicted AUC of every other measure whose leave-one-family-out error is "
        "at most this many times the kept predictor's (measures the calibration cannot tell apart); 1: the "
        "split-conformal interval of the kept predictor alone",
        {"type": "number", "minimum": 1},
    ),
    "prefer": Option(
        PREFER,
        "auc_units: the predictor is a measure in AUC units (a k-NN or linear probe's AUC, as it is or shifted by "
        "a shrunk offset) where one is calibrated, since such measures carry over from phantoms to real data best; "
        "any: every measure competes on its leave-one-family-out error",
        {"enum": list(PREFERENCES)},
    ),
    "predictors": Option(
        None,
        "the measures to choose the predictor from, as `feature.metric` of this run's entries; none: every one",
        {"type": ["array", "null"], "items": {"type": "string", "pattern": r"^[^.]+\.[^.]+$"}, "minItems": 1},
    ),
    "fits": Option(
        list(FITS),
        "the monotone maps to choose from: linear_logit (linear on the logit of the AUC), isotonic; for measures "
        "in AUC units also offset_logit (the measure plus one offset on the logit scale, shrunk toward 0) and identity",
        {"type": "array", "items": {"enum": list(FITS)}, "minItems": 1, "uniqueItems": True},
    ),
    "export": Option(
        None,
        "also write this run's calibration points (trained models and performance tables) to this TSV, a "
        "calibration table for other runs (config/calibration.yaml writes resources/calibration/default.tsv)",
        {"type": ["string", "null"]},
    ),
}


def calibration_tables(options: dict) -> list[str]:
    """The calibration tables a run reads: its ``tables``, or every shipped table where it gives none."""
    if options["tables"] is not None:
        return list(options["tables"])
    return [str(p) for p in sorted(SHIPPED.glob("*.tsv"))]
