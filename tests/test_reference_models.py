"""Reference models: they learn and repeat exactly; folds keep patients whole; official splits; scores; augmentation."""

import re

import numpy as np
import pandas as pd
import pytest
import torch

from difficulty.auc import roc_auc
from difficulty.data.sources.synthetic import make_phantoms
from difficulty.models import MODELS, resolve_model
from difficulty.models.augment import augment
from difficulty.models.evaluation import fold_scores
from difficulty.models.splits import Fold, make_folds
from difficulty.models.training import cross_validate, intensity_stats, train_fold


def options(kind="cnn3d", **given):
    """Every option of a model entry, defaults filled, without its type."""
    spec = resolve_model("m", {"type": kind, **given})
    del spec["type"]
    return spec


FAST = options(folds=2, epochs=6, batch_size=16, channels=[4, 8], validation=0.0)


def phantom_set(separation, n=24):
    cases, images, _ = make_phantoms(n, separation, (16, 16, 16), seed=0)
    return images, cases["label"].astype(str).to_numpy()


@pytest.fixture(scope="module")
def phantoms():
    return phantom_set(1.0)


def test_cnn_learns_easy_phantoms_not_indistinguishable_ones(phantoms):
    images, labels = phantoms
    folds, predictions = cross_validate(images, labels, "cnn3d", FAST, ("test", "easy"))
    assert list(folds.columns) == [
        "fold",
        "auc",
        "accuracy",
        "balanced_accuracy",
        "f1",
        "n_train",
        "n_val",
        "n_test",
        "early_stopping",
    ]
    assert folds["n_test"].sum() == 48 and folds["auc"].mean() > 0.85 and folds["accuracy"].mean() > 0.7
    assert sorted(predictions["position"]) == list(range(48))
    np.testing.assert_allclose(predictions[["proba_0", "proba_1"]].sum(axis=1), 1, rtol=1e-5)
    for fold, part in predictions.groupby("fold"):  # each fold's scores are those of its test predictions
        truth = (part["label"] == "1").to_numpy(dtype=int)
        assert folds.loc[fold, "auc"] == roc_auc(truth, part["proba_1"].to_numpy())
        assert folds.loc[fold, "accuracy"] == pytest.approx(((part["proba_1"] > 0.5) == truth).mean())
        assert (part["label"].to_numpy() == labels[part["position"]]).all()
    assert not folds["early_stopping"].any()  # validation 0: nothing held out, nothing to stop on
    hard, _ = cross_validate(*phantom_set(0.0), "cnn3d", FAST, ("test", "easy"))
    assert hard["auc"].mean() < 0.65 < 0.85 < folds["auc"].mean()


def test_models_repeat_exactly_for_the_same_seed_keys(phantoms):
    images, labels = phantoms
    early = {**FAST, "validation": 0.25, "patience": 2, "epochs": 3}
    folds, _ = cross_validate(images, labels, "cnn3d", early, ("test", "easy"))
    again, _ = cross_validate(images, labels, "cnn3d", early, ("test", "easy"))
    pd.testing.assert_frame_equal(folds, again)
    other, _ = cross_validate(images, labels, "cnn3d", early, ("test", "other seed"))
    assert not np.array_equal(folds["auc"], other["auc"])
    assert (folds["n_val"] > 0).all() and (folds["n_train"] + folds["n_val"] + folds["n_test"] == 48).all()


def test_early_stopping_stops_patience_epochs_after_the_best_and_logs_each_epoch(phantoms, caplog):
    """Per fold: training stops exactly `patience` epochs after the epoch of the lowest validation loss, none of
    the epochs after it is better, and each epoch's line has its validation loss and AUC."""
    images, labels = phantoms
    caplog.set_level("INFO", logger="difficulty.models.training")
    chosen = {**FAST, "validation": 0.25, "patience": 2, "epochs": 30}
    folds, _ = cross_validate(images, labels, "cnn3d", chosen, ("es",))
    assert folds["early_stopping"].all()
    lines = [r.message for r in caplog.records if r.message.startswith(("fold ", "epoch ", "early stop"))]
    per_fold = "\n".join(lines).split("fold ")[1:]
    stops = [block for block in per_fold if "early stop" in block]
    assert len(stops) == 2  # both folds stopped before 30 epochs
    for block in stops:
        losses = [float(v) for v in re.findall(r"validation loss ([\d.]+)", block)]
        assert all(", AUC " in line for line in block.splitlines() if line.startswith("epoch "))
        best = int(np.argmin(losses))
        assert len(losses) == best + 1 + 2 and min(losses[best + 1 :]) >= losses[best]
        assert "early stop: no better validation loss for 2 epochs" in block


