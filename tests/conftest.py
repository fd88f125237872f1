"""Shared fixtures: small real files written by the tests."""

from pathlib import Path

import numpy as np
import pytest
import SimpleITK as sitk

REPO = Path(__file__).resolve().parents[1]
ADRENAL = REPO / "resources" / "medmnist" / "adrenalmnist3d.npz"


def pytest_collection_modifyitems(items):
    """The tests of the finished tiny project (the longest file) first: under ``make test`` (pytest-xdist, one
    file per worker, in this order) it starts at once while the other files share the other workers."""
    items.sort(key=lambda item: item.path.name != "test_workflow.py")


def write_nifti(path, array, spacing=(1.0, 1.0, 1.0)):
    image = sitk.GetImageFromArray(np.asarray(array))
    image.SetSpacing(spacing)
    sitk.WriteImage(image, str(path))
    return path


@pytest.fixture
def nifti_sheet(tmp_path):
    """A sample sheet of six NIfTI cases of two classes, three patients, masks for all (the sheet source's example)."""
    from difficulty.data.sources.sheet import write_example

    return Path(write_example(tmp_path)["path"])


def prepared(folder, entry, seed=0):
    """Run the prepare steps of a dataset entry into ``folder`` and open the result (a real Prepared)."""
    from difficulty.data import resolve_dataset
    from difficulty.data.jobs import prepare_dataset

    return prepare_dataset(spec=resolve_dataset({"name": "d", **entry}), seed=seed, folder=folder)
