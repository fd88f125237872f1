"""What the workflow asks of the package at parse time: config resolution into typed entries, seeds, reference, code."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import REPO
from difficulty.options import ConfigError
from difficulty.pipeline import config as pipeline_config
from difficulty.pipeline import reference
from difficulty.pipeline.code import PACKAGE, code_files, code_hash
from difficulty.seeding import derive_seed

SCRIPTS = REPO / "workflow" / "scripts"


def minimal(**overrides):
    config = {
        "datasets": [{"name": "ph", "source": "synthetic", "separation": 0.5}],
        "features": {"radiomics": {"type": "radiomics"}},
        "metrics": {"sil": {"type": "sil"}},
        "bootstrap": {},
        "models": {"cnn3d": {"type": "cnn3d"}},
    }
    return config | overrides


def test_default_config_resolves_with_every_option_filled():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    plan = pipeline_config.resolve(config)
    assert plan.sources == [
        "adrenal",
        "synthetic_sep020",
        "synthetic_sep050",
        "synthetic_sep100",
        "synthetic_texture050",
    ]
    assert plan.trained == [d for d in plan.datasets if d != "synthetic_texture050"]
    assert plan.roots["adrenal_noise30"] == "adrenal"
    assert plan.features["random_resnet10"].spec == {
        "type": "random_resnet",
        "pca": 64,
        "shards": 1,
        "depth": 10,
        "size": [28, 28, 28],
        "batch_size": 32,
    }
    assert plan.metrics["fid"].spec == {"type": "fid", "chunks": 1, "sessions_per_chunk": 1000, "fraction": 0.6} | {
        "patient_wise": False
    }
    assert plan.models["cnn3d"].epochs == 8 and plan.models["cnn3d"].options["dropout"] == 0.2
    assert plan.curation == {"enabled": True, "folds": None, "C": 1.0, "k": 5, "primary": "probe_radiomics"}
    plan.check_inputs(downloads=False)


def test_image_variants_are_prepared_on_their_own_in_their_sources_family():
    """A variant whose kind (or an ancestor's) changes images has its own preparation: its origin's entry with the
    chain of image changes, seeded from the config's seed and each variant's name; label kinds reuse their root's."""
    datasets = [
        {"name": "ct", "source": "synthetic", "separation": 0.5, "family": "patients"},
        {"name": "ct64", "source": "synthetic", "separation": 0.5, "shape": [32, 32, 32], "family": "patients"},
        {"name": "ph", "source": "synthetic", "separation": 1.0, "train": False},
        {"name": "ct_blur", "parent": "ct", "blur": 1.5},
        {"name": "ct_blur_noisy", "parent": "ct_blur", "label_noise": 0.2, "train": False},
        {"name": "ct_blur_noisy_lowres", "parent": "ct_blur_noisy", "lower_resolution": 2},
        {"name": "ct_few", "parent": "ct_blur_noisy_lowres", "fewer_cases": 0.5},
    ]
    plan = pipeline_config.resolve(minimal(datasets=datasets, seed=5))
    assert plan.sources == ["ct", "ct64", "ph"]
    assert plan.prepared == ["ct", "ct64", "ct_blur", "ct_blur_noisy_lowres", "ph"]
    assert plan.roots["ct_blur_noisy"] == "ct_blur" and plan.roots["ct_few"] == "ct_blur_noisy_lowres"
    assert plan.origin("ct_few") == "ct" and plan.datasets[plan.origin("ct_few")].source == "synthetic"
    assert set(plan.families.values()) == {"patients", "ph"} and plan.families["ct_few"] == "patients"
    assert plan.trained == ["ct", "ct64", "ct_blur", "ct_blur_noisy_lowres", "ct_few"]
    chain = plan.preparation("ct_blur_noisy_lowres")
    assert {k: v for k, v in chain.items() if k != "images"} == plan.preparation("ct") | {
        "name": "ct_blur_noisy_lowres"
    }
    assert "train" not in plan.preparation("ph") and "family" not in plan.preparation("ct")
    assert [(c["dataset"], c["variant"], c["options"]) for c in chain["images"]] == [
        ("ct_blur", "blur", {"blur": 1.5}),
        ("ct_blur_noisy_lowres", "lower_resolution", {"lower_resolution": 2}),
    ]
    assert chain["images"][0]["seed"] == derive_seed(5, "ct_blur", "blur")
    assert (plan.datasets["ct_few"].variant, plan.datasets["ct_few"].variant_options) == (
        "fewer_cases",
        {"fewer_cases": 0.5},
    )
    assert plan.datasets["ct_few"].parent == "ct_blur_noisy_lowres" and plan.datasets["ct"].variant == "label_noise"
    assert plan.preparation("ct_blur")["name"] == "ct_blur" and plan.image_changes("ct_few") == chain["images"]


def test_calibration_options_are_checked_before_any_work(tmp_path):
    plan = pipeline_config.resolve(minimal(calibration={"predictors": ["radiomics.sil"], "tables": []}))
    assert plan.calibration["coverage"] == 0.9 and plan.calibration["fits"] == [
        "linear_logit",
        "isotonic",
        "offset_logit",
        "identity",
    ]
    plan.check_calibration()
    with pytest.raises(ConfigError, match=r"calibration.coverage: 1 is greater than or equal to the maximum of 1"):
        pipeline_config.resolve(minimal(calibration={"coverage": 1}))
    with pytest.raises(ConfigError, match=r"'radiomics.fid' is not a feature entry · metric entry of this run"):
        pipeline_config.resolve(minimal(calibration={"predictors": ["radiomics.fid"]})).check_calibration()
    with pytest.raises(ConfigError, match=r"calibration.tables: .*none.tsv does not exist"):
        pipeline_config.resolve(minimal(calibration={"tables": [str(tmp_path / "none.tsv")]})).check_calibration()


def test_metric_entries_take_the_bootstrap_block_and_may_override_it():
    config = minimal(bootstrap={"fraction": 0.5}, metrics={"sil": {}, "sil_wide": {"type": "sil", "fraction": 0.9}})
    plan = pipeline_config.resolve(config)
    assert plan.metrics["sil"].fraction == 0.5 and plan.metrics["sil_wide"].fraction == 0.9
    assert plan.metrics["sil"].type == "sil"  # a name that is a registered type needs no `type`
    chunked = pipeline_config.resolve(minimal(bootstrap={"fraction": 0.5, "chunks": 5, "sessions_per_chunk": 1}))
    # how the sessions are cut into jobs does not change the results
    assert chunked.metrics["sil"].comparable == plan.metrics["sil"].comparable
    assert plan.metrics["sil_wide"].comparable != plan.metrics["sil"].comparable
    assert "chunks" in chunked.metrics["sil"].spec and "chunks" not in chunked.metrics["sil"].comparable


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"features": {"r": {"type": "radiomix"}}}, r"features.r.type: unknown feature type 'radiomix'"),
        ({"features": {"r": {"type": "radiomics", "shards": 0}}}, r"features.r.shards: 0 is less than the minimum"),
        ({"features": {"r": {"type": "medicalnet"}}}, r"features.r: option 'depth' is required"),
        ({"metrics": {"s": {"type": "sil", "multiclass": "all"}}}, r"metrics.s.multiclass: 'all' is not one of"),
        ({"bootstrap": {"fraction": 2}}, r"bootstrap.fraction: 2 is greater than the maximum of 1"),
        ({"bootstrap": {"sessions_per_chunk": 0}}, r"bootstrap.sessions_per_chunk: 0 is less than the minimum of 1"),
        ({"bootstrap": {"chunks": 0}}, r"bootstrap.chunks: 0 is less than the minimum of 1"),
        ({"bootstrap": {"fraction": 0}}, r"bootstrap.fraction: 0 is less than or equal to the minimum of 0"),
        (
            {"models": {"m": {"type": "cnn3d", "epoch": 3}}},
            r"models.m: unknown option 'epoch' \(known options: augment, ",
        ),
        ({"curation": {"fold": 3}}, r"curation: unknown option 'fold' \(known options: C, enabled, folds, k, primary"),
        ({"curation": {"folds": 1}}, r"curation.folds: 1 is less than the minimum of 2"),
        (
            {"curation": {"primary": "probe_r"}},
            r"curation.primary: 'probe_r' is no source; choose one of: probe_radiomics, cnn3d",
        ),
        (
            {"curation": {"primary": "m"}, "models": {"m": {"type": "cnn3d", "split": "official"}}},
            r"curation.primary: model 'm' is not cross-validated with split: folds, .* choose one of: probe_radiomics$",
        ),
        ({"plugins": ["nowhere/plugin.py"]}, r"plugins: file nowhere/plugin.py does not exist"),
        ({"plugins": ["no_such_module"]}, r"plugins: cannot import 'no_such_module'"),
    ],
)
def test_wrong_entries_stop_with_the_key_and_what_is_wrong(change, message):
    with pytest.raises(ConfigError, match=message):
        pipeline_config.resolve(minimal(**change))


