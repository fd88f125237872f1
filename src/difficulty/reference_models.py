"""Reference deep learning models, trained with stratified k-fold cross-validation."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from torch import nn

from .logs import Progress
from .seeding import derive_seed

log = logging.getLogger(__name__)


class SmallCNN3d(nn.Module):
    """A small 3D CNN: strided conv blocks, global average pooling, a linear head."""

    def __init__(self, n_classes: int, channels=(8, 16, 32), dropout: float = 0.2):
        super().__init__()
        layers, c_in = [], 1
        for c_out in channels:
            layers += [nn.Conv3d(c_in, c_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm3d(c_out), nn.ReLU()]
            c_in = c_out
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool3d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(c_in, n_classes))

    def forward(self, x):
        return self.head(self.features(x))


def auc(y_true: np.ndarray, proba: np.ndarray) -> float:
    """ROC AUC; one-vs-rest macro average for more than two classes."""
    if proba.shape[1] == 2:
        return float(roc_auc_score(y_true, proba[:, 1]))
    return float(roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=np.arange(proba.shape[1])))


def _predict(model, x, batch_size):
    model.eval()
    with torch.inference_mode():
        return torch.cat([torch.softmax(model(x[i : i + batch_size]), 1) for i in range(0, len(x), batch_size)]).numpy()


def train_fold(images, y, train, test, n_classes, params, seed) -> float:
    """Train on ``train`` indices, return the AUC on ``test``."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(np.asarray(images, dtype=np.float32)).unsqueeze(1)
    mean, std = x[train].mean(), x[train].std() + 1e-8
    x = (x - mean) / std
    target = torch.as_tensor(y, dtype=torch.long)
    model = SmallCNN3d(n_classes, params.get("channels", (8, 16, 32)))
    opt = torch.optim.AdamW(model.parameters(), lr=params.get("lr", 3e-3), weight_decay=1e-4)
    counts = np.bincount(y[train], minlength=n_classes)
    loss_fn = nn.CrossEntropyLoss(
        weight=torch.as_tensor(len(train) / (n_classes * np.maximum(counts, 1)), dtype=torch.float32)
    )
    batch = params.get("batch_size", 32)
    for _ in range(params.get("epochs", 10)):
        model.train()
        order = rng.permutation(train)
        for i in range(0, len(order), batch):
            idx = torch.as_tensor(order[i : i + batch])
            xb = x[idx]
            flips = torch.as_tensor(rng.random(3) < 0.5)
            dims = [d + 2 for d in range(3) if flips[d]]
            if dims:
                xb = torch.flip(xb, dims)
            opt.zero_grad()
            loss = loss_fn(model(xb), target[idx])
            loss.backward()
            opt.step()
    return auc(y[test], _predict(model, x[torch.as_tensor(test)], 256))


def cross_validate(images, labels, params: dict, seed_keys: tuple, threads: int = 1) -> pd.DataFrame:
    """Per-fold AUC of the reference CNN under stratified k-fold cross-validation."""
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    folds = params.get("folds", 3)
    if np.bincount(y).min() < folds:
        raise ValueError(f"a class has fewer cases ({np.bincount(y).min()}) than cross-validation folds ({folds})")
    split = StratifiedKFold(folds, shuffle=True, random_state=derive_seed(*seed_keys, "folds") % 2**32)
    rows = []
    progress = Progress(folds, "cross-validation folds", log, every=0)
    for fold, (train, test) in enumerate(split.split(np.zeros(len(y)), y)):
        value = train_fold(images, y, train, test, len(classes), params, derive_seed(*seed_keys, fold))
        rows.append({"fold": fold, "auc": value, "n_train": len(train), "n_test": len(test)})
        log.info("fold %d: AUC %.4f", fold, value)
        progress.update()
    return pd.DataFrame(rows)
