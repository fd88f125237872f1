"""Toy reference model, registered from a plugin module: a linear classifier of a coarse volume (a required option)."""

from difficulty.models import register_model
from difficulty.options import Option


@register_model(
    "linear3d",
    options={"grid": Option(help="side of the pooled grid", schema={"type": "integer", "minimum": 1})},
    example=lambda folder: {"grid": 2},
)
def build(n_classes, grid):
    """Average-pool the volume to grid³, then one linear layer."""
    from torch import nn

    return nn.Sequential(nn.AdaptiveAvgPool3d(grid), nn.Flatten(), nn.Linear(grid**3, n_classes))
