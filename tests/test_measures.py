"""The added difficulty measures: known answers, the peer packages' values, and invariances of every metric."""

import dataclasses

import numpy as np
import pytest
from scipy.stats import ks_2samp

from difficulty import metrics
from difficulty.auc import roc_auc
from difficulty.errors import DataError
from difficulty.metrics import METRICS, complexity, pairwise, spectral


def gaussians(shift, n_per_class=40, d=3, classes=2, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(classes), n_per_class)
    X = rng.normal(size=(len(y), d)) + shift * y[:, None]
    return X, y


SEPARATED, IDENTICAL = gaussians(10.0), gaussians(0.0)


# ---- known answers ---------------------------------------------------------------------------------------------


def test_knn_on_separated_and_identical_classes():
    assert metrics.score("knn_error", *SEPARATED) == 0.0
    assert metrics.score("knn_auc", *SEPARATED) == 1.0
    assert 0.3 < metrics.score("knn_error", *IDENTICAL) < 0.7
    assert 0.3 < metrics.score("knn_auc", *IDENTICAL) < 0.7


def test_knn_neighbours_exclude_the_own_patient():
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    y = np.array([0, 0, 1, 1])
    assert metrics.score("knn_error", X, y, k=1) == 0.0
    # Cases 0 and 1 are one patient: each must take its nearest neighbour from class 1.
    assert metrics.score("knn_error", X, y, groups=["a", "a", "b", "c"], k=1) == 0.5
    with pytest.raises(ValueError, match="k = 3 but a case has only 2 cases of other patients"):
        metrics.score("knn_error", X, y, groups=["a", "a", "b", "c"], k=3)


def test_knn_equals_scikit_learn_leave_one_out_three_classes():
    from sklearn.metrics import roc_auc_score
    from sklearn.neighbors import NearestNeighbors

    X, y = gaussians(1.0, n_per_class=30, classes=3, seed=1)
    k = 7
    idx = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X, return_distance=False)[:, 1:]
    votes = np.stack([(y[idx] == c).mean(axis=1) for c in range(3)], axis=1)
    assert metrics.score("knn_auc", X, y, k=k) == pytest.approx(roc_auc_score(y, votes, multi_class="ovr"), rel=1e-12)
    majority = votes.argmax(axis=1)
    clear = np.sort(votes, axis=1)[:, -1] > np.sort(votes, axis=1)[:, -2]  # no tie in the vote
    ours_wrong = metrics.score("knn_error", X, y, k=k) * len(y)
    assert ours_wrong >= np.sum((majority != y) & clear)
    assert ours_wrong <= np.sum((majority != y) | ~clear)


def test_linear_probe_separated_identical_and_seeded():
    assert metrics.score("probe", *SEPARATED) == 1.0
    hard = [metrics.score("probe", *IDENTICAL, seed=s) for s in range(4)]
    assert all(0.2 < v < 0.8 for v in hard) and len(set(hard)) > 1  # the seed moves the folds
    assert metrics.score("probe", *IDENTICAL, seed=2) == hard[2]
    X, y = gaussians(1.0)
    assert 0.7 < metrics.score("probe", X, y, groups=np.arange(len(y)) // 2) < 0.95
    probe = METRICS.get("probe").fn
    assert probe(*IDENTICAL) == hard[0]  # the default seed is 0


def test_measure_options_take_exactly_their_stated_ranges():
    accepted = {"probe": [{"folds": 2}, {"C": 1e-6}], "knn_auc": [{"k": 1}], "csg": [{"k": 1}]}
    refused = {
        "probe": [({"folds": 1}, "1 is less than the minimum of 2"), ({"C": 0}, "0 is less than or equal to")],
        "knn_auc": [({"k": 0}, "0 is less than the minimum of 1")],
    }
    for name, options in accepted.items():
        for given in options:
            assert metrics.resolve_metric("m", {"type": name, **given}, {}).items() >= given.items()
    for name, cases in refused.items():
        for given, message in cases:
            with pytest.raises(ValueError, match=message):
                metrics.resolve_metric("m", {"type": name, **given}, {})


def test_linear_probe_equals_scikit_learn_cross_validation():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = gaussians(0.7, seed=3)
    order = np.lexsort(X.T[::-1])  # the probe's canonical order; each sample its own patient
    X, y = X[order], y[order]
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=11)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    proba = cross_val_predict(model, X, y, groups=np.arange(len(y)), cv=folds, method="predict_proba")
    assert metrics.score("probe", X, y, seed=11) == pytest.approx(roc_auc_score(y, proba[:, 1]), rel=1e-12)


