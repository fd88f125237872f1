"""Training and cross-validation of reference models (any registered type)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from torch import nn

from ..logs import Progress
from ..seeding import derive_seed
from .registry import MODELS, TRAINING_OPTIONS, ReferenceModel

log = logging.getLogger(__name__)


def auc(y_true: np.ndarray, proba: np.ndarray) -> float:
    """ROC AUC; one-vs-rest macro average for more than two classes."""
    if proba.shape[1] == 2:
        return float(roc_auc_score(y_true, proba[:, 1]))
    return float(roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=np.arange(proba.shape[1])))


def intensity_stats(images, rows) -> tuple[float, float]:
    """Mean and SD (ddof = 1) of every voxel of the volumes ``images[i]``, i in ``rows``, read one at a time."""
    count, mean, m2 = 0, 0.0, 0.0
    for i in rows:
        volume = np.asarray(images[i], dtype=np.float64)
        n, m = volume.size, float(volume.mean())
        delta = m - mean
        m2 += float(((volume - m) ** 2).sum()) + delta**2 * count * n / (count + n)
        mean += delta * n / (count + n)
        count += n
    return mean, float(np.sqrt(m2 / (count - 1)))


def _batch(images, rows, mean: float, std: float) -> torch.Tensor:
    """(B, 1, D, H, W) float32 batch of the volumes ``images[i]``, i in ``rows``, z-scored."""
    x = np.stack([np.asarray(images[i], dtype=np.float32) for i in rows])
    return torch.from_numpy((x - np.float32(mean)) / np.float32(std)).unsqueeze(1)


def _predict(network, images, rows, mean, std, batch_size: int) -> np.ndarray:
    network.eval()
    with torch.inference_mode():
        parts = [
            torch.softmax(network(_batch(images, rows[i : i + batch_size], mean, std)), 1)
            for i in range(0, len(rows), batch_size)
        ]
    return torch.cat(parts).numpy()


def train_fold(images, y, train, test, n_classes: int, model: ReferenceModel, options: dict, seed) -> float:
    """Train a fresh network on the ``train`` indices and return its AUC on ``test``.

    Volumes are read per batch (``images`` may be a memory-mapped :class:`difficulty.data.GridStore`).

    Parameters
    ----------
    images : n volumes (D, H, W), indexable; y : (n,) class codes 0..n_classes-1.
    train, test : index arrays.
    model : the reference model type; options : its options with the training options.
    seed : seed of the initialisation, the batch order and the augmentation.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    mean, std = intensity_stats(images, train)
    std += 1e-8
    target = torch.as_tensor(y, dtype=torch.long)
    network = model.build(n_classes, **{k: v for k, v in options.items() if k not in TRAINING_OPTIONS})
    opt = torch.optim.AdamW(network.parameters(), lr=options["lr"], weight_decay=1e-4)
    counts = np.bincount(y[train], minlength=n_classes)
    loss_fn = nn.CrossEntropyLoss(
        weight=torch.as_tensor(len(train) / (n_classes * np.maximum(counts, 1)), dtype=torch.float32)
    )
    batch = options["batch_size"]
    for _ in range(options["epochs"]):
        network.train()
        order = rng.permutation(train)
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            xb = _batch(images, idx, mean, std)
            flips = torch.as_tensor(rng.random(3) < 0.5)
            dims = [d + 2 for d in range(3) if flips[d]]
            if dims:
                xb = torch.flip(xb, dims)
            opt.zero_grad()
            loss = loss_fn(network(xb), target[torch.as_tensor(idx)])
            loss.backward()
            opt.step()
    return auc(y[test], _predict(network, images, np.asarray(test), mean, std, 256))


def cross_validate(images, labels, model: str | ReferenceModel, options: dict, seed, threads: int = 1) -> pd.DataFrame:
    """Per-fold AUC of a reference model under stratified k-fold cross-validation.

    Parameters
    ----------
    images : n volumes (D, H, W), indexable (an array, or a memory-mapped GridStore); labels : (n,) class labels.
    model : a registered model type (name or entry).
    options : the model's options with the training options (``folds``, ``epochs``, ``batch_size``, ``lr``).
    seed : an int or a tuple of keys; the folds and each fold's training derive their seeds from it.
    threads : CPU threads for torch.

    Returns
    -------
    One row per fold: ``fold, auc, n_train, n_test``.
    """
    model = MODELS.get(model) if isinstance(model, str) else model
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    folds = options["folds"]
    if np.bincount(y).min() < folds:
        raise ValueError(f"a class has fewer cases ({np.bincount(y).min()}) than cross-validation folds ({folds})")
    split = StratifiedKFold(folds, shuffle=True, random_state=derive_seed(seed, "folds") % 2**32)
    rows = []
    progress = Progress(folds, "cross-validation folds", log, every=0)
    for fold, (train, test) in enumerate(split.split(np.zeros(len(y)), y)):
        value = train_fold(images, y, train, test, len(classes), model, options, derive_seed(seed, fold))
        rows.append({"fold": fold, "auc": value, "n_train": len(train), "n_test": len(test)})
        log.info("fold %d: AUC %.4f", fold, value)
        progress.update()
    return pd.DataFrame(rows)
