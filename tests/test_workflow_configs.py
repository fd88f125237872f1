"""End to end, each on a project of its own: configs and inputs that are refused before any work, keys of an
earlier release, the documented download, study and validation configs, a pretrained checkpoint, a bad case.

The tests of the finished tiny project and the re-runs of its copies are in test_workflow.py; the two files run
side by side under ``make test`` (pytest-xdist, one file per worker).
"""

import re
import shutil
from collections import Counter

import numpy as np
import pandas as pd
from test_workflow import (
    DATA,
    RESULTS,
    new_folder,
    output,
    scheduled_jobs,
    snakemake,
    tiny_config,
    write_config,
)

from conftest import REPO


def test_config_typo_and_wrong_type_stop_the_run_naming_the_key(tmp_path):
    work = new_folder(tmp_path / "p")
    config = tiny_config(work)
    config["bootstrap"]["sesions_per_chunk"] = 5
    write_config(work, config)
    result = snakemake(work, "--dry-run", check=False)
    assert result.returncode != 0 and "bootstrap: unknown option 'sesions_per_chunk'" in output(result)
    del config["bootstrap"]["sesions_per_chunk"]
    config["bootstrap"]["chunks"] = "two"
    write_config(work, config)
    result = snakemake(work, "--dry-run", check=False)
    assert result.returncode != 0 and "bootstrap.chunks: 'two' is not of type 'integer'" in output(result)
    config["bootstrap"]["chunks"] = 2
    config["features"]["radiomics"]["type"] = "radiomix"
    write_config(work, config)
    text = output(snakemake(work, "--dry-run", check=False))
    known = "registered: intensity_percentiles, medicalnet, radiomics,"  # the tiny project's plugin first
    assert f"features.radiomics.type: unknown feature type 'radiomix'; {known}" in text
    config["features"]["radiomics"] = {"type": "radiomics", "shard": 2}
    write_config(work, config)
    text = output(snakemake(work, "--dry-run", check=False))
    assert (
        "features.radiomics: unknown option 'shard' (known options: icc_threshold, params, pca, shards, stable_only)"
        in text
    )


def test_a_key_of_an_earlier_release_stops_the_run_naming_its_replacement(tmp_path):
    work = new_folder(tmp_path / "p")
    config = tiny_config(work)
    config["metrics"] = {"names": ["sil"]}
    write_config(work, config)
    result = snakemake(work, "--dry-run", check=False)
    assert (
        result.returncode != 0
        and "metrics.names: metrics are entries now: write `metrics: {sil: {type: sil}}`" in output(result)
    )
    config["metrics"] = {"sil": {"type": "sil"}}
    config["bootstrap"] = {"seeds": 1}
    write_config(work, config)
    result = snakemake(work, "--dry-run", check=False)
    assert result.returncode != 0 and "bootstrap.seeds: renamed; write it as `chunks`" in output(result)
    assert "Traceback" not in output(result)


def test_missing_inputs_stop_before_any_work(tmp_path):
    work = new_folder(tmp_path / "p")
    config = tiny_config(work)
    features = config["features"]
    config["features"] = {"mn50": {"type": "medicalnet", "depth": 50, "weights": "w/resnet_50_23dataset.pth"}}
    write_config(work, config)
    result = snakemake(work, check=False)
    text = output(result)
    assert result.returncode != 0 and "resnet_50_23dataset.pth is missing" in text and "no random weights" in text
    assert not (work / RESULTS).exists()
    config["features"] = features
    (work / DATA / "nifti" / "s05_mask.nii.gz").unlink()
    write_config(work, config)
    result = snakemake(work, check=False)
    assert (
        result.returncode != 0
        and f"dataset 'nifti': sample sheet {DATA}/sheet.csv: case 's05': mask file" in output(result)
    )
    assert not (work / RESULTS).exists()


