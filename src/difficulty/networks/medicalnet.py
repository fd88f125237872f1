"""Deep features from MedicalNet 3D ResNets (Chen et al. 2019), before the segmentation head.

The architecture is the published one: conv1 stride 2, max-pool, layer2 stride
2, layer3 dilation 2, layer4 dilation 4; shortcut B for ResNet-10 and -50, A for
ResNet-18 and -34. Without weights the backbone is a seeded random control,
which the feature registry offers only under the explicit type ``random_resnet``.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..logs import Progress
from .weights import missing_weights_message

log = logging.getLogger(__name__)


def _conv3(c_in, c_out, stride=1, dilation=1):
    return nn.Conv3d(c_in, c_out, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)


def _shortcut_a(x, planes, stride):
    out = F.avg_pool3d(x, kernel_size=1, stride=stride)
    pad = out.new_zeros(out.size(0), planes - out.size(1), *out.shape[2:])
    return torch.cat([out, pad], dim=1)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, c_in, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = _conv3(c_in, planes, stride, dilation)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = _conv3(planes, planes, dilation=dilation)
        self.bn2 = nn.BatchNorm3d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, c_in, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv3d(c_in, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = _conv3(planes, planes, stride, dilation)
        self.bn2 = nn.BatchNorm3d(planes)
        self.conv3 = nn.Conv3d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm3d(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


ARCHITECTURES = {
    10: (BasicBlock, (1, 1, 1, 1), "B"),
    18: (BasicBlock, (2, 2, 2, 2), "A"),
    34: (BasicBlock, (3, 4, 6, 3), "A"),
    50: (Bottleneck, (3, 4, 6, 3), "B"),
}


class MedicalNetBackbone(nn.Module):
    """MedicalNet ResNet without ``conv_seg``; returns the layer4 output, average-pooled to one vector."""

    def __init__(self, depth: int):
        super().__init__()
        block, layers, shortcut = ARCHITECTURES[depth]
        self.c_in = 64
        self.conv1 = nn.Conv3d(1, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm3d(64)
        self.maxpool = nn.MaxPool3d(3, stride=2, padding=1)
        self.layer1 = self._layer(block, 64, layers[0], shortcut)
        self.layer2 = self._layer(block, 128, layers[1], shortcut, stride=2)
        self.layer3 = self._layer(block, 256, layers[2], shortcut, dilation=2)
        self.layer4 = self._layer(block, 512, layers[3], shortcut, dilation=4)
        self.out_features = 512 * block.expansion

    def _layer(self, block, planes, blocks, shortcut, stride=1, dilation=1):
        downsample = None
        if stride != 1 or self.c_in != planes * block.expansion:
            if shortcut == "A":
                downsample = partial(_shortcut_a, planes=planes * block.expansion, stride=stride)
            else:
                downsample = nn.Sequential(
                    nn.Conv3d(self.c_in, planes * block.expansion, 1, stride=stride, bias=False),
                    nn.BatchNorm3d(planes * block.expansion),
                )
        layers = [block(self.c_in, planes, stride, dilation, downsample)]
        self.c_in = planes * block.expansion
        layers += [block(self.c_in, planes, dilation=dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return F.adaptive_avg_pool3d(x, 1).flatten(1)


def load_checkpoint(model: nn.Module, path, depth: int | None = None) -> nn.Module:
    """Load a MedicalNet checkpoint ``{'state_dict': {'module.<name>': tensor}}`` into ``model``.

    ``model`` is a MedicalNet backbone, or a network with exactly its tensors (MONAI's ResNet with
    MedicalNet's shortcut types).

    Every backbone tensor must be present with the right shape; ``conv_seg``
    tensors are ignored. Anything else is refused with a list of the problems. ``depth`` (the entry's) makes
    the message for a missing file say which checkpoint to fetch.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(missing_weights_message(path, depth))
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("state_dict"), dict):
        raise ValueError(f"{path}: not a MedicalNet checkpoint (expected a dict with a 'state_dict' entry)")
    state = {k.removeprefix("module."): v for k, v in checkpoint["state_dict"].items()}
    state = {k: v for k, v in state.items() if not k.startswith("conv_seg.")}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    misshaped = [
        f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    if missing or unexpected or misshaped:
        problems = [
            f"missing: {', '.join(missing)}" if missing else "",
            f"unexpected: {', '.join(unexpected)}" if unexpected else "",
        ]
        problems.append(f"wrong shape: {'; '.join(misshaped)}" if misshaped else "")
        raise ValueError(f"{path} does not fit this network: " + " | ".join(p for p in problems if p))
    model.load_state_dict(state, strict=True)
    return model


def build_backbone(depth: int, weights=None, seed: int = 0) -> MedicalNetBackbone:
    """A MedicalNet backbone in eval mode: pretrained from the checkpoint ``weights``, or seeded random if None."""
    if depth not in ARCHITECTURES:
        raise ValueError(f"MedicalNet has depths {sorted(ARCHITECTURES)}, not {depth}")
    torch.manual_seed(seed)
    model = MedicalNetBackbone(depth)
    if weights is not None:
        load_checkpoint(model, weights, depth)
    return model.eval()


def preprocess(batch: torch.Tensor, size) -> torch.Tensor:
    """MedicalNet preprocessing of a (B, D, H, W) batch on its own device (the GPU when used).

    Trilinear resize to ``size``, then z-score of each volume with the mean and
    SD of its voxels > 0 (of all voxels where none is > 0). Deterministic: the
    background is not filled with noise as in the original code.
    """
    x = batch.float().unsqueeze(1)
    if tuple(x.shape[2:]) != tuple(size):
        x = F.interpolate(x, size=tuple(int(s) for s in size), mode="trilinear", align_corners=False)
    dims = (1, 2, 3, 4)
    weight = (x > 0).float()
    weight = torch.where(weight.sum(dims, keepdim=True) > 0, weight, torch.ones_like(weight))
    count = weight.sum(dims, keepdim=True)
    mean = (x * weight).sum(dims, keepdim=True) / count
    std = (((x - mean) ** 2 * weight).sum(dims, keepdim=True) / count).sqrt()
    return (x - mean) / (std + 1e-8)


class _Volumes(torch.utils.data.Dataset):
    """Raw volumes as float32 tensors: workers only read, the device does the rest."""

    def __init__(self, images):
        self.images = images

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return torch.from_numpy(np.asarray(self.images[i], dtype=np.float32))


def extract(model: nn.Module, images, size, batch_size: int = 8, device: str = "cpu", workers: int = 0) -> np.ndarray:
    """Pooled features (n, channels) of all volumes; batched, bfloat16 autocast on a GPU."""
    model = model.to(device).eval()
    cuda = device.startswith("cuda")
    loader = torch.utils.data.DataLoader(_Volumes(images), batch_size=batch_size, num_workers=workers, pin_memory=cuda)
    out = []
    progress = Progress(len(images), f"deep features on {device}", log)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else torch.autocast("cpu", enabled=False)
    with torch.inference_mode():
        for batch in loader:
            x = preprocess(batch.to(device, non_blocking=True), size)
            with autocast:
                out.append(model(x).float().cpu().numpy())
            progress.update(len(batch))
    return np.concatenate(out) if out else np.zeros((0, getattr(model, "out_features", 0)), dtype=np.float32)
