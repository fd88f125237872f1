"""Label noise: a second ladder of known difficulty on real images."""

import numpy as np
import pandas as pd


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