def test_pretrained_medicalnet_feature_runs_from_a_checkpoint_file(tmp_path):
    import torch

    from difficulty.io import file_digest
    from difficulty.networks.medicalnet import MedicalNetBackbone

    weights = tmp_path / "weights"
    weights.mkdir()
    checkpoint = weights / "resnet_10_23dataset.pth"
    state = {f"module.{k}": v for k, v in MedicalNetBackbone(10).state_dict().items()}
    torch.save({"state_dict": state}, checkpoint)
    config = {
        "datasets": [{"name": "ph", "source": "synthetic", "separation": 0.5, "n_per_class": 6, "shape": [16, 16, 16]}],
        "features": {"r10": {"type": "medicalnet", "depth": 10, "weights": str(checkpoint), "size": [16, 16, 16]}},
        "models": {"cnn3d": {}},
    }
    write_config(tmp_path, config)
    target = "results/features/ph/r10_raw.parquet"
    result = snakemake(tmp_path, target, check=False)
    assert result.returncode != 0 and "has no SHA-256 entry" in output(result)
    digest = file_digest(checkpoint, "sha256")
    (weights / "SHA256SUMS").write_text(f"{digest}  resnet_10_23dataset.pth\n")
    dry = snakemake(tmp_path, target, "--dry-run").stdout
    assert re.search(r"rule extract_features:(?:.|\n)*?resources: .*gpu=1", dry)
    snakemake(tmp_path, target)
    table = pd.read_parquet(tmp_path / target)
    assert table.shape == (12, 1 + 512) and np.isfinite(table.drop(columns="case_id").to_numpy()).all()
    (weights / "SHA256SUMS").write_text(f"{'0' * 64}  resnet_10_23dataset.pth\n")
    result = snakemake(tmp_path, target, "--forcerun", "extract_features", check=False)
    log = (tmp_path / "results" / "logs" / "features" / "ph.r10.shard0.log").read_text()
    assert result.returncode != 0 and "does not match" in log


def test_documented_download_commands_schedule_the_download_rules(tmp_path):
    """`--config downloads=True -- <file>` (README, error messages) plans a download, nothing else."""
    config = {"datasets": [{"name": "ph", "source": "synthetic", "separation": 0.5}], "features": {"radiomics": {}}}
    config |= {"models": {"cnn3d": {}}}
    write_config(tmp_path, config)
    downloads = {"w/resnet_50_23dataset.pth": "download_weights", "m/nodulemnist3d_64.npz": "download_medmnist"}
    for target, rule in downloads.items():
        jobs = scheduled_jobs(tmp_path, "--config", "downloads=True", "--", target)
        assert [r for r, _ in jobs] == [rule]


def test_the_study_config_plans_the_studys_protocol(tmp_path):
    """config/study.yaml: the five MedMNIST 3D sets that do not ship are downloaded, both study models per dataset,
    the published table as a second source."""
    shutil.copy2(REPO / "config" / "study.yaml", tmp_path / "config.yaml")
    (tmp_path / "resources").symlink_to(REPO / "resources")
    jobs = scheduled_jobs(tmp_path)
    count = Counter(rule for rule, _ in jobs)
    # AdrenalMNIST3D 64³ ships in resources/medmnist; Snakemake, which has no record of how it was made, may plan to
    # fetch it again in a fresh clone (checksum-checked: the same file), so only the other five are asserted
    fetched = {w.split("flag=")[1] for rule, w in jobs if rule == "download_medmnist"}
    assert {f"{name}mnist3d_64" for name in ("synapse", "fracture", "organ", "vessel", "nodule")} <= fetched
    assert fetched <= {f"{name}mnist3d_64" for name in ("synapse", "fracture", "organ", "vessel", "nodule", "adrenal")}
    assert count["train_reference"] == 6 * 2 and count["bootstrap"] == 6 * 2 * 2
    trained = {w for rule, w in jobs if rule == "train_reference"}
    assert any("model=3dcnn" in w for w in trained) and any("model=milcnn" in w for w in trained)
    scattered = " ".join(w for rule, w in jobs if rule == "scatter")
    assert count["scatter"] == 2 * 4 and "medmnist_resnet18_3d" in scattered and "medmnist_resnet50_3d" in scattered
    # It writes its calibration table (its points: trained models and the published AUCs) for later runs.
    assert count["calibration_points"] == 1 and count["predict_auc"] == 1


