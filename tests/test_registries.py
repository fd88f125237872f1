"""Common tests that every registered type passes: sources, feature extractors, metrics and models.

A new type is picked up here by registering it; a type with required options
needs an example below.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from jsonschema import Draft202012Validator

from conftest import ADRENAL, prepared
from difficulty.data import SOURCES, folder, resolve_dataset
from difficulty.features import FEATURES, resolve_feature
from difficulty.io import file_digest
from difficulty.metrics import METRICS, bootstrap, check_inputs, draw_sessions, session_seed
from difficulty.models import MODELS, resolve_model
from difficulty.options import ConfigError
from difficulty.registry import Registry

KINDS = {"source": SOURCES, "feature": FEATURES, "metric": METRICS, "model": MODELS}
ENTRIES = [(kind, name) for kind, registry in KINDS.items() for name in registry.names()]


def ids(items):
    return [f"{kind}-{name}" for kind, name in items]


@pytest.mark.parametrize(("kind", "name"), ENTRIES, ids=ids(ENTRIES))
def test_every_type_documents_itself_and_its_defaults_fit_their_schema(kind, name):
    entry = KINDS[kind].get(name)
    assert entry.help and entry.module.startswith("difficulty.")
    assert Path(entry.source_file).exists()
    for option_name, option in entry.all_options().items():
        assert option.help, f"{kind} {name}: option {option_name} has no description"
        if not option.required:
            errors = list(Draft202012Validator(dict(option.schema)).iter_errors(option.default))
            assert not errors, f"{kind} {name}: default of {option_name} does not fit its schema: {errors[0].message}"


def test_unknown_type_and_a_taken_name_are_refused():
    registry = Registry("gadget", type(METRICS.get("sil")), "gadgets")
    with pytest.raises(ConfigError, match=r"unknown gadget type 'x'; registered: \. A module listed under 'plugins'"):
        registry.get("x")
    entry = METRICS.get("sil")
    registry.add(entry)
    registry.add(entry)  # the same module registering again (a plugin imported twice) is fine
    other = type(entry)(name="sil", fn=entry.fn, module="somewhere.else")
    with pytest.raises(ValueError, match="gadget type 'sil' is already registered by difficulty.metrics.silhouette"):
        registry.add(other)


# ---- sources -----------------------------------------------------------------------------------------------


@pytest.fixture
def source_examples(tmp_path, nifti_sheet):
    with np.load(ADRENAL) as npz:
        arrays = {f"{s}_{k}": npz[f"{s}_{k}"][:4] for s in ("train", "val", "test") for k in ("images", "labels")}
    np.savez(tmp_path / "small.npz", **arrays)
    return {
        "medmnist": {"path": str(tmp_path / "small.npz")},
        "sheet": {"path": str(nifti_sheet)},
        "folder": folder.example(tmp_path / "classes"),
        "synthetic": {"separation": 0.5, "n_per_class": 4, "shape": [8, 8, 8]},
    }


@pytest.mark.parametrize("name", SOURCES.names())
def test_every_source_reads_its_cases_in_table_order(name, source_examples):
    assert name in source_examples, f"add an example spec of source {name!r} to this test"
    spec = resolve_dataset({"name": "d", "source": name, **source_examples[name]})
    source = SOURCES.get(name)
    if source.check is not None:
        source.check(spec, False)
    cases = source.cases(spec)
    assert {"case_id", "patient_id", "label"} <= set(cases.columns) and cases["case_id"].is_unique
    assert all(isinstance(v, str) for v in cases["label"]) and all(isinstance(v, str) for v in cases["patient_id"])
    assert all(Path(f).exists() for f in source.files(spec, None))
    rows = cases.iloc[::2]
    assert set(source.files(spec, rows)) <= set(source.files(spec, None))
    seen = []
    for case in source.read(spec, rows, 0):
        assert case.image.ndim == 3 and case.image.shape == case.mask.shape and case.mask.dtype == bool
        assert len(case.spacing) == 3 and all(s > 0 for s in case.spacing) and len(case.direction) == 9
        seen.append(case.case_id)
    assert seen == list(rows["case_id"])


# ---- feature extractors ------------------------------------------------------------------------------------


@pytest.fixture
def feature_examples(tmp_path):
    from difficulty.networks.medicalnet import MedicalNetBackbone

    checkpoint = tmp_path / "resnet_10_23dataset.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in MedicalNetBackbone(10).state_dict().items()}}, checkpoint)
    (tmp_path / "SHA256SUMS").write_text(f"{file_digest(checkpoint, 'sha256')}  {checkpoint.name}\n")
    return {
        "radiomics": {},
        "medicalnet": {"depth": 10, "weights": str(checkpoint), "size": [16, 16, 16]},
        "random_resnet": {"depth": 10, "size": [16, 16, 16]},
    }


@pytest.mark.parametrize("name", FEATURES.names())
def test_every_extractor_gives_one_finite_row_per_case_in_order(name, feature_examples, tmp_path):
    assert name in feature_examples, f"add example options of feature type {name!r} to this test"
    spec = resolve_feature("f", {"type": name, **feature_examples[name]})
    options = {k: v for k, v in spec.items() if k != "type"}
    extractor = FEATURES.get(name)
    if extractor.check is not None:
        extractor.check(options, False)
    data = prepared(tmp_path / "p", {"source": "synthetic", "separation": 1.0, "n_per_class": 4, "shape": [16] * 3})
    data = data.subset([0, 2, 3])
    table = extractor.extract(data, options=options, inputs=extractor.inputs(options), seed=1, threads=1)
    assert list(table["case_id"]) == ["case_0000", "case_0002", "case_0003"]
    values = table.drop(columns="case_id").to_numpy(dtype=np.float64)
    assert values.shape[1] > 0 and np.isfinite(values).all()
    again = extractor.extract(data, options=options, inputs=extractor.inputs(options), seed=1, threads=1)
    pd.testing.assert_frame_equal(table, again)


# ---- metrics -----------------------------------------------------------------------------------------------


def two_classes(shift, n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.repeat([0, 1], n // 2)
    X[y == 1] += shift
    return X, y


@pytest.mark.parametrize("name", METRICS.names())
def test_every_metric_finds_separated_classes_easier_than_identical_ones(name):
    metric = METRICS.get(name)
    if metric.label_only:
        pytest.skip("reads the labels only (its known answers are in test_measures.py)")
    easy = metric.fn(*two_classes(4.0), None)
    hard = metric.fn(*two_classes(0.0), None)
    assert np.isfinite([easy, hard]).all()
    assert (easy > hard) == metric.higher_is_easier


@pytest.mark.parametrize("name", METRICS.names())
def test_every_metric_bootstraps_deterministically_whatever_the_label_names(name):
    X, y = two_classes(1.0)
    groups = np.arange(len(y)) // 2
    scores = bootstrap(name, X, y, groups, sessions=4, seed=3, device="numpy")
    np.testing.assert_array_equal(scores, bootstrap(name, X, y, groups, sessions=4, seed=3, device="numpy"))
    named = np.where(y == 0, "benign", "malignant")
    np.testing.assert_allclose(bootstrap(name, X, named, groups, sessions=4, seed=3, device="numpy"), scores)
    draws = draw_sessions(check_inputs(X, y, groups), 4, 0.6, False, np.random.default_rng(3))
    for s, drawn in enumerate(draws):  # a batched route gives what the metric gives on the drawn samples
        idx = np.concatenate(drawn)
        seeded = {"seed": session_seed(3, s)} if METRICS.get(name).seeded else {}
        assert scores[s] == pytest.approx(METRICS.get(name).fn(X[idx], y[idx], groups[idx], **seeded), rel=1e-9)


# ---- models ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS.names())
def test_every_model_maps_volumes_to_class_logits(name):
    spec = resolve_model("m", {"type": name})
    own = {k: v for k, v in spec.items() if k in MODELS.get(name).options}
    torch.manual_seed(0)
    network = MODELS.get(name).build(3, **own)
    assert network(torch.zeros(2, 1, 16, 16, 16)).shape == (2, 3)
