"""Common tests that every registered type passes: sources, variant kinds, feature extractors, metrics, models.

Built-in types and the plugins of ``tests/plugins/`` alike: a new type is picked up here by registering it, and
runs on the example it declares (``example=``; its defaults where it declares none).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from jsonschema import Draft202012Validator

from conftest import REPO, prepared
from difficulty import metrics
from difficulty.data import SOURCES, VARIANTS, Case, resolve_dataset
from difficulty.data.sources.synthetic import iter_phantoms
from difficulty.errors import DataError
from difficulty.features import FEATURES, resolve_feature
from difficulty.metrics import METRICS, bootstrap, check_inputs, draw_sessions, session_seed
from difficulty.models import MODELS, resolve_model
from difficulty.options import ConfigError
from difficulty.registry import Registry, load_plugins

PLUGINS = sorted((REPO / "tests" / "plugins").glob("*.py"))
load_plugins(PLUGINS)
KINDS = {"source": SOURCES, "variant": VARIANTS, "feature": FEATURES, "metric": METRICS, "model": MODELS}
ENTRIES = [(kind, name) for kind, registry in KINDS.items() for name in registry.names()]


def ids(items):
    return [f"{kind}-{name}" for kind, name in items]


def test_the_plugins_of_every_kind_are_among_the_types():
    plugin_types = {
        (kind, name) for kind, name in ENTRIES if KINDS[kind].get(name).module.startswith("difficulty_plugin")
    }
    assert {kind for kind, _ in plugin_types} == {"source", "feature", "metric", "model"}


@pytest.mark.parametrize(("kind", "name"), ENTRIES, ids=ids(ENTRIES))
def test_every_type_documents_itself_and_its_defaults_fit_their_schema(kind, name, tmp_path):
    entry = KINDS[kind].get(name)
    assert entry.help and entry.describe() and Path(entry.source_file).exists()
    for option_name, option in entry.all_options().items():
        assert option.help, f"{kind} {name}: option {option_name} has no description"
        if not option.required:
            errors = list(Draft202012Validator(dict(option.schema)).iter_errors(option.default))
            assert not errors, f"{kind} {name}: default of {option_name} does not fit its schema: {errors[0].message}"
    example = entry.example_options(tmp_path)
    missing = [key for key, option in entry.options.items() if option.required and key not in example]
    assert not missing, f"{kind} {name}: declare an example= that gives its required option(s) {missing}"


def test_unknown_type_and_a_taken_name_are_refused():
    registry = Registry("gadget", type(METRICS.get("sil")), "gadgets", "fn", "register_gadget")
    with pytest.raises(ConfigError, match=r"unknown gadget type 'x'; registered: \. A module listed under 'plugins'"):
        registry.get("x")
    entry = METRICS.get("sil")
    registry.add(entry)
    registry.add(entry)  # the same module registering again (a plugin imported twice) is fine
    other = type(entry)(name="sil", fn=entry.fn, module="somewhere.else")
    with pytest.raises(ValueError, match="gadget type 'sil' is already registered by difficulty.metrics.silhouette"):
        registry.add(other)


def test_a_type_splits_an_entry_into_the_kinds_options_and_its_own():
    spec = resolve_feature("f", {"type": "random_resnet", "depth": 10, "pca": 4})
    shared, own = FEATURES.get("random_resnet").split(spec)
    assert shared == {"pca": 4, "shards": 1} and own == {"depth": 10, "size": [28, 28, 28], "batch_size": 8}
    spec = resolve_model("m", {"type": "cnn3d", "epochs": 2})
    training, own = MODELS.get("cnn3d").split(spec)
    assert own == {"channels": [8, 16, 32], "dropout": 0.2} and training["epochs"] == 2 and "type" not in training


# ---- sources -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOURCES.names())
def test_every_source_reads_its_cases_in_table_order(name, tmp_path):
    source = SOURCES.get(name)
    spec = resolve_dataset({"name": "d", "source": name, **source.example_options(tmp_path)})
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


@pytest.mark.parametrize("name", VARIANTS.names())
def test_every_variant_kind_makes_a_label_table_of_its_parents_cases_deterministically(name, tmp_path):
    kind = VARIANTS.get(name)
    selects = {} if kind.options[name].required else {name: kind.options[name].default}  # its key names the kind
    spec = resolve_dataset({"name": "v", "parent": "p", **selects, **kind.example_options(tmp_path)})
    assert spec["variant"] == name and spec["parent"] == "p"
    _, options = kind.split(spec)
    parent = pd.DataFrame({"case_id": [f"c{i}" for i in range(40)], "patient_id": [f"p{i // 2}" for i in range(40)]})
    parent["label"] = np.where(np.arange(40) % 2, "a", "b")
    inputs = None  # a kind that reads files of the results folder (its parent's curation table) writes examples
    if kind.inputs is not None:
        inputs = kind.example_inputs(parent.copy(), tmp_path)
        assert set(inputs) == set(kind.inputs("p")) and all(Path(p).exists() for p in inputs.values())
    table = kind.make_labels(parent.copy(), options, 5, inputs)
    assert list(table.columns[:3]) == ["case_id", "patient_id", "label"] and table["case_id"].is_unique
    assert set(table["case_id"]) <= set(parent["case_id"])
    pd.testing.assert_frame_equal(table, kind.make_labels(parent.copy(), options, 5, inputs))


IMAGE_KINDS = [kind.name for kind in VARIANTS if kind.image is not None]


@pytest.mark.parametrize("name", IMAGE_KINDS)
def test_every_image_kind_changes_the_image_only_and_deterministically(name, tmp_path):
    """An image kind keeps the case's shape, geometry and mask, changes its image, the same way for one seed."""
    kind = VARIANTS.get(name)
    _, options = kind.split(resolve_dataset({"name": "v", "parent": "p", **kind.example_options(tmp_path)}))
    image, mask = next(iter_phantoms(2, 1.0, shape=(12, 14, 16), seed=2))
    direction = (0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    case = Case("c7", image, mask > 0, spacing=(2.0, 1.0, 0.75), origin=(3.0, -4.0, 5.0), direction=direction)
    out = kind.image(case, options, 11)
    assert isinstance(out, Case) and out.case_id == case.case_id and out.image.shape == case.image.shape
    assert (out.spacing, out.origin, out.direction) == (case.spacing, case.origin, case.direction)
    np.testing.assert_array_equal(out.mask, case.mask)
    assert np.isfinite(out.image).all() and not np.array_equal(out.image, case.image)
    np.testing.assert_array_equal(kind.image(case, options, 11).image, out.image)
    pd.testing.assert_frame_equal(
        kind.labels(pd.DataFrame({"case_id": ["c7"], "patient_id": ["p"], "label": ["a"]}), options, 11),
        pd.DataFrame({"case_id": ["c7"], "patient_id": ["p"], "label": ["a"]}),
    )


# ---- feature extractors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FEATURES.names())
def test_every_extractor_gives_one_finite_row_per_case_in_order(name, tmp_path):
    extractor = FEATURES.get(name)
    spec = resolve_feature("f", {"type": name, **extractor.example_options(tmp_path)})
    _, options = extractor.split(spec)
    if extractor.check is not None:
        extractor.check(options, False)
    data = prepared(tmp_path / "p", {"source": "synthetic", "separation": 1.0, "n_per_class": 4, "shape": [16] * 3})
    data = data.subset([0, 2, 3])
    table = extractor.extract(data, options=options, inputs=extractor.inputs(options), seed=1, threads=1)
    assert list(table["case_id"]) == ["case_0000", "case_0002", "case_0003"]
    values = table.drop(columns="case_id").to_numpy(dtype=np.float64)
    assert values.shape[1] > 0 and np.isfinite(values).all()
    assert (np.ptp(values, axis=0) > 1e-9 * (1 + np.abs(values).max(axis=0))).any()  # the cases' own values
    again = extractor.extract(data, options=options, inputs=extractor.inputs(options), seed=1, threads=1)
    pd.testing.assert_frame_equal(table, again)
    alone = extractor.extract(data.subset([1]), options=options, inputs=extractor.inputs(options), seed=1, threads=1)
    assert list(alone["case_id"]) == ["case_0002"]  # a case's row is its own, whatever else is extracted with it
    scale = np.abs(values).max()
    np.testing.assert_allclose(
        alone.drop(columns="case_id").to_numpy(dtype=np.float64)[0], values[1], rtol=1e-5, atol=1e-6 * scale
    )


# ---- metrics -----------------------------------------------------------------------------------------------


def two_classes(shift, n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.repeat([0, 1], n // 2)
    X[y == 1] += shift
    return X, y


@pytest.mark.parametrize("name", METRICS.names())
def test_every_metric_type_scores_a_sample_set_by_its_name(name):
    X, y = two_classes(2.0)
    seeded = {"seed": 4} if METRICS.get(name).seeded else {}
    assert metrics.score(name, X, y, None, seed=4) == METRICS.get(name).fn(X, y, None, **seeded)


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


@pytest.mark.parametrize("name", METRICS.names())
def test_every_metric_bootstraps_a_class_of_its_fewest_cases_and_refuses_one_fewer(name):
    fewest = METRICS.get(name).min_per_class
    X, y = two_classes(2.0, n=24)
    X, y = X[12 - fewest :], y[12 - fewest :]  # class 0: exactly the fewest cases the metric takes
    assert bootstrap(name, X, y, sessions=2, fraction=1.0, device="numpy").shape == (2,)
    with pytest.raises(DataError, match=rf"has {fewest - 1} samples; this metric needs at least {fewest}$"):
        bootstrap(name, X[1:], y[1:], sessions=2, fraction=1.0, device="numpy")


# ---- models ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS.names())
def test_every_model_maps_volumes_to_class_logits(name, tmp_path):
    model = MODELS.get(name)
    _, own = model.split(resolve_model("m", {"type": name, **model.example_options(tmp_path)}))
    torch.manual_seed(0)
    network = model.build(3, **own)
    assert network(torch.zeros(2, 1, 16, 16, 16)).shape == (2, 3)
