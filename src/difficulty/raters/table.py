"""The raters' tables: agreement per case, and per dataset with its bootstrap interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import columns
from ..seeding import derive_seed
from .labels import agreement_with_consensus, auc_ceiling, krippendorff_alpha, label_kappa

SESSIONS = 1000  # bootstrap sessions of the per-dataset agreement
DISAGREE_DICE = 0.8  # a case's raters disagree where their masks' mean pairwise Dice is below this
CASE_COLUMNS = ["case_id", "patient_id", "label", "label_agreement", "mask_dice", "mask_volume_cv", "mask_hd95"]
LABEL_MEASURES = ("label_kappa", "label_alpha", "auc_ceiling")
SUMMARY_COLUMNS = [
    "dataset",
    "label_raters",
    "mask_raters",
    *(f"{m}{s}" for m in LABEL_MEASURES for s in ("", "_ci_low", "_ci_high")),
    "label_ties",
    "mask_dice_mean",
    "mask_hd95_mean",
    "feature",
    "features",
    "stable_features",
]


def rater_labels(cases: pd.DataFrame) -> np.ndarray:
    """(n, k) the raters' labels of a case table's ``label:<rater>`` columns, None where a rater gave none."""
    names = [columns.RATER_LABEL + r for r in columns.label_raters(cases)]
    given = cases[names].astype(str)
    return given.where(given != "", None).to_numpy(dtype=object)


def case_agreement(cases: pd.DataFrame, masks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per case: the share of the label raters who gave the case's label, its raters' mask agreement, and
    ``raters_disagree``.

    Parameters
    ----------
    cases : the case table (``case_id, patient_id, label`` and the ``label:<rater>`` columns, if any).
    masks : per case (``case_id``) ``mask_dice, mask_volume_cv, mask_hd95``
        (:func:`difficulty.raters.mask_agreement`), None without raters' masks.

    Returns
    -------
    :data:`CASE_COLUMNS` and ``raters_disagree``: True where the label raters are not unanimous or the masks' mean
    pairwise Dice is below :data:`DISAGREE_DICE` (NaN columns where there are no such raters).
    """
    out = cases[["case_id", "patient_id", "label"]].astype(str).reset_index(drop=True)
    labels = columns.label_raters(cases)
    out["label_agreement"] = agreement_with_consensus(rater_labels(cases), out["label"]) if labels else np.nan
    if masks is not None:
        out = out.merge(masks, on="case_id", how="left", validate="one_to_one")
    out = out.reindex(columns=CASE_COLUMNS)
    disagree = (out["label_agreement"] < 1) | (out["mask_dice"] < DISAGREE_DICE)
    return out.assign(raters_disagree=disagree)


def dataset_agreement(cases: pd.DataFrame, seed: int, fraction: float, sessions: int = SESSIONS) -> dict:
    """The label raters' agreement over a dataset, with the central 95 % of ``sessions`` bootstrap sessions.

    Parameters
    ----------
    cases : the case table with its ``label:<rater>`` columns (at least 2 raters).
    seed : the sessions' draws and the tie breaks derive from it.
    fraction : of the cases drawn (without replacement) in each session, as the measures' bootstrap draws.

    Returns
    -------
    ``label_raters``, ``label_ties`` (the cases whose label is a tie between raters) and, each with ``_ci_low`` and
    ``_ci_high``, ``label_kappa`` (Cohen's for 2 raters, Fleiss' for more; NaN where labels are missing),
    ``label_alpha`` (Krippendorff's, nominal) and ``auc_ceiling`` (:func:`difficulty.raters.auc_ceiling`).
    """
    labels = rater_labels(cases)
    out = {"label_raters": labels.shape[1], "label_ties": int(cases.get("label_tie", pd.Series(False)).sum())}
    if labels.shape[1] < 2:
        return out | {f"{m}{s}": np.nan for m in LABEL_MEASURES for s in ("", "_ci_low", "_ci_high")}
    ceiling_seed = derive_seed(seed, "auc_ceiling")

    def measures(rows) -> list[float]:
        part = labels[rows]
        return [label_kappa(part), krippendorff_alpha(part), auc_ceiling(part, ceiling_seed)]

    rng = np.random.default_rng(derive_seed(seed, "sessions"))
    size = max(2, round(fraction * len(labels)))
    drawn = np.array([measures(np.sort(rng.choice(len(labels), size, replace=False))) for _ in range(sessions)])
    for m, value, column in zip(LABEL_MEASURES, measures(np.arange(len(labels))), drawn.T):
        finite = column[np.isfinite(column)]
        low, high = np.percentile(finite, [2.5, 97.5]) if len(finite) else (np.nan, np.nan)
        out |= {m: value, f"{m}_ci_low": low, f"{m}_ci_high": high}
    return out
