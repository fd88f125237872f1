"""Pretrained weight files: SHA-256 checksums and download for users with internet."""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path

from .io import atomic_path, file_digest

log = logging.getLogger(__name__)
HF = "https://huggingface.co"


def read_sums(path) -> dict[str, str]:
    """``{file name: sha256}`` from a ``sha256sum``-style file (``#`` comments allowed)."""
    sums = {}
    if Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                digest, name = line.split(maxsplit=1)
                sums[name.strip().lstrip("*")] = digest
    return sums


def sums_file(path) -> Path:
    """The checksum file that covers a weight file: ``SHA256SUMS`` in its folder."""
    return Path(path).with_name("SHA256SUMS")


def expected_sum(path, sums=None) -> str:
    """The SHA-256 recorded for ``path`` (in ``sums``, by default its folder's); refused if none."""
    path, sums = Path(path), sums or sums_file(path)
    expected = read_sums(sums).get(path.name)
    if expected is None:
        raise ValueError(
            f"{path} has no SHA-256 entry in {sums}; add one (sha256sum {path.name} >> SHA256SUMS, in that folder)"
        )
    return expected


def verify(path, sums=None) -> None:
    """Check ``path`` against its recorded SHA-256; a file without an entry is refused."""
    expected = expected_sum(path, sums)
    got = file_digest(path, "sha256")
    if got != expected:
        raise ValueError(f"{path}: SHA-256 {got} does not match {expected} in {sums or sums_file(path)}")


def hub_sha256(repo: str, filename: str, base: str = HF) -> str:
    """SHA-256 that the Hugging Face hub records for a file stored with Git LFS."""
    with urllib.request.urlopen(f"{base}/api/models/{repo}/tree/main") as response:
        entries = json.load(response)
    for entry in entries:
        if entry.get("path") == filename and entry.get("lfs"):
            return entry["lfs"]["oid"]
    raise ValueError(f"{repo} lists no LFS file {filename}")


def download(repo: str, filename: str, dest, sums_file, base: str = HF) -> Path:
    """Download ``filename`` from a hub repository and check it before it lands at ``dest``.

    The expected sum is the one in ``sums_file`` or, where that has no entry,
    the one the hub publishes; the verified sum is then recorded in ``sums_file``.
    """
    expected = read_sums(sums_file).get(filename) or hub_sha256(repo, filename, base)
    url = f"{base}/{repo}/resolve/main/{filename}"
    log.info("downloading %s", url)
    with atomic_path(dest) as tmp:
        urllib.request.urlretrieve(url, tmp)
        got = file_digest(tmp, "sha256")
        if got != expected:
            raise ValueError(f"{url}: SHA-256 {got} does not match the expected {expected}; file discarded")
    if filename not in read_sums(sums_file):
        with open(sums_file, "a") as fh:
            fh.write(f"{got}  {filename}\n")
    return Path(dest)
