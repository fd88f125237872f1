"""Pretrained MedicalNet weight files: where they live, SHA-256 checksums, download for users with internet."""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path

from ..io import atomic_path, file_digest

log = logging.getLogger(__name__)
HF = "https://huggingface.co"
DEPTHS = (10, 18, 34, 50)
CHECKPOINTS = {depth: f"resnet_{depth}_23dataset.pth" for depth in DEPTHS}
HF_REPOS = {depth: f"TencentMedicalNet/MedicalNet-Resnet{depth}" for depth in DEPTHS}


def default_weights(depth: int, folder="resources/weights") -> str:
    """Default checkpoint path of a MedicalNet depth (relative to the working folder)."""
    return f"{folder}/{CHECKPOINTS[depth]}"


def missing_weights_message(path, depth: int | None = None) -> str:
    """What to do about a missing weight file; ``depth`` is the entry's, never guessed from the file name."""
    path = Path(path)
    if depth is None:
        where = "the MedicalNet checkpoint of the entry's depth"
    elif path.name == CHECKPOINTS[depth]:
        where = (
            f"{CHECKPOINTS[depth]} from Hugging Face ({HF_REPOS[depth]}) into {path.parent}/ and add its SHA-256 "
            f"to SHA256SUMS there, or run `snakemake --cores 1 --config downloads=True -- {path}` on a machine "
            "with internet"
        )
    else:
        where = (
            f"the ResNet-{depth} checkpoint (the entry's depth; Hugging Face {HF_REPOS[depth]}, "
            f"{CHECKPOINTS[depth]}) to {path} and add its SHA-256 to SHA256SUMS there (the download rule "
            f"fetches only files named resnet_<depth>_23dataset.pth)"
        )
    return (
        f"MedicalNet weight file {path} is missing. Download {where}. "
        "Without it the pretrained feature type cannot run: no random weights are used in its place."
    )


def check_weights(path, downloads: bool, depth: int) -> None:
    """Before any work: the weight file of an entry of ``depth`` exists (or a download rule will fetch it) and
    has a SHA-256 entry; a file named as another depth's checkpoint is refused."""
    name = Path(path).name
    named = next((d for d, f in CHECKPOINTS.items() if f == name), None)
    if named is not None and named != depth:
        raise ValueError(
            f"weight file {path} is MedicalNet's ResNet-{named} checkpoint, but the entry's depth is {depth}; "
            f"set `depth: {named}` or give the ResNet-{depth} checkpoint ({CHECKPOINTS[depth]})"
        )
    if not Path(path).exists():
        if not downloads or named is None:  # the download rule fetches the published names only
            raise ValueError(missing_weights_message(path, depth))
        return
    expected_sum(path)


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


def verify(path, sums=None, depth: int | None = None) -> None:
    """Check ``path`` against its recorded SHA-256; a missing file (of an entry of ``depth``) or one without an
    entry is refused."""
    if not Path(path).exists():
        raise FileNotFoundError(missing_weights_message(path, depth))
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


def download_checkpoint(*, depth: int, output) -> Path:
    """Download the MedicalNet checkpoint of a depth to ``output``, checked and recorded in its SHA256SUMS."""
    return download(HF_REPOS[depth], CHECKPOINTS[depth], output, sums_file(output))
