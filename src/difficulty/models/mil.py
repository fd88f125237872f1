"""``mil``: attention-based multiple-instance learning over 2D slices (the study's "MILCNN")."""

from __future__ import annotations

from ..options import Option
from .registry import register_model


@register_model(
    "mil",
    options={
        "attention": Option(128, "hidden units of the gated attention", {"type": "integer", "minimum": 1}),
        "dropout": Option(0.25, "dropout before the linear head", {"type": "number", "minimum": 0, "maximum": 1}),
    },
)
def build(n_classes: int, attention: int = 128, dropout: float = 0.25, in_channels: int = 1):
    """Attention MIL over the axial slices: 2D ResNet-18 encoder, gated attention pooling (Ilse et al. 2018)."""
    from ..networks.mil import GatedAttentionMIL

    return GatedAttentionMIL(n_classes, attention, dropout, in_channels)
