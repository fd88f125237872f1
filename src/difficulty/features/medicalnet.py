"""Deep features of MedicalNet 3D ResNets (Chen et al. 2019): pretrained, or an explicitly named random control.

``medicalnet`` needs the published checkpoint (checked against its SHA-256);
``random_resnet`` is the same architecture with seeded random weights, a
control that never stands in for the pretrained type.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..devices import pick_device
from ..networks.weights import DEPTHS, check_weights, default_weights
from ..options import Option
from .registry import register_feature

log = logging.getLogger(__name__)

BACKBONE_OPTIONS = {
    "depth": Option(help="ResNet depth: 10, 18, 34 or 50 (the study used 50)", schema={"enum": list(DEPTHS)}),
    "size": Option(
        [28, 28, 28],
        "input grid (D, H, W): trilinear resize, then z-score over voxels > 0, as MedicalNet",
        {"type": "array", "items": {"type": "integer", "minimum": 8}, "minItems": 3, "maxItems": 3},
    ),
    "batch_size": Option(8, "volumes per forward pass", {"type": "integer", "minimum": 1}, affects_results=False),
}


def weights_file(options: dict) -> str:
    """The checkpoint of a ``medicalnet`` entry: its ``weights`` option, or the default path of its depth."""
    return options.get("weights") or default_weights(options["depth"])


def _extract(data, options: dict, weights, seed: int, threads: int) -> pd.DataFrame:
    import torch

    from ..networks import medicalnet
    from ..networks import weights as checksums

    if weights is not None:
        checksums.verify(weights, depth=options["depth"])
    model = medicalnet.build_backbone(options["depth"], weights, seed)
    device = pick_device()
    torch.set_num_threads(threads)
    log.info("ResNet-%d on %s: %d cases at %s", options["depth"], device, len(data.cases), options["size"])
    grid = data.grid
    stores = [(f"{name}_", grid.channel(c)) for c, name in enumerate(data.sequences)] or [("", grid)]
    parts = []
    for prefix, store in stores:  # a dataset of several sequences: each sequence's features, concatenated
        features = medicalnet.extract(
            model, store, options["size"], options["batch_size"], device, workers=max(0, threads - 1)
        )
        parts.append(pd.DataFrame(features, columns=[f"{prefix}f{i:04d}" for i in range(features.shape[1])]))
    table = pd.concat(parts, axis=1)
    table.insert(0, "case_id", data.case_ids)
    return table


def write_example(folder: Path) -> dict:
    """A checkpoint in MedicalNet's format (ResNet-10, seeded random values) and its SHA256SUMS, in ``folder``.

    For the common tests only, which check that a checkpoint in the published format loads and runs: it is
    recorded in no checksum file but its own folder's, so it can never stand in for the published weights.
    """
    import torch

    from ..io import file_digest
    from ..networks.medicalnet import MedicalNetBackbone

    torch.manual_seed(0)
    checkpoint = Path(folder) / "resnet_10_23dataset.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in MedicalNetBackbone(10).state_dict().items()}}, checkpoint)
    (Path(folder) / "SHA256SUMS").write_text(f"{file_digest(checkpoint, 'sha256')}  {checkpoint.name}\n")
    return {"depth": 10, "weights": str(checkpoint), "size": [16, 16, 16]}


@register_feature(
    "medicalnet",
    options=BACKBONE_OPTIONS
    | {"weights": Option(None, "checkpoint file (default resources/weights/resnet_<depth>_23dataset.pth)")},
    inputs=lambda options: {"weights": weights_file(options)},
    check=lambda options, downloads: check_weights(weights_file(options), downloads, options["depth"]),
    gpu=True,
    threads=4,
    mem_mb=8000,
    example=write_example,
)
def extract_pretrained(data, *, options: dict, inputs: dict, seed: int, threads: int) -> pd.DataFrame:
    """Pretrained MedicalNet ResNet: layer4 output, global-average-pooled (512 or 2048 values per case)."""
    return _extract(data, options, inputs["weights"], seed, threads)


@register_feature(
    "random_resnet",
    options=BACKBONE_OPTIONS,
    gpu=True,
    threads=4,
    mem_mb=8000,
    example=lambda folder: {"depth": 10, "size": [16, 16, 16]},
)
def extract_random(data, *, options: dict, inputs: dict, seed: int, threads: int) -> pd.DataFrame:
    """Control: the MedicalNet architecture with seeded random weights (one network for all datasets)."""
    return _extract(data, options, None, seed, threads)
