"""Region-of-interest masks derived from MedMNIST volumes, which ship none."""

import numpy as np
from scipy import ndimage

RECIPES = ("default", "study")


def derive_mask(volume: np.ndarray, recipe: str = "default") -> np.ndarray:
    """Mask of a volume: ``volume > 0``, binary dilation, hole filling, binary erosion (uint8).

    ``"study"`` is the study's code exactly: SciPy's defaults throughout, so the
    erosion treats the outside as background and erodes objects that touch the
    border. ``"default"`` treats the outside as foreground there, keeping such
    objects whole (most MedMNIST organs touch the crop's border).
    """
    if recipe not in RECIPES:
        raise ValueError(f"unknown mask recipe {recipe!r}; known: {', '.join(RECIPES)}")
    mask = np.asarray(volume) > 0
    if recipe == "study":
        return ndimage.binary_erosion(ndimage.binary_fill_holes(ndimage.binary_dilation(mask))).astype(np.uint8)
    structure = ndimage.generate_binary_structure(3, 1)
    mask = ndimage.binary_dilation(mask, structure)
    mask = ndimage.binary_fill_holes(mask, structure)
    return ndimage.binary_erosion(mask, structure, border_value=1).astype(np.uint8)