def test_a_bad_case_stops_its_job_in_one_line_or_is_skipped_everywhere(tmp_path):
    """A broken image: without on_bad_case, one readable line; with skip, every stage sees the same 15 cases."""
    work = new_folder(tmp_path / "p")
    config = tiny_config(work)
    config["models"]["cnn3d"]["channels"] = [2, 2]
    nifti = next(d for d in config["datasets"] if d["name"] == "nifti")
    nifti["size"] = [16, 16, 16]
    (work / DATA / "nifti" / "s05.nii.gz").write_bytes(b"\x1f\x8b broken")
    config["features"] = {"rad_fast": {"type": "radiomics", "params": "fast"}}  # the curation table's one source
    config["models"] = {"cnn3d": config["models"]["cnn3d"]}  # ... and its other
    write_config(work, config)
    targets = [
        f"{RESULTS}/labels/nifti.parquet",
        f"{RESULTS}/features/nifti/rad_fast.parquet",
        f"{RESULTS}/metrics/nifti/rad_fast/sil/chunk0.parquet",
        f"{RESULTS}/models/nifti/cnn3d.tsv",
        f"{RESULTS}/curation/nifti.tsv",
    ]
    result = snakemake(work, *targets, check=False)
    text = output(result)
    assert result.returncode != 0 and "Traceback" not in text
    assert f"DataError: dataset 'nifti', case 's05': cannot read image file {DATA}/nifti/s05.nii.gz" in text
    assert "set `on_bad_case: skip`" in text
    assert not (work / RESULTS / "prepared" / "nifti" / "cases.parquet").exists()
    nifti["on_bad_case"] = "skip"
    write_config(work, config)
    snakemake(work, *targets)
    res = work / RESULTS
    qc = pd.read_csv(res / "qc" / "nifti.tsv", sep="\t")
    assert qc.query("outcome == 'skipped'")["case_id"].tolist() == ["s05"]
    assert f"cannot read image file {DATA}/nifti/s05.nii.gz" in qc.query("outcome == 'skipped'")["problem"].iloc[0]
    expected = [f"s{i:02d}" for i in range(16) if i != 5]
    labels = pd.read_parquet(res / "labels" / "nifti.parquet")
    features = pd.read_parquet(res / "features" / "nifti" / "rad_fast.parquet")
    predictions = pd.concat(pd.read_parquet(p) for p in (res / "models" / "nifti").glob("cnn3d.predictions.parquet"))
    assert labels["case_id"].tolist() == expected and sorted(features["case_id"]) == expected
    assert sorted(predictions["case_id"]) == expected
    assert pd.read_parquet(res / "metrics" / "nifti" / "rad_fast" / "sil" / "chunk0.parquet")["score"].notna().all()
    curated = pd.read_csv(res / "curation" / "nifti.tsv", sep="\t")
    assert sorted(curated["case_id"]) == expected and "cnn3d.label_quality" in curated


def test_a_second_config_with_other_data_refuses_the_same_results_folder(tmp_path):
    work = new_folder(tmp_path / "p")
    config = tiny_config(work)
    write_config(work, config)
    snakemake(work, f"{RESULTS}/prepared/phantoms/cases.parquet")
    prepared = work / RESULTS / "prepared" / "phantoms"
    before = {p.name: p.read_bytes() for p in prepared.rglob("*") if p.is_file()}
    config["seed"] = 8
    write_config(work, config)
    result = snakemake(work, f"{RESULTS}/prepared/phantoms/cases.parquet", check=False)
    text = output(result)
    assert result.returncode != 0 and f"dataset 'phantoms': {RESULTS}/prepared/phantoms/source.json was written" in text
    assert "(seed: " in text and "give this config its own `results:` folder" in text
    assert {p.name: p.read_bytes() for p in prepared.rglob("*") if p.is_file()} == before
    config["results"] = "results_seed8"
    write_config(work, config)
    snakemake(work, "results_seed8/prepared/phantoms/cases.parquet")


def test_messy_sheets_and_small_classes_stop_before_any_job(tmp_path):
    work = new_folder(tmp_path / "p")
    config = tiny_config(work)
    phantoms = next(d for d in config["datasets"] if d["name"] == "phantoms")
    phantoms["n_per_class"] = 4
    write_config(work, config)
    text = output(snakemake(work, check=False))
    assert (
        "dataset 'phantoms': case table: class '0' has 4 case(s); metric 'fid' (fraction 0.8) needs at least 5" in text
    )
    phantoms["n_per_class"] = 12
    sheet = work / DATA / "sheet.csv"
    sheet.write_text(sheet.read_text().replace("s03,benign", "s03,Benign "))
    write_config(work, config)
    text = output(snakemake(work, check=False))
    assert (
        f"sample sheet {DATA}/sheet.csv: column 'label' has values that differ only in upper/lower case: 'Benign'"
        in text
    )
    next(d for d in config["datasets"] if d["name"] == "nifti")["path"] = "nope.csv"
    write_config(work, config)
    text = output(snakemake(work, check=False))
    assert "dataset 'nifti': sample sheet nope.csv does not exist; check the dataset's 'path'" in text
    assert not (work / RESULTS).exists()


