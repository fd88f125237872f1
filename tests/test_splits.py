"""Folds and official splits (models/splits.py) against scikit-learn's splitters and hand-counted sizes."""

import dataclasses

import numpy as np
import pytest
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from difficulty.errors import DataError
from difficulty.models.splits import Fold, make_folds
from difficulty.seeding import derive_seed


def state(*keys):
    return derive_seed(keys) % 2**32


def sklearn_split(y, groups, seed, k=4):
    """scikit-learn's stratified k folds, grouped when a patient has several cases."""
    if len(set(groups)) < len(groups):
        return StratifiedGroupKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y, groups)
    return StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)


def test_folds_are_scikit_learns_seeded_from_the_keys():
    """Test folds: stratified k-fold (grouped where a patient has several cases); validation: the first of
    round(1 / fraction) folds of each training part, seeded from (seed, fold index, "validation")."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    for groups in (np.arange(60), np.repeat(np.arange(30), 2)):
        y_g = y[groups]  # a patient's cases share its label
        folds = make_folds(y_g, groups, "folds", 4, 0.25, "s")
        outer = sklearn_split(y_g, groups, state("s", "folds"))
        for k, (fold, (train, test)) in enumerate(zip(folds, outer, strict=True)):
            np.testing.assert_array_equal(fold.test, test)
            fit, val = next(sklearn_split(y_g[train], groups[train], state("s", k, "validation")))
            np.testing.assert_array_equal(fold.train, train[fit])
            np.testing.assert_array_equal(fold.val, train[val])
    y = rng.integers(0, 2, 300)  # more cases than small integers Python keeps as one object
    folds = make_folds(y, np.arange(300), "folds", 4, 0.0, "s")
    for fold, (_, test) in zip(folds, sklearn_split(y, np.arange(300), state("s", "folds")), strict=True):
        np.testing.assert_array_equal(fold.test, test)
    y = y[:60]
    other = make_folds(y, np.arange(60), "folds", 4, 0.25, "t")
    assert not np.array_equal(other[0].test, make_folds(y, np.arange(60), "folds", 4, 0.25, "s")[0].test)


@pytest.mark.parametrize(("fraction", "held"), [(0.9, 20), (0.5, 20), (0.25, 10), (0.15, 6), (0.0, 0)])
def test_the_validation_part_is_about_the_fraction_asked(fraction, held):
    y = np.array([0, 1] * 25)  # 50 cases, one per patient: 40 training cases per fold of 5
    for fold in make_folds(y, np.arange(50), "folds", 5, fraction, "v"):
        assert len(fold.test) == 10 and len(fold.val) == held and len(fold.train) == 40 - held
        assert set(fold.train) | set(fold.val) | set(fold.test) == set(range(50))
        if held:
            assert np.bincount(y[fold.val]).tolist() == [held // 2] * 2  # stratified


def test_the_class_with_fewest_patients_caps_the_validation_folds():
    # Training classes of 9, 2 and 4 patients: 0.15 asks for 7 validation folds, the class of 2 allows 2,
    # so half of each class is held out (the two classes of most patients would allow 7).
    y = np.repeat([0, 1, 2], [10, 3, 5])
    official = np.array(["train"] * 18)
    official[[0, 10, 13]] = "test"
    (fold,) = make_folds(y, np.arange(18), "official", 2, 0.15, "c", official)
    assert np.bincount(y[fold.val], minlength=3).tolist() == [5, 1, 2]


def test_official_splits_without_training_or_test_cases_are_refused():
    y = np.array([0, 1] * 4)
    for parts, counts in ((["train"] * 8, "8 training and 0 test"), (["test"] * 8, "0 training and 8 test")):
        with pytest.raises(ValueError, match=f"the official split has {counts} cases"):
            make_folds(y, np.arange(8), "official", 2, 0.15, "o", np.array(parts))
    for wrong in ("kfold", "bootstrap", "random"):
        with pytest.raises(ValueError, match=rf"split must be one of \('folds', 'official', 'auto'\), got '{wrong}'"):
            make_folds(y, np.arange(8), wrong, 2, 0.15, "o")


def test_split_names_read_from_a_config_work():
    """Names built at run time (as read from a config file) are equal to, not the same object as, literals."""
    y = np.array([0, 1] * 6)
    folds = make_folds(y, np.arange(12), "".join(["fo", "lds"]), 3, 0.0, "n")
    assert len(folds) == 3
    official = np.array(["train"] * 8 + ["test"] * 4)
    (fold,) = make_folds(y, np.arange(12), "".join(["offi", "cial"]), 3, 0.0, "n", official)
    assert fold.test.tolist() == [8, 9, 10, 11]


def test_auto_takes_the_official_split_where_there_is_one_and_folds_elsewhere():
    y = np.array([0, 1] * 9)
    official = np.array(["train"] * 12 + ["val"] * 2 + ["test"] * 4)
    auto, exact = (make_folds(y, np.arange(18), split, 3, 0.15, "a", official) for split in ("auto", "official"))
    assert len(auto) == 1 and [f.test.tolist() for f in auto] == [f.test.tolist() for f in exact] == [[14, 15, 16, 17]]
    assert auto[0].val.tolist() == [12, 13]
    auto, folds = (make_folds(y, np.arange(18), split, 3, 0.15, "a") for split in ("auto", "folds"))
    assert len(auto) == 3
    assert all(
        np.array_equal(getattr(a, p), getattr(f, p)) for a, f in zip(auto, folds) for p in ("train", "val", "test")
    )


def test_a_class_with_as_many_cases_as_folds_is_enough():
    y = np.array([0] * 3 + [1] * 9)
    folds = make_folds(y, np.arange(12), "folds", 3, 0.0, "f")
    assert [int((y[f.test] == 0).sum()) for f in folds] == [1, 1, 1]
    with pytest.raises(DataError, match=r"a class has fewer cases \(3\) than cross-validation folds \(4\)"):
        make_folds(y, np.arange(12), "folds", 4, 0.0, "f")


def test_a_fold_cannot_be_changed():
    fold = Fold(np.arange(3), np.arange(0), np.arange(3, 5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fold.train = np.arange(2)
