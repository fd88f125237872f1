"""Metric engine against the study's definitions, computed the slow, obvious way."""

import dataclasses

import numpy as np
import pytest
import scipy.linalg

from difficulty import devices, metrics
from difficulty.metrics import backend, frechet, silhouette_score
from difficulty.options import Option


def brute_silhouette(X, y, groups):
    """Double loop over samples exactly as the study's definition (two classes)."""
    n = len(X)
    s = []
    for i in range(n):
        own = [np.linalg.norm(X[i] - X[j]) for j in range(n) if y[j] == y[i] and groups[j] != groups[i]]
        other = [np.linalg.norm(X[i] - X[j]) for j in range(n) if y[j] != y[i]]
        if not own:
            s.append(0.0)
            continue
        a, b = np.mean(own), np.mean(other)
        s.append(0.0 if a == b else (b - a) / max(a, b))
    return float(np.mean(s))


def sqrtm_fid(A, B):
    """The original code's route: scipy.linalg.sqrtm of the covariance product."""
    mu = A.mean(0) - B.mean(0)
    Sa, Sb = np.cov(A, rowvar=False), np.cov(B, rowvar=False)
    root = scipy.linalg.sqrtm(Sa @ Sb)
    return float(mu @ mu + np.trace(Sa + Sb - 2 * root.real))


def brute_fid_score(X, y):
    classes = np.unique(y)
    a, b = (X[y == c] for c in classes)
    ij = sqrtm_fid(a, b)
    ii = min(sqrtm_fid(m[: len(m) // 2], m[len(m) // 2 :]) for m in (a, b))
    return (ij - ii) / max(ij, ii)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (40, 5)), rng.normal(0.8, 1.3, (30, 5))])
    y = np.array([0] * 40 + [1] * 30)
    return X, y


def test_silhouette_matches_double_loop(blobs):
    X, y = blobs
    ours = metrics.silhouette(X, y)
    assert ours == pytest.approx(brute_silhouette(X, y, np.arange(len(y))), rel=1e-9)
    assert 0.0 < ours < 1.0


def test_silhouette_leaves_out_same_patient(blobs):
    X, y = blobs
    groups = np.arange(len(y)) // 3  # three cases per patient, some patients span both classes
    ours = metrics.silhouette(X, y, groups=groups)
    assert ours == pytest.approx(brute_silhouette(X, y, groups), rel=1e-9)
    assert ours != pytest.approx(metrics.silhouette(X, y), rel=1e-6)


def test_silhouette_string_labels_and_patient_with_only_own_cases():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 3))
    y = np.array(["a"] * 6 + ["b"] * 6)
    groups = np.array(["p1"] * 6 + [f"q{i}" for i in range(6)])  # class a is one patient: a_i undefined -> 0
    expected = brute_silhouette(X, y, groups)
    assert metrics.silhouette(X, y, groups) == pytest.approx(expected, rel=1e-9)


def test_silhouette_counts_a_case_with_a_single_other_case_of_its_class():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(4, 3)), np.array([0, 0, 1, 1])  # a_i is the distance to the one other case
    assert metrics.silhouette(X, y) == pytest.approx(brute_silhouette(X, y, np.arange(4)), rel=1e-9)
    assert metrics.silhouette(X, y) != 0.0
    sessions = metrics.bootstrap("sil", X, y, sessions=2, fraction=1.0, device="numpy")  # SIL takes two a class
    np.testing.assert_allclose(sessions, metrics.silhouette(X, y), rtol=1e-12)
    X, y, groups = rng.normal(size=(6, 3)), np.array([0, 0, 0, 1, 1, 1]), np.array([0, 0, 1, 2, 3, 4])
    assert metrics.silhouette(X, y, groups) == pytest.approx(brute_silhouette(X, y, groups), rel=1e-9)


def test_silhouette_of_duplicated_cases_and_of_features_far_from_zero_is_exact():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 8)), np.repeat([0, 1], 5)
    X, y = np.vstack([X, X]), np.concatenate([y, y])  # every case twice: distance 0, which may round below 0
    assert metrics.silhouette(X, y) == pytest.approx(brute_silhouette(X, y, np.arange(20)), rel=1e-6)
    X = rng.normal(size=(30, 4)) + 1e6  # a common offset (raw intensities, volumes) must not cost digits
    y = np.repeat([0, 1], 15)
    assert metrics.silhouette(X, y) == pytest.approx(brute_silhouette(X, y, np.arange(30)), rel=1e-7)


