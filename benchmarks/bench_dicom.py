"""Clinical inputs: reading a CT series from DICOM against reading the same volume from NIfTI.

Writes a 300-slice 512 × 512 CT series (12-bit stored values, rescale intercept -1024, the slices in shuffled
file order) and the same volume in HU as NIfTI (``.nii.gz`` and ``.nii``), then reads each the way the sample
sheet source does (``difficulty.data.sources.sheet.read_case``: checks, voxels, the original view's array), each read
in a fresh process, and reports the wall time of the read and the process's peak RSS (``ru_maxrss``, imports
included: the same modules in every run), with the ratios DICOM / NIfTI. GDCM's own series read (SimpleITK,
no checks) is listed for comparison.

    nice python benchmarks/bench_dicom.py [--slices 300] [--size 512] [--repeats 3] [--work /tmp/dicombench]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
KINDS = ("dicom", "gdcm_only", "nifti_gz", "nifti")


def write_inputs(work: Path, slices: int, size: int) -> None:
    """The series and the two NIfTI files of one volume, with the same geometry."""
    import SimpleITK as sitk

    sys.path.insert(0, str(REPO / "tests"))
    from pydicom.uid import generate_uid

    from dicom_files import AXIAL, ct_slice

    rng = np.random.default_rng(0)
    spacing, origin = (0.7, 0.7, 1.25), np.array([-180.0, -180.0, -400.0])
    uids = {"series": generate_uid(), "frame": generate_uid(), "study": generate_uid()}
    folder = work / "series"
    folder.mkdir(parents=True)
    volume = np.empty((slices, size, size), np.int16)
    yy, xx = np.mgrid[:size, :size]
    body = ((yy - size / 2) ** 2 + (xx - size / 2) ** 2) < (0.4 * size) ** 2
    for k, name in enumerate(rng.permutation(slices)):
        plane = np.where(body, 1024 + 40 + rng.normal(0, 20, (size, size)), 0).clip(0, 4095).astype(np.uint16)
        ds = ct_slice(plane.astype(np.int16), origin + [0, 0, k * spacing[2]], AXIAL, spacing, number=k + 1, **uids)
        ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 0  # a CT scanner's 12 bits, unsigned
        ds.PixelData = plane.tobytes()
        ds.save_as(folder / f"{name:05d}.dcm", enforce_file_format=True)
        volume[k] = plane.astype(np.int16) - 1024
    image = sitk.GetImageFromArray(volume)
    image.SetSpacing(spacing)
    image.SetOrigin(tuple(origin))
    for name in ("ct.nii.gz", "ct.nii"):
        sitk.WriteImage(image, str(work / name))


def read_once(kind: str, work: Path) -> dict:
    """Read one input in this process; the seconds the read took and the process's peak RSS (MiB)."""
    import pydicom  # noqa: F401  (imports before the clock: every run has the same modules)
    import SimpleITK as sitk

    from difficulty.data.sources import sheet

    path = {"dicom": work / "series", "gdcm_only": work / "series", "nifti_gz": work / "ct.nii.gz"}.get(kind)
    path = path or work / "ct.nii"
    row = type("Row", (), {"case_id": "ct", "image": str(path), "mask": ""})
    start = time.perf_counter()
    if kind == "gdcm_only":
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(path)))
        array = sitk.GetArrayFromImage(reader.Execute())
    else:
        array = sheet.read_case(row).image
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "seconds": seconds, "peak_mib": peak, "dtype": str(array.dtype)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=300)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dicombench"))
    parser.add_argument("--read", choices=KINDS, help=argparse.SUPPRESS)  # one read, in a child process
    args = parser.parse_args()
    if args.read:
        print(json.dumps(read_once(args.read, args.work)))
        return
    if not (args.work / "ct.nii").exists():
        start = time.perf_counter()
        write_inputs(args.work, args.slices, args.size)
        print(f"wrote {args.slices} slices of {args.size}² and the NIfTI files in {time.perf_counter() - start:.0f} s")
    env = os.environ | {"PYTHONPATH": str(REPO / "src")}
    results = {kind: [] for kind in KINDS}
    for _ in range(args.repeats):
        for kind in KINDS:  # interleaved, so that a busy moment of the machine hits every kind alike
            child = [sys.executable, __file__, "--read", kind, "--work", str(args.work)]
            out = subprocess.run(child, capture_output=True, text=True, check=True, env=env)
            results[kind].append(json.loads(out.stdout))
    print(f"| read ({args.slices} × {args.size}²) | time (median of {args.repeats}) | peak RSS | dtype |")
    print("|---|---|---|---|")
    summary = {}
    for kind, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mib"] for r in runs)
        summary[kind] = seconds, peak
        print(f"| {kind} | {seconds:.2f} s | {peak:.0f} MiB | {runs[0]['dtype']} |")
    for base in ("nifti_gz", "nifti"):
        t, p = (summary["dicom"][i] / summary[base][i] for i in range(2))
        print(f"DICOM / {base}: time {t:.2f}x, peak RSS {p:.2f}x")


if __name__ == "__main__":
    main()
