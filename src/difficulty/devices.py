"""Where torch work runs: the one place that picks the device, and torch's process-wide settings."""

from __future__ import annotations

import os


def pick_device(fallback: str = "cpu") -> str:
    """``"cuda"`` when torch sees an NVIDIA GPU, else ``fallback``.

    Without an NVIDIA driver (``/proc/driver/nvidia``) torch is not even imported.
    """
    if not os.path.exists("/proc/driver/nvidia"):
        return fallback
    try:
        import torch
    except ImportError:
        return fallback
    return "cuda" if torch.cuda.is_available() else fallback


def configure_torch(threads: int) -> None:
    """Settings of the whole process for a job that trains: ``threads`` CPU threads, deterministic algorithms.

    On CUDA the few operations without a deterministic kernel warn instead of failing.
    """
    import torch

    torch.set_num_threads(threads)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=pick_device() == "cuda")