def test_the_probe_takes_as_many_folds_as_the_class_with_fewest_patients_allows():
    """Five folds at most; a class of three patients: three folds, exactly scikit-learn's three-fold probe; one
    patient: refused."""
    from difficulty.metrics.out_of_fold import canonical_out_of_fold

    X, y = gaussians(0.8, n_per_class=12, seed=5)
    groups = np.where(y == 1, np.arange(len(y)) % 3, 100 + np.arange(len(y)))  # class 1: three patients
    data = metrics.check_inputs(X, y, groups)
    three = canonical_out_of_fold(data, 3, 1.0, 9)
    assert metrics.score("probe", X, y, groups, seed=9) == roc_auc(three.codes, three.proba)
    assert metrics.score("probe", X, y, groups, seed=9, folds=3) == metrics.score("probe", X, y, groups, seed=9)
    assert metrics.score("probe", X, y, groups, seed=9, folds=2) != metrics.score("probe", X, y, groups, seed=9)
    with pytest.raises(DataError, match="a class has cases of 1 patient; the probe's cross-validation needs 2"):
        metrics.score("probe", X, y, np.where(y == 1, 0, np.arange(len(y))))


def test_the_probes_folds_take_every_seed_below_2_32_and_need_each_class_in_every_training_fold():
    from difficulty.metrics.out_of_fold import canonical_out_of_fold

    data = metrics.check_inputs(*gaussians(0.7, seed=3))
    with pytest.raises(dataclasses.FrozenInstanceError):
        canonical_out_of_fold(data, 5, 1.0, 7).fold = None  # read-only, shared by the probe and curation
    folds = [canonical_out_of_fold(data, 5, 1.0, seed).fold for seed in (7, 2**31 + 7, 2**32 + 7)]
    assert (folds[2] == folds[0]).all() and not (folds[1] == folds[0]).all()
    X, y = gaussians(0.7, seed=4)
    groups = np.where(y == 1, -1, np.arange(len(y)))  # class 1 is one patient: in one fold's test part only
    with pytest.raises(ValueError, match="a training fold lacks a class: use fewer folds or more cases"):
        canonical_out_of_fold(metrics.check_inputs(X, y, groups), 2, 1.0, 0)


@pytest.mark.parametrize("name", METRICS.names())
def test_each_built_in_measure_takes_as_few_cases_a_class_as_it_says_and_checks_that_on_its_own(name):
    metric = METRICS.get(name)
    if not metric.module.startswith("difficulty.metrics."):
        pytest.skip("a plugin's own metric")
    assert metric.min_per_class == {"fid": 4}.get(name, 2)  # two per half; the probe: two folds
    X, y = gaussians(1.0, n_per_class=12, seed=12)
    X, y = X[12 - metric.min_per_class + 1 :], y[12 - metric.min_per_class + 1 :]  # one case too few
    with pytest.raises(DataError, match=f"has {metric.min_per_class - 1} samples; this metric needs at least"):
        metrics.score(name, X, y)


def test_nearest_gives_the_k_smallest_of_each_row_nearest_first(monkeypatch):
    D = pairwise.distance_matrix(np.random.default_rng(10).normal(size=(300, 3)))
    expected = {k: np.argsort(D, axis=1, kind="stable")[:, :k] for k in (1, 2, 5, 9)}

    def only_what_numpy_promises(a, kth, axis):
        """argpartition's contract and no more: the kth in place, the others on their side in reverse order
        (NumPy's own often leaves more of the row sorted, which would hide a wrong kth)."""
        order = np.argsort(a, axis=axis, kind="stable")
        return np.concatenate([order[:, :kth][:, ::-1], order[:, kth : kth + 1], order[:, kth + 1 :][:, ::-1]], 1)

    for partition in (np.argpartition, only_what_numpy_promises):
        monkeypatch.setattr(np, "argpartition", partition)
        for k, nearest_first in expected.items():
            np.testing.assert_array_equal(pairwise.nearest(D, k), nearest_first)


