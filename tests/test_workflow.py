"""End to end: snakemake on a tiny config in a temporary folder, then re-runs."""

import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ADRENAL, REPO, write_nifti

SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
AGGREGATES = {"summarize_metrics", "summarize_models", "correlate", "correlate_study", "scatter", "heatmap", "all"}


def tiny_medmnist(path):
    """30 real AdrenalMNIST3D cases (15 per class) in the official file layout."""
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


def tiny_sheet(folder):
    rng = np.random.default_rng(1)
    rows = ["case_id,label,image,mask,patient_id"]
    (folder / "nifti").mkdir()
    for i in range(16):
        label = i % 2
        image = rng.normal(80 + 40 * label, 15, (16, 16, 16)).astype(np.float32)
        mask = np.zeros((16, 16, 16), np.uint8)
        mask[3:13, 3:13, 3:13] = 1
        write_nifti(folder / "nifti" / f"s{i:02d}.nii.gz", image)
        write_nifti(folder / "nifti" / f"s{i:02d}_mask.nii.gz", mask)
        rows.append(
            f"s{i:02d},{'benign' if label else 'other'},nifti/s{i:02d}.nii.gz,nifti/s{i:02d}_mask.nii.gz,pt{i // 2}"
        )
    (folder / "sheet.csv").write_text("\n".join(rows) + "\n")
    return folder / "sheet.csv"


def tiny_config(work):
    tiny_medmnist(work / "tiny.npz")
    radiomics = {"setting": {"binWidth": 25, "label": 1}, "imageType": {"Original": {}}}
    radiomics["featureClass"] = {"firstorder": None, "shape": None, "glcm": None}
    (work / "radiomics.yaml").write_text(yaml.safe_dump(radiomics))
    return {
        "seed": 7,
        "datasets": [
            {"name": "tiny", "source": "medmnist", "path": str(work / "tiny.npz")},
            {"name": "tiny_noisy", "parent": "tiny", "label_noise": 0.3},
            {"name": "nifti", "source": "sheet", "path": str(tiny_sheet(work)), "normalize": "zscore"},
            {"name": "phantoms", "source": "synthetic", "separation": 1.0, "n_per_class": 12, "shape": [16, 16, 16]},
        ],
        "features": {
            "radiomics": {"params": str(work / "radiomics.yaml"), "shards": 2},
            "random_resnet10": {"size": [16, 16, 16], "batch_size": 8, "pca": 4},
        },
        "metrics": {"names": ["sil", "fid"], "seeds": 2, "sessions_per_seed": 5, "fraction": 0.8},
        "models": {"cnn3d": {"folds": 2, "epochs": 1, "channels": [4, 8]}},
        "correlation": {"bootstrap": 20},
    }


def snakemake(work, *args, check=True):
    result = subprocess.run(
        [*SNAKEMAKE, "--directory", str(work), "--configfile", str(work / "config.yaml"), "--cores", "2", *args],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONHASHSEED": "1"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}")
    return result


def scheduled_jobs(work, *args):
    """(rule, wildcards) of every job a dry run (with ``args``) would execute."""
    out = snakemake(work, "--dry-run", *args).stdout
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", out):
        match = re.match(r"(?:local)?rule (\w+):", block.strip())
        if match:
            wild = re.search(r"wildcards: (.*)", block)
            jobs.append((match.group(1), wild.group(1) if wild else ""))
    return jobs


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    work = tmp_path_factory.mktemp("run")
    (work / "config.yaml").write_text(yaml.safe_dump(tiny_config(work)))
    snakemake(work)
    return work


def test_every_output_exists_with_sane_values(finished):
    res = finished / "results"
    names = ["tiny", "tiny_noisy", "nifti", "phantoms"]
    scores = pd.read_parquet(res / "metrics" / "scores.parquet")
    assert len(scores) == 4 * 2 * 2 * 2 * 5  # datasets x features x metrics x seeds x sessions
    assert scores["score"].between(-1, 1).all()
    for chunk in (res / "metrics").glob("*/*/*/seed*.parquet"):
        assert len(pd.read_parquet(chunk)) == 5
    summary = pd.read_csv(res / "metrics" / "summary.tsv", sep="\t")
    assert set(summary["dataset"]) == set(names) and (summary["sessions"] == 10).all()
    folds = pd.read_csv(res / "models" / "folds.tsv", sep="\t")
    assert len(folds) == 4 * 2 and folds["auc"].between(0, 1).all()
    table = pd.read_csv(res / "correlation" / "table.tsv", sep="\t")
    assert len(table) == 2 * 2 and (table["n_datasets"] == 4).all()
    assert table[["pearson_r", "spearman_r"]].abs().le(1).all().all()
    assert len(pd.read_csv(res / "correlation" / "study_compat.tsv", sep="\t")) == 4
    pngs = list((res / "correlation" / "scatter").glob("*.png")) + [res / "correlation" / "heatmap.png"]
    assert len(pngs) == 5 and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)
    radiomics = pd.read_parquet(res / "features" / "tiny" / "radiomics.parquet")
    assert len(radiomics) == 30 and radiomics.drop(columns="case_id").notna().all().all()
    deep = pd.read_parquet(res / "features" / "nifti" / "random_resnet10.parquet")
    assert deep.shape == (16, 1 + 4)
    noisy = pd.read_parquet(res / "labels" / "tiny_noisy.parquet")
    clean = pd.read_parquet(res / "labels" / "tiny.parquet")
    assert (noisy["label"] != clean["label"]).sum() == 9  # round(0.3 * 30)
    # The label-noise variant reuses its parent's images and features: none of its own.
    assert not (res / "prepared" / "tiny_noisy").exists() and not (res / "features" / "tiny_noisy").exists()
    assert (finished / "logs" / "radiomics" / "tiny.shard1.log").read_text().count("radiomics:") >= 1


