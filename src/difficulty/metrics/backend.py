"""Where the batched sessions run (NumPy or a torch device), and the array operations both share.

The formulas of the metrics are written once against :class:`Ops`; only the
few operations whose NumPy and torch spellings differ live here.
"""

from __future__ import annotations

import numpy as np

from ..devices import pick_device


def resolve_device(device: str = "auto") -> str:
    """``"numpy"``, or a torch device; ``"auto"``: CUDA when torch sees a GPU (``devices.pick_device``)."""
    return pick_device("numpy") if device == "auto" else device


class Ops:
    """NumPy spellings (the default); :class:`TorchOps` overrides them for torch tensors."""

    device = "numpy"

    def asarray(self, x):
        return np.asarray(x)

    def arange(self, start: int, stop: int):
        return np.arange(start, stop)

    def mean(self, x, axis, keepdims: bool = False):
        return x.mean(axis=axis, keepdims=keepdims)

    def row_norms_squared(self, X):
        """(n,) squared Euclidean norms of the rows of X."""
        return np.einsum("ij,ij->i", X, X)

    def trace(self, x):
        """Trace of the last two axes."""
        return np.trace(x, axis1=-2, axis2=-1)

    def svdvals(self, x):
        """Singular values of the last two axes."""
        return np.linalg.svd(x, compute_uv=False)

    def clamp_min(self, x, low: float):
        return np.maximum(x, low)

    def sqrt(self, x):
        return np.sqrt(x)

    def matmul(self, a, b):
        return np.matmul(a, b)

    def maximum(self, a, b):
        return np.maximum(a, b)

    def minimum(self, a, b):
        return np.minimum(a, b)

    def where(self, condition, a, b):
        return np.where(condition, a, b)

    def to_numpy(self, x) -> np.ndarray:
        return np.asarray(x)


class TorchOps(Ops):
    """The same operations on torch tensors on ``device``."""

    def __init__(self, device: str):
        import torch

        self.torch, self.device = torch, device

    def asarray(self, x):
        return self.torch.as_tensor(x, device=self.device)

    def arange(self, start: int, stop: int):
        return self.torch.arange(start, stop, device=self.device)

    def mean(self, x, axis, keepdims: bool = False):
        return x.mean(dim=axis, keepdim=keepdims)

    def row_norms_squared(self, X):
        return (X * X).sum(1)

    def trace(self, x):
        return x.diagonal(dim1=-2, dim2=-1).sum(-1)

    def svdvals(self, x):
        return self.torch.linalg.svdvals(x)

    def clamp_min(self, x, low: float):
        return x.clamp_min(low)

    def sqrt(self, x):
        return x.sqrt()

    def matmul(self, a, b):
        return self.torch.matmul(a, b)

    def maximum(self, a, b):
        return self.torch.maximum(a, b)

    def minimum(self, a, b):
        return self.torch.minimum(a, b)

    def where(self, condition, a, b):
        return self.torch.where(condition, a, b)

    def to_numpy(self, x) -> np.ndarray:
        return x.cpu().numpy()


NUMPY = Ops()


def array_ops(device: str) -> Ops:
    """Operations for a resolved device: NumPy for ``"numpy"``, torch otherwise."""
    return NUMPY if device == "numpy" else TorchOps(device)


# Budget (in float64 values) for one block of the distance matrix, the session
# selection matrices and one batch of Gram sub-matrices; keeps memory bounded
# for n up to ~20,000.
BLOCK_VALUES = 1 << 24