def test_pairwise_sessions_compute_the_whole_matrix_once_up_to_its_limit(monkeypatch):
    X, y = gaussians(0.5, n_per_class=10, seed=11)
    data = metrics.check_inputs(X, y)
    draws = metrics.draw_sessions(data, 3, 0.5, False, np.random.default_rng(0))  # 10 cases a session
    sizes = []
    sessions = pairwise.sessions_from_matrix(
        lambda M, codes, groups: float(M.sum()), lambda X: sizes.append(len(X)) or pairwise.distance_matrix(X)
    )
    expected = [pairwise.distance_matrix(X[np.concatenate(d)]).sum() for d in draws]
    for limit, computed in ((21, [20]), (20, [20]), (19, [10, 10, 10])):
        monkeypatch.setattr(pairwise, "FULL_MATRIX_MAX_N", limit)
        sizes.clear()
        np.testing.assert_allclose(sessions(data, draws), expected, rtol=1e-12)
        assert sizes == computed


def test_f1_hand_computed_and_problexity():
    from problexity.classification import f1 as peer_f1

    X = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0], [6.0, 5.0]])  # feature 2 constant: ignored
    y = np.array([0, 0, 1, 1])
    assert metrics.score("f1", X, y) == pytest.approx(1 / 9)  # (1 − 5)² / (1 + 1) = 8
    for seed in range(3):
        X, y = gaussians(0.5, n_per_class=30 + 10 * seed, d=6, seed=seed)
        assert metrics.score("f1", X, y) == pytest.approx(peer_f1(X, y), rel=1e-12)
    assert metrics.score("f1", *SEPARATED) < 0.03 and metrics.score("f1", *IDENTICAL) > 0.75  # r ≈ 10² / 2


@pytest.mark.parametrize("sizes", [(10, 25), (7, 12, 30)])
def test_fisher_ratios_of_unbalanced_classes_equal_their_definition(sizes):
    """r = Σ_{j≠l} p_j p_l (μ_j − μ_l)² / Σ_j p_j σ_j², by a double loop over classes of unequal sizes."""
    rng = np.random.default_rng(len(sizes))
    codes = np.repeat(np.arange(len(sizes)), sizes)
    X = rng.normal(size=(len(codes), 4)) * (1 + codes[:, None]) + codes[:, None] * [0.5, 1.0, 0.0, 2.0]
    p = np.bincount(codes) / len(codes)
    mu = [X[codes == j].mean(axis=0) for j in range(len(sizes))]
    between = sum(p[j] * p[m] * (mu[j] - mu[m]) ** 2 for j in range(len(sizes)) for m in range(len(sizes)) if j != m)
    within = sum(p[j] * X[codes == j].var(axis=0) for j in range(len(sizes)))
    np.testing.assert_allclose(complexity.fisher_ratios(X, codes), between / within, rtol=1e-12)


def test_f1_of_constant_features_is_nan_with_the_reason(caplog):
    X, y = np.full((12, 3), 2.5), np.repeat([0, 1], 6)
    with pytest.warns(RuntimeWarning, match="all 3 features are constant"):
        assert np.isnan(metrics.score("f1", X, y))
    with pytest.warns(RuntimeWarning, match="F1 is undefined") as warned:
        complexity.f1(X, y)
    assert warned[0].filename == __file__  # the warning points at the caller's line
    X[:6, 1] = 1.0  # one feature separates the classes perfectly: F1 = 1 / (1 + inf) = 0
    assert metrics.score("f1", X, y) == 0.0
    X = np.full((12, 2), 1.0)
    with pytest.warns(RuntimeWarning, match="F1 is undefined"), caplog.at_level("WARNING"):
        scores = metrics.bootstrap("f1", X, y, sessions=4)
    assert np.isnan(scores).all() and len(scores) == 4
    assert "metric f1: 4 of 4 sessions are undefined" in caplog.text


