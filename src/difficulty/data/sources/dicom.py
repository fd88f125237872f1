"""DICOM inputs: image series (single-frame slices or one enhanced multi-frame file) and SEG or RTSTRUCT masks.

The slices are checked from their headers (read without pixel data, a few values kept) before any pixel is read:
one series, one slice size, one orientation, regular spacing along the slice normal, no gantry tilt (or resampled).
The geometry comes from the slice positions and orientation, not from ``SliceThickness``. Pixels are read by
SimpleITK (GDCM) for single-frame series and by pydicom for multi-frame files (GDCM applies the first frame's
rescale to every frame), with the rescale slope and intercept of each slice or frame applied (CT in HU).

No header value but the geometry leaves this module: messages name the case and the files, never a patient's
name, date or accession number, and never a UID (except the two UIDs that show a SEG or RTSTRUCT paired with
another series, so that the files can be found). A ``series_uid`` column is kept as a digest
(:func:`series_key`), so that the case table holds no UID either.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import DataError
from ...options import Option

SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
RTSTRUCT_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"
# Modalities of DICOM objects that are not slices of an image series.
NOT_SLICES = {"SEG", "RTSTRUCT", "RTPLAN", "RTDOSE", "RTRECORD", "SR", "PR", "KO", "REG", "DOC", "PLAN"}

DICOM_OPTIONS = {
    "slice_tolerance": Option(
        0.1,
        "how much wider than its closest slices' gap a DICOM series' slice gap may be (relative) before the case "
        "is refused (a missing slice, irregular spacing)",
        {"type": "number", "minimum": 0},
    ),
    "gantry_tilt": Option(
        "refuse",
        "a DICOM series acquired with a tilted gantry (slices shifted in plane): refuse the case, or resample it "
        "onto an orthogonal grid (linear)",
        {"enum": ["refuse", "resample"]},
    ),
    "segment": Option(
        None,
        "the segment of a DICOM SEG mask, by number or label (a 'segment' column overrides it); none: the only one",
        {"type": ["integer", "string", "null"]},
    ),
    "roi": Option(
        None,
        "the structure (ROI name) of an RTSTRUCT mask (a 'roi' column overrides it); none: the only one",
        {"type": ["string", "null"]},
    ),
}


@dataclass(frozen=True)
class DicomOptions:
    """How DICOM cases are read (the dataset options of :data:`DICOM_OPTIONS`)."""

    slice_tolerance: float = 0.1
    gantry_tilt: str = "refuse"
    segment: int | str | None = None
    roi: str | None = None

    @classmethod
    def of(cls, spec: dict) -> DicomOptions:
        return cls(**{name: spec[name] for name in DICOM_OPTIONS if name in spec})


@dataclass(frozen=True)
class Slice:
    """What one file's header says (a few values; the header itself is not kept)."""

    file: Path
    series: str
    modality: str
    number: str
    sop_class: str
    sop: str
    frame_of_reference: str
    shape: tuple[int, int] | None  # rows, columns; None: not an image
    samples: int
    spacing: tuple[float, float] | None  # row spacing (y), column spacing (x)
    orientation: tuple[float, ...] | None  # row direction (x), column direction (y)
    positions: tuple[tuple[float, float, float], ...]  # one per frame
    rescale: tuple[tuple[float, float], ...]  # (slope, intercept), one per frame

    @property
    def is_slice(self) -> bool:
        return self.shape is not None and self.modality not in NOT_SLICES and self.sop_class != SEG_STORAGE


@dataclass(frozen=True)
class Series:
    """One image series, checked: its files in slice order and its geometry (SimpleITK's order, x y z).

    ``frames`` is the order of a multi-frame file's frames along the slice normal (None for single-frame
    slices); ``shift`` the in-plane shift from one slice to the next in mm (non-zero: gantry tilt).
    """

    folder: Path
    files: tuple[Path, ...]
    frames: tuple[int, ...] | None
    size: tuple[int, int, int]
    spacing: tuple[float, float, float]
    origin: tuple[float, float, float]
    direction: tuple[float, ...]
    shift: tuple[float, float, float]
    rescale: tuple[tuple[float, float], ...]
    modality: str
    uid: str
    frame_of_reference: str
    sop_uids: tuple[str, ...]

    @property
    def tilted(self) -> bool:
        return bool(np.any(self.shift))


