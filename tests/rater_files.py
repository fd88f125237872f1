"""Sample sheets of several sequences and raters for the tests: known masks, labels and a noisy second sequence."""

from __future__ import annotations

import numpy as np
import SimpleITK as sitk
from scipy import ndimage

SHAPE = (14, 24, 24)
SPACING = (2.0, 1.0, 1.0)  # z, y, x mm
CLASSES = ("benign", "malignant")


def ball(shape, centre, radius_mm, spacing=SPACING) -> np.ndarray:
    """A boolean ellipsoid of ``radius_mm`` around ``centre`` (voxels, z y x) on a grid of ``spacing``."""
    grid = np.ogrid[tuple(slice(0, n) for n in shape)]
    return sum(((g - c) * s / radius_mm) ** 2 for g, c, s in zip(grid, centre, spacing)) <= 1


def write_volume(path, array, spacing=SPACING, origin=(0.0, 0.0, 0.0)) -> None:
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(tuple(float(s) for s in spacing[::-1]))
    image.SetOrigin(origin)
    sitk.WriteImage(image, str(path))


def write_rater_sheet(folder, cases: int = 12, sequences: int = 2, raters: int = 3, seed: int = 0, label=True):
    """Cases of two classes (lesion brighter and larger in the second), each with ``sequences`` images (the second:
    the first plus Gaussian noise of SD 5) and ``raters`` raters' masks (the lesion, dilated, eroded, then the
    lesion again) and labels (the class; the second rater flips every 4th case, the third every 6th).

    Returns the sheet's path and per case its truth: ``label``, the raters' ``masks`` and ``labels``.
    """
    rng = np.random.default_rng(seed)
    (folder / "img").mkdir(parents=True, exist_ok=True)
    images = [f"image:s{k + 1}" for k in range(sequences)] if sequences > 1 else ["image"]
    masks = [f"mask:r{r + 1}" for r in range(raters)]
    labels = [f"label:r{r + 1}" for r in range(raters)]
    rows, truth = ["\t".join(["case_id", *(["label"] if label else []), *labels, *images, *masks])], {}
    for i in range(cases):
        klass = i % 2
        lesion = ball(SHAPE, (7, 12 + rng.integers(-2, 3), 12 + rng.integers(-2, 3)), 5.0 + 1.5 * klass)
        image = (40 + 30 * klass) * lesion + rng.normal(0, 4, SHAPE)
        outlines = [lesion, ndimage.binary_dilation(lesion), ndimage.binary_erosion(lesion)]
        outlines = [outlines[r % 3] for r in range(raters)]
        given = [klass ^ int(r == 1 and i % 4 == 0) ^ int(r == 2 and i % 6 == 0) for r in range(raters)]
        files = []
        for k in range(sequences):
            channel = image if k == 0 else image + rng.normal(0, 5, SHAPE)
            files.append(f"img/c{i}_s{k + 1}.nii.gz")
            write_volume(folder / files[-1], channel.astype(np.float32))
        for r, outline in enumerate(outlines):
            files.append(f"img/c{i}_r{r + 1}.nii.gz")
            write_volume(folder / files[-1], outline.astype(np.uint8))
        named = [CLASSES[g] for g in given]
        rows.append("\t".join([f"c{i}", *([CLASSES[klass]] if label else []), *named, *files]))
        truth[f"c{i}"] = {"label": CLASSES[klass], "masks": outlines, "labels": named}
    sheet = folder / "sheet.tsv"
    sheet.write_text("\n".join(rows) + "\n")
    return sheet, truth