def test_inputs_are_checked_before_any_work(tmp_path):
    config = minimal(features={"r": {"type": "radiomics", "params": str(tmp_path / "none.yaml")}})
    with pytest.raises(ConfigError, match=r"feature 'r': pyradiomics parameter file .*none.yaml does not exist"):
        pipeline_config.resolve(config).check_inputs(downloads=False)
    config = minimal(datasets=[{"name": "m", "source": "medmnist", "path": str(tmp_path / "x.npz")}])
    with pytest.raises(ConfigError, match=r"dataset 'm': MedMNIST file .*x.npz does not exist"):
        pipeline_config.resolve(config).check_inputs(downloads=False)
    pipeline_config.resolve(config).check_inputs(downloads=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"metrics": {"names": ["fid"]}},
            r"metrics.names: metrics are entries now: write `metrics: \{fid: \{type: fid\}\}`",
        ),
        ({"bootstrap": {"seeds": 4}}, r"bootstrap.seeds: renamed; write it as `chunks`"),
        (
            {"bootstrap": {"sessions_per_seed": 7}},
            r"bootstrap.sessions_per_seed: renamed; write it as `sessions_per_chunk`",
        ),
        ({"metrics": {"sil": {"type": "sil", "seeds": 3}}}, r"metrics.sil.seeds: renamed; write it as `chunks`"),
        (
            {"features": {"medicalnet_resnet50": {"weights": "w.pth"}}},
            r"features.medicalnet_resnet50: name its type: `medicalnet_resnet50: \{type: medicalnet, depth: 50, ...\}`",
        ),
    ],
)
def test_a_key_of_an_earlier_release_stops_with_its_replacement(change, message):
    config = minimal(**change)
    with pytest.raises(ConfigError, match=message):
        pipeline_config.refuse_old_forms(config)
    with pytest.raises(ConfigError, match=message):
        pipeline_config.resolve(config)