def test_n1_hand_computed_and_problexity():
    from problexity.classification import n1 as peer_n1

    line = np.array([[0.0], [1.0], [2.0], [3.0]])
    assert metrics.score("n1", line, [0, 0, 1, 1]) == 0.5  # one boundary edge, 2 cases
    for seed in range(3):
        X, y = gaussians(1.0, n_per_class=35, d=4, seed=seed)
        edges = complexity.minimum_spanning_tree(pairwise.distance_matrix(X))
        cross = edges[y[edges[:, 0]] != y[edges[:, 1]]]
        # problexity counts boundary edges (halved) instead of the cases on them.
        assert len(cross) / 2 / len(y) == pytest.approx(peer_n1(X, y), rel=1e-12)
        assert metrics.score("n1", X, y) == len(np.unique(cross)) / len(y)
    assert metrics.score("n1", *SEPARATED) == pytest.approx(2 / 80)  # the one edge between the two clouds


def test_minimum_spanning_tree_has_scipy_weight():
    from scipy.sparse.csgraph import minimum_spanning_tree

    D = pairwise.distance_matrix(np.random.default_rng(4).normal(size=(50, 3)))
    edges = complexity.minimum_spanning_tree(D)
    assert len({tuple(sorted(e)) for e in edges}) == 49
    assert D[edges[:, 0], edges[:, 1]].sum() == pytest.approx(minimum_spanning_tree(D).sum(), rel=1e-12)


def test_n2_hand_computed_and_problexity():
    from problexity.classification import n2 as peer_n2

    X = np.array([[0.0], [1.0], [3.0], [4.0]])
    y = np.array([0, 0, 1, 1])
    assert metrics.score("n2", X, y) == pytest.approx(2 / 7)  # intra 1+1+1+1, extra 3+2+2+3: q = 0.4
    # problexity 0.5.11 takes each case's second-nearest enemy (extra 4+3+3+4: q = 4/14).
    assert peer_n2(X, y) == pytest.approx(2 / 9)
    # Own patient left out: cases 0 and 1 are one patient and have no intra-class neighbour.
    assert metrics.score("n2", X, y, groups=["p", "p", "q", "r"]) == pytest.approx(2 / 7)
    X5 = np.array([[0.0], [1.0], [1.5], [3.0], [4.0]])
    y5 = np.array([0, 0, 0, 1, 1])
    plain, grouped = metrics.score("n2", X5, y5), metrics.score("n2", X5, y5, groups=["p", "p", "q", "r", "s"])
    assert plain == pytest.approx(4.0 / 14.5)  # intra 1+.5+.5+1+1 = 4, extra 3+2+1.5+1.5+2.5 = 10.5
    assert grouped == pytest.approx(4.5 / 15.0)  # case 0's neighbour is 1.5 instead of 1: intra 4.5


def test_lsc_equals_problexity():
    from problexity.classification import lsc as peer_lsc

    for seed in range(3):
        X, y = gaussians(1.0, n_per_class=30, d=4, seed=seed)
        assert metrics.score("lsc", X, y) == pytest.approx(peer_lsc(X, y), rel=1e-12)
    assert metrics.score("lsc", *SEPARATED) == pytest.approx(0.5)  # every local set is the whole class: 1 − 2·40²/80²
    assert metrics.score("lsc", *IDENTICAL) > 0.9


