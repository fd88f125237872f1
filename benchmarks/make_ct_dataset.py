"""Write a CT-like sample-sheet dataset: variable slice counts, anisotropic spacing, lesion masks.

Each case is a body (soft tissue around 40 HU, air at -1000 HU outside) with
one ellipsoidal lesion 6 to 15 mm in radius. The two classes differ in the
lesion's texture: class 0 smooth, class 1 coarse and brighter. Images are
int16 NIfTI with their spacing and origin; masks hold 1 in the lesion.

    python benchmarks/make_ct_dataset.py OUT --cases 50 [--size 256] [--slices 80 160] [--sequences 2] [--raters 3]

With ``--sequences S`` each case has S images on one grid (``image:ct``, then ``image:s2`` ... : the CT with
Gaussian noise of SD 20 HU added), with ``--raters R`` R raters' lesion masks (``mask:r1`` ...: the lesion
itself, then dilated, eroded and boundary-noised copies in turn) and R raters' labels (``label:r1`` ...: the
label, each further rater flipping 10 % of them).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import SimpleITK as sitk
from scipy import ndimage


def ct_case(rng, size: int, slices: int, label: int):
    """(image int16 (D, H, W), mask uint8, spacing (x, y, z) mm, origin (x, y, z) mm)."""
    inplane, thickness = rng.uniform(0.6, 0.9), rng.choice([1.25, 2.0, 2.5, 3.0])
    spacing = np.array([thickness, inplane, inplane])  # z, y, x
    z, y, x = np.ogrid[:slices, :size, :size]
    body = ((y - size / 2) / (0.42 * size)) ** 2 + ((x - size / 2) / (0.36 * size)) ** 2 <= 1
    image = np.where(body, 40 + rng.normal(0, 12, (slices, size, size)), -1000).astype(np.float32)
    radii = rng.uniform(6, 15, 3)  # mm
    centre = np.array([slices / 2, size / 2, size / 2]) + rng.uniform(-0.15, 0.15, 3) * [slices, size / 2, size / 2]
    half = np.ceil(radii / spacing).astype(int) + 2
    box = tuple(slice(max(0, int(c) - h), int(c) + h) for c, h in zip(centre, half))
    zz, yy, xx = np.ogrid[box]
    lesion = ((zz - centre[0]) * spacing[0] / radii[0]) ** 2 + ((yy - centre[1]) * spacing[1] / radii[1]) ** 2
    lesion = lesion + ((xx - centre[2]) * spacing[2] / radii[2]) ** 2 <= 1
    shape = lesion.shape
    texture = ndimage.gaussian_filter(rng.normal(size=shape), sigma=3.0 if label == 0 else 0.8)
    texture /= texture.std() + 1e-12
    values = (70 if label == 0 else 85) + (8 if label == 0 else 25) * texture
    image[box] = np.where(lesion, values, image[box])
    mask = np.zeros(image.shape, np.uint8)
    mask[box] = lesion
    origin = (-size * inplane / 2, -size * inplane / 2, float(rng.uniform(-600, -300)))
    return np.clip(image, -1024, 3071).astype(np.int16), mask, tuple(spacing[::-1]), origin


def rater_masks(mask: np.ndarray, raters: int, rng) -> list[np.ndarray]:
    """``raters`` masks of one lesion: the mask itself, then dilated, eroded and boundary-noised copies in turn."""
    boundary = mask.astype(bool) ^ ndimage.binary_erosion(mask)

    def noised():
        return (mask.astype(bool) & ~(boundary & (rng.random(mask.shape) < 0.5))).astype(np.uint8)

    changes = [
        lambda: ndimage.binary_dilation(mask).astype(np.uint8),
        lambda: ndimage.binary_erosion(mask).astype(np.uint8),
        noised,
    ]
    return [mask] + [changes[r % len(changes)]() for r in range(raters - 1)]


def write_dataset(
    out, cases: int, size: int = 256, slices=(80, 160), seed: int = 0, sequences: int = 1, raters: int = 1
) -> Path:
    """Write ``cases`` cases and ``sheet.tsv`` into ``out``; returns the sheet's path."""
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    images = ["image"] if sequences == 1 else ["image:ct", *(f"image:s{k + 1}" for k in range(1, sequences))]
    masks = ["mask"] if raters == 1 else [f"mask:r{r + 1}" for r in range(raters)]
    labels = ["label"] if raters == 1 else ["label", *(f"label:r{r + 1}" for r in range(raters))]
    rows = ["\t".join(["case_id", *labels, *images, *masks])]
    classes = ("benign", "malignant")
    for i in range(cases):
        label = i % 2
        image, mask, spacing, origin = ct_case(rng, size, int(rng.integers(slices[0], slices[1] + 1)), label)
        volumes = {f"ct{i:04d}.nii.gz": image}
        for k in range(1, sequences):
            noisy = np.clip(image + rng.normal(0, 20, image.shape), -1024, 3071).astype(np.int16)
            volumes[f"ct{i:04d}_s{k + 1}.nii.gz"] = noisy
        outlines = [mask] if raters == 1 else rater_masks(mask, raters, rng)
        volumes |= {f"ct{i:04d}_lesion{'' if r == 0 else f'_r{r + 1}'}.nii.gz": m for r, m in enumerate(outlines)}
        for name, array in volumes.items():
            item = sitk.GetImageFromArray(array)
            item.SetSpacing(spacing)
            item.SetOrigin(origin)
            sitk.WriteImage(item, str(out / "images" / name))
        given = [classes[label]]
        given += [classes[label ^ int(r > 0 and rng.random() < 0.1)] for r in range(raters)] if raters > 1 else []
        files = [f"images/{name}" for name in volumes]
        rows.append("\t".join([f"ct{i:04d}", *given, *files]))
    (out / "sheet.tsv").write_text("\n".join(rows) + "\n")
    return out / "sheet.tsv"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--size", type=int, default=256, help="in-plane voxels")
    parser.add_argument("--slices", type=int, nargs=2, default=(80, 160), help="fewest and most slices")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sequences", type=int, default=1, help="images per case (MRI-like sequences)")
    parser.add_argument("--raters", type=int, default=1, help="raters' masks and labels per case")
    args = parser.parse_args()
    sheet = write_dataset(args.out, args.cases, args.size, tuple(args.slices), args.seed, args.sequences, args.raters)
    print(sheet)


if __name__ == "__main__":
    main()