def test_entries_are_typed_and_frozen():
    plan = pipeline_config.resolve(minimal(features={"r": {"type": "radiomics", "pca": 5}}))
    feature = plan.features["r"]
    assert (feature.name, feature.type, feature.pca, feature.shards) == ("r", "radiomics", 5, 1)
    assert feature.own == {"params": "fast"} and feature.spec["pca"] == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        feature.type = "other"
    with pytest.raises(TypeError):
        feature.options["pca"] = 3
    spec = feature.spec
    spec["pca"] = 3  # a job's copy: the entry is not changed
    assert feature.pca == 5
    model = plan.models["cnn3d"]
    assert model.train and model.split == "folds" and "train" not in model.comparable
    with pytest.raises(AttributeError):
        model.epoch  # noqa: B018  (a misspelt option fails where the workflow is parsed)


def test_every_seed_comes_from_one_policy():
    """The seeds of every stage, from the config's seed and the target's keys: those the rules passed before."""
    datasets = [
        {"name": "ph", "source": "synthetic", "separation": 0.5},
        {"name": "ph_n", "parent": "ph", "label_noise": 0.1},
    ]
    config = minimal(seed=7, datasets=datasets)
    plan = pipeline_config.resolve(config)
    assert plan.seed_for("prepare", root="ph") == derive_seed(7, "ph", "prepare")
    assert plan.seed_for("variant", dataset="ph_n") == derive_seed(7, "ph_n", "label_noise")
    assert plan.seed_for("features", feature="radiomics", root="ph", shard="0") == derive_seed(7, "radiomics", "init")
    keys = {"dataset": "ph_n", "feature": "radiomics", "metric": "sil", "chunk": "1"}
    assert plan.seed_for("bootstrap", **keys) == derive_seed(7, "ph_n", "radiomics", "sil", "1")
    assert plan.seed_for("train", dataset="ph_n", model="cnn3d") == (7, "ph_n", "cnn3d")
    assert plan.seed_for("curation", dataset="ph") == derive_seed(7, "ph", "curation")
    assert plan.seed_for("correlation") == derive_seed(7, "correlation")
    assert plan.seed_for("study_compat") == derive_seed(7, "correlation", "study")


