"""DICOM written by the tests: CT series (pydicom), enhanced multi-frame files and SEGs (highdicom), RTSTRUCTs
(rt-utils), with headers that carry recognisable patient data (the privacy tests look for it in the results)."""

import warnings
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

PHI = {"PatientName": "Zyxwvut^Quimby", "PatientBirthDate": "19230417", "AccessionNumber": "ACCN7731942"}
AXIAL = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0))
CORONAL = ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0))
SAGITTAL = ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0))


def ct_slice(plane, position, orientation, spacing, *, slope=1.0, intercept=-1024.0, series, frame, study, number):
    """One CT Image Storage dataset of stored values ``plane`` (rows, columns), int16."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
    for name, value in PHI.items():
        setattr(ds, name, value)
    ds.PatientID, ds.PatientSex, ds.ReferringPhysicianName = "MRN55501234", "O", "Qwerty^Doctor"
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = ds.AcquisitionDate = "20190305"
    ds.StudyTime = ds.ContentTime = "101500"
    ds.StudyID, ds.Modality, ds.Manufacturer, ds.SeriesNumber, ds.InstanceNumber = "1", "CT", "tests", 3, number
    ds.PositionReferenceIndicator = ""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.ImagePositionPatient = [float(v) for v in position]
    ds.ImageOrientationPatient = [float(v) for v in (*orientation[0], *orientation[1])]
    ds.PixelSpacing = [float(spacing[1]), float(spacing[0])]  # row spacing (y), column spacing (x)
    ds.SliceThickness = 99.0  # deliberately wrong: the spacing comes from the positions
    ds.Rows, ds.Columns = plane.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = slope, intercept, "HU"
    ds.KVP, ds.AcquisitionNumber = 120, 1
    ds.PixelData = np.ascontiguousarray(plane, dtype=np.int16).tobytes()
    return ds


def write_series(
    folder,
    stored,
    *,
    spacing=(0.7, 0.8, 2.5),
    origin=(-10.0, 20.0, 30.0),
    orientation=AXIAL,
    slope=1.0,
    intercept=-1024.0,
    shift=(0.0, 0.0, 0.0),
    uids=None,
    names=None,
    skip=(),
):
    """Write ``stored`` (D, H, W) as one CT series into ``folder``, slice k at origin + k·spacing_z·normal + k·shift.

    ``spacing``: (x, y, z) mm; ``slope``, ``intercept``: one value, or one per slice; ``uids``: (series, frame of
    reference, study), new ones if None; ``names``: file names (default IM0000.dcm, ...); ``skip``: slices not
    written (a missing slice). Returns the datasets written, in slice order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    series, frame, study = uids or (generate_uid(), generate_uid(), generate_uid())
    normal = np.cross(*orientation)
    slopes, intercepts = np.broadcast_to(slope, len(stored)), np.broadcast_to(intercept, len(stored))
    written = []
    for k, plane in enumerate(stored):
        if k in skip:
            continue
        position = np.asarray(origin) + k * spacing[2] * normal + k * np.asarray(shift)
        ds = ct_slice(
            plane,
            position,
            orientation,
            spacing,
            slope=float(slopes[k]),
            intercept=float(intercepts[k]),
            series=series,
            frame=frame,
            study=study,
            number=k + 1,
        )
        ds.save_as(folder / (names[k] if names else f"IM{k:04d}.dcm"), enforce_file_format=True)
        written.append(ds)
    return written


def hounsfield(datasets) -> np.ndarray:
    """(D, H, W) float64 rescaled values of single-frame datasets, as pydicom computes them."""
    from pydicom.pixels import apply_rescale

    return np.stack([apply_rescale(ds.pixel_array, ds) for ds in datasets]).astype(np.float64)


def write_enhanced(path, datasets, order=None):
    """The single-frame ``datasets`` as one Legacy Converted Enhanced CT file (frames in ``order``)."""
    import highdicom as hd

    chosen = [datasets[i] for i in order] if order is not None else datasets
    image = hd.legacy.LegacyConvertedEnhancedCTImage(
        chosen, series_instance_uid=hd.UID(), series_number=9, sop_instance_uid=hd.UID(), instance_number=1
    )
    image.save_as(path)
    return path


def write_seg(path, datasets, masks: dict[str, np.ndarray]):
    """A binary DICOM SEG (highdicom) of the source ``datasets`` with one segment per (label: (D, H, W) mask)."""
    import highdicom as hd
    from pydicom.sr.codedict import codes

    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=n,
            segment_label=label,
            segmented_property_category=codes.SCT.Tissue,
            segmented_property_type=codes.SCT.Tissue,
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
        )
        for n, label in enumerate(masks, start=1)
    ]
    seg = hd.seg.Segmentation(
        source_images=datasets,
        pixel_array=np.stack(list(masks.values()), axis=-1).astype(np.uint8),
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=hd.UID(),
        series_number=5,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer="tests",
        manufacturer_model_name="tests",
        software_versions="1",
        device_serial_number="1",
    )
    seg.save_as(path)
    return path


def write_rtstruct(path, folder, datasets, masks: dict[str, np.ndarray]):
    """An RTSTRUCT (rt-utils) on the series in ``folder`` with one structure per (name: (D, H, W) mask).

    rt-utils writes contours right for square slices with square pixels only: it is handed headers of square
    slices with the pixel spacing swapped (as the reader does), so that other slices are written right too.
    """
    from rt_utils import RTStructBuilder

    rt = RTStructBuilder.create_new(str(folder))
    rows, columns = datasets[0].Rows, datasets[0].Columns
    side = max(rows, columns)
    for header in rt.series_data:
        header.PixelSpacing = [header.PixelSpacing[1], header.PixelSpacing[0]]
        header.Rows = header.Columns = side
    for name, mask in masks.items():
        square = np.zeros((len(mask), side, side), bool)
        square[:, :rows, :columns] = mask
        rt.add_roi(mask=np.transpose(square, (1, 2, 0)), name=name)
    with warnings.catch_warnings():  # rt-utils saves with pydicom 2's arguments
        warnings.simplefilter("ignore", DeprecationWarning)
        rt.save(str(path))
    return path