def series_key(uid: str) -> str:
    """The digest that stands for a series UID in the case table (the UID itself stays out of the results)."""
    return hashlib.sha256(str(uid).strip().encode()).hexdigest()[:16]


def is_dicom(path) -> bool:
    """Whether ``path`` is a DICOM file (the ``DICM`` prefix after the 128-byte preamble)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(132)[128:] == b"DICM"
    except (IsADirectoryError, OSError):
        return False


def series_files(folder) -> list[Path]:
    """The files of a series folder (sorted, hidden files and folders left out), searched recursively."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
    return found


def _floats(value, n: int) -> tuple[float, ...] | None:
    """A multi-valued header element as n floats; None if absent or of another length."""
    if value is None or value == "":
        return None
    out = tuple(float(v) for v in value)
    return out if len(out) == n else None


def _group(frame, shared, sequence: str, attribute: str):
    """An attribute of a functional group: the frame's own, else the shared one's; None if neither has it."""
    for item in (frame, shared):
        if item is not None and sequence in item and len(item[sequence].value):
            value = item[sequence].value[0].get(attribute)
            if value is not None and value != "":
                return value
    return None


def read_slice(file, case: str, where: str) -> Slice:
    """The header of one file of a series folder, without pixel data; a DataError (naming ``where``) if not DICOM."""
    import pydicom

    try:
        # the header without the pixels (as fast as pydicom's specific_tags); only a few values are kept
        ds = pydicom.dcmread(file, stop_before_pixels=True)
    except (pydicom.errors.InvalidDicomError, EOFError, OSError, ValueError) as err:
        raise DataError(
            f"case {case!r}: file {file} in {where} is not a DICOM file ({type(err).__name__}); "
            "keep only the series' slices in the folder"
        ) from None
    shared = ds.SharedFunctionalGroupsSequence[0] if "SharedFunctionalGroupsSequence" in ds else None
    frames = list(ds.PerFrameFunctionalGroupsSequence) if "PerFrameFunctionalGroupsSequence" in ds else []
    if frames:
        orientation = _group(frames[0], shared, "PlaneOrientationSequence", "ImageOrientationPatient")
        spacing = _group(frames[0], shared, "PixelMeasuresSequence", "PixelSpacing")
        positions, rescale = [], []
        for frame in frames:
            positions.append(_floats(_group(frame, shared, "PlanePositionSequence", "ImagePositionPatient"), 3))
            slope = _group(frame, shared, "PixelValueTransformationSequence", "RescaleSlope")
            intercept = _group(frame, shared, "PixelValueTransformationSequence", "RescaleIntercept")
            rescale.append((float(slope) if slope is not None else 1.0, float(intercept or 0.0)))
    else:
        orientation, spacing = ds.get("ImageOrientationPatient"), ds.get("PixelSpacing")
        positions = [_floats(ds.get("ImagePositionPatient"), 3)]
        slope = ds.get("RescaleSlope")
        rescale = [(float(slope) if slope not in (None, "") else 1.0, float(ds.get("RescaleIntercept") or 0.0))]
    rows, columns = ds.get("Rows"), ds.get("Columns")
    return Slice(
        file=Path(file),
        series=str(ds.get("SeriesInstanceUID", "")),
        modality=str(ds.get("Modality", "")),
        number=str(ds.get("SeriesNumber", "")),
        sop_class=str(ds.get("SOPClassUID", "")),
        sop=str(ds.get("SOPInstanceUID", "")),
        frame_of_reference=str(ds.get("FrameOfReferenceUID", "")),
        shape=(int(rows), int(columns)) if rows and columns else None,
        samples=int(ds.get("SamplesPerPixel") or 1),
        spacing=_floats(spacing, 2),
        orientation=_floats(orientation, 6),
        positions=tuple(positions),
        rescale=tuple(rescale),
    )


def _what(item: Slice) -> str:
    if item.shape is None:
        return f"a DICOM {item.modality or 'non-image'} object without pixel data"
    return f"a DICOM {item.modality} object"


