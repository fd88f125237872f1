"""The consensus of several raters: the majority label of each case (ties drawn, seeded), one mask from theirs.

The sample sheet makes a case's label and mask from its raters' where it gives none of its own
(:mod:`difficulty.data.sources.sheet`); the raters' stage measures how far they agree (:mod:`difficulty.raters`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONSENSUS_METHODS = ("majority", "staple", "rater")


def label_codes(labels) -> tuple[np.ndarray, np.ndarray]:
    """(n, k) class codes 0 … C − 1 of the labels (−1 where missing, by pandas ``isna``) and the (C,) sorted classes."""
    labels = np.asarray(labels)
    if labels.ndim != 2 or labels.shape[1] < 1:
        raise ValueError(f"labels must be a (cases, raters) array, got shape {labels.shape}")
    given = ~pd.isna(labels)
    codes = np.full(labels.shape, -1, dtype=np.int64)
    codes[given], classes = pd.factorize(labels[given], sort=True)
    return codes, np.asarray(classes)


def label_counts(codes: np.ndarray, n_classes: int) -> np.ndarray:
    """(n, C) number of raters giving each class to each case."""
    rows, cols = np.nonzero(codes >= 0)
    counts = np.zeros((len(codes), n_classes), dtype=np.int64)
    np.add.at(counts, (rows, codes[rows, cols]), 1)
    return counts


def majority_codes(codes: np.ndarray, n_classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(n,) majority codes (−1 where no rater labelled the case) and (n,) ties, each tie drawn uniformly among the
    tied classes, one ``rng.integers`` draw per tied case in case order."""
    counts = label_counts(codes, n_classes)
    top = counts.max(axis=1, initial=0)
    winners = (counts == top[:, None]) & (top[:, None] > 0)
    ties = winners.sum(axis=1) > 1
    majority = np.where(top > 0, winners.argmax(axis=1), -1)
    for i in np.flatnonzero(ties):
        tied = np.flatnonzero(winners[i])
        majority[i] = tied[rng.integers(len(tied))]
    return majority, ties


def consensus_labels(labels, seed: int, case_ids=None) -> tuple[np.ndarray, np.ndarray]:
    """The majority class among the raters who labelled each case.

    A tie between classes is broken at random: ``numpy.random.default_rng(seed)`` draws uniformly among the
    tied classes (in sorted class order), one draw per tied case, in case order, so the result is fixed by
    the seed and the labels.

    Parameters
    ----------
    labels : (n, k) class labels of n cases by k raters, None or NaN where a rater gave none.
    seed : seed of the tie breaks.
    case_ids : (n,) ids naming the cases in errors, None for the row index.

    Returns
    -------
    (n,) consensus labels and (n,) bool, True where the consensus was a tie.
    """
    codes, classes = label_codes(labels)
    unlabelled = np.flatnonzero((codes < 0).all(axis=1))
    if len(unlabelled):
        i = unlabelled[0]
        name = f"case {case_ids[i]!r}" if case_ids is not None else f"the case in row {i}"
        raise ValueError(f"{name} has no rater label ({len(unlabelled)} such cases): a consensus needs one")
    majority, ties = majority_codes(codes, len(classes), np.random.default_rng(seed))
    return classes[majority], ties


def stack_masks(masks, least: int = 1) -> np.ndarray:
    """(k, *shape) bool stack of k binary masks of one shape."""
    masks = [np.asarray(m) for m in masks]
    if len(masks) < least:
        raise ValueError(f"at least {least} rater masks are needed, got {len(masks)}")
    shapes = {m.shape for m in masks}
    if len(shapes) > 1:
        raise ValueError(f"the rater masks must have one shape, got {sorted(shapes)}")
    for m in masks:
        if m.dtype != bool and not np.isin(m, (0, 1)).all():
            raise ValueError(f"masks must be binary (0/1 or bool), got values {np.unique(m)[:5]}")
    return np.stack(masks).astype(bool)


def consensus_mask(masks, method: str, rater_names=None, name=None) -> np.ndarray:
    """One mask from the raters' masks.

    Parameters
    ----------
    masks : k binary arrays of one shape (z, y, x).
    method : ``"majority"``: voxels more than half of the raters include (exactly half, as with 2 raters who
        disagree, is left out); ``"staple"``: SimpleITK's STAPLE (foreground 1) probability above 0.5;
        ``"rater"``: the mask of the rater ``name`` among ``rater_names``.
    rater_names : (k,) names of the raters, for ``"rater"``; name : the rater to take.

    Returns
    -------
    (z, y, x) uint8 mask.
    """
    masks = stack_masks(masks)
    if method == "majority":
        return (2 * masks.sum(axis=0) > len(masks)).astype(np.uint8)
    if method == "staple":
        import SimpleITK as sitk

        staple = sitk.STAPLEImageFilter()
        staple.SetForegroundValue(1.0)
        probability = staple.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in masks])
        return (sitk.GetArrayFromImage(probability) > 0.5).astype(np.uint8)
    if method == "rater":
        names = [] if rater_names is None else list(rater_names)
        if len(names) != len(masks):
            raise ValueError(f"{len(masks)} masks but {len(names)} rater names: method 'rater' needs one per mask")
        if name not in names:
            raise ValueError(f"unknown rater {name!r}; the raters are {names}")
        return masks[names.index(name)].astype(np.uint8)
    raise ValueError(f"unknown consensus method {method!r}; choose one of {list(CONSENSUS_METHODS)}")
