"""End to end on a sheet of two sequences and three raters: the agreement tables against independent computations,
radiomics stable across the raters' masks, deep features per sequence, a network trained on the sequences."""

import itertools

import krippendorff
import numpy as np
import pandas as pd
import pytest
from rater_files import CLASSES, write_rater_sheet
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
from test_workflow import new_folder, snakemake, write_config

RESULTS = "results"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    work = new_folder(tmp_path_factory.mktemp("raters") / "p")
    sheet, truth = write_rater_sheet(work / "data", cases=12)
    config = {
        "results": RESULTS,
        "seed": 3,
        "downloads": False,
        "datasets": [
            {"name": "mr", "source": "sheet", "path": str(sheet), "size": [8, 12, 12], "crop_margin": 2.0},
            {"name": "mr_noise", "parent": "mr", "label_noise": 0.25},
        ],
        "features": {
            "radiomics": {"type": "radiomics", "params": "fast", "stable_only": True},
            "deep": {"type": "random_resnet", "depth": 10, "size": [8, 8, 8], "pca": 4},
        },
        "metrics": {"knn_auc": {"type": "knn_auc", "chunks": 1, "sessions_per_chunk": 20}},
        "models": {"cnn3d": {"type": "cnn3d", "folds": 2, "epochs": 1, "batch_size": 6}},
        "calibration": {"tables": []},
        "correlation": {"bootstrap": 20, "study_compat": False},
    }
    write_config(work, config)
    snakemake(work)
    return work, truth


def test_the_label_agreement_equals_statsmodels_and_krippendorff(project):
    work, truth = project
    summary = pd.read_csv(work / RESULTS / "raters" / "summary.tsv", sep="\t")
    row = summary.set_index("feature").loc["radiomics"]
    codes = np.array([[CLASSES.index(label) for label in t["labels"]] for t in truth.values()])
    assert row["label_raters"] == 3 and row["mask_raters"] == 3 and row["label_ties"] == 0
    assert row["label_kappa"] == pytest.approx(fleiss_kappa(aggregate_raters(codes)[0]), abs=1e-12)
    alpha = krippendorff.alpha(reliability_data=codes.T, level_of_measurement="nominal")
    assert row["label_alpha"] == pytest.approx(alpha, abs=1e-12)
    assert row["label_kappa_ci_low"] <= row["label_kappa"] <= row["label_kappa_ci_high"]
    # rater 1 gives the class; each other rater's reference (the other two, ties drawn) and its own labels
    assert 0.5 < row["auc_ceiling"] <= 1


def test_the_mask_agreement_of_each_case_equals_numpy(project):
    work, truth = project
    table = pd.read_csv(work / RESULTS / "raters" / "mr.tsv", sep="\t").set_index("case_id")
    for case, t in truth.items():
        pairs = [2 * (a & b).sum() / (a.sum() + b.sum()) for a, b in itertools.combinations(t["masks"], 2)]
        volumes = [m.sum() * 2.0 for m in t["masks"]]  # 2 mm³ voxels
        assert table.loc[case, "mask_dice"] == pytest.approx(np.mean(pairs), abs=1e-12)
        assert table.loc[case, "mask_volume_cv"] == pytest.approx(np.std(volumes, ddof=1) / np.mean(volumes), abs=1e-12)
        assert table.loc[case, "label_agreement"] == pytest.approx(np.mean([g == t["label"] for g in t["labels"]]))
        assert table.loc[case, "raters_disagree"] == bool(
            table.loc[case, "label_agreement"] < 1 or np.mean(pairs) < 0.8
        )
        assert table.loc[case, "mask_hd95"] > 0
    curation = pd.read_csv(work / RESULTS / "curation" / "mr_noise.tsv", sep="\t").set_index("case_id")
    assert curation["raters_disagree"].equals(table.loc[curation.index, "raters_disagree"])


def test_stable_only_keeps_the_features_whose_icc_across_raters_reaches_the_threshold(project):
    work, _ = project
    icc = pd.read_csv(work / RESULTS / "raters" / "features" / "mr" / "radiomics.icc.tsv", sep="\t")
    kept = pd.read_parquet(work / RESULTS / "features" / "mr" / "radiomics.parquet").columns[1:]
    raw = pd.read_parquet(work / RESULTS / "features" / "mr" / "radiomics_raw.parquet").columns[1:]
    assert list(icc["feature"]) == list(raw) and (icc["stable"] == (icc["icc"] >= 0.75)).all()
    assert set(kept) <= set(icc.loc[icc["stable"], "feature"]) and 0 < len(kept) < len(raw)
    assert "s1_original_shape_VoxelVolume" in kept  # the masks differ by a voxel's shell: their volumes agree
    summary = pd.read_csv(work / RESULTS / "raters" / "summary.tsv", sep="\t").set_index("feature")
    assert summary.loc["radiomics", "stable_features"] == icc["stable"].sum()
    assert (work / RESULTS / "raters" / "icc.png").stat().st_size > 0 and (
        work / RESULTS / "raters" / "mr.png"
    ).exists()


def test_each_sequence_has_its_features_and_the_network_trains_on_both(project):
    work, _ = project
    raw = pd.read_parquet(work / RESULTS / "features" / "mr" / "radiomics_raw.parquet").columns[1:]
    assert {c.split("_")[0] for c in raw} == {"s1", "s2"}
    deep = pd.read_parquet(work / RESULTS / "features" / "mr" / "deep_raw.parquet").columns[1:]
    assert len(deep) == 2 * 512 and deep[0] == "s1_f0000" and deep[-1] == "s2_f0511"
    grid = np.load(work / RESULTS / "prepared" / "mr" / "shard0" / "grid.npy", mmap_mode="r")
    assert grid.shape == (12, 2, 8, 12, 12)
    folds = pd.read_csv(work / RESULTS / "models" / "mr" / "cnn3d.tsv", sep="\t")
    assert len(folds) == 2 and folds["auc"].between(0, 1).all()