def pick_series(slices: list[Slice], key: str | None, case: str, where: str) -> list[Slice]:
    """The slices of the one image series of a folder (or of the series whose :func:`series_key` is ``key``)."""
    if key:
        chosen = [s for s in slices if series_key(s.series) == key]
        if not chosen:
            count = len({s.series for s in slices if s.is_slice})
            raise DataError(
                f"case {case!r}: {where} holds no series with the given 'series_uid' ({count} image series there)"
            )
        slices = chosen
    for item in slices:
        if not item.is_slice:
            raise DataError(
                f"case {case!r}: file {item.file} in {where} is {_what(item)}, not an image slice; "
                "keep only the series' slices in the folder"
            )
    by_series: dict[str, list[Slice]] = {}
    for item in slices:
        by_series.setdefault(item.series, []).append(item)
    if len(by_series) > 1:
        listed = ", ".join(
            f"series number {group[0].number or '?'}: {len(group)} file(s), e.g. {group[0].file.name}"
            for group in by_series.values()
        )
        raise DataError(
            f"case {case!r}: {where} holds {len(by_series)} image series ({listed}); name the one "
            "to read in a sample sheet's 'series_uid' column (`difficulty init` lists their UIDs), or keep one "
            "series per folder"
        )
    return slices


def check_series(slices: list[Slice], case: str, where: str, folder, options: DicomOptions) -> Series:
    """The geometry of one series' slices, checked (DataError naming the case, the files and what is wrong)."""
    shapes = {s.shape for s in slices}
    if len(shapes) > 1:
        a, b = slices[0], next(s for s in slices if s.shape != slices[0].shape)
        raise DataError(
            f"case {case!r}: mixed slice sizes in {where}: {a.file.name} is {a.shape[0]} × "
            f"{a.shape[1]}, {b.file.name} is {b.shape[0]} × {b.shape[1]} (rows × columns); one series has one size"
        )
    if any(s.samples != 1 for s in slices):
        raise DataError(f"case {case!r}: {where} holds colour images; a single-channel series is needed")
    multiframe = len(slices) == 1 and len(slices[0].positions) > 1
    if len(slices) > 1 and any(len(s.positions) > 1 for s in slices):
        raise DataError(f"case {case!r}: {where} holds several multi-frame files; one is read")
    for item in slices:
        absent = {
            "ImagePositionPatient": None in item.positions,
            "ImageOrientationPatient": item.orientation is None,
            "PixelSpacing": item.spacing is None,
        }
        missing = [name for name, gone in absent.items() if gone]
        if missing:
            raise DataError(f"case {case!r}: file {item.file} has no {', '.join(missing)}; its place in 3D is unknown")
    first = slices[0]
    for item in slices[1:]:
        if np.max(np.abs(np.subtract(item.orientation, first.orientation))) > 1e-4:
            raise DataError(
                f"case {case!r}: slices {first.file.name} and {item.file.name} of {where} have "
                "different orientations; one series has one orientation"
            )
        if np.max(np.abs(np.subtract(item.spacing, first.spacing))) > 1e-4 * max(first.spacing):
            raise DataError(
                f"case {case!r}: slices {first.file.name} and {item.file.name} of {where} have "
                f"different pixel spacings ({item.spacing} vs {first.spacing} mm)"
            )
    row, col = np.asarray(first.orientation[:3]), np.asarray(first.orientation[3:])
    normal = np.cross(row, col)
    if abs(np.linalg.norm(normal) - 1) > 1e-3 or abs(row @ col) > 1e-3:
        raise DataError(f"case {case!r}: file {first.file} has an invalid ImageOrientationPatient")
    normal /= np.linalg.norm(normal)
    if multiframe:
        positions = np.asarray(first.positions)
        names = [f"frame {i + 1} of {first.file.name}" for i in range(len(positions))]
        rescale = list(first.rescale)
    else:
        positions = np.asarray([s.positions[0] for s in slices])
        names = [s.file.name for s in slices]
        rescale = [s.rescale[0] for s in slices]
    if len(positions) < 2:
        raise DataError(f"case {case!r}: {where} holds one slice; a 3D series is needed")
    along = positions @ normal
    order = np.argsort(along, kind="stable")
    along, positions = along[order], positions[order]
    gaps = np.diff(along)
    same = np.flatnonzero(gaps < 1e-3 * max(first.spacing))
    if same.size:
        i = order[same[0]], order[same[0] + 1]
        raise DataError(
            f"case {case!r}: {names[i[0]]} and {names[i[1]]} of {where} lie at the same position "
            f"({along[same[0]]:.2f} mm along the slice normal); one series has one slice per position"
        )
    closest = float(gaps.min())  # a missing slice only widens gaps: the closest slices give the spacing
    if gaps.max() > (1 + options.slice_tolerance) * closest:
        k = int(np.argmax(gaps))
        raise DataError(
            f"case {case!r}: {where}: a gap of {gaps[k]:.3g} mm between {names[order[k]]} and "
            f"{names[order[k + 1]]} ({along[k]:.2f} and {along[k + 1]:.2f} mm along the slice normal), where the "
            f"closest slices are {closest:.3g} mm apart: a missing slice or irregular spacing (beyond "
            f"slice_tolerance {options.slice_tolerance:g})"
        )
    step = (positions[-1] - positions[0]) / (len(positions) - 1)
    shift = step - (step @ normal) * normal
    pixel = min(first.spacing)
    if np.linalg.norm(shift) * (len(positions) - 1) <= 0.5 * pixel:
        shift = np.zeros(3)
    elif options.gantry_tilt != "resample":
        angle = np.degrees(np.arctan2(np.linalg.norm(shift), step @ normal))
        raise DataError(
            f"case {case!r}: {where} was acquired with a gantry tilt of {angle:.1f}° (each slice "
            f"shifted {np.linalg.norm(shift):.3g} mm in plane); set `gantry_tilt: resample` on the dataset to "
            "resample it onto an orthogonal grid"
        )
    rows, columns = first.shape
    direction = np.stack([row, col, normal], axis=1)
    return Series(
        folder=Path(folder),
        files=tuple(s.file for s in slices) if multiframe else tuple(slices[i].file for i in order),
        frames=tuple(int(i) for i in order) if multiframe else None,
        size=(columns, rows, len(positions)),
        spacing=(first.spacing[1], first.spacing[0], float(step @ normal)),
        origin=tuple(float(v) for v in positions[0]),
        direction=tuple(float(v) for v in direction.ravel()),
        shift=tuple(float(v) for v in shift),
        rescale=tuple(rescale[i] for i in order),
        modality=first.modality,
        uid=first.series,
        frame_of_reference=first.frame_of_reference,
        sop_uids=() if multiframe else tuple(slices[i].sop for i in order),
    )


