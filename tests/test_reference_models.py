"""The reference CNN: it learns, it is deterministic, it handles several classes."""

import numpy as np
import pytest

from difficulty.data.synthetic import make_phantoms
from difficulty.models import resolve_model
from difficulty.models.training import auc, cross_validate


def options(**given):
    """Every option of a cnn3d entry, defaults filled, without its type."""
    spec = resolve_model("m", {"type": "cnn3d", **given})
    del spec["type"]
    return spec


FAST = options(folds=2, epochs=6, batch_size=16, channels=[4, 8])


def phantom_set(separation):
    cases, images, _ = make_phantoms(24, separation, (16, 16, 16), seed=0)
    return images, cases["label"].astype(str).to_numpy()


@pytest.fixture(scope="module")
def phantoms():
    return phantom_set(1.0)


def test_cnn_learns_easy_phantoms_not_indistinguishable_ones(phantoms):
    images, labels = phantoms
    folds = cross_validate(images, labels, "cnn3d", FAST, ("test", "easy"))
    assert list(folds.columns) == ["fold", "auc", "n_train", "n_test"]
    assert folds["n_test"].sum() == 48 and folds["auc"].mean() > 0.85
    assert cross_validate(*phantom_set(0.0), "cnn3d", FAST, ("test", "easy"))["auc"].mean() < 0.65


def test_cnn_repeats_exactly_for_the_same_seed_keys(phantoms):
    images, labels = phantoms
    folds = cross_validate(images, labels, "cnn3d", FAST, ("test", "easy"))
    again = cross_validate(images, labels, "cnn3d", FAST, ("test", "easy"))
    np.testing.assert_array_equal(folds["auc"], again["auc"])
    other = cross_validate(images, labels, "cnn3d", FAST, ("test", "other seed"))
    assert not np.array_equal(folds["auc"], other["auc"])


def test_cnn_handles_three_classes(phantoms):
    images, labels = phantoms
    three = np.where(np.arange(len(labels)) % 3 == 0, "c", labels)
    folds = cross_validate(images, three, "cnn3d", {**FAST, "epochs": 1}, ("test", "three"))
    assert folds["auc"].between(0, 1).all()


def test_auc_binary_and_one_vs_rest():
    assert auc(np.array([0, 0, 1, 1]), np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]])) == 1.0
    proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]])
    # one-vs-rest: class 0 -> 1, class 1 -> 2.5/3 (one tie), class 2 -> 3/4 (two ties)
    assert auc(np.array([0, 1, 2, 2]), proba) == pytest.approx((1 + 2.5 / 3 + 0.75) / 3, rel=1e-12)


def test_too_few_cases_for_the_folds():
    images = np.zeros((6, 8, 8, 8), np.float32)
    with pytest.raises(ValueError, match="fewer cases \\(1\\) than cross-validation folds \\(3\\)"):
        cross_validate(images, np.array(["a"] * 5 + ["b"]), "cnn3d", options(folds=3), ("x",))