def test_silhouette_of_identical_cases_is_zero():
    assert metrics.silhouette(np.ones((6, 3)), [0, 0, 0, 1, 1, 1]) == 0.0  # a = b = 0: no separation


def test_silhouette_in_distance_blocks_equals_one_block(blobs, monkeypatch):
    X, y = blobs
    groups = np.arange(len(y)) // 3
    whole = [metrics.silhouette(X, y, groups, multiclass=m) for m in ("pairs", "nearest")]
    monkeypatch.setattr(backend, "BLOCK_VALUES", 7 * len(y))  # blocks of 7 rows
    assert [metrics.silhouette(X, y, groups, multiclass=m) for m in ("pairs", "nearest")] == pytest.approx(whole)


def test_silhouette_options_read_from_a_config_are_compared_by_value():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(m, 1, (10, 4)) for m in (0, 2, 5)])
    y = np.repeat([0, 1, 2], 10)
    pairs, nearest = "".join(["pa", "irs"]), "".join(["near", "est"])  # new str objects, as YAML makes them
    assert pairs is not "pairs"  # noqa: F632 (the point of the test)
    assert metrics.silhouette(X, y, multiclass=pairs) == metrics.silhouette(X, y)
    assert metrics.silhouette(X, y, multiclass=nearest) == metrics.silhouette(X, y, multiclass="nearest")
    assert metrics.silhouette(X, y, multiclass=pairs, per_pair=True) == metrics.silhouette(X, y, per_pair=True)
    with pytest.raises(ValueError, match="per_pair=True needs multiclass='pairs'"):
        metrics.silhouette(X, y, multiclass="nearest", per_pair=True)


def test_silhouette_with_patients_spread_over_the_classes(blobs):
    X, y = blobs
    groups = np.random.default_rng(5).integers(0, 12, len(y))  # most patients have cases of both classes
    assert metrics.silhouette(X, y, groups) == pytest.approx(brute_silhouette(X, y, groups), rel=1e-9)
    rng = np.random.default_rng(6)
    X, y, groups = rng.normal(size=(45, 4)), np.repeat([0, 1, 2], 15), rng.integers(0, 8, 45)
    for (a, b), value in metrics.silhouette(X, y, groups, per_pair=True).items():
        keep = (y == a) | (y == b)
        assert value == pytest.approx(brute_silhouette(X[keep], y[keep], groups[keep]), rel=1e-9)


def test_silhouette_multiclass_pairs_and_nearest():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(m, 1, (15, 4)) for m in (0, 2, 5)])
    y = np.repeat([0, 1, 2], 15)
    pairs = metrics.silhouette(X, y, per_pair=True)
    for (a, b), value in pairs.items():
        keep = (y == a) | (y == b)
        assert value == pytest.approx(brute_silhouette(X[keep], y[keep], np.arange(keep.sum())), rel=1e-9)
    assert metrics.silhouette(X, y) == pytest.approx(np.mean(list(pairs.values())), rel=1e-12)
    from sklearn.metrics import silhouette_score

    assert metrics.silhouette(X, y, multiclass="nearest") == pytest.approx(silhouette_score(X, y), rel=1e-9)


def test_fid_matches_sqrtm_route(blobs):
    X, y = blobs
    a, b = X[y == 0], X[y == 1]
    assert metrics.frechet_distance(a, b) == pytest.approx(sqrtm_fid(a, b), rel=1e-9)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)


def test_fid_score_matches_sqrtm_route(blobs):
    X, y = blobs
    assert metrics.fid_score(X, y) == pytest.approx(brute_fid_score(X, y), rel=1e-9)