def scan_series(path, case: str, key: str | None = None, options: DicomOptions = DicomOptions()) -> Series:
    """The checked geometry of the DICOM image at ``path``: a series folder or one multi-frame file (headers only)."""
    path = Path(path)
    files, where = (series_files(path), f"series folder {path}") if path.is_dir() else ([path], f"DICOM file {path}")
    if not files:
        raise DataError(f"case {case!r}: {where} is empty")
    slices = pick_series([read_slice(f, case, where) for f in files], key, case, where)
    return check_series(slices, case, where, path, options)


def _pixel_type(series: Series):
    """The pixel type to read a series in: GDCM's own choice where the rescale keeps integers, else float32."""
    import SimpleITK as sitk

    rescale = np.asarray(series.rescale)
    integral = np.all(rescale[:, 0] == 1) and np.all(rescale[:, 1] == np.round(rescale[:, 1]))
    return sitk.sitkUnknown if integral and len(set(series.rescale)) == 1 else sitk.sitkFloat32


def read_series(series: Series, case: str):
    """The series' voxels as a SimpleITK image (rescale applied) with the checked geometry, tilt resampled."""
    import SimpleITK as sitk

    if series.frames is None:
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames([str(f) for f in series.files])
        reader.SetOutputPixelType(_pixel_type(series))
        try:
            image = reader.Execute()
        except RuntimeError as err:
            reason = str(err).strip().splitlines()[-1] if str(err).strip() else "unknown error"
            raise DataError(f"case {case!r}: cannot read the pixels of {series.folder}: {reason}") from None
    else:
        image = sitk.GetImageFromArray(_multiframe_voxels(series, case))
    if image.GetSize() != series.size:
        raise DataError(f"case {case!r}: {series.folder} gave {image.GetSize()} voxels, its headers {series.size}")
    image.SetSpacing(series.spacing)
    image.SetOrigin(series.origin)
    image.SetDirection(series.direction)
    return _untilt(image, series) if series.tilted else image


def _multiframe_voxels(series: Series, case: str) -> np.ndarray:
    import pydicom

    try:
        stored = pydicom.dcmread(series.files[0]).pixel_array
    except Exception as err:  # pydicom raises many kinds for missing decoders and broken pixel data
        raise DataError(f"case {case!r}: cannot read the pixels of {series.files[0]}: {err}") from None
    stored = stored[np.asarray(series.frames)]
    slope, intercept = np.asarray(series.rescale).T
    if np.all(slope == 1) and np.all(intercept == np.round(intercept)) and len(set(series.rescale)) == 1:
        wide = stored.astype(np.int32) + int(intercept[0])
        small = np.int16 if wide.min() >= -(2**15) and wide.max() < 2**15 else np.int32
        return wide.astype(small)
    return (stored * slope[:, None, None].astype(np.float32) + intercept[:, None, None].astype(np.float32)).astype(
        np.float32
    )


