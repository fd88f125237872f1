"""One case as its source gives it: image, mask and the geometry that places them in the patient (the original view)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Case:
    """A case's original view.

    Attributes
    ----------
    case_id : the case's id.
    image : (D, H, W) voxels as read (any numeric dtype), z slowest; (C, D, H, W) for C named ``sequences``.
    mask : (D, H, W) boolean region of interest (with several raters' masks, their consensus).
    spacing : (z, y, x) voxel size in mm.
    origin : (x, y, z) position of the first voxel in mm (SimpleITK's order).
    direction : 3 × 3 direction cosines, row-major (SimpleITK's order).
    sequences : the names of the image's channels (MRI sequences) where it has several; () for one image.
    raters, rater_masks : the names of the raters who outlined the case and their (D, H, W) boolean masks.
    """

    case_id: str
    image: np.ndarray
    mask: np.ndarray
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)
    direction: tuple[float, ...] = field(default=IDENTITY)
    sequences: tuple[str, ...] = ()
    raters: tuple[str, ...] = ()
    rater_masks: tuple[np.ndarray, ...] = ()

    def channels(self) -> list[tuple[str | None, np.ndarray]]:
        """(sequence name, (D, H, W) image) of each channel; the name is None for a case of one image."""
        if not self.sequences:
            return [(None, self.image)]
        return list(zip(self.sequences, self.image))

    def with_rater_mask(self, rater: str) -> Case:
        """The case with rater ``rater``'s mask as its region of interest (a KeyError names the raters)."""
        if rater not in self.raters:
            raise KeyError(f"case {self.case_id!r} has no mask of rater {rater!r}; its raters: {list(self.raters)}")
        return replace(self, mask=self.rater_masks[self.raters.index(rater)])

    def sitk_images(self, image: np.ndarray | None = None):
        """The image (float64) and the mask (uint8, 1 inside) as SimpleITK images with this geometry.

        ``image`` : one (D, H, W) channel of the case (:meth:`channels`) instead of its image. The image is cast
        inside SimpleITK, so that no float64 copy of it is held in NumPy as well.
        """
        import SimpleITK as sitk

        out = []
        for array in (self.image if image is None else image, self.mask.astype(np.uint8)):
            item = sitk.GetImageFromArray(array)
            item.SetSpacing(tuple(float(s) for s in self.spacing[::-1]))
            item.SetOrigin(tuple(float(o) for o in self.origin))
            item.SetDirection(tuple(float(d) for d in self.direction))
            out.append(item)
        return sitk.Cast(out[0], sitk.sitkFloat64), out[1]

    def geometry(self) -> dict:
        """Shape and spacing as case-table columns."""
        d, h, w = self.image.shape[-3:]
        sz, sy, sx = self.spacing
        return {"shape_z": d, "shape_y": h, "shape_x": w, "spacing_z": sz, "spacing_y": sy, "spacing_x": sx}
