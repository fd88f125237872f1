"""Atomic writers: a crash never leaves a half-written output behind."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; move it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_table(df: pd.DataFrame, path) -> None:
    """Write a Parquet (``.parquet``) or tab-separated (``.tsv``) table atomically."""
    with atomic_path(path) as tmp:
        if str(path).endswith(".parquet"):
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, sep="\t", index=False)


def read_table(path) -> pd.DataFrame:
    """Read a table written by :func:`write_table`."""
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path, sep="\t")


def write_array(array: np.ndarray, path) -> None:
    """Write one ``.npy`` array atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, array)


def file_digest(path, algorithm: str) -> str:
    """Hex digest of a file (``"md5"``, ``"sha256"``, ...)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, algorithm).hexdigest()
