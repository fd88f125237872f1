"""Metric engine against the study's definitions, computed the slow, obvious way."""

import numpy as np
import pytest
import scipy.linalg

from difficulty import devices, metrics
from difficulty.metrics import backend, frechet
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
    with pytest.raises(ValueError, match=r"B must be a 2-D array with at least 2 rows, got shape \(1, 3\)"):
        metrics.frechet_distance(A, B[:1])


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
    np.testing.assert_array_equal(scores[:5], metrics.bootstrap("sil", X, y, sessions=5, fraction=0.6, seed=0))
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


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones((6, 2)), [0] * 6, "one class only"),
        (np.ones((6, 2)), [0, 0, 0, 1, 1], "one label per row"),
        (np.array([[0.0, np.nan]] * 8), [0, 1] * 4, "NaN or inf"),
        (np.arange(14.0).reshape(7, 2), [0, 0, 0, 0, 1, 1, 1], "needs at least 4"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(X, y, message):
    with pytest.raises(ValueError, match=message):
        metrics.fid_score(X, y)


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


def test_auto_device_is_numpy_without_a_gpu(monkeypatch):
    monkeypatch.setattr(devices.os.path, "exists", lambda path: False)
    assert metrics.resolve_device("auto") == "numpy"
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
