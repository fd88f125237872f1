"""Rater labels: the majority consensus with seeded ties, chance-corrected agreement and the AUC ceiling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..auc import roc_auc
from ..data.consensus import label_codes, label_counts, majority_codes


def agreement_with_consensus(labels, consensus) -> np.ndarray:
    """(n,) share of the raters who labelled each case that gave the consensus label (NaN where none did).

    Parameters
    ----------
    labels : (n, k) class labels, None or NaN where missing; consensus : (n,) labels.
    """
    codes, classes = label_codes(labels)
    consensus = np.asarray(consensus)
    if consensus.shape != (len(codes),):
        raise ValueError(f"{len(codes)} cases but a consensus of shape {consensus.shape}")
    target = pd.Index(classes).get_indexer(consensus)
    given = (codes >= 0).sum(axis=1)
    agree = ((codes == target[:, None]) & (codes >= 0)).sum(axis=1)
    return np.divide(agree, given, out=np.full(len(codes), np.nan), where=given > 0)


def _check_raters(codes: np.ndarray, measure: str) -> None:
    if codes.shape[1] < 2:
        raise ValueError(f"{measure} needs at least 2 raters, got {codes.shape[1]}")


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two raters over the cases both labelled (NaN when chance agreement is 1).

    Parameters
    ----------
    a, b : (n,) class labels of the two raters, None or NaN where missing.
    """
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"two raters' labels of one shape (n,) are needed, got {a.shape} and {b.shape}")
    codes, classes = label_codes(np.column_stack([a, b]))
    codes = codes[(codes >= 0).all(axis=1)]
    if not len(codes):
        raise ValueError("no case was labelled by both raters")
    table = np.zeros((len(classes), len(classes)))
    np.add.at(table, (codes[:, 0], codes[:, 1]), 1)
    table /= len(codes)
    observed, chance = np.trace(table), table.sum(axis=1) @ table.sum(axis=0)
    return float((observed - chance) / (1 - chance)) if chance < 1 else float("nan")


def fleiss_kappa(labels) -> float:
    """Fleiss' kappa (1971) of k ≥ 2 raters who all labelled every case (NaN when chance agreement is 1).

    Parameters
    ----------
    labels : (n, k) class labels, complete.
    """
    codes, classes = label_codes(labels)
    _check_raters(codes, "Fleiss' kappa")
    missing = np.flatnonzero((codes < 0).any(axis=1))
    if len(missing):
        raise ValueError(
            f"Fleiss' kappa needs every case labelled by every rater; {len(missing)} cases are not (first: row "
            f"{missing[0]}): use krippendorff_alpha for missing labels"
        )
    n, k = codes.shape
    counts = label_counts(codes, len(classes))
    observed = ((counts**2).sum(axis=1) - k).sum() / (n * k * (k - 1))
    chance = ((counts.sum(axis=0) / (n * k)) ** 2).sum()
    return float((observed - chance) / (1 - chance)) if chance < 1 else float("nan")


def krippendorff_alpha(labels) -> float:
    """Krippendorff's alpha, nominal, from the coincidence matrix; cases with fewer than 2 labels are left out.

    Parameters
    ----------
    labels : (n, k) class labels of k ≥ 2 raters, None or NaN where missing.

    Returns
    -------
    α = 1 − (N − 1) · (N − Σ_c o_cc) / (N² − Σ_c n_c²), N the pairable labels; NaN when only one class is used.
    """
    codes, classes = label_codes(labels)
    _check_raters(codes, "Krippendorff's alpha")
    counts = label_counts(codes, len(classes))
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if not len(m):
        raise ValueError("Krippendorff's alpha needs a case labelled by at least 2 raters")
    total = m.sum()
    matching = (((counts**2).sum(axis=1) - m) / (m - 1)).sum()
    expected = total**2 - (counts.sum(axis=0) ** 2).sum()
    return float(1 - (total - 1) * (total - matching) / expected) if expected > 0 else float("nan")


def label_kappa(labels) -> float:
    """Cohen's kappa for 2 raters (cases both labelled), Fleiss' kappa for more: NaN where a label is missing.

    Parameters
    ----------
    labels : (n, k) class labels, None or NaN where missing.
    """
    codes, _ = label_codes(labels)
    _check_raters(codes, "a kappa")
    labels = np.asarray(labels)
    if codes.shape[1] == 2:
        return cohen_kappa(labels[:, 0], labels[:, 1])
    return fleiss_kappa(labels) if (codes >= 0).all() else float("nan")


def auc_ceiling(labels, seed: int) -> float:
    """The AUC one rater's labels reach against the others' consensus, leave-one-rater-out, averaged over raters.

    What it bounds: a model trained on one rater's labels cannot be expected to beat the agreement between
    raters, and a model evaluated against consensus labels is capped near what a single expert reaches.

    For each rater r the reference is the majority of the other raters (as in `consensus_labels`, ties drawn
    with ``default_rng([seed, r])``; with 2 raters, the other rater alone) and r's labels are hard one-hot
    scores: the AUC (`difficulty.auc.roc_auc`: class 1's AUC with two classes, the one-vs-rest macro AUC with
    more) is then the balanced accuracy. Cases r or all the others left unlabelled are left out; a rater
    whose reference lacks one of the classes has no AUC.

    Parameters
    ----------
    labels : (n, k) class labels of k ≥ 2 raters (3 or more for a real majority), None or NaN where missing.
    seed : seed of the tie breaks.

    Returns
    -------
    The mean AUC over the raters that have one; NaN if none does.
    """
    codes, classes = label_codes(labels)
    _check_raters(codes, "the AUC ceiling")
    aucs = []
    for r in range(codes.shape[1]):
        reference, _ = majority_codes(np.delete(codes, r, axis=1), len(classes), np.random.default_rng([seed, r]))
        keep = (codes[:, r] >= 0) & (reference >= 0)
        if len(classes) < 2 or len(np.unique(reference[keep])) < len(classes):
            continue
        aucs.append(roc_auc(reference[keep], np.eye(len(classes))[codes[keep, r]]))
    return float(np.mean(aucs)) if aucs else float("nan")
