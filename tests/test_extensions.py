"""Adding a type is one module: in a copy of the package, one new module of each kind and nothing else.

The common tests (tests/test_registries.py) then run over the new types, which the registries find by
scanning their subpackages (a source and a variant kind in ``data/sources/`` and ``data/variants/``), and the
reference command lists them: what docs/architecture.md promises.
"""

import re
import shutil
import subprocess
import sys
import textwrap

from conftest import REPO

NEW_MODULES = {
    "metrics/centroid_gap.py": '''
        """Distance between the two class centroids over the pooled spread."""

        import numpy as np

        from .registry import register_metric


        @register_metric("centroid_gap", higher_is_easier=True, reference="a test of the registry")
        def centroid_gap(X, y, groups=None):
            """Centroid distance over the pooled SD"""
            first, second = np.unique(y)[:2]
            gap = np.linalg.norm(X[y == first].mean(axis=0) - X[y == second].mean(axis=0))
            return float(gap / (X.std() + 1e-12))
    ''',
    "features/mask_extent.py": '''
        """The extent of each case's mask in mm, from its original view."""

        import numpy as np
        import pandas as pd

        from .registry import register_feature


        @register_feature("mask_extent")
        def extract(data, *, options, inputs, seed, threads):
            """Mask extent along z, y and x in mm"""
            rows = []
            for case in data.originals():
                where = np.argwhere(case.mask)
                rows.append((where.max(axis=0) - where.min(axis=0) + 1) * np.asarray(case.spacing))
            table = pd.DataFrame(np.asarray(rows, dtype=np.float64), columns=["extent_z", "extent_y", "extent_x"])
            table.insert(0, "case_id", data.case_ids)
            return table
    ''',
    "models/pooled_linear.py": '''
        """A linear classifier of the volume pooled to a small cube (a required option)."""

        from ..options import Option
        from .registry import register_model


        @register_model(
            "pooled_linear",
            options={"side": Option(help="side of the pooled cube", schema={"type": "integer", "minimum": 1})},
            example=lambda folder: {"side": 2},
        )
        def build(n_classes, side):
            """Average-pool to side³, then one linear layer"""
            from torch import nn

            return nn.Sequential(nn.AdaptiveAvgPool3d(side), nn.Flatten(), nn.Linear(side**3, n_classes))
    ''',
    "data/sources/spheres.py": '''
        """Seeded spheres of two radii in noise, written nowhere: a source with a required option."""

        import numpy as np
        import pandas as pd

        from ...options import Option
        from ..cases import Case
        from .registry import register_source


        def sphere_cases(spec):
            ids = [f"sph{i:03d}" for i in range(2 * spec["n_per_class"])]
            return pd.DataFrame({"case_id": ids, "patient_id": ids, "label": ["small", "large"] * spec["n_per_class"]})


        @register_source(
            "spheres",
            cases=sphere_cases,
            options={"n_per_class": Option(help="cases per class", schema={"type": "integer", "minimum": 2})},
            example=lambda folder: {"n_per_class": 3},
        )
        def read(spec, rows, seed):
            """Spheres of radius 3 or 5 voxels in Gaussian noise"""
            grid = np.indices((16, 16, 16)) - 7.5
            for row in rows.itertuples():
                rng = np.random.default_rng([seed, int(row.case_id[3:])])
                mask = (grid**2).sum(axis=0) <= (3 if row.label == "small" else 5) ** 2
                yield Case(row.case_id, rng.normal(0, 1, mask.shape) + 2.0 * mask, mask)
    ''',
    "data/variants/first_half.py": '''
        """Keep the first cases of each class: a variant kind that leaves cases out."""

        from ...options import Option
        from .registry import register_variant


        @register_variant(
            "first_half",
            options={"first_half": Option(True, "keep the first half of each class's cases", {"type": "boolean"})},
        )
        def first_half(table, options, seed):
            """The first half of each class's cases"""
            if not options["first_half"]:
                return table
            keep = table.groupby("label").cumcount() < table.groupby("label")["case_id"].transform("size") // 2
            return table[keep].reset_index(drop=True)
    ''',
}
NEW_TYPES = ["centroid_gap", "mask_extent", "pooled_linear", "spheres", "first_half"]


def test_one_new_module_of_each_kind_is_found_tested_and_listed(tmp_path):
    for name in ("src", "tests", "config"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    for path, text in NEW_MODULES.items():
        (tmp_path / "src" / "difficulty" / path).write_text(textwrap.dedent(text).lstrip())
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_registries.py", "-q", "-p", "no:cacheprovider"]
        + ["-k", " or ".join(NEW_TYPES)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    # documented (5), read / made / extracted / built (4), the metric scored by name and its three behaviour tests (4)
    assert tests.returncode == 0 and re.search(r"\b13 passed\b", tests.stdout), tests.stdout[-3000:]
    listing = subprocess.run(
        [sys.executable, "-m", "difficulty.pipeline.reference"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert listing.returncode == 0, listing.stderr
    for line in (
        "`type: centroid_gap`: Centroid distance over the pooled SD; higher is easier.",
        "| `centroid_gap` | Centroid distance over the pooled SD | higher | a test of the registry |",
        "`type: mask_extent`: Mask extent along z, y and x in mm.",
        "`type: pooled_linear`: Average-pool to side³, then one linear layer.",
        "- `side` (required): side of the pooled cube",
        "`source: spheres`: Spheres of radius 3 or 5 voxels in Gaussian noise.",
        "Variant kind `first_half`: The first half of each class's cases.",
    ):
        assert line in listing.stdout, line
