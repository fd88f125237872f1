"""Atomic writers: a crash never leaves a half-written output behind."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd


def new_file_mode() -> int:
    """The mode the process's umask gives a new file (0o644 under umask 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; move it into place only on success, with the mode a new file gets
    (``mkstemp`` makes its file private: readable by its owner alone)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, new_file_mode())
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


def read_npy_header(fh, name) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of the ``.npy`` array whose file object ``fh`` is at its start; leaves ``fh`` at its data."""
    version = np.lib.format.read_magic(fh)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read(fh)
    if fortran:
        raise ValueError(f"{name}: the array is stored in Fortran order; C order is needed")
    return shape, dtype


def file_digest(path, algorithm: str) -> str:
    """Hex digest of a file (``"md5"``, ``"sha256"``, ...)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, algorithm).hexdigest()
