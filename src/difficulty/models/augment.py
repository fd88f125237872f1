"""Training augmentation of volume batches: flips, small rotations and scaling, intensity shifts."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def augment(x: torch.Tensor, rng: np.random.Generator, degrees: float = 10.0, scale: float = 0.1) -> torch.Tensor:
    """A randomly transformed copy of a (B, 1, D, H, W) batch, each volume on its own draw from ``rng``.

    Each volume is flipped along each axis with probability 1/2, rotated about each axis by up to
    ``degrees``, scaled by up to ``scale`` (relative), and its intensities scaled and shifted by up to
    ``scale`` (the input is z-scored).
    """
    b = x.shape[0]
    flips = rng.random((b, 3)) < 0.5
    angles = np.deg2rad(rng.uniform(-degrees, degrees, (b, 3)))
    zoom = rng.uniform(1 - scale, 1 + scale, b)
    gain, shift = rng.uniform(1 - scale, 1 + scale, b), rng.uniform(-scale, scale, b)
    theta = np.zeros((b, 3, 4))
    for i in range(b):
        matrix = np.diag(np.where(flips[i], -1.0, 1.0))
        for axis, angle in enumerate(angles[i]):
            c, s = np.cos(angle), np.sin(angle)
            plane = [a for a in range(3) if a != axis]
            turn = np.eye(3)
            turn[np.ix_(plane, plane)] = [[c, -s], [s, c]]
            matrix = turn @ matrix
        theta[i, :, :3] = matrix / zoom[i]
    grid = F.affine_grid(torch.as_tensor(theta, dtype=x.dtype, device=x.device), list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    view = (b, 1, 1, 1, 1)
    return out * torch.as_tensor(gain, dtype=x.dtype, device=x.device).view(view) + torch.as_tensor(
        shift, dtype=x.dtype, device=x.device
    ).view(view)