def test_frechet_distance_takes_two_rows_and_names_mismatched_features():
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    assert metrics.frechet_distance(A, B) == pytest.approx(sqrtm_fid(A, B), rel=1e-6, abs=1e-9)
    with pytest.raises(ValueError, match=r"A has 3 features but B has 2"):
        metrics.frechet_distance(rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))
    with pytest.raises(ValueError, match=r"A has 2 features but B has 3"):
        metrics.frechet_distance(rng.normal(size=(5, 2)), rng.normal(size=(5, 3)))
    wide = rng.normal(size=(2, 5, 300))  # feature counts past CPython's small-int cache compare by value
    assert metrics.frechet_distance(*wide) == pytest.approx(sqrtm_fid(*wide), rel=1e-6)
    with pytest.raises(ValueError, match=r"B must be a 2-D array with at least 2 rows, got shape \(1, 3\)"):
        metrics.frechet_distance(A, B[:1])
    with pytest.raises(ValueError, match=r"A must be a 2-D array with at least 2 rows, got shape \(3,\)"):
        metrics.frechet_distance(A[0], B)  # one vector, not samples
    with pytest.raises(ValueError, match=r"B must be a 2-D array with at least 2 rows, got shape \(2, 2, 3\)"):
        metrics.frechet_distance(A, np.stack([B, B]))


def test_separation_is_the_difference_over_the_larger_and_zero_where_undefined():
    assert frechet.separation(1.0, 0.5) == 0.5 and frechet.separation(0.5, 1.0) == -0.5
    assert frechet.separation(2.0, 2.0) == 0.0 and frechet.separation(0.0, -1e-3) == 0.0  # equal; largest 0


def test_fid_more_features_than_samples_is_finite_and_deterministic():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 200))
    y = np.repeat([0, 1], 15)
    X[y == 1] += 0.3
    values = {metrics.fid_score(X, y) for _ in range(3)}
    assert len(values) == 1
    value = values.pop()
    assert np.isfinite(value) and isinstance(value, float) and -1 <= value <= 1
    # Same value by the Gram (kernel) route that the bootstrap takes for d > n.
    a, b = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
    assert frechet.SubsetFid(X)(a, b) == pytest.approx(metrics.frechet_distance(X[a], X[b]), rel=1e-9)


@pytest.mark.parametrize("metric", ["sil", "fid"])
def test_bootstrap_is_deterministic_and_seed_dependent(blobs, metric):
    X, y = blobs
    one = metrics.bootstrap(metric, X, y, sessions=20, seed=7)
    two = metrics.bootstrap(metric, X, y, sessions=20, seed=7)
    other = metrics.bootstrap(metric, X, y, sessions=20, seed=8)
    assert one.shape == (20,)
    np.testing.assert_array_equal(one, two)
    assert not np.allclose(one, other)
    assert np.all((one >= -1) & (one <= 1))


def test_bootstrap_sessions_equal_the_metric_on_the_drawn_subset(blobs):
    X, y = blobs
    data = metrics.check_inputs(X, y)
    draws = metrics.draw_sessions(data, 5, 0.6, False, np.random.default_rng(11))
    sil = metrics.bootstrap("sil", X, y, sessions=5, seed=11)
    fid = metrics.bootstrap("fid", X, y, sessions=5, seed=11)
    for s, drawn in enumerate(draws):
        assert [len(m) for m in drawn] == [24, 18]  # round(40 * 0.6), round(30 * 0.6)
        idx = np.concatenate(drawn)
        assert sil[s] == pytest.approx(metrics.silhouette(X[idx], y[idx]), rel=1e-9)
        assert fid[s] == pytest.approx(metrics.fid_score(X[idx], y[idx]), rel=1e-9)