def test_rerun_schedules_nothing_then_only_the_changed_dataset(finished):
    assert scheduled_jobs(finished) == []
    image = finished / "nifti" / "s03.nii.gz"
    write_nifti(image, np.full((16, 16, 16), 42.0, np.float32))
    jobs = scheduled_jobs(finished)
    rules = {rule for rule, _ in jobs}
    assert {"prepare", "labels", "radiomics_shard", "deep_features", "bootstrap", "train_reference"} <= rules
    for rule, wildcards in jobs:
        if rule not in AGGREGATES:
            assert re.search(r"(root|dataset)=nifti\b", wildcards), (rule, wildcards)
    assert len([j for j in jobs if j[0] == "bootstrap"]) == 2 * 2 * 2


def test_config_typo_and_wrong_type_stop_the_run_naming_the_key(tmp_path):
    config = tiny_config(tmp_path)
    config["metrics"]["sesions_per_seed"] = 5
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(tmp_path, "--dry-run", check=False)
    assert result.returncode != 0 and "sesions_per_seed" in result.stdout + result.stderr
    del config["metrics"]["sesions_per_seed"]
    config["metrics"]["seeds"] = "two"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(tmp_path, "--dry-run", check=False)
    assert result.returncode != 0 and re.search(r"'two' is not of type 'integer'", result.stdout + result.stderr)


def test_missing_inputs_stop_before_any_work(tmp_path):
    config = tiny_config(tmp_path)
    features = config["features"]
    config["features"] = {"medicalnet_resnet50": {"weights": str(tmp_path / "w" / "resnet_50_23dataset.pth")}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(tmp_path, check=False)
    text = result.stdout + result.stderr
    assert result.returncode != 0 and "resnet_50_23dataset.pth is missing" in text and "no random weights" in text
    assert not (tmp_path / "results").exists()
    config["features"] = features
    (tmp_path / "nifti" / "s05_mask.nii.gz").unlink()
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(tmp_path, check=False)
    assert result.returncode != 0 and "case 's05': mask file" in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_pretrained_medicalnet_feature_runs_from_a_checkpoint_file(tmp_path):
    import torch

    from difficulty.io import file_digest
    from difficulty.medicalnet import MedicalNetBackbone

    weights = tmp_path / "weights"
    weights.mkdir()
    checkpoint = weights / "resnet_10_23dataset.pth"
    state = {f"module.{k}": v for k, v in MedicalNetBackbone(10).state_dict().items()}
    torch.save({"state_dict": state}, checkpoint)
    config = {
        "datasets": [{"name": "ph", "source": "synthetic", "separation": 0.5, "n_per_class": 6, "shape": [16, 16, 16]}],
        "features": {"medicalnet_resnet10": {"weights": str(checkpoint), "size": [16, 16, 16]}},
        "metrics": {},
        "models": {"cnn3d": {}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    target = "results/features/ph/medicalnet_resnet10_raw.parquet"
    result = snakemake(tmp_path, target, check=False)
    assert result.returncode != 0 and "has no SHA-256 entry" in result.stdout + result.stderr
    digest = file_digest(checkpoint, "sha256")
    (weights / "SHA256SUMS").write_text(f"{digest}  resnet_10_23dataset.pth\n")
    snakemake(tmp_path, target)
    table = pd.read_parquet(tmp_path / target)
    assert table.shape == (12, 1 + 512) and np.isfinite(table.drop(columns="case_id").to_numpy()).all()
    (weights / "SHA256SUMS").write_text(f"{'0' * 64}  resnet_10_23dataset.pth\n")
    result = snakemake(tmp_path, target, "--forcerun", "deep_features", check=False)
    log = (tmp_path / "logs" / "deep" / "ph.medicalnet_resnet10.log").read_text()
    assert result.returncode != 0 and "does not match" in log


def test_documented_download_commands_schedule_the_download_rules(tmp_path):
    """`--config downloads=True -- <file>` (README, error messages) plans a download, nothing else."""
    config = {"datasets": [{"name": "ph", "source": "synthetic", "separation": 0.5}], "features": {"radiomics": {}}}
    config |= {"metrics": {}, "models": {"cnn3d": {}}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    downloads = {"w/resnet_50_23dataset.pth": "download_weights", "m/nodulemnist3d_64.npz": "download_medmnist"}
    for target, rule in downloads.items():
        jobs = scheduled_jobs(tmp_path, "--config", "downloads=True", "--", target)
        assert [r for r, _ in jobs] == [rule]