def test_n1_never_joins_a_case_to_its_own_patient():
    X = np.array([[0.0], [1.0], [1.2], [3.0]])
    y = np.array([0, 0, 1, 1])
    assert metrics.score("n1", X, y) == 0.5  # tree 0–1, 1–2, 2–3: one boundary edge, cases 1 and 2
    # Cases 0 and 1 are one patient: the tree is 1–2, 0–2, 2–3 and case 0 is on the boundary too.
    assert metrics.score("n1", X, y, groups=["a", "a", "b", "c"]) == 0.75
    with pytest.raises(ValueError, match="at least two patients"):
        metrics.score("n1", X, y, groups=["a"] * 4)
    # Two patients, one per class: every edge of the tree joins the classes.
    assert metrics.score("n1", X, y, groups=["a", "a", "b", "b"]) == 1.0
    with pytest.raises(ValueError, match="not connected: 2 of 4"):
        complexity.minimum_spanning_tree(np.where(np.add.outer([0, 0, 1, 1], [0, 0, 1, 1]) == 1, np.inf, 1.0))
    parts = np.array([0, 0, 1, 1, 1])  # the tree reaches case 1, then stops: 3 of 5 unreached
    with pytest.raises(ValueError, match="not connected: 3 of 5"):
        complexity.minimum_spanning_tree(np.where(parts[:, None] != parts[None, :], np.inf, 1.0))


def test_lsc_never_counts_its_own_patient():
    X = np.array([[0.0], [0.25], [0.6], [1.3], [1.45]])
    y = np.array([0, 0, 0, 1, 1])
    assert metrics.score("lsc", X, y) == pytest.approx(1 - 13 / 25)  # local sets of 3, 3, 3, 2, 2 cases
    # Cases 0 and 1 are one patient: each leaves the other's local set (2, 2, 3, 2, 2).
    assert metrics.score("lsc", X, y, groups=["a", "a", "b", "c", "d"]) == pytest.approx(1 - 11 / 25)
    X = np.array([[0.0], [1.0], [0.2], [3.0]])
    y = np.array([0, 0, 1, 1])
    assert metrics.score("lsc", X, y) == pytest.approx(1 - 4 / 16)  # every local set is the case alone
    # Cases 0 and 2 (classes 0 and 1) are one patient: case 0's nearest enemy is case 3, its local set
    # {0, 1}; case 2's nearest enemy is case 1 and case 0 is not in its local set.
    assert metrics.score("lsc", X, y, groups=["a", "b", "a", "c"]) == pytest.approx(1 - 5 / 16)


def brute_force_n1_lsc(X, y, groups):
    """N1 and LSC by their definitions, over pairs of cases of different patients, with loops."""
    from scipy.sparse.csgraph import minimum_spanning_tree

    n = len(y)
    D = np.sqrt(((X[:, None] - X[None, :]) ** 2).sum(axis=2))
    other = groups[:, None] != groups[None, :]
    tree = minimum_spanning_tree(np.where(other, D, 0.0)).toarray()  # 0 is no edge for scipy
    boundary = {k for i, j in zip(*np.nonzero(tree)) if y[i] != y[j] for k in (i, j)}
    sizes = []
    for i in range(n):
        enemy = min([D[i, j] for j in range(n) if other[i, j] and y[j] != y[i]], default=np.inf)
        sizes.append(1 + sum(1 for j in range(n) if other[i, j] and D[i, j] < enemy))
    return len(boundary) / n, 1 - sum(sizes) / n**2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_n1_and_lsc_equal_their_definitions_with_patients(seed):
    rng = np.random.default_rng(seed)
    X, y = gaussians(1.0, n_per_class=20, d=3, seed=seed)
    groups = rng.integers(0, 15, size=len(y))  # some patients with cases of both classes
    n1, lsc = brute_force_n1_lsc(X, y, groups)
    assert metrics.score("n1", X, y, groups) == pytest.approx(n1, abs=1e-12)
    assert metrics.score("lsc", X, y, groups) == pytest.approx(lsc, abs=1e-12)
    # one case per patient: the published form
    assert metrics.score("n1", X, y, np.arange(len(y))) == metrics.score("n1", X, y)
    assert metrics.score("lsc", X, y, np.arange(len(y))) == metrics.score("lsc", X, y)