@pytest.mark.parametrize("d", [5, 10, 80])  # 10: data route between classes, Gram within
def test_bootstrap_fid_routes_equal_the_definition(d):
    """Data route (few features), Gram route (many) and the switch between them per class pair."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, d))
    y = np.repeat([0, 1], 30)
    X[y == 1, :5] += 1.0
    draws = metrics.draw_sessions(metrics.check_inputs(X, y), 4, 0.6, False, np.random.default_rng(0))
    scores = metrics.bootstrap("fid", X, y, sessions=4, seed=0, device="numpy")
    for s, drawn in enumerate(draws):
        idx = np.concatenate(drawn)
        assert scores[s] == pytest.approx(metrics.fid_score(X[idx], y[idx]), rel=1e-9)


def test_patient_wise_draws_whole_patients():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 3))
    y = np.repeat([0, 1], 30)
    groups = np.arange(60) // 3
    data = metrics.check_inputs(X, y, groups)
    for drawn in metrics.draw_sessions(data, 10, 0.6, True, np.random.default_rng(1)):
        for m in drawn:
            assert len(m) == 6 * 3  # round(10 patients * 0.6) = 6 patients, 3 cases each
            picked = set(groups[m])
            assert set(np.flatnonzero(np.isin(groups, list(picked)))) == set(m)
    scores = metrics.bootstrap("sil", X, y, groups=groups, sessions=10, patient_wise=True, seed=1)
    assert scores.shape == (10,) and np.all(np.abs(scores) <= 1)


@pytest.mark.parametrize("fraction", [0.0, -0.2, 1.01, 2.0])
def test_a_fraction_outside_zero_to_one_is_refused(blobs, fraction):
    data = metrics.check_inputs(*blobs)
    with pytest.raises(ValueError, match=rf"fraction must be in \(0, 1\], got {fraction}"):
        metrics.draw_sessions(data, 1, fraction, False, np.random.default_rng(0))


@pytest.mark.parametrize("patient_wise", [False, True])
def test_fraction_one_draws_every_case_once_and_a_tiny_fraction_one_of_each_class(patient_wise):
    """fraction 1 is allowed and draws without replacement (each case once); a fraction that rounds to no sample
    (round(3 · 0.1) = 0) still draws one case or patient of each class."""
    y = np.repeat([0, 1], 6)
    groups = np.arange(12) // 2  # three patients per class, two cases each
    data = metrics.check_inputs(np.random.default_rng(0).normal(size=(12, 2)), y, groups)
    for drawn in metrics.draw_sessions(data, 20, 1.0, patient_wise, np.random.default_rng(3)):
        assert [sorted(m) for m in drawn] == [list(range(6)), list(range(6, 12))]
    per_class = 2 if patient_wise else 1  # the one patient's two cases
    fraction = 0.1 if patient_wise else 0.05  # round(3 · 0.1) = 0 patients, round(6 · 0.05) = 0 cases
    for drawn in metrics.draw_sessions(data, 20, fraction, patient_wise, np.random.default_rng(3)):
        assert [len(m) for m in drawn] == [per_class, per_class]
        assert len(set(groups[drawn[0]])) == 1


def test_bootstrap_defaults_are_1000_sessions_of_sixty_percent_seed_zero(blobs):
    X, y = blobs
    scores = metrics.bootstrap("sil", X, y)
    assert scores.shape == (1000,)
    # the same sessions: equal to round-off (the batch of sessions changes the BLAS kernel of the distance sums)
    np.testing.assert_allclose(scores[:5], metrics.bootstrap("sil", X, y, sessions=5, fraction=0.6, seed=0), rtol=1e-12)
    assert metrics.bootstrap("sil", X, y, sessions=1).shape == (1,)
    for sessions in (0, -1):
        with pytest.raises(ValueError, match=f"sessions must be at least 1, got {sessions}"):
            metrics.bootstrap("sil", X, y, sessions=sessions)


@pytest.fixture
def registered():
    """Names registered by a test, removed again afterwards."""
    names = []
    yield names
    for name in names:
        metrics.METRICS.remove(name)


def test_registered_metric_runs_in_bootstrap(blobs, registered):
    X, y = blobs
    registered.append("mean_difference")
    metrics.register_metric("mean_difference", lambda X, y, g: float(abs(X[y == 0].mean() - X[y == 1].mean())))
    scores = metrics.bootstrap("mean_difference", X, y, sessions=3, seed=0)
    assert scores.shape == (3,) and np.all(scores > 0)
    assert "mean_difference" in metrics.metric_names() and metrics.score("mean_difference", X, y) > 0
    entry = metrics.METRICS.get("mean_difference")  # what a plugin that declares nothing is taken to be
    assert (entry.higher_is_easier, entry.min_per_class, entry.order_free, entry.scale_free) == (True, 2, True, True)
    assert not (entry.seeded or entry.label_only) and entry.sessions is None


def test_registered_metric_options_reach_the_metric(blobs, registered):
    X, y = blobs
    registered.append("shifted")

    @metrics.register_metric("shifted", options={"offset": Option(0.0, "added to the score", {"type": "number"})})
    def shifted(X, y, groups, offset):
        """Mean of the first feature plus an offset."""
        return float(X[:, 0].mean() + offset)

    base = metrics.bootstrap("shifted", X, y, sessions=3, seed=1)
    np.testing.assert_allclose(metrics.bootstrap("shifted", X, y, sessions=3, seed=1, offset=2.0), base + 2.0)
    with pytest.raises(ValueError, match="unknown option 'ofset'"):
        metrics.bootstrap("shifted", X, y, sessions=3, ofset=1.0)
    with pytest.raises(ValueError, match="'x' is not of type 'number'"):
        metrics.bootstrap("shifted", X, y, sessions=3, offset="x")


def test_a_seeded_metric_gets_seed_zero_by_default_and_its_session_seeds_in_bootstrap(blobs, registered):
    X, y = blobs
    registered.append("seed_echo")
    metrics.register_metric("seed_echo", lambda X, y, groups, seed: float(seed), seeded=True)
    assert metrics.score("seed_echo", X, y) == 0.0 and metrics.score("seed_echo", X, y, seed=5) == 5.0
    expected = [metrics.session_seed(2, s) for s in range(3)]
    np.testing.assert_array_equal(metrics.bootstrap("seed_echo", X, y, sessions=3, seed=2), expected)
    assert len(set(expected)) == 3


def test_a_built_in_name_cannot_be_taken_and_bootstrap_names_are_reserved():
    with pytest.raises(ValueError, match="'sil' is already registered by difficulty.metrics.silhouette_score"):
        metrics.register_metric("sil", lambda X, y, g: 0.0)
    with pytest.raises(ValueError, match="option .fraction. is an option of every metric entry"):
        metrics.register_metric("x", lambda X, y, g: 0.0, options={"fraction": Option(0.5)})
    with pytest.raises(TypeError):
        metrics.Metric(len, name="x")  # fields by name only: a new field can never shift the others


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones((6, 2)), [0] * 6, r"y holds one class only \(0\)"),
        (np.ones((9, 2)), ["a"] * 4 + ["b"] * 4 + ["c"], r"class 'c' has 1 samples"),
        (np.ones((6, 2)), [0, 0, 0, 1, 1], "one label per row"),
        (np.array([[0.0, np.nan]] * 8), [0, 1] * 4, r"8 NaN or inf values \(first at row 0, column 1\)"),
        (np.ones((6, 2)), [[0], [0], [0], [1], [1], [1]], r"y has shape \(6, 1\): one label per row"),
        (np.ones((6, 2)), 0, r"y has shape \(\): one label per row"),
        (np.ones((6, 2)), [0, 1] * 4, r"X has 6 rows but y has shape \(8,\)"),
        (np.ones((6, 2, 1)), [0, 1] * 3, r"X must be a 2-D array \(samples, features\), got shape \(6, 2, 1\)"),
        (np.ones(6), [0, 1] * 3, r"X must be a 2-D array \(samples, features\), got shape \(6,\)"),
        (np.arange(24.0).reshape(12, 2), [0] * 3 + [1] * 3 + [2] * 6, r"class 0 has 3 samples; .* at least 4$"),
        (np.arange(14.0).reshape(7, 2), [0, 0, 0, 0, 1, 1, 1], "needs at least 4"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(X, y, message):
    with pytest.raises(ValueError, match=message):
        metrics.fid_score(X, y)


def test_checked_inputs_are_read_only_with_classes_in_sorted_order_and_one_group_per_row():
    data = metrics.check_inputs(np.ones((4, 2)), ["b", "a", "b", "a"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.codes = None
    assert data.classes.tolist() == ["a", "b"] and data.codes.tolist() == [1, 0, 1, 0]
    for groups in ([0, 1, 2], [0, 1, 2, 3, 4]):
        with pytest.raises(ValueError, match=f"X has 4 rows but groups has {len(groups)} entries"):
            metrics.check_inputs(np.ones((4, 2)), [0, 0, 1, 1], groups)
    many = metrics.check_inputs(np.ones((300, 2)), [0, 1] * 150, np.arange(300))  # lengths compared by value
    assert len(many.codes) == len(many.groups) == 300


def test_unknown_metric_and_too_small_bootstrap():
    X = np.random.default_rng(0).normal(size=(12, 2))
    y = [0] * 6 + [1] * 6
    registered = ", ".join(metrics.metric_names())
    assert registered.startswith("cosine, csg, dsi, f1, fid") and registered.endswith("probe, sil")
    with pytest.raises(ValueError, match=f"unknown metric type 'nope'; registered: {registered}"):
        metrics.bootstrap("nope", X, y, sessions=2)
    with pytest.raises(ValueError, match="draws only 3 samples of a class"):
        metrics.bootstrap("fid", X, y, sessions=2, fraction=0.5)


@pytest.mark.parametrize("metric", ["sil", "fid"])
def test_torch_backend_equals_numpy(metric):
    """The batched torch route (a GPU in production, the CPU here) gives the NumPy numbers."""
    rng = np.random.default_rng(9)
    X = rng.normal(size=(90, 12))
    y = np.repeat(["a", "b", "c"], 30)
    X[y == "b"] += 0.5
    groups = np.arange(90) // 2
    for kwargs in ({}, {"groups": groups}, {"groups": groups, "patient_wise": True}):
        ours = metrics.bootstrap(metric, X, y, sessions=6, seed=3, device="numpy", **kwargs)
        torch_cpu = metrics.bootstrap(metric, X, y, sessions=6, seed=3, device="cpu", **kwargs)
        np.testing.assert_allclose(torch_cpu, ours, rtol=1e-9, atol=1e-12)


def test_fid_takes_torchs_route_for_a_torch_device_only_and_keeps_the_digits_of_features_far_from_zero(monkeypatch):
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(40, 12)) + 1e6, np.repeat([0, 1], 20)
    X[y == 1] += 0.5
    batched, routes = frechet._batched_sessions, []
    monkeypatch.setattr(frechet, "_batched_sessions", lambda *args: routes.append("torch") or batched(*args))
    ours = metrics.bootstrap("fid", X, y, sessions=4, seed=3, device="".join(["num", "py"]))  # a YAML string
    assert routes == []
    np.testing.assert_allclose(metrics.bootstrap("fid", X, y, sessions=4, seed=3, device="cpu"), ours, rtol=1e-6)
    assert routes == ["torch"]


# ---- routes and memory budgets: the answer never depends on them, the cost does ------------------------------


def spy(monkeypatch, module, name, record):
    """Replace ``module.name`` by a wrapper that calls ``record(*args)`` first."""
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *args, **kw: record(*args) or real(*args, **kw))


@pytest.mark.parametrize(
    ("d", "routes"),
    [(6, ["data"] * 3), (7, ["gram", "gram", "data"]), (12, ["gram", "gram", "data"]), (13, ["gram"] * 3)],
)
def test_fid_takes_the_data_route_while_features_are_at_most_0_6_of_the_smaller_set(d, routes, monkeypatch):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, d)), np.repeat([0, 1], 20)  # halves of 10 (within), classes of 20 (between)
    taken = []
    spy(monkeypatch, frechet, "_fid_from_data", lambda *args: taken.append("data"))
    spy(monkeypatch, frechet, "gram_fid", lambda *args: taken.append("gram"))
    spy(monkeypatch, frechet, "_gram_pair", lambda *args: taken.append("gram"))
    metrics.bootstrap("fid", X, y, sessions=1, fraction=1.0, device="numpy")
    assert taken == routes


def test_the_gram_route_of_the_bootstrap_equals_an_svd_of_every_cross_matrix(monkeypatch):
    """The sessions' nuclear norms from eigenvalues (and their sums of rows from one product) give the FID scores of
    SVDs of every cross matrix to round-off: on full-rank data, on features of lower rank than the sets (their
    zero eigenvalues left out) and on duplicated features (near-singular: the SVD takes over), three classes too."""
    from difficulty.metrics.bootstrap import draw_sessions

    rng = np.random.default_rng(8)
    base = rng.normal(size=(150, 40))
    cases = {
        "full rank": rng.normal(size=(150, 120)),
        "rank 40 < sets": base @ rng.normal(size=(40, 120)),
        "duplicated": np.hstack([base, base, base[:, :5] * (1 + 1e-9)]),
    }
    y = np.repeat([0, 1, 2], 50)
    for name, X in cases.items():
        fast = metrics.bootstrap("fid", X, y, sessions=12, fraction=0.8, seed=4, device="numpy")
        monkeypatch.setattr(frechet, "EIG_RATIO", np.inf)  # every cross matrix through the SVD
        slow = metrics.bootstrap("fid", X, y, sessions=12, fraction=0.8, seed=4, device="numpy")
        monkeypatch.setattr(frechet, "EIG_RATIO", 1e-9)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-11, err_msg=name)
        f = frechet.SubsetFid(X)  # the per-set route: the same sessions
        data = metrics.check_inputs(X, y)
        draws = draw_sessions(data, 12, 0.8, False, np.random.default_rng(4))
        old = [frechet._score_sets(f, drawn, frechet.class_pairs(3)).mean() for drawn in draws]
        np.testing.assert_allclose(fast, old, rtol=0, atol=1e-11, err_msg=name)


def test_a_nuclear_norm_from_eigenvalues_is_the_svds():
    rng = np.random.default_rng(9)
    C = rng.normal(size=(30, 20)) @ rng.normal(size=(20, 25))  # rank 20
    C = C - C.mean(axis=0) - C.mean(axis=1, keepdims=True) + C.mean()
    assert frechet.nuclear_norm(C, rank=20) == pytest.approx(np.linalg.svd(C, compute_uv=False).sum(), rel=1e-13)
    assert frechet.nuclear_norm(C) == pytest.approx(np.linalg.svd(C, compute_uv=False).sum(), rel=1e-13)


def test_the_covariance_factor_has_at_most_d_rows_and_gives_the_covariance():
    rng = np.random.default_rng(5)
    for n, d in ((50, 4), (4, 4), (3, 6)):  # a QR only where there are more rows than features
        Xc = rng.normal(size=(n, d))
        Xc -= Xc.mean(axis=0)
        F = frechet._cov_factor(Xc)
        assert F.shape == (min(n, d), d)
        np.testing.assert_allclose(F.T @ F, np.cov(Xc, rowvar=False), atol=1e-12)


def test_the_block_budget_bounds_memory_and_keeps_blocks_large():
    assert backend.BLOCK_VALUES * 8 <= 128 * 2**20  # one block of float64 values: at most 128 MB
    assert backend.BLOCK_VALUES // 20_000 >= 500  # 20,000 cases: distance blocks of 500 rows or more


def test_distances_have_a_zero_diagonal_and_zero_between_duplicates():
    X = np.random.default_rng(0).normal(size=(10, 8))
    D = metrics.pairwise.distance_matrix(np.vstack([X, X]))  # copies: distances that may round below 0
    assert np.isfinite(D).all() and (np.diag(D) == 0).all()
    np.testing.assert_allclose(np.diag(D, 10), 0.0, atol=1e-6)


def test_both_backends_take_the_trace_of_the_last_two_axes_of_any_array():
    import torch

    assert all(isinstance(backend.array_ops(device), backend.TorchOps) for device in ("cpu", "cuda", "cuda:1"))
    M = np.random.default_rng(7).normal(size=(2, 3, 4, 4))
    for ops, asarray in ((backend.NUMPY, np.asarray), (backend.TorchOps("cpu"), torch.as_tensor)):
        for x in (M[0, 0], M[0], M):
            np.testing.assert_allclose(np.asarray(ops.trace(asarray(x))), np.trace(x, axis1=-2, axis2=-1))


def test_gram_fid_is_batched_over_leading_axes():
    rng = np.random.default_rng(6)
    A, B = rng.normal(size=(3, 8, 5)), rng.normal(size=(3, 6, 5))  # three pairs of sample sets
    batched = frechet.gram_fid(A @ A.transpose(0, 2, 1), B @ B.transpose(0, 2, 1), A @ B.transpose(0, 2, 1))
    np.testing.assert_allclose(batched, [metrics.frechet_distance(a, b) for a, b in zip(A, B)], rtol=1e-9)


def test_fid_keeps_the_whole_gram_matrix_up_to_gram_max_n_cases(monkeypatch):
    X = np.random.default_rng(2).normal(size=(30, 40))
    a, b = np.arange(0, 12), np.arange(12, 30)
    for most, kept in ((31, True), (30, True), (29, False)):
        monkeypatch.setattr(frechet, "GRAM_MAX_N", most)
        fid = frechet.SubsetFid(X)
        assert fid(a, b) == pytest.approx(metrics.frechet_distance(X[a], X[b]), rel=1e-9)
        assert (fid.K is not None) == kept and (not kept or fid.K.shape == (30, 30))


@pytest.mark.parametrize(("budget", "batches"), [(3 * 4 * 12**2 + 100, [3, 3, 2]), (100, [1] * 8)])
def test_torchs_fid_batches_as_many_sessions_as_the_block_budget_holds(budget, batches, monkeypatch):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(40, 30)), np.repeat([0, 1], 20)  # 12 drawn per class: 4 · 12² values a session
    ours = metrics.bootstrap("fid", X, y, sessions=8, device="numpy")
    sizes = []
    spy(monkeypatch, frechet, "gram_fid", lambda Kaa, Kbb, Kab, ops: sizes.append(Kaa.shape[0]))
    monkeypatch.setattr(backend, "BLOCK_VALUES", budget)
    np.testing.assert_allclose(metrics.bootstrap("fid", X, y, sessions=8, device="cpu"), ours, rtol=1e-9)
    assert sizes == [n for n in batches for _ in range(3)]  # per batch: two halves, one pair


@pytest.mark.parametrize(("budget", "chunks", "rows"), [(2 * 40 * 2 * 3 + 7, [3, 3, 2], 12), (30, [1] * 8, 1)])
def test_sil_chunks_sessions_and_distance_rows_by_the_block_budget(budget, chunks, rows, monkeypatch):
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(40, 5)), np.repeat([0, 1], 20)
    ours = metrics.bootstrap("sil", X, y, sessions=8, device="numpy")
    sessions, blocks = [], []
    spy(monkeypatch, silhouette_score, "silhouette_sessions", lambda data, chosen, *a: sessions.append(chosen.shape[1]))
    spy(monkeypatch, silhouette_score._DistanceSums, "__call__", lambda self, r: blocks.append(r.stop - r.start))
    monkeypatch.setattr(backend, "BLOCK_VALUES", budget)
    np.testing.assert_allclose(metrics.bootstrap("sil", X, y, sessions=8, device="numpy"), ours, rtol=1e-12)
    assert sessions == chunks  # (classes, cases, sessions) chosen matrices: at most half the budget
    per_call = [rows] * (40 // rows) + [40 % rows] * (40 % rows > 0)  # (rows, cases) distances per block
    assert blocks == per_call * len(chunks)


def test_auto_device_is_numpy_without_a_gpu(monkeypatch):
    monkeypatch.setattr(devices.os.path, "exists", lambda path: False)
    assert metrics.resolve_device("auto") == "numpy"
    assert metrics.resolve_device("".join(["au", "to"])) == "numpy"  # a device read from YAML
    assert backend.array_ops("".join(["num", "py"])) is backend.NUMPY
    assert metrics.resolve_device("cuda:1") == "cuda:1"


@pytest.mark.parametrize("cuda", [True, False])
def test_with_an_nvidia_driver_the_device_is_cuda_when_torch_sees_a_gpu(monkeypatch, cuda):
    import torch

    monkeypatch.setattr(devices.os.path, "exists", lambda path: path == "/proc/driver/nvidia")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert devices.pick_device() == ("cuda" if cuda else "cpu")
    assert devices.pick_device(fallback="numpy") == ("cuda" if cuda else "numpy")
    assert metrics.resolve_device("auto") == ("cuda" if cuda else "numpy")


def test_chunked_work_gives_the_same_scores(monkeypatch):
    """Tiny memory budgets force row blocks, session chunks and per-call Gram blocks."""
    rng = np.random.default_rng(12)
    X = rng.normal(size=(70, 30))
    y = np.repeat([0, 1], 35)
    groups = np.arange(70) // 2
    sil = metrics.bootstrap("sil", X, y, groups, sessions=9, seed=2, device="numpy")
    fid = metrics.bootstrap("fid", X, y, sessions=9, seed=2, device="numpy")
    monkeypatch.setattr(backend, "BLOCK_VALUES", 500)
    monkeypatch.setattr(frechet, "GRAM_MAX_N", 10)
    chunked_sil = metrics.bootstrap("sil", X, y, groups, sessions=9, seed=2, device="numpy")
    np.testing.assert_allclose(chunked_sil, sil, rtol=1e-12)
    np.testing.assert_allclose(metrics.bootstrap("fid", X, y, sessions=9, seed=2, device="numpy"), fid, rtol=1e-9)
    # torch's batched route in batches of 3 sessions (21 cases per class: 6,272 // (4 · 21²))
    monkeypatch.setattr(backend, "BLOCK_VALUES", 6272)
    np.testing.assert_allclose(metrics.bootstrap("fid", X, y, sessions=9, seed=2, device="cpu"), fid, rtol=1e-9)
