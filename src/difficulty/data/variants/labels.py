"""Label noise: a seeded fraction of labels flipped, a ladder of known difficulty on real images."""

import numpy as np
import pandas as pd

from ...options import Option
from .registry import register_variant

LABEL_NOISE = Option(
    0.0, "seeded fraction of labels flipped to another class", {"type": "number", "minimum": 0, "maximum": 1}
)


def flip_labels(labels, p: float, seed: int) -> np.ndarray:
    """Flip a seeded fraction ``p`` of labels (round(p·n) cases) to another class, chosen uniformly."""
    if not 0 <= p <= 1:
        raise ValueError(f"label_noise must be in [0, 1], got {p}")
    labels = pd.Series(labels).to_numpy(copy=True)
    classes = np.unique(labels)
    if len(classes) < 2:
        raise ValueError("label noise needs at least two classes")
    rng = np.random.default_rng(seed)
    flip = rng.choice(len(labels), size=round(p * len(labels)), replace=False)
    for i in np.sort(flip):
        others = classes[classes != labels[i]]
        labels[i] = others[rng.integers(len(others))]
    return labels


@register_variant("label_noise", options={"label_noise": LABEL_NOISE}, example=lambda folder: {"label_noise": 0.25})
def noisy_labels(table: pd.DataFrame, options: dict, seed: int) -> pd.DataFrame:
    """The parent's cases with a seeded fraction of their labels flipped to another class."""
    return table.assign(label=flip_labels(table["label"], options["label_noise"], seed))
