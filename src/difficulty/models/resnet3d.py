"""``resnet3d``: a 3D ResNet (the study's "3DCNN" is the ResNet-50), optionally starting from MedicalNet weights.

MONAI's ResNet with MedicalNet's shortcut types has exactly MedicalNet's
tensors, so the published checkpoints load with the same checked loader as
the feature extractor (MedicalNet's dilated layers 3 and 4 become strided:
the weights are the same, the receptive field smaller and the cost lower).
"""

from __future__ import annotations

from ..networks.weights import DEPTHS, check_weights
from ..options import Option
from .registry import register_model


@register_model(
    "resnet3d",
    options={
        "depth": Option(18, "ResNet depth: 10, 18, 34 or 50", {"enum": list(DEPTHS)}),
        "weights": Option(
            None,
            "a MedicalNet checkpoint of that depth to start from (checked against its SHA-256); none: random start",
            {"type": ["string", "null"]},
        ),
    },
    inputs=lambda options: {"weights": options["weights"]} if options.get("weights") else {},
    check=lambda options, downloads: (
        options.get("weights") and check_weights(options["weights"], downloads, options["depth"])
    ),
)
def build(n_classes: int, depth: int = 18, weights=None, in_channels: int = 1):
    """3D ResNet (MONAI's, strided, MedicalNet's shortcuts so that its weights fit) with a linear head.

    ``in_channels`` > 1 (several sequences) starts at random: MedicalNet's weights take one channel.
    """
    from monai.networks import nets
    from torch import nn

    from ..networks import medicalnet
    from ..networks import weights as checksums

    backbone = getattr(nets, f"resnet{depth}")(
        spatial_dims=3,
        n_input_channels=in_channels,
        shortcut_type=medicalnet.ARCHITECTURES[depth][2],
        feed_forward=False,
        bias_downsample=False,
        conv1_t_stride=2,
    )
    if weights and in_channels != 1:
        raise ValueError(f"MedicalNet weights ({weights}) take one input channel, not {in_channels} sequences")
    if weights:
        checksums.verify(weights, depth=depth)
        medicalnet.load_checkpoint(backbone, weights, depth)
    return nn.Sequential(backbone, nn.Linear(512 * (4 if depth == 50 else 1), n_classes))
