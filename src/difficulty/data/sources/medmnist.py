"""Official MedMNIST 3D ``.npz`` files: reading, and download for users with internet."""

from __future__ import annotations

import logging
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ...io import atomic_path, file_digest, read_npy_header
from ...options import Option
from ..cases import Case
from ..masks import derive_mask
from .registry import register_source

ZENODO = "https://zenodo.org/records/10519652/files"
SPLITS = ("train", "val", "test")
# MD5 sums of the official files (medmnist `info.py`, Zenodo record 10519652).
MD5 = {
    "adrenalmnist3d": {28: "bbd3c5a5576322bc4cdfea780653b1ce", 64: "17721accfe9fb005146a47d33bc54b2f"},
    "fracturemnist3d": {28: "6aa7b0143a6b42da40027a9dda61302f", 64: "f01d7e6316aedf4210da0da5b7437b42"},
    "nodulemnist3d": {28: "8755a7e9e05a4d9ce80a24c3e7a256f3", 64: "c47c5b7d457bf6332200d2ea6d64ecd8"},
    "organmnist3d": {28: "a0c5a1ff56af4f155c46d46fbb45a2fe", 64: "58a2205adf14a9d0a189cb06dc78bf10"},
    "synapsemnist3d": {28: "1235b78a3cd6280881dd7850a78eadb6", 64: "43bd14ebf3af9d3dd072446fedc14d5e"},
    "vesselmnist3d": {28: "b41fd4f7e7e2feedddb201585ecafa1b", 64: "6bb274a8846e1097066dcd64e2c4520f"},
}

# Class names of each 3D set (medmnist `info.py`, INFO[flag]["label"]): the files store the class indices only.
CLASSES = {
    "adrenalmnist3d": ("normal", "hyperplasia"),
    "fracturemnist3d": ("buckle rib fracture", "nondisplaced rib fracture", "displaced rib fracture"),
    "nodulemnist3d": ("benign", "malignant"),
    "organmnist3d": (
        "liver",
        "kidney-right",
        "kidney-left",
        "femur-right",
        "femur-left",
        "bladder",
        "heart",
        "lung-right",
        "lung-left",
        "spleen",
        "pancreas",
    ),
    "synapsemnist3d": ("inhibitory synapse", "excitatory synapse"),
    "vesselmnist3d": ("vessel", "aneurysm"),
}

log = logging.getLogger(__name__)


def class_names(path, given=None) -> dict[str, str]:
    """Label (the class index as text) → class name: ``given`` (the names in index order), else MedMNIST's for an
    official file named as Zenodo names it; none for another name."""
    flag = Path(path).name.removesuffix(".npz").removesuffix("_64")
    return {str(i): name for i, name in enumerate(given or CLASSES.get(flag, ()))}


def file_name(flag: str, size: int) -> str:
    """Official file name, e.g. ``adrenalmnist3d_64.npz``."""
    return f"{flag}.npz" if size == 28 else f"{flag}_{size}.npz"