def test_the_validation_config_plans_its_three_models(tmp_path):
    """config/validate_resnet3d.yaml, with the command its header gives: the three models on the official split."""
    shutil.copy2(REPO / "config" / "validate_resnet3d.yaml", tmp_path / "config.yaml")
    (tmp_path / "resources").symlink_to(REPO / "resources")
    models = ("resnet18", "resnet18_medmnist", "mil")
    jobs = scheduled_jobs(tmp_path, "--", *(f"results/validate/models/adrenal/{m}.tsv" for m in models))
    assert sorted(w for rule, w in jobs if rule == "train_reference") == sorted(
        f"dataset=adrenal, model={m}" for m in models
    )


def write_pilot(folder, n_patients=3, cases_per_patient=2):
    """A pilot sample sheet: two classes of ``n_patients`` patients with ``cases_per_patient`` NIfTI cases each."""
    import SimpleITK as sitk

    rng = np.random.default_rng(3)
    (folder / "img").mkdir(parents=True)
    rows = ["case_id\tpatient_id\tlabel\timage\tmask"]
    for label, shift in (("benign", 0.0), ("malignant", 25.0)):
        for p in range(n_patients):
            for c in range(cases_per_patient):
                case = f"{label[:3]}{p}{c}"
                mask = np.zeros((12, 16, 16), np.uint8)
                mask[3:9, 4:12, 4:12] = 1
                image = rng.normal(100 + shift * mask, 12).astype(np.float32)
                for name, array in ((case, image), (f"{case}_mask", mask)):
                    volume = sitk.GetImageFromArray(array)
                    volume.SetSpacing((1.5, 1.0, 1.0))
                    sitk.WriteImage(volume, str(folder / "img" / f"{name}.nii.gz"))
                rows.append(f"{case}\t{label}{p}\t{label}\timg/{case}.nii.gz\timg/{case}_mask.nii.gz")
    (folder / "sheet.tsv").write_text("\n".join(rows) + "\n")
    return folder / "sheet.tsv"


def test_a_12_case_pilot_runs_through_with_the_default_entries(tmp_path):
    """Three patients a class: the stages with a default adapt (curation's and the probe's folds) and say so, and
    the run gives features, measures, predicted AUCs and curation; nothing is refused for an optional default."""
    import yaml

    work = new_folder(tmp_path / "p")
    sheet = write_pilot(work / "pilot")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["datasets"] = [
        {"name": "pilot", "source": "sheet", "path": str(sheet.relative_to(work)), "size": [16, 16, 16]},
        {"name": "pilot_noise", "parent": "pilot", "label_noise": 0.2, "train": False},
    ]
    config["metrics"]["probe"] = {"type": "probe", "chunks": 1, "sessions_per_chunk": 3}
    (work / "resources").symlink_to(REPO / "resources")
    write_config(work, config)
    snakemake(work)
    res = work / "results"
    summary = pd.read_csv(res / "metrics" / "summary.tsv", sep="\t")
    assert set(summary["dataset"]) == {"pilot", "pilot_noise"} and summary["score_mean"].notna().all()
    assert set(summary["metric"]) == set(config["metrics"])
    predicted = pd.read_csv(res / "prediction" / "predicted_auc.tsv", sep="\t")
    assert set(predicted["model"]) == {"resnet18", "cnn3d"} and len(predicted) == 4
    assert predicted.set_index(["dataset", "model"])["predicted_auc"].notna().any()
    curation = pd.read_csv(res / "curation" / "pilot.tsv", sep="\t")
    assert len(curation) == 12 and (curation["folds"] == 3).all() and curation["label_quality"].notna().all()
    assert set(curation["class"]) == {"benign", "malignant"}
    folds = pd.read_csv(res / "curation" / "summary.tsv", sep="\t").groupby("dataset")["folds"].unique()
    assert folds["pilot"].tolist() == [3] and folds["pilot_noise"][0] >= 2  # flipped labels move patients
    assert "the probes use 3 folds" in (res / "logs" / "curation" / "pilot.log").read_text()
    assert pd.read_csv(res / "models" / "pilot" / "cnn3d.tsv", sep="\t")["auc"].notna().all()
    config["curation"] = {"folds": 5}  # set by the user: kept, and refused before any job
    write_config(work, config)
    refused = snakemake(work, "--dry-run", check=False)
    assert refused.returncode != 0 and "class 'benign' has cases of 3 patient(s); 5 patient-grouped" in output(refused)
