"""Prediction stage: the AUC a model entry will reach on a dataset, predicted from its measures, with an interval.

Calibration points (datasets with a known AUC, :mod:`.points`) are fitted with
monotone maps (:mod:`.fits`), checked leave-one-family-out (:mod:`.lofo`),
and the predictor with the smallest LOFO error gives each dataset its
predicted AUC and split-conformal interval, stretched to the predictions of rival
measures about as good where they disagree (:mod:`.predict`). Arrays and
tables in, tables out.
"""

from .fits import AUC_CLIP, FITS, MonotoneFit, fit_monotone
from .lofo import conformal_halfwidth, conformal_rank, family_residuals, lofo_mae, lofo_predictions, min_families
from .points import POINT_COLUMNS, calibration_points, canonical_options, comparable, select_points
from .predict import (
    AUC_RANGE,
    MIN_FAMILIES,
    PREDICTION_COLUMNS,
    PREFER,
    PREFERENCES,
    RIVALS,
    Calibration,
    Predictor,
    calibrate,
    predict_auc,
    predict_value,
)

__all__ = [
    "AUC_CLIP",
    "AUC_RANGE",
    "FITS",
    "MIN_FAMILIES",
    "POINT_COLUMNS",
    "PREDICTION_COLUMNS",
    "PREFER",
    "PREFERENCES",
    "RIVALS",
    "Calibration",
    "MonotoneFit",
    "Predictor",
    "calibrate",
    "calibration_points",
    "canonical_options",
    "comparable",
    "conformal_halfwidth",
    "conformal_rank",
    "family_residuals",
    "fit_monotone",
    "lofo_mae",
    "lofo_predictions",
    "min_families",
    "predict_auc",
    "predict_value",
    "select_points",
]