def read_cases(path, splits=SPLITS) -> pd.DataFrame:
    """The case table of a MedMNIST 3D file, read from its labels only.

    Columns ``case_id`` (``{split}_{index}``), ``patient_id`` (MedMNIST ships
    none: each case is its own patient), ``label`` (string), ``split``, ``index``.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"MedMNIST file {path} does not exist")
    frames = []
    with zipfile.ZipFile(path) as zf:
        names = {Path(n).stem for n in zf.namelist()}
        missing = [f"{s}_{kind}" for s in splits for kind in ("images", "labels") if f"{s}_{kind}" not in names]
        if missing:
            raise ValueError(f"{path}: not a MedMNIST 3D file, keys {missing} are missing (has {sorted(names)})")
        for split in splits:
            with zf.open(f"{split}_images.npy") as fh:
                shape, _ = read_npy_header(fh, f"{path}: {split}_images")
            with zf.open(f"{split}_labels.npy") as fh:
                labels = np.load(fh)
            if len(shape) != 4:
                raise ValueError(f"{path}: {split}_images has shape {shape}; 3D MedMNIST needs (N, D, H, W)")
            if len(labels) != shape[0]:
                raise ValueError(f"{path}: {split} has {shape[0]} images but {len(labels)} labels")
            ids = [f"{split}_{i}" for i in range(shape[0])]
            label = labels.reshape(len(labels), -1)[:, 0].astype(str)
            frames.append(pd.DataFrame({"case_id": ids, "patient_id": ids, "label": label, "split": split}))
            frames[-1]["index"] = np.arange(shape[0])
    return pd.concat(frames, ignore_index=True)


def iter_volumes(path, split: str, indices) -> Iterator[tuple[int, np.ndarray]]:
    """(index, volume) of the given indices (ascending) of one split, decompressed one volume at a time."""
    wanted = iter(sorted(int(i) for i in indices))
    target = next(wanted, None)
    with zipfile.ZipFile(path) as zf, zf.open(f"{split}_images.npy") as fh:
        shape, dtype = read_npy_header(fh, f"{path}: {split}_images")
        nbytes = int(np.prod(shape[1:])) * dtype.itemsize
        for i in range(shape[0]):
            if target is None:
                return
            buffer = fh.read(nbytes)
            if i == target:
                yield i, np.frombuffer(buffer, dtype).reshape(shape[1:])
                target = next(wanted, None)


def download_medmnist(flag: str, size: int, dest, base_url: str = ZENODO) -> Path:
    """Download an official MedMNIST 3D file and check its MD5 before it lands at ``dest``."""
    if flag not in MD5 or size not in MD5[flag]:
        raise ValueError(f"unknown MedMNIST 3D file {flag} at size {size}; known: {sorted(MD5)} at 28 or 64")
    url = f"{base_url}/{file_name(flag, size)}" + ("?download=1" if base_url.startswith("http") else "")
    log.info("downloading %s", url)
    with atomic_path(dest) as tmp:
        urllib.request.urlretrieve(url, tmp)
        got = file_digest(tmp, "md5")
        if got != MD5[flag][size]:
            raise ValueError(f"{url}: MD5 {got} does not match the official {MD5[flag][size]}; file discarded")
    return Path(dest)


def download_file(*, output) -> Path:
    """Download the official file named by ``output`` (``<flag>.npz`` or ``<flag>_64.npz``), MD5-checked."""
    flag, _, size = Path(output).stem.partition("_")
    return download_medmnist(flag, int(size or 28), output)


def _check(spec: dict, downloads: bool) -> None:
    if not Path(spec["path"]).exists() and not downloads:
        raise ValueError(
            f"MedMNIST file {spec['path']} does not exist. Put the official .npz there, "
            "or set downloads: true to fetch it from Zenodo (needs internet)."
        )


PREPROCESSING = ("default", "study")


def write_example(folder: Path) -> dict:
    """A small file in the official layout (four random 28³ volumes per split, two classes) written into ``folder``.

    Returns the options of an entry that reads it (the common tests' example of this source).
    """
    rng = np.random.default_rng(0)
    arrays = {}
    for split in SPLITS:
        arrays[f"{split}_images"] = rng.integers(0, 256, (4, 28, 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = np.array([[0], [1], [0], [1]], dtype=np.uint8)
    path = Path(folder) / "example.npz"
    np.savez_compressed(path, **arrays)
    return {"path": str(path)}


@register_source(
    "medmnist",
    cases=lambda spec: read_cases(spec["path"], spec["splits"]),
    options={
        "path": Option(help="an official MedMNIST 3D .npz file (28³ or 64³)", schema={"type": "string"}),
        "splits": Option(
            list(SPLITS),
            "official splits to pool; case ids are {split}_{index}",
            {"type": "array", "items": {"enum": list(SPLITS)}, "minItems": 1, "uniqueItems": True},
        ),
        "spacing": Option(
            [1.0, 1.0, 1.0],
            "voxel spacing (z, y, x) in mm",
            {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 3, "maxItems": 3},
        ),
        "classes": Option(
            None,
            "the name of each class index, in order, for tables and figures; none: MedMNIST's names (info.py) for a "
            "file named as Zenodo names it",
            {"type": ["array", "null"], "items": {"type": "string", "minLength": 1}, "minItems": 2},
            affects_results=False,
        ),
        "preprocessing": Option(
            "default",
            "study: the study's code exactly (intensities uint8 / 255 as float32, masks with SciPy's defaults); "
            "default: intensities as stored (0–255), masks that keep objects touching the border whole",
            {"enum": list(PREPROCESSING)},
        ),
    },
    files=lambda spec, rows: [spec["path"]],
    check=_check,
    classes=lambda spec: class_names(spec["path"], spec["classes"]),
    example=write_example,
)
def read_source(spec: dict, rows: pd.DataFrame, seed: int) -> Iterator[Case]:
    """An official MedMNIST 3D file; masks derived as in the study (volume > 0, dilation, hole filling, erosion)."""
    spacing = tuple(float(s) for s in spec["spacing"])
    study = spec["preprocessing"] == "study"
    for split, part in rows.groupby("split", sort=False):
        ids = dict(zip(part["index"], part["case_id"]))
        for index, volume in iter_volumes(spec["path"], split, part["index"]):
            image = np.float32(volume / 255.0) if study else volume
            mask = derive_mask(image, "study" if study else "default") > 0
            yield Case(ids[index], image, mask, spacing)