def test_the_docs_say_which_measures_count_patients():
    """The documentation's list of patient-aware measures is exactly the metrics whose score depends on patient ids."""
    import re
    from pathlib import Path

    text = " ".join((Path(__file__).parents[1] / "docs" / "measures.md").read_text().split())
    listed = re.search(r"neighbours or pairs of cases \(([^)]*)\) never count a case's own patient", text)
    aware = set(re.findall(r"`(\w+)`", listed.group(1))) | {"probe"}  # probe: a patient's cases in one fold
    blind = set(re.findall(r"`(\w+)`", re.search(r"one fold; (.*?) use class statistics only", text).group(1)))
    built_in = {metric.name for metric in METRICS if metric.module.startswith("difficulty.")}
    assert aware | blind == built_in and not aware & blind
    X, y = gaussians(0.7, n_per_class=20, d=4, seed=10)
    X = np.repeat(X, 2, axis=0) + 1e-3 * np.random.default_rng(0).normal(size=(2 * len(X), 4))
    y, groups = np.repeat(y, 2), np.repeat(np.arange(len(y)), 2)  # each patient twice, nearly the same image
    for name in sorted(aware | blind):
        fn = METRICS.get(name).fn
        with_patients, without = fn(X, y, groups), fn(X, y, None)
        if name in aware:
            assert with_patients != pytest.approx(without, rel=1e-6, abs=1e-9), name
        else:
            assert with_patients == without, name


def test_csg_of_hundreds_of_features_is_finite_and_scale_free_above_the_volume_floor():
    """Window volumes are products over 300 features (e^540 and more): kept in logs, each class's weights
    relative to its smallest window, so nothing over- or underflows, and scaling the features up changes nothing."""
    X, y = gaussians(0.1, n_per_class=20, d=300, seed=0)  # overlapping classes: CSG ≈ 0.6
    value = metrics.score("csg", X, y)
    assert np.isfinite(value) and 0 < value < 1
    assert metrics.score("csg", X * 1e3, y) == pytest.approx(value, rel=1e-9)


def test_csg_equals_spectral_metric():
    from spectral_metric.estimator import CumulativeGradientEstimator

    # windows well above the package's 1e-4 floor (× 10), 42 % of them under it (× 0.01); overlapping classes
    # (shift 0.3) whose similarity rows sum above 2; one neighbour
    cases = [(0, 2, 1.5, 10.0, 5), (1, 3, 1.5, 10.0, 5), (2, 4, 1.5, 10.0, 5), (3, 3, 0.3, 10.0, 5)]
    cases += [(4, 2, 1.0, 0.01, 5), (5, 3, 1.0, 1.0, 1)]
    for seed, classes, shift, scale, k in cases:
        X, y = gaussians(shift, n_per_class=30, d=2, classes=classes, seed=seed)
        X *= scale
        peer = CumulativeGradientEstimator(M_sample=1000, k_nearest=k).fit(X, y)
        assert metrics.score("csg", X, y, k=k) == pytest.approx(float(np.squeeze(peer.csg)), rel=1e-9, abs=1e-12)
        S = spectral.class_similarity(X, pairwise.distance_matrix(X), y, np.arange(len(y)), k)
        np.testing.assert_allclose(S, peer.S, rtol=1e-9)
    D = pairwise.distance_matrix(X)
    assert spectral.csg_from_distances(X, D, y, np.arange(len(y))) == metrics.score("csg", X, y)  # default k = 3
    with pytest.raises(ValueError, match="0 is less than the minimum of 1"):
        metrics.resolve_metric("m", {"type": "csg", "k": 0}, {})
    assert metrics.resolve_metric("m", {"type": "csg", "k": 1}, {})["k"] == 1
    assert metrics.score("csg", *SEPARATED) == 0.0
    assert metrics.score("csg", *IDENTICAL) > 0.5


def test_dsi_hand_computed_and_scipy_ks():
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    assert metrics.score("dsi", X, [0, 0, 1, 1]) == 1.0
    X, y = gaussians(0.8, seed=5)
    D = pairwise.distance_matrix(X)
    expected = []
    for c in (0, 1):
        m = y == c
        intra = D[np.ix_(m, m)][np.triu_indices(m.sum(), 1)]
        expected.append(ks_2samp(intra, D[np.ix_(m, ~m)].ravel()).statistic)
    assert metrics.score("dsi", X, y) == pytest.approx(np.mean(expected), rel=1e-12)
    assert metrics.score("dsi", *SEPARATED) == 1.0 and metrics.score("dsi", *IDENTICAL) < 0.15


