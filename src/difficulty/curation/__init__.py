"""Curation stage: which cases make a task hard.

Out-of-fold class probabilities of every case (a probe on a feature type, or a reference model's kept
test predictions), label issues from them by confident learning (cleanlab), instance hardness (kDN) and
an outlier score on the features, scored against known label flips, and thumbnails of the worst cases.
"""

from .hardness import kdn, neighbours, standardise
from .label_issues import label_issues
from .options import CURATION_OPTIONS, curation_sources, resolve_curation
from .outliers import outlier_scores
from .plots import detection_figure
from .probabilities import (
    Probabilities,
    check_fold_classes,
    fewest_patients,
    model_probabilities,
    probe_probabilities,
    usable_folds,
)
from .scoring import detection_table, known_flips, score_flips
from .table import COLUMNS, curation_table, name_classes
from .thumbnails import central_slices, thumbnail_grid, worst_thumbnails

__all__ = [
    "COLUMNS",
    "CURATION_OPTIONS",
    "Probabilities",
    "central_slices",
    "check_fold_classes",
    "fewest_patients",
    "curation_sources",
    "curation_table",
    "detection_figure",
    "detection_table",
    "kdn",
    "known_flips",
    "label_issues",
    "model_probabilities",
    "name_classes",
    "neighbours",
    "outlier_scores",
    "probe_probabilities",
    "usable_folds",
    "resolve_curation",
    "score_flips",
    "standardise",
    "thumbnail_grid",
    "worst_thumbnails",
]
