"""Training and cross-validation of reference models (any registered type), as AUCMEDI-style pipelines do it.

Per fold: input z-scored with the training cases' statistics, augmented batches
(flips, small rotations and scaling, intensity shifts), a class-weighted loss,
AdamW with the learning rate halved when the validation figure (loss or AUC)
stalls, early stopping on a held-out validation part with the best epoch's
weights restored, at most ``epochs`` epochs. Augmentation and class weights
can be switched off (MedMNIST v2's protocol has neither). Volumes are read per
batch from the model grid.
"""

from __future__ import annotations

import copy
import logging

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..auc import roc_auc
from ..devices import pick_device
from ..seeding import derive_seed
from .augment import augment
from .evaluation import fold_scores
from .registry import MODELS, ReferenceModel
from .splits import Fold, make_folds

log = logging.getLogger(__name__)


def intensity_stats(images, rows):
    """Mean and SD (ddof = 1) of every voxel of the volumes ``images[i]``, i in ``rows``, read one at a time.

    For (C, D, H, W) volumes of several sequences, of each channel: two (C, 1, 1, 1) arrays.
    """
    count, mean, m2 = 0, 0.0, 0.0
    for i in rows:
        volume = np.asarray(images[i], dtype=np.float64)
        if volume.ndim == 4:
            volume = volume.reshape(len(volume), -1)
            n, m = volume.shape[1], volume.mean(axis=1)
            spread = ((volume - m[:, None]) ** 2).sum(axis=1)
        else:
            n, m = volume.size, float(volume.mean())
            spread = float(((volume - m) ** 2).sum())
        delta = m - mean
        m2 += spread + delta**2 * count * n / (count + n)
        mean += delta * n / (count + n)
        count += n
    if isinstance(mean, np.ndarray):
        return mean.reshape(-1, 1, 1, 1), np.sqrt(m2 / (count - 1)).reshape(-1, 1, 1, 1)
    return mean, float(np.sqrt(m2 / (count - 1)))


def channels_of(images) -> int:
    """C of volumes that are (C, D, H, W) (a dataset's sequences), 1 for (D, H, W) volumes."""
    first = np.asarray(images[0])
    return first.shape[0] if first.ndim == 4 else 1


def _batch(images, rows, mean, std, on: str) -> torch.Tensor:
    """(B, C, D, H, W) float32 batch (C = 1 for (D, H, W) volumes) of the volumes ``images[i]``, i in ``rows``,
    z-scored, on device ``on``."""
    x = np.stack([np.asarray(images[i], dtype=np.float32) for i in rows])
    x = torch.from_numpy((x - np.float32(mean)) / np.float32(std))
    return (x.unsqueeze(1) if x.ndim == 4 else x).to(on)


def _predict(network, images, rows, mean, std, batch_size: int, on: str) -> np.ndarray:
    """(len(rows), C) class probabilities."""
    network.eval()
    with torch.inference_mode():
        parts = [
            torch.softmax(network(_batch(images, rows[i : i + batch_size], mean, std, on)).float(), 1).cpu()
            for i in range(0, len(rows), batch_size)
        ]
    return torch.cat(parts).numpy()


def class_weights(y_train: np.ndarray, n_classes: int, on: str) -> torch.Tensor:
    """(C,) inverse class frequencies of the training codes (n / (C · count)), on device ``on``."""
    counts = np.bincount(y_train, minlength=n_classes)
    return torch.as_tensor(len(y_train) / (n_classes * np.maximum(counts, 1)), dtype=torch.float32, device=on)