def test_models_handle_three_classes(phantoms):
    images, labels = phantoms
    three = np.where(np.arange(len(labels)) % 3 == 0, "c", labels)
    folds, predictions = cross_validate(images, three, "cnn3d", {**FAST, "epochs": 1}, ("test", "three"))
    assert folds["auc"].between(0, 1).all() and {"proba_0", "proba_1", "proba_c"} <= set(predictions.columns)


def _logged(caplog, name: str) -> list[float]:
    """The validation ``name`` ("loss" or "AUC") of each epoch logged by ``train_fold``."""
    key = "validation loss " if name == "loss" else ", AUC "
    return [float(r.message.split(key)[1].split(",")[0]) for r in caplog.records if r.message.startswith("epoch ")]


@pytest.mark.parametrize("select", ["loss", "auc"])
@pytest.mark.parametrize("weighted", [True, False])
def test_the_kept_epoch_is_the_best_by_the_selected_validation_figure(caplog, select, weighted):
    """Validating on the test cases: the returned predictions are the best logged epoch's, and the logged
    loss is the class-weighted cross-entropy only when class weights are on (training classes: 6 vs 18)."""
    cases, images, _ = make_phantoms(24, 0.3, (16, 16, 16), seed=2)  # 24 per class
    y = np.unique(cases["label"].to_numpy(), return_inverse=True)[1]
    held = np.concatenate([np.flatnonzero(y == 0)[:18], np.flatnonzero(y == 1)[:6]])
    fold = Fold(np.setdiff1d(np.arange(48), held), held, held)
    caplog.set_level("INFO", logger="difficulty.models.training")
    chosen = options(epochs=8, patience=3, batch_size=8, channels=[4, 8], select=select, class_weights=weighted)
    proba = train_fold(images, y, fold, 2, MODELS.get("cnn3d"), chosen, ("select", select))
    losses, aucs = _logged(caplog, "loss"), _logged(caplog, "AUC")
    best = int(np.argmin(losses)) if select == "loss" else int(np.argmax(aucs))
    assert roc_auc(y[held], proba) == pytest.approx(aucs[best], abs=5e-5)
    counts = np.bincount(y[fold.train])  # the weights come from the training cases: 6 and 18
    weights = (len(fold.train) / (2 * counts))[y[held]] if weighted else np.ones(24)
    nll = -np.log(proba[np.arange(24), y[held]])
    assert (nll * weights).sum() / weights.sum() == pytest.approx(losses[best], abs=5e-5)
    stop = next((r.message for r in caplog.records if r.message.startswith("early stop")), None)
    assert stop is None or f"no better validation {select}" in stop


def test_selecting_by_auc_needs_both_classes_in_every_validation_part():
    images, y = np.zeros((8, 4, 4, 4), np.float32), np.array([0] * 6 + [1] * 2)
    official = np.array(["train", "train", "val", "val", "test", "test", "train", "test"])
    message = r"select: auc needs every class among fold 0's 2 validation cases; they hold \['0'\] of \['0', '1'\]"
    with pytest.raises(ValueError, match=message):
        cross_validate(images, y, "cnn3d", options(split="official", select="auc"), ("x",), official=official)


@pytest.mark.parametrize("kind", ["resnet3d", "mil"])
def test_the_studys_models_train_and_predict(phantoms, kind):
    images, labels = phantoms
    model = options(
        kind, folds=2, epochs=1, batch_size=8, validation=0.0, **({"depth": 10} if kind == "resnet3d" else {})
    )
    folds, predictions = cross_validate(images[16:32], labels[16:32], kind, model, ("study", kind))
    assert len(folds) == 2 and sorted(predictions["position"]) == list(range(16))
    for fold, part in predictions.groupby("fold"):
        truth = (part["label"] == "1").to_numpy(dtype=int)
        assert folds.loc[fold, "auc"] == roc_auc(truth, part["proba_1"].to_numpy())
    proba = predictions["proba_1"].to_numpy()
    assert np.allclose(predictions[["proba_0", "proba_1"]].sum(axis=1), 1) and np.ptp(proba) > 1e-4  # case by case


