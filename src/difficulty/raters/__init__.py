"""Raters: how far the experts who labelled or outlined a dataset agree with one another.

Several raters' class labels per case give a seeded majority consensus, chance-corrected agreement (Cohen's
and Fleiss' kappa, Krippendorff's alpha) and the AUC one rater reaches against the others, the ceiling a model
can be expected to reach. Several raters' masks of a case give their Dice, volume spread, HD95 and a consensus
mask (majority, STAPLE or one rater's); features computed on each rater's masks give their ICC(3,1), and
the features stable across raters.
"""

from ..data.consensus import CONSENSUS_METHODS, consensus_labels, consensus_mask
from .icc import STABLE_ICC, feature_icc, icc3_1, stable_features
from .labels import (
    agreement_with_consensus,
    auc_ceiling,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    label_kappa,
)
from .masks import dice, hd95, mask_agreement, pairwise_dice, volume_cv
from .plots import axial_crop, icc_figure, outline_thumbnails
from .table import DISAGREE_DICE, case_agreement, dataset_agreement, rater_labels

__all__ = [
    "CONSENSUS_METHODS",
    "DISAGREE_DICE",
    "STABLE_ICC",
    "agreement_with_consensus",
    "auc_ceiling",
    "axial_crop",
    "case_agreement",
    "cohen_kappa",
    "consensus_labels",
    "consensus_mask",
    "dataset_agreement",
    "dice",
    "feature_icc",
    "fleiss_kappa",
    "hd95",
    "icc_figure",
    "icc3_1",
    "krippendorff_alpha",
    "label_kappa",
    "mask_agreement",
    "outline_thumbnails",
    "pairwise_dice",
    "rater_labels",
    "stable_features",
    "volume_cv",
]
