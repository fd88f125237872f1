"""Write the tiny project's inputs into .test/data (run from the project folder: python .test/make_data.py).

The files are committed; this script says how they were made and makes them again:
- tiny.npz: 30 real AdrenalMNIST3D cases (15 per class) from resources/medmnist/adrenalmnist3d.npz, in the
  official file layout (train 20, val 5, test 5);
- sheet.csv and nifti/: 16 NIfTI cases of mixed shapes and spacings with lesion masks, two cases per patient;
- radiomics.yaml: a small pyradiomics parameter file (first order, shape and GLCM features of the original image).
"""

from pathlib import Path

import numpy as np
import SimpleITK as sitk
import yaml

HERE = Path(__file__).resolve().parent
ADRENAL = HERE.parent / "resources" / "medmnist" / "adrenalmnist3d.npz"


def tiny_medmnist(path: Path) -> None:
    with np.load(ADRENAL) as npz:
        images, labels = npz["train_images"], npz["train_labels"]
    pick = np.concatenate([np.flatnonzero(labels[:, 0] == c)[:15] for c in (0, 1)])
    parts = {
        "train": pick[::3].tolist() + pick[1::3].tolist(),
        "val": pick[2::3][:5].tolist(),
        "test": pick[2::3][5:].tolist(),
    }
    arrays = {}
    for split, idx in parts.items():
        arrays[f"{split}_images"] = images[idx]
        arrays[f"{split}_labels"] = labels[idx]
    np.savez_compressed(path, **arrays)


def write_nifti(path: Path, array: np.ndarray, spacing) -> None:
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(spacing)
    sitk.WriteImage(image, str(path))


def tiny_sheet(folder: Path) -> None:
    rng = np.random.default_rng(1)
    rows = ["case_id,label,image,mask,patient_id"]
    (folder / "nifti").mkdir(exist_ok=True)
    for i in range(16):
        label = i % 2
        shape = (12 + i % 5, 16 + i % 3, 18)
        spacing = (0.8, 0.8 + 0.1 * (i % 2), 1.5 + 0.5 * (i % 3))  # x, y, z
        image = rng.normal(80 + 40 * label, 15, shape).astype(np.float32)
        mask = np.zeros(shape, np.uint8)
        mask[3:9, 4:12, 5:13] = 1
        write_nifti(folder / "nifti" / f"s{i:02d}.nii.gz", image, spacing)
        write_nifti(folder / "nifti" / f"s{i:02d}_mask.nii.gz", mask, spacing)
        rows.append(
            f"s{i:02d},{'benign' if label else 'other'},nifti/s{i:02d}.nii.gz,nifti/s{i:02d}_mask.nii.gz,pt{i // 2}"
        )
    (folder / "sheet.csv").write_text("\n".join(rows) + "\n")


def radiomics_params(path: Path) -> None:
    params = {"setting": {"binWidth": 25, "label": 1}, "imageType": {"Original": {}}}
    params["featureClass"] = {"firstorder": None, "shape": None, "glcm": None}
    path.write_text(yaml.safe_dump(params))


if __name__ == "__main__":
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    tiny_medmnist(data / "tiny.npz")
    tiny_sheet(data)
    radiomics_params(data / "radiomics.yaml")