def test_cosine_separation_hand_computed():
    X = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    assert metrics.score("cosine", X, [0, 0, 1, 1]) == pytest.approx(1.0)  # S_R = 1, S_E = 0
    X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, 1.0]])
    # S_R: cos(0°→45°) = √½ and cos(90°→135°) = √½; S_E: cos of 90°, 135°, 45°, 90° = (0 − √½ + √½ + 0) / 4
    assert metrics.score("cosine", X, [0, 0, 1, 1]) == pytest.approx(np.sqrt(0.5))
    assert metrics.score("cosine", X, [0, 0, 1, 1], groups=["p", "p", "q", "r"]) == pytest.approx(np.sqrt(0.5))
    assert abs(metrics.score("cosine", *IDENTICAL)) < 0.05


def test_imbalance_ratio():
    X = np.zeros((40, 2))
    assert metrics.score("imbalance", X, [0] * 30 + [1] * 10) == 3.0
    assert metrics.score("imbalance", X, ["a"] * 20 + ["b"] * 12 + ["c"] * 8) == 2.5
    scores = metrics.bootstrap("imbalance", X, [0] * 30 + [1] * 10, sessions=3)
    np.testing.assert_array_equal(scores, [3.0] * 3)  # round(30 · 0.6) / round(10 · 0.6)


# ---- every registered metric ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_classes():
    X, y = gaussians(0.8, n_per_class=20, d=4, classes=3, seed=7)
    names = np.array(["x", "y", "z"])[y]
    groups = np.arange(len(y)) // 2  # pairs of cases from one patient
    return X, names, groups


BUILT_IN = [name for name in METRICS.names() if METRICS.get(name).module.startswith("difficulty.")]  # no plugin


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_metric_is_invariant_where_it_should_be(name, three_classes):
    """Permuting samples, renaming classes and (where scale-free) scaling all features leave the score."""
    metric = METRICS.get(name)
    X, y, groups = three_classes
    value = metric.fn(X, y, groups)
    assert np.isfinite(value)
    renamed = np.array([{"x": "b", "y": "c", "z": "a"}[v] for v in y])
    assert metric.fn(X, renamed, groups) == pytest.approx(value, rel=1e-9, abs=1e-12)
    if metric.order_free:
        p = np.random.default_rng(0).permutation(len(y))
        assert metric.fn(X[p], y[p], groups[p]) == pytest.approx(value, rel=1e-9, abs=1e-12)
    if metric.scale_free:
        assert metric.fn(3.7 * X, y, groups) == pytest.approx(value, rel=1e-6, abs=1e-12)


def test_exempt_metrics_really_depend_on_what_they_are_exempt_from():
    assert [name for name in METRICS.names() if not METRICS.get(name).order_free] == ["fid"]
    X, y = gaussians(0.8, seed=8)
    p = np.random.default_rng(1).permutation(len(y))
    assert metrics.fid_score(X[p], y[p]) != pytest.approx(metrics.fid_score(X, y), rel=1e-6)  # halves by order
    X2, y2 = gaussians(1.0, n_per_class=15, d=2, seed=9)
    small = metrics.score("csg", 1e-3 * X2, y2)
    assert small != pytest.approx(metrics.score("csg", X2, y2), rel=1e-6)  # the 1e-4 volume floor


def test_the_docs_give_each_measures_direction_as_registered():
    """The table of measures (generated, then fixed text) says which way each measure is easier."""
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "docs" / "measures.md").read_text()
    table = readme.split("<!-- measures:start -->", 1)[1].split("<!-- measures:end -->", 1)[0]
    better = {line.split(" | ")[0].strip("|` "): line.split(" | ")[2] for line in table.splitlines()[3:] if line}
    assert better["imbalance"] == "lower" and better["sil"] == "higher"
    for name in BUILT_IN:
        assert better[name] == ("higher" if METRICS.get(name).higher_is_easier else "lower"), name


