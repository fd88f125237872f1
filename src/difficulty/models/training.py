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


def _predict(model, x, batch_size):
    model.eval()
    with torch.inference_mode():
        return torch.cat([torch.softmax(model(x[i : i + batch_size]), 1) for i in range(0, len(x), batch_size)]).numpy()


def train_fold(images, y, train, test, n_classes: int, model: ReferenceModel, options: dict, seed) -> float:
    """Train a fresh network on the ``train`` indices and return its AUC on ``test``.

    Parameters
    ----------
    images : (n, D, H, W) volumes; y : (n,) class codes 0..n_classes-1.
    train, test : index arrays.
    model : the reference model type; options : its options with the training options.
    seed : seed of the initialisation, the batch order and the augmentation.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(np.asarray(images, dtype=np.float32)).unsqueeze(1)
    mean, std = x[train].mean(), x[train].std() + 1e-8
    x = (x - mean) / std
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
            idx = torch.as_tensor(order[i : i + batch])
            xb = x[idx]
            flips = torch.as_tensor(rng.random(3) < 0.5)
            dims = [d + 2 for d in range(3) if flips[d]]
            if dims:
                xb = torch.flip(xb, dims)
            opt.zero_grad()
            loss = loss_fn(network(xb), target[idx])
            loss.backward()
            opt.step()
    return auc(y[test], _predict(network, x[torch.as_tensor(test)], 256))


def cross_validate(images, labels, model: str | ReferenceModel, options: dict, seed, threads: int = 1) -> pd.DataFrame:
    """Per-fold AUC of a reference model under stratified k-fold cross-validation.

    Parameters
    ----------
    images : (n, D, H, W) volumes; labels : (n,) class labels.
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
