"""One case as its source gives it: image, mask and the geometry that places them in the patient (the original view)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Case:
    """A case's original view.

    Attributes
    ----------
    case_id : the case's id.
    image : (D, H, W) voxels as read (any numeric dtype), z slowest.
    mask : (D, H, W) boolean region of interest.
    spacing : (z, y, x) voxel size in mm.
    origin : (x, y, z) position of the first voxel in mm (SimpleITK's order).
    direction : 3 × 3 direction cosines, row-major (SimpleITK's order).
    """

    case_id: str
    image: np.ndarray
    mask: np.ndarray
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)
    direction: tuple[float, ...] = field(default=IDENTITY)

    def sitk_images(self):
        """The image (float64) and the mask (uint8, 1 inside) as SimpleITK images with this geometry.

        The image is cast inside SimpleITK, so that no float64 copy of it is held in NumPy as well.
        """
        import SimpleITK as sitk

        out = []
        for array in (self.image, self.mask.astype(np.uint8)):
            item = sitk.GetImageFromArray(array)
            item.SetSpacing(tuple(float(s) for s in self.spacing[::-1]))
            item.SetOrigin(tuple(float(o) for o in self.origin))
            item.SetDirection(tuple(float(d) for d in self.direction))
            out.append(item)
        return sitk.Cast(out[0], sitk.sitkFloat64), out[1]

    def geometry(self) -> dict:
        """Shape and spacing as case-table columns."""
        d, h, w = self.image.shape
        sz, sy, sx = self.spacing
        return {"shape_z": d, "shape_y": h, "shape_x": w, "spacing_z": sz, "spacing_y": sy, "spacing_x": sx}