def _untilt(image, series: Series):
    """A gantry-tilted series resampled (linear, float32) onto the orthogonal grid of its first slice."""
    import SimpleITK as sitk

    normal = np.asarray(series.direction).reshape(3, 3)[:, 2]
    transform = sitk.AffineTransform(3)
    transform.SetCenter(series.origin)
    matrix = np.eye(3) - np.outer(series.shift, normal) / series.spacing[2]
    transform.SetMatrix(tuple(float(v) for v in matrix.ravel()))
    low = float(sitk.GetArrayViewFromImage(image).min())
    return sitk.Resample(image, image, transform, sitk.sitkLinear, low, sitk.sitkFloat32)


def mask_kind(path) -> str | None:
    """``"seg"`` or ``"rtstruct"`` for a DICOM SEG or RTSTRUCT file, None for anything else."""
    import pydicom

    if not is_dicom(path):
        return None
    ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["SOPClassUID", "Modality"])
    if str(ds.get("SOPClassUID", "")) == SEG_STORAGE or ds.get("Modality") == "SEG":
        return "seg"
    if str(ds.get("SOPClassUID", "")) == RTSTRUCT_STORAGE or ds.get("Modality") == "RTSTRUCT":
        return "rtstruct"
    return None


class ReferenceMismatch(DataError):
    """A SEG or RTSTRUCT that references another series than its case's image (a sheet error: not skipped)."""


def _check_reference(kind: str, path, frames: set[str], series: set[str], image: Series, case: str) -> None:
    what = {"seg": "DICOM SEG", "rtstruct": "RTSTRUCT"}[kind]
    if frames and image.frame_of_reference not in frames:
        raise ReferenceMismatch(
            f"case {case!r}: {what} file {path} does not belong to its image {image.folder}: it references frame "
            f"of reference {', '.join(sorted(frames))}, the image's is {image.frame_of_reference}"
        )
    if series and image.uid not in series:
        raise ReferenceMismatch(
            f"case {case!r}: {what} file {path} does not belong to its image {image.folder}: it references series "
            f"{', '.join(sorted(series))}, the image is series {image.uid}"
        )


def read_seg(path, image: Series, case: str, segment: int | str | None) -> tuple[np.ndarray, str]:
    """The (D, H, W) boolean mask of one segment of a DICOM SEG on the image's grid (highdicom), and its name.

    ``segment``: a segment number, a segment label, or None for a SEG with one segment.
    """
    import highdicom as hd

    try:
        seg = hd.seg.segread(path)
    except Exception as err:  # highdicom refuses a broken SEG with many kinds of error
        raise DataError(f"case {case!r}: cannot read DICOM SEG file {path}: {err}") from None
    referenced = {str(r.SeriesInstanceUID) for r in seg.get("ReferencedSeriesSequence", [])}
    _check_reference("seg", path, {str(seg.FrameOfReferenceUID)}, referenced, image, case)
    numbers = list(seg.segment_numbers)
    labels = {int(d.SegmentNumber): str(d.SegmentLabel) for d in seg.SegmentSequence}
    listed = ", ".join(f"{n} {labels[n]!r}" for n in numbers)
    if segment is None:
        if len(numbers) != 1:
            raise DataError(
                f"case {case!r}: DICOM SEG file {path} holds {len(numbers)} segments ({listed}); name one with a "
                "'segment' column or the dataset's `segment` option"
            )
        number = numbers[0]
    elif str(segment).strip().lstrip("-").isdigit() and int(segment) in numbers:
        number = int(segment)
    else:
        matches = [n for n in numbers if labels[n] == str(segment)]
        if len(matches) != 1:
            raise DataError(f"case {case!r}: DICOM SEG file {path} has no segment {segment!r} (has {listed})")
        number = matches[0]
    if image.tilted:
        raise DataError(f"case {case!r}: a DICOM SEG mask on a gantry-tilted series is not supported")
    grid = hd.VolumeGeometry.from_components(  # highdicom's axes: (slice, row, column), as our (z, y, x)
        image.size[::-1],
        spacing=image.spacing[::-1],
        coordinate_system="PATIENT",
        position=image.origin,
        direction=np.asarray(image.direction).reshape(3, 3)[:, ::-1],
    )
    try:
        volume = seg.get_volume(segment_numbers=[number]).match_geometry(grid, tol=1e-3 * min(image.spacing))
    except (RuntimeError, ValueError) as err:
        raise DataError(f"case {case!r}: DICOM SEG file {path} does not lie on its image's grid: {err}") from None
    values = np.asarray(volume.array)
    return (values[..., 0] if values.ndim == 4 else values) > 0, f"segment {number} {labels[number]!r}"