def test_folds_keep_every_patient_in_one_fold_and_stay_stratified():
    """298 cases in pairs per patient (the case the issue reports): no patient's cases in two test folds."""
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(149), 2)
    y = np.repeat(rng.integers(0, 2, 149), 2)
    folds = make_folds(y, groups, "folds", 5, 0.15, ("grouped",))
    seen = np.zeros(len(y), int)
    for fold in folds:
        seen[fold.test] += 1
        parts = [set(groups[p]) for p in (fold.train, fold.val, fold.test)]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        assert abs(y[fold.test].mean() - y.mean()) < 0.1
    assert (seen == 1).all()
    # without patient ids, plain stratified folds (the same as before patient grouping existed)
    plain = make_folds(y, np.arange(len(y)), "folds", 5, 0.0, ("grouped",))
    assert sum(len(set(groups[f.test]) & set(groups[f.train])) for f in plain) > 0


def test_official_split_trains_validates_and_tests_as_given():
    y = np.array([0, 1] * 10)
    official = np.array(["train"] * 12 + ["val"] * 4 + ["test"] * 4)
    (fold,) = make_folds(y, np.arange(20), "official", 3, 0.15, ("o",), official)
    assert (
        list(fold.train) == list(range(12))
        and list(fold.val) == [12, 13, 14, 15]
        and list(fold.test) == [16, 17, 18, 19]
    )
    (no_val,) = make_folds(
        y, np.arange(20), "official", 3, 0.25, ("o",), np.where(official == "val", "train", official)
    )
    assert len(no_val.val) == 4 and set(no_val.val) | set(no_val.train) == set(range(16))
    with pytest.raises(ValueError, match="split: official needs a dataset with an official split"):
        make_folds(y, np.arange(20), "official", 3, 0.15, ("o",))


def test_scores_binary_and_one_vs_rest():
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]])) == 1.0
    proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]])
    # one-vs-rest: class 0 -> 1, class 1 -> 2.5/3 (one tie), class 2 -> 3/4 (two ties)
    scores = fold_scores(np.array([0, 1, 2, 2]), proba)
    assert scores["auc"] == pytest.approx((1 + 2.5 / 3 + 0.75) / 3, rel=1e-12)
    assert scores["accuracy"] == 0.75 and scores["balanced_accuracy"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert scores["f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)


def test_streamed_intensity_statistics_equal_numpy():
    volumes = np.random.default_rng(1).normal(3, 2, (5, 4, 5, 6))
    mean, sd = intensity_stats(volumes, [0, 2, 3])
    assert mean == pytest.approx(volumes[[0, 2, 3]].mean()) and sd == pytest.approx(volumes[[0, 2, 3]].std(ddof=1))


def test_augmentation_is_seeded_and_keeps_the_shape():
    x = torch.randn(4, 1, 8, 10, 12)
    one, two = augment(x, np.random.default_rng(3)), augment(x, np.random.default_rng(3))
    torch.testing.assert_close(one, two, rtol=0, atol=0)
    assert one.shape == x.shape and not torch.allclose(one, x)
    still = augment(x, np.random.default_rng(3), degrees=0.0, scale=0.0)  # only flips left
    flips = np.random.default_rng(3).random((4, 3)) < 0.5  # the first draws: which axes each volume flips
    for i in range(4):
        axes = [3 - a for a in range(3) if flips[i, a]]  # theta's x, y, z: dims 3 (W), 2 (H), 1 (D) of x[i]
        torch.testing.assert_close(still[i], x[i].flip(axes) if axes else x[i], rtol=1e-5, atol=1e-5)
    assert flips.any() and not flips.all()


def test_too_few_cases_for_the_folds():
    images = np.zeros((6, 8, 8, 8), np.float32)
    with pytest.raises(ValueError, match="fewer cases \\(1\\) than cross-validation folds \\(3\\)"):
        cross_validate(images, np.array(["a"] * 5 + ["b"]), "cnn3d", options(folds=3), ("x",))


def test_a_small_training_part_gets_a_smaller_validation_split_or_none():
    y = np.array([0, 1] * 4)
    (fold,) = make_folds(y, np.arange(8), "official", 2, 0.15, ("s",), np.array(["train"] * 6 + ["test"] * 2))
    assert len(fold.val) == 2 and set(y[fold.val]) == {0, 1}  # 1/3 of the 3 cases per class, not 1/7
    (fold,) = make_folds(
        y, np.array([0, 1, 0, 1, 2, 3, 2, 3]), "official", 2, 0.15, ("s",), np.array(["train"] * 4 + ["test"] * 4)
    )
    assert len(fold.val) == 0  # one patient per class: nothing to hold out