def test_label_only_measures_are_exactly_those_blind_to_the_features(three_classes):
    X, y, groups = three_classes
    other = np.random.default_rng(1).normal(size=X.shape) * 5
    for name in BUILT_IN:
        metric = METRICS.get(name)
        blind = metric.fn(other, y, groups) == metric.fn(X, y, groups)
        assert blind == metric.label_only, name


def test_dsi_of_three_classes_leaves_out_pairs_of_one_patient():
    """Brute force with scipy's KS statistic: per class, intra-class pairs of two patients against the distances to
    the other classes' cases, averaged over the three classes."""
    X, y = gaussians(0.6, n_per_class=12, d=3, classes=3, seed=11)
    groups = np.arange(len(y)) // 2  # pairs of one patient, within a class
    D = pairwise.distance_matrix(X)
    expected = []
    for c in range(3):
        m = np.flatnonzero(y == c)
        intra = [D[i, j] for a, i in enumerate(m) for j in m[a + 1 :] if groups[i] != groups[j]]
        expected.append(ks_2samp(intra, D[np.ix_(y == c, y != c)].ravel()).statistic)
    assert metrics.score("dsi", X, y, groups) == pytest.approx(np.mean(expected), rel=1e-12)
    assert metrics.score("dsi", X, y, groups) != pytest.approx(metrics.score("dsi", X, y), rel=1e-6)


def test_cosine_separation_of_three_classes_similar_across_and_a_zero_case():
    X = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [2.0, 2.0]])
    # S_R = 1 in each class; S_E: a–b 0, a–c √½, b–c √½
    assert metrics.score("cosine", X, [0, 0, 1, 1, 2, 2]) == pytest.approx(1 - 2 * np.sqrt(0.5) / 3, rel=1e-12)
    X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    assert metrics.score("cosine", X, [0, 0, 1, 1]) == pytest.approx(1 - np.sqrt(0.5), rel=1e-12)  # S_E = √½
    X = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 2.0]])  # a zero row is similar to nothing: 0
    assert metrics.score("cosine", X, [0, 0, 1, 1]) == pytest.approx(0.5, rel=1e-12)  # S_R (0 + 1) / 2, S_E 0


def test_knn_error_is_the_majority_vote_ties_to_the_nearer_neighbour():
    from sklearn.neighbors import KNeighborsClassifier

    X, y = gaussians(0.7, n_per_class=30, seed=12)  # two classes, odd k: never a tie
    for k in (3, 5):
        wrong = [
            KNeighborsClassifier(k).fit(np.delete(X, i, 0), np.delete(y, i)).predict(X[i : i + 1])[0] != y[i]
            for i in range(len(y))
        ]
        assert metrics.score("knn_error", X, y, k=k) == pytest.approx(np.mean(wrong), abs=1e-12)
    # k = 2 on a line: cases 0 and 3 see one neighbour of each class, and take the nearer one's (both wrong);
    # cases 1 and 2 see two of the other class. Farther-decides would get 0 and 3 right.
    X = np.array([[0.0], [1.0], [3.0], [3.5]])
    assert metrics.score("knn_error", X, [0, 1, 0, 1], k=2) == 1.0
    # a case with exactly k cases of other patients is fine: k = n − 1, a vote of the whole rest
    assert metrics.score("knn_error", np.array([[0.0], [0.1], [1.0], [1.1]]), [0, 0, 1, 1], k=3) == 1.0
    with pytest.raises(ValueError, match="0 is less than the minimum of 1"):
        metrics.resolve_metric("m", {"type": "knn_error", "k": 0}, {})


def test_scale_free_measures_are_exactly_those_that_a_common_scale_leaves(three_classes):
    """Features scaled by 1e-3 (CSG's windows then fall under their absolute floor; FID scales with the square)."""
    X, y, groups = three_classes
    for name in BUILT_IN:
        metric = METRICS.get(name)
        same = metric.fn(1e-3 * X, y, groups) == pytest.approx(metric.fn(X, y, groups), rel=1e-6, abs=1e-12)
        assert same == metric.scale_free, name