def test_the_reference_and_measures_are_written_from_the_registrations(capsys, tmp_path):
    """Each option's default and description, each measure's line, live where they are declared; the documentation
    shows exactly those (the reference command says so with --check, and prints them without a file)."""
    check = subprocess.run(  # a fresh process: the types of this package, no plugin a test has loaded
        [sys.executable, "-m", "difficulty.pipeline.reference", "--check", "docs/configuration.md", "docs/measures.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(REPO / "src")},  # this checkout's package, wherever it is installed from
    )
    assert check.returncode == 0, check.stdout + check.stderr
    readme = (REPO / "docs" / "configuration.md").read_text()
    block = readme.split("<!-- config-reference:start -->", 1)[1].split("<!-- config-reference:end -->", 1)[0]
    for text in ("`fraction` (default `0.6`)", "`epochs` (default `8`)", "`params` (default `fast`)"):
        assert text in block
    measures = (REPO / "docs" / "measures.md").read_text()
    table = measures.split("<!-- measures:start -->", 1)[1].split("<!-- measures:end -->", 1)[0]
    assert "| `sil` | Silhouette score, patient-aware a_i | higher | Thornblad et al. 2025 |" in table
    assert "| `n1` |" in table and "| lower |" in table
    copy = tmp_path / "measures.md"
    copy.write_text(measures.replace("| `sil` | Silhouette score", "| `sil` | Silhouette"))
    assert reference.main(["--check", str(copy)]) == 1 and "out of date" in capsys.readouterr().out
    (tmp_path / "none.md").write_text("no generated block here\n")
    with pytest.raises(ValueError, match="no generated block"):
        reference.main([str(tmp_path / "none.md")])
    reference.main([])
    printed = capsys.readouterr().out
    assert "`type: sil`: Silhouette score, patient-aware a_i; higher is easier." in printed and "| `fid` |" in printed


def test_code_inputs_follow_imports_and_skip_unrelated_modules():
    files = {str(p.relative_to(PACKAGE)) for p in code_files(SCRIPTS / "bootstrap.py") if PACKAGE in p.parents}
    assert {"metrics/jobs.py", "metrics/bootstrap.py", "metrics/registry.py"} <= files
    assert {"metrics/__init__.py", "__init__.py", "logs.py", "io.py"} <= files
    assert "metrics/silhouette_score.py" not in files and not any(f.startswith("features/") for f in files)
    with_type = code_files(SCRIPTS / "bootstrap.py", PACKAGE / "metrics" / "silhouette_score.py")
    assert PACKAGE / "metrics" / "silhouette_score.py" in with_type and PACKAGE / "metrics" / "backend.py" in with_type
    radiomics = code_files(SCRIPTS / "extract_features.py", PACKAGE / "features" / "radiomics.py")
    assert PACKAGE / "features" / "medicalnet.py" not in radiomics and PACKAGE / "data" / "datasets.py" in radiomics


def test_the_code_hash_ignores_comments_and_docstrings_and_nothing_else(tmp_path):
    script = tmp_path / "job.py"
    body = '''"""A job."""

from difficulty.metrics.jobs import bootstrap_chunk


def run(x):
    """Twice x."""
    return bootstrap_chunk, 2 * x
'''
    hashes = {}
    for name, text in {
        "as written": body,
        "a comment": body.replace("def run(x):", "def run(x):  # the job's one call"),
        "a docstring": body.replace("Twice x.", "Two times x, as the docs say."),
        "no docstring": body.replace('    """Twice x."""\n', ""),
        "blank lines": body + "\n\n",
        "other code": body.replace("2 * x", "3 * x"),
    }.items():
        script.write_text(text)
        hashes[name] = code_hash(script)
    assert len({hashes[n] for n in ("as written", "a comment", "a docstring", "no docstring", "blank lines")}) == 1
    assert hashes["other code"] != hashes["as written"]
    assert code_hash(script) != code_hash(script, PACKAGE / "metrics" / "silhouette_score.py")  # the type's module
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    assert code_hash(shutil.copy2(script, moved / "job.py")) == code_hash(script)  # named by file, not path


def test_parsing_the_workflow_imports_no_heavy_library():
    """The workflow resolves its config at every start (and in every cluster job): torch and friends stay out."""
    code = (
        "import sys, difficulty.pipeline.config, difficulty.pipeline.code;"
        "print(sorted(m for m in ('torch', 'sklearn', 'matplotlib', 'radiomics') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_class_needs_follow_the_metrics_fraction_and_the_models_folds():
    config = minimal(metrics={"sil": {"type": "sil"}, "fid": {"type": "fid", "fraction": 0.5}})
    config["models"] = {"cnn3d": {"type": "cnn3d", "folds": 5}}
    plan = pipeline_config.resolve(config)
    assert plan.class_needs() == {
        "metric 'sil' (fraction 0.6)": 3,  # round(3 · 0.6) = 2
        "metric 'fid' (fraction 0.5)": 7,  # round(7 · 0.5) = 4 (round half to even: round(6 · 0.5) = 3)
        "model 'cnn3d' (5 folds)": 5,
    }
    plan.check_inputs(downloads=False)  # 100 phantoms per class
    config["datasets"][0]["n_per_class"] = 6
    with pytest.raises(ConfigError, match=r"dataset 'ph': case table: class '0' has 6 case\(s\); metric 'fid'"):
        pipeline_config.resolve(config).check_inputs(downloads=False)


def test_curation_folds_set_by_the_user_that_a_class_cannot_fill_stop_before_any_job():
    """The default folds follow the data (the run never stops for an optional stage's default); a number the
    user sets is kept, and refused where a class has fewer patients."""
    config = minimal(datasets=[{"name": "ph", "source": "synthetic", "separation": 0.5, "n_per_class": 4}])
    config["models"] = {"cnn3d": {"type": "cnn3d", "folds": 2}, "official": {"type": "cnn3d", "split": "official"}}
    plan = pipeline_config.resolve(config)
    assert plan.curation_sources() == (["probe_radiomics"], ["cnn3d"], ["official"])
    assert plan.curation["folds"] is None
    plan.check_inputs(downloads=False)
    with pytest.raises(
        ConfigError, match=r"dataset 'ph': curation \(curation.folds\): class '0' has cases of 4 patient"
    ):
        pipeline_config.resolve(config | {"curation": {"folds": 5}}).check_inputs(downloads=False)
    pipeline_config.resolve(config | {"curation": {"folds": 4}}).check_inputs(downloads=False)
    pipeline_config.resolve(config | {"curation": {"enabled": False, "folds": 5}}).check_inputs(downloads=False)


def test_a_results_folder_of_other_data_is_refused(tmp_path):
    plan = pipeline_config.resolve(minimal())
    record = tmp_path / "prepared" / "ph" / "source.json"
    record.parent.mkdir(parents=True)
    spec = plan.datasets["ph"].plain
    seed = plan.seed_for("prepare", root="ph")
    record.write_text(json.dumps({"spec": spec, "seed": seed, "plugins": []}))
    plan.check_results(tmp_path)
    record.write_text(json.dumps({"spec": spec | {"separation": 0.9, "on_bad_case": "skip"}, "seed": seed}))
    plan.check_results(tmp_path)  # other options: the jobs that use them re-run
    record.write_text(json.dumps({"spec": spec | {"source": "sheet", "path": "a.csv"}, "seed": seed}))
    with pytest.raises(ConfigError, match=r"dataset 'ph': .*source.json was written by a run with other data "):
        plan.check_results(tmp_path)
    record.write_text(json.dumps({"spec": spec, "seed": 11}))
    with pytest.raises(ConfigError, match=rf"\(seed: 11 then, {seed} now\)\. Nothing was overwritten"):
        plan.check_results(tmp_path)
