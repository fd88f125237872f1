"""Feature type names and where their pretrained weights come from (no heavy imports)."""

from __future__ import annotations

import re
from pathlib import Path

CHECKPOINTS = {depth: f"resnet_{depth}_23dataset.pth" for depth in (10, 18, 34, 50)}
HF_REPOS = {depth: f"TencentMedicalNet/MedicalNet-Resnet{depth}" for depth in (10, 18, 34, 50)}
_DEEP = re.compile(r"^(medicalnet|random)_resnet(10|18|34|50)$")


def parse_deep(name: str) -> tuple[bool, int] | None:
    """``(pretrained, depth)`` for a deep feature type name, None for other names."""
    match = _DEEP.match(name)
    return (match.group(1) == "medicalnet", int(match.group(2))) if match else None


def default_weights(name: str, folder="resources/weights") -> str:
    """Default checkpoint path of a deep feature type."""
    return f"{folder}/{CHECKPOINTS[parse_deep(name)[1]]}"


def missing_weights_message(path) -> str:
    depth = next((d for d, f in CHECKPOINTS.items() if Path(path).name == f), 10)
    return (
        f"MedicalNet weight file {path} is missing. Download {CHECKPOINTS[depth]} from Hugging Face "
        f"({HF_REPOS[depth]}) into {Path(path).parent}/ and add its SHA-256 to SHA256SUMS there, or run "
        f"`snakemake --cores 1 --config downloads=True -- {path}` on a machine with internet. "
        "Without it the pretrained feature type cannot run: no random weights are used in its place."
    )