def optimiser(network, training: dict):
    """AdamW and the scheduler that halves its learning rate after ``patience // 2`` epochs without progress."""
    opt = torch.optim.AdamW(network.parameters(), lr=training["lr"], weight_decay=training["weight_decay"])
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=max(1, training["patience"] // 2))
    return opt, plateau


def train_epoch(network, images, target, order, opt, loss_fn, rng, training: dict, mean, std, on: str) -> float:
    """One pass over the training positions ``order`` in batches (augmented if asked); the mean batch loss."""
    network.train()
    losses = []
    for i in range(0, len(order), training["batch_size"]):
        rows = order[i : i + training["batch_size"]]
        x = _batch(images, rows, mean, std, on)
        if training["augment"]:
            x = augment(x, rng)
        opt.zero_grad()
        loss = loss_fn(network(x), target[rows].to(on))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return float(np.mean(losses))


def validate(network, images, y, rows, n_classes: int, weight, mean, std, batch_size: int, on: str) -> dict:
    """The (class-weighted) cross-entropy ``loss`` and the ``auc`` (None unless every class is there) on ``rows``."""
    proba = _predict(network, images, rows, mean, std, batch_size, on)
    log_p = torch.log(torch.as_tensor(proba, device=on).clamp_min(1e-12))
    target = torch.as_tensor(y[rows], dtype=torch.long, device=on)
    loss = float(nn.functional.nll_loss(log_p, target, weight=weight))
    return {"loss": loss, "auc": roc_auc(y[rows], proba) if len(np.unique(y[rows])) == n_classes else None}


class EarlyStopping:
    """Keeps the weights of the epoch with the lowest score and counts the epochs since it."""

    def __init__(self):
        self.best, self.state, self.stalled = np.inf, None, 0

    def update(self, score: float, network) -> None:
        if score < self.best:
            self.best, self.state, self.stalled = score, copy.deepcopy(network.state_dict()), 0
        else:
            self.stalled += 1

    def restore(self, network) -> None:
        """Put the best epoch's weights back (if any epoch was validated)."""
        if self.state is not None:
            network.load_state_dict(self.state)


def train_fold(images, y, fold: Fold, n_classes: int, model: ReferenceModel, options: dict, seed) -> np.ndarray:
    """Train a fresh network on a fold's training cases and return its (n_test, C) test probabilities.

    Parameters
    ----------
    images : n volumes (D, H, W) or (C, D, H, W), indexable (an array, or a memory-mapped GridStore); y : (n,)
        class codes.
    fold : training, validation (early stopping; may be empty) and test positions.
    model : the reference model type; options : its options with the training options.
    seed : an int or keys: initialisation, batch order and augmentation derive from it.
    """
    training, own = model.split(options)
    on = pick_device()
    torch.manual_seed(derive_seed(seed, "init"))
    rng = np.random.default_rng(derive_seed(seed, "batches"))
    mean, std = intensity_stats(images, fold.train)
    std += 1e-8
    network = model.network(n_classes, own, channels_of(images)).to(on)
    opt, plateau = optimiser(network, training)
    weight = class_weights(y[fold.train], n_classes, on) if training["class_weights"] else None
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    target = torch.as_tensor(y, dtype=torch.long)
    batch, select = training["batch_size"], training["select"]
    stopping = EarlyStopping()
    for epoch in range(1, training["epochs"] + 1):
        loss = train_epoch(
            network, images, target, rng.permutation(fold.train), opt, loss_fn, rng, training, mean, std, on
        )
        line = f"epoch {epoch}: loss {loss:.4f}"
        if len(fold.val):
            check = validate(network, images, y, fold.val, n_classes, weight, mean, std, 2 * batch, on)
            line += f", validation loss {check['loss']:.4f}"
            line += f", AUC {check['auc']:.4f}" if check["auc"] is not None else ""
            score = -check["auc"] if select == "auc" else check["loss"]
            plateau.step(score)
            stopping.update(score, network)
        log.info("%s, lr %.2g", line, opt.param_groups[0]["lr"])
        if stopping.stalled >= training["patience"]:
            log.info("early stop: no better validation %s for %d epochs", select, stopping.stalled)
            break
    stopping.restore(network)
    return _predict(network, images, fold.test, mean, std, 2 * batch, on)


def _warn_no_validation(k: int, fold: Fold, y, groups, classes, epochs: int) -> None:
    """Say in the log that fold ``k`` asked for a validation part and got none (a class with < 2 patients)."""
    train_y, train_groups = y[fold.train], groups[fold.train]
    patients = {str(classes[c]): len(np.unique(train_groups[train_y == c])) for c in np.unique(train_y)}
    few = ", ".join(f"{name!r} has {n}" for name, n in patients.items() if n < 2)
    log.warning(
        "fold %d: no validation part, since a class has fewer than two patients among its %d training cases "
        "(%s); it trains all %d epochs without early stopping (early_stopping False in the folds table)",
        k,
        len(fold.train),
        few,
        epochs,
    )


def cross_validate(
    images, labels, model: str | ReferenceModel, options: dict, seed, groups=None, official=None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-fold scores and per-case test probabilities of a reference model.

    Parameters
    ----------
    images : n volumes (D, H, W) or (C, D, H, W), indexable (an array, or a memory-mapped GridStore); labels :
        (n,) labels.
    model : a registered model type (name or entry).
    options : the model's options with the training options (``split``, ``folds``, ``validation``, ...), as a
        resolved entry gives them (its ``type`` is ignored).
    seed : an int or a tuple of keys; the folds and each fold's training derive their seeds from it.
    groups : (n,) patient ids (no patient's cases in two folds), None for one patient per case.
    official : (n,) ``train`` / ``val`` / ``test`` per case, for ``split: official``.

    Torch's process-wide settings (threads, deterministic algorithms) are the caller's:
    :func:`difficulty.devices.configure_torch`.

    Returns
    -------
    folds : one row per fold: ``fold, auc, accuracy, balanced_accuracy, f1, n_train, n_val, n_test,
        early_stopping`` (False where the fold had no validation part: it trained every epoch, the last kept).
    predictions : one row per test case: ``fold, position, label, proba_<class>...``.
    """
    model = MODELS.get(model) if isinstance(model, str) else model
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    splits = make_folds(y, groups, options["split"], options["folds"], options["validation"], seed, official)
    for k, fold in enumerate(splits):
        if options["select"] == "auc" and len(fold.val) and len(np.unique(y[fold.val])) < len(classes):
            raise ValueError(
                f"select: auc needs every class among fold {k}'s {len(fold.val)} validation cases; they hold "
                f"{sorted(map(str, set(classes[y[fold.val]])))} of {list(map(str, classes))} "
                "(raise `validation` or use select: loss)"
            )
    rows, predictions = [], []
    for k, fold in enumerate(splits):
        sizes = len(fold.train), len(fold.val), len(fold.test)
        log.info("fold %d of %d: %d training, %d validation, %d test cases", k + 1, len(splits), *sizes)
        if not len(fold.val) and options["validation"] > 0:
            _warn_no_validation(k, fold, y, groups, classes, options["epochs"])
        proba = train_fold(images, y, fold, len(classes), model, options, (seed, k))
        scores = fold_scores(y[fold.test], proba)
        counts = {"n_train": len(fold.train), "n_val": len(fold.val), "n_test": len(fold.test)}
        rows.append({"fold": k, **scores, **counts, "early_stopping": bool(len(fold.val))})
        log.info("fold %d: AUC %.4f, accuracy %.4f", k, scores["auc"], scores["accuracy"])
        table = pd.DataFrame(proba, columns=[f"proba_{c}" for c in classes])
        table.insert(0, "label", classes[y[fold.test]])
        table.insert(0, "position", fold.test)
        table.insert(0, "fold", k)
        predictions.append(table)
    return pd.DataFrame(rows), pd.concat(predictions, ignore_index=True)