def read_rtstruct(path, image: Series, case: str, roi: str | None) -> tuple[np.ndarray, str]:
    """The (D, H, W) boolean mask of one structure of an RTSTRUCT rasterised on the image's slices (rt-utils), its name.

    ``roi``: the structure's name, or None for an RTSTRUCT with one structure.
    """
    import pydicom
    from rt_utils import RTStruct

    ds = pydicom.dcmread(path)
    frames, series = set(), set()
    for item in ds.get("ReferencedFrameOfReferenceSequence", []):
        frames.add(str(item.FrameOfReferenceUID))
        for study in item.get("RTReferencedStudySequence", []):
            series |= {str(s.SeriesInstanceUID) for s in study.get("RTReferencedSeriesSequence", [])}
    _check_reference("rtstruct", path, frames, series, image, case)
    names = [str(r.ROIName) for r in ds.get("StructureSetROISequence", [])]
    if roi is None:
        if len(names) != 1:
            raise DataError(
                f"case {case!r}: RTSTRUCT file {path} holds {len(names)} structures ({names}); name one with a "
                "'roi' column or the dataset's `roi` option"
            )
        roi = names[0]
    if roi not in names:
        raise DataError(f"case {case!r}: RTSTRUCT file {path} has no structure {roi!r} (has {names})")
    if image.frames is not None or image.tilted:
        raise DataError(
            f"case {case!r}: an RTSTRUCT mask on a multi-frame or gantry-tilted series is not supported; "
            "convert it to a SEG or a NIfTI mask"
        )
    columns, rows, depth = image.size
    # rt-utils rasterises square slices with the pixel spacing read as (x, y): give it square headers with the
    # spacing swapped, so that it places non-square slices and pixels right; the extra rows or columns are cut.
    side, spacing = max(rows, columns), [image.spacing[0], image.spacing[1]]
    row, col = np.asarray(image.direction).reshape(3, 3)[:, :2].T
    headers = []
    for k, sop in enumerate(image.sop_uids):
        header = pydicom.Dataset()
        header.SOPInstanceUID = sop
        position = np.asarray(image.origin) + k * image.spacing[2] * np.asarray(image.direction).reshape(3, 3)[:, 2]
        header.ImagePositionPatient = [float(v) for v in position]
        header.ImageOrientationPatient = [float(v) for v in (*row, *col)]
        header.PixelSpacing = spacing
        header.Rows = header.Columns = side
        headers.append(header)
    try:
        mask = RTStruct(headers, ds).get_roi_mask_by_name(roi)
    except Exception as err:  # rt-utils raises plain Exceptions
        raise DataError(f"case {case!r}: cannot rasterise structure {roi!r} of RTSTRUCT file {path}: {err}") from None
    return np.ascontiguousarray(np.transpose(mask, (2, 0, 1))[:, :rows, :columns]), f"structure {roi!r}"


def read_dicom_mask(path, kind: str, image: Series | None, case: str, options: DicomOptions, choice=None):
    """The region of interest of a SEG or RTSTRUCT mask file on its DICOM image; ``choice``: the row's segment/roi."""
    what = {"seg": "DICOM SEG", "rtstruct": "RTSTRUCT"}[kind]
    if image is None:
        raise DataError(f"case {case!r}: {what} mask file {path} needs a DICOM image (a series folder) to lie on")
    if kind == "seg":
        mask, name = read_seg(path, image, case, choice if choice not in (None, "") else options.segment)
    else:
        mask, name = read_rtstruct(path, image, case, choice if choice not in (None, "") else options.roi)
    if not mask.any():
        raise DataError(f"case {case!r}: {name} of {what} file {path} covers no voxel of its image (empty)")
    return mask
