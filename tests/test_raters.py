"""Rater agreement against independent routes: scikit-learn, statsmodels, krippendorff, scipy, published examples."""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy import ndimage as ndi
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from difficulty import raters

# Fleiss (1971) as on Wikipedia ("Fleiss' kappa", worked example): 10 subjects, 14 raters, how many raters put
# each subject in each of 5 categories; κ = 0.210.
FLEISS_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the nominal example: 4 observers (rows)
# by 12 units, missing values; α = 0.743.
KRIPPENDORFF_EXAMPLE = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    ]
)

# Shrout & Fleiss (1979), Table 2: 6 targets by 4 judges; ICC(3,1) = 0.71.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])


def flipped_raters(n=2000, k=3, p=0.1, seed=0):
    """Balanced 0/1 truth of n cases and k raters who each flip a share p of the labels, independently."""
    rng = np.random.default_rng(seed)
    truth = rng.permutation(np.arange(n) % 2)
    return truth, np.column_stack([np.where(rng.random(n) < p, 1 - truth, truth) for _ in range(k)])


def with_missing(labels, share, seed):
    labels = labels.astype(object)
    labels[np.random.default_rng(seed).random(labels.shape) < share] = None
    return labels


def counts_to_labels(counts):
    """(n, k) labels from (n, C) counts of raters per category."""
    return np.array([np.repeat(np.arange(counts.shape[1]), row) for row in counts])


# ---- labels ---------------------------------------------------------------------------------------------------


def test_cohen_kappa_is_sklearns():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 3, 300), rng.integers(0, 3, 300)
    b[:150] = a[:150]
    assert raters.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    names = np.array(["benign", "malignant", "other"])
    missing = with_missing(names[a], 0.2, 2), with_missing(names[b], 0.2, 3)
    both = np.array([x is not None and y is not None for x, y in zip(*missing)])
    expected = cohen_kappa_score(missing[0][both].astype(str), missing[1][both].astype(str))
    assert raters.cohen_kappa(*missing) == pytest.approx(expected, abs=1e-12)
    assert raters.label_kappa(np.column_stack(missing)) == pytest.approx(expected, abs=1e-12)


def test_fleiss_kappa_textbook_example_and_statsmodels():
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

    labels = counts_to_labels(FLEISS_COUNTS)
    assert labels.shape == (10, 14)
    assert round(raters.fleiss_kappa(labels), 3) == 0.210
    assert raters.fleiss_kappa(labels) == pytest.approx(statsmodels_fleiss(FLEISS_COUNTS, method="fleiss"), abs=1e-12)
    _, labels = flipped_raters(n=200, k=5, p=0.3, seed=4)
    expected = statsmodels_fleiss(aggregate_raters(labels)[0], method="fleiss")
    assert raters.fleiss_kappa(labels) == pytest.approx(expected, abs=1e-12)
    assert raters.label_kappa(labels) == pytest.approx(expected, abs=1e-12)
    assert np.isnan(raters.label_kappa(with_missing(labels, 0.1, 5)))
    with pytest.raises(ValueError, match="krippendorff_alpha"):
        raters.fleiss_kappa(with_missing(labels, 0.1, 5))


def coincidence_alpha(data):
    """Nominal alpha by Krippendorff's coincidence matrix, pair by pair: data is (observers, units)."""
    values = sorted({v for v in data.ravel() if not np.isnan(v)})
    o = np.zeros((len(values), len(values)))
    for unit in data.T:
        given = [values.index(v) for v in unit if not np.isnan(v)]
        for i, j in ((i, j) for i in range(len(given)) for j in range(len(given)) if i != j):
            o[given[i], given[j]] += 1 / (len(given) - 1)
    n_c, n = o.sum(axis=1), o.sum()
    disagree = sum(o[c, k] for c in range(len(values)) for k in range(len(values)) if c != k)
    expected = sum(n_c[c] * n_c[k] for c in range(len(values)) for k in range(len(values)) if c != k)
    return 1 - (n - 1) * disagree / expected


def test_krippendorff_alpha_published_example_and_package():
    import krippendorff

    alpha = raters.krippendorff_alpha(KRIPPENDORFF_EXAMPLE.T)
    assert round(alpha, 3) == 0.743
    assert alpha == pytest.approx(coincidence_alpha(KRIPPENDORFF_EXAMPLE), abs=1e-12)
    assert alpha == pytest.approx(
        krippendorff.alpha(reliability_data=KRIPPENDORFF_EXAMPLE, level_of_measurement="nominal"), abs=1e-12
    )
    _, labels = flipped_raters(n=300, k=4, p=0.25, seed=6)
    labels = np.where(np.random.default_rng(7).random(labels.shape) < 0.3, np.nan, labels)
    expected = krippendorff.alpha(reliability_data=labels.T, level_of_measurement="nominal")
    assert raters.krippendorff_alpha(labels) == pytest.approx(expected, abs=1e-12)
    assert raters.krippendorff_alpha(labels) == pytest.approx(coincidence_alpha(labels.T), abs=1e-12)


def test_known_flip_rates():
    """κ = 2 · ((1 − p)² + p²) − 1 between two raters; the majority of 3 errs with probability 3p² − 2p³; each
    rater against the other two's consensus (ties half wrong) disagrees with probability 2p(1 − p)."""
    p = 0.1
    truth, labels = flipped_raters(p=p)
    theory = 2 * ((1 - p) ** 2 + p**2) - 1
    for a, b in combinations(range(3), 2):
        assert raters.cohen_kappa(labels[:, a], labels[:, b]) == pytest.approx(theory, abs=0.04)
    assert raters.fleiss_kappa(labels) == pytest.approx(theory, abs=0.04)
    assert raters.krippendorff_alpha(labels) == pytest.approx(theory, abs=0.04)
    consensus, ties = raters.consensus_labels(labels, seed=0)
    assert not ties.any()
    assert (consensus != truth).mean() == pytest.approx(3 * p**2 - 2 * p**3, abs=0.012)
    agreement = raters.agreement_with_consensus(labels, consensus)
    np.testing.assert_array_equal(agreement, (labels == consensus[:, None]).mean(axis=1))
    assert raters.auc_ceiling(labels, seed=0) == pytest.approx(1 - 2 * p * (1 - p), abs=0.03)


def test_auc_ceiling_two_raters_is_each_against_the_other():
    _, labels = flipped_raters(n=400, k=2, p=0.2, seed=8)
    expected = (roc_auc_score(labels[:, 1], labels[:, 0]) + roc_auc_score(labels[:, 0], labels[:, 1])) / 2
    assert raters.auc_ceiling(labels, seed=3) == pytest.approx(expected, abs=1e-12)
    labels = with_missing(labels, 0.2, 9)
    both = np.array([all(v is not None for v in row) for row in labels])
    a, b = labels[both, 0].astype(int), labels[both, 1].astype(int)
    expected = (roc_auc_score(b, a) + roc_auc_score(a, b)) / 2
    assert raters.auc_ceiling(labels, seed=3) == pytest.approx(expected, abs=1e-12)
    assert np.isnan(raters.auc_ceiling(np.zeros((10, 3), dtype=int), seed=0))
    _, labels = flipped_raters(n=300, k=4, p=0.3, seed=15)  # with labels missing, 2 others can tie
    labels = with_missing(labels, 0.3, 16)
    ceilings = [raters.auc_ceiling(labels, seed=s) for s in (0, 0, 1, 2, 3)]
    assert ceilings[0] == ceilings[1] and len(set(ceilings)) > 1


def test_multiclass_auc_ceiling_is_one_vs_rest_macro():
    rng = np.random.default_rng(10)
    a = rng.integers(0, 3, 300)
    b = np.where(rng.random(300) < 0.3, rng.integers(0, 3, 300), a)
    one_hot = np.eye(3)
    expected = np.mean([roc_auc_score(y, one_hot[x], multi_class="ovr") for x, y in ((a, b), (b, a))])
    assert raters.auc_ceiling(np.column_stack([a, b]), seed=0) == pytest.approx(expected, abs=1e-12)


def test_ties_are_seeded_draws_among_the_tied_classes():
    rng = np.random.default_rng(11)
    a = rng.choice(["A", "B", "C"], 2000)
    b = np.where(rng.random(2000) < 0.5, a, rng.choice(["A", "B", "C"], 2000))
    labels = np.column_stack([a, b])
    consensus, ties = raters.consensus_labels(labels, seed=0)
    np.testing.assert_array_equal(ties, a != b)
    assert ties.sum() == (a != b).sum() > 500
    assert ((consensus == a) | (consensus == b)).all()
    np.testing.assert_array_equal(consensus[~ties], a[~ties])
    again, _ = raters.consensus_labels(labels, seed=0)
    np.testing.assert_array_equal(consensus, again)
    other, _ = raters.consensus_labels(labels, seed=1)
    assert (other != consensus).any()
    assert (consensus[ties] == a[ties]).mean() == pytest.approx(0.5, abs=0.05)
    np.testing.assert_array_equal(raters.agreement_with_consensus(labels, consensus), np.where(ties, 0.5, 1.0))


def test_consensus_with_missing_labels():
    labels = np.array([[0, 1, None], [1, 1, 0], [0, np.nan, None], [None, 1, 1]], dtype=object)
    consensus, ties = raters.consensus_labels(labels, seed=0)
    assert list(consensus[1:]) == [1, 0, 1]
    assert list(ties) == [True, False, False, False]
    np.testing.assert_allclose(raters.agreement_with_consensus(labels, consensus), [0.5, 2 / 3, 1, 1])


def test_bad_label_inputs():
    labels = np.array([[0, 1], [None, np.nan], [1, 1]], dtype=object)
    with pytest.raises(ValueError, match="row 1"):
        raters.consensus_labels(labels, seed=0)
    with pytest.raises(ValueError, match="'patient-7'"):
        raters.consensus_labels(labels, seed=0, case_ids=["patient-3", "patient-7", "patient-9"])
    one_rater = np.array([[0], [1]])
    for measure in (raters.fleiss_kappa, raters.krippendorff_alpha, raters.label_kappa):
        with pytest.raises(ValueError, match="at least 2 raters"):
            measure(one_rater)
    with pytest.raises(ValueError, match="at least 2 raters"):
        raters.auc_ceiling(one_rater, seed=0)
    with pytest.raises(ValueError, match="both raters"):
        raters.cohen_kappa([0, None], [None, 1])
    with pytest.raises(ValueError, match="one shape"):
        raters.cohen_kappa([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="cases, raters"):
        raters.consensus_labels(np.array([0, 1]), seed=0)


# ---- masks ----------------------------------------------------------------------------------------------------


def ball(radius, spacing=(1.0, 1.0, 1.0), shape=(40, 40, 40)):
    """A ball of ``radius`` mm about the centre of a grid of voxels of ``spacing`` mm."""
    grid = np.indices(shape) - (np.array(shape) // 2)[:, None, None, None]
    return (((grid * np.array(spacing)[:, None, None, None]) ** 2).sum(axis=0) <= radius**2).astype(np.uint8)


@pytest.fixture(scope="module")
def rater_masks():
    """Ground truth, its one-voxel dilation and erosion, and a copy whose boundary voxels are each in or out at
    random."""
    truth = ball(10).astype(bool)
    dilated, eroded = ndi.binary_dilation(truth), ndi.binary_erosion(truth)
    boundary = dilated & ~eroded
    noised = np.where(boundary, np.random.default_rng(12).random(truth.shape) < 0.5, truth)
    return [truth, dilated, eroded, noised]


def surface_hd95(a, b, spacing):
    """The larger of the two directed 95th-percentile distances between surface voxels (mask XOR its erosion),
    by scipy's Euclidean distance transform."""
    surfaces = [m ^ ndi.binary_erosion(m) for m in (a.astype(bool), b.astype(bool))]
    directed = [ndi.distance_transform_edt(~to, sampling=spacing)[fro] for fro, to in (surfaces, surfaces[::-1])]
    return max(np.percentile(d, 95) for d in directed)


def test_pairwise_dice_and_volume_cv_are_explicit(rater_masks):
    pairs = [2 * (a & b).sum() / (a.sum() + b.sum()) for a, b in combinations(rater_masks, 2)]
    assert raters.pairwise_dice(rater_masks) == pytest.approx(np.mean(pairs), abs=1e-12)
    assert raters.dice(rater_masks[0], rater_masks[1]) == pytest.approx(pairs[0], abs=1e-12)
    spacing = (2.0, 1.0, 0.5)
    volumes = np.array([m.sum() for m in rater_masks]) * 2.0 * 1.0 * 0.5
    expected = np.std(volumes, ddof=1) / np.mean(volumes)
    assert raters.volume_cv(rater_masks, spacing) == pytest.approx(expected, abs=1e-12)
    empty = np.zeros_like(rater_masks[0])
    assert raters.dice(empty, empty) == 1.0
    assert raters.dice(empty, rater_masks[0]) == 0.0
    assert raters.pairwise_dice([empty, empty, rater_masks[0]]) == pytest.approx(1 / 3)
    assert np.isnan(raters.volume_cv([empty, empty], spacing))


def test_hd95_is_the_surface_distance_percentile(rater_masks):
    spacing = (2.0, 1.0, 1.0)
    truth = ball(10)
    shifted = np.roll(truth, 2, axis=0)
    assert raters.hd95([truth, shifted], spacing) == pytest.approx(surface_hd95(truth, shifted, spacing), rel=1e-6)
    # a smaller ball off centre: its distances spread, so the 95th percentile differs from the 90th and the maximum
    off = np.roll(ball(7), (1, 3, -2), axis=(0, 1, 2))
    assert raters.hd95([truth, off], spacing) == pytest.approx(surface_hd95(truth, off, spacing), rel=1e-6)
    # round in mm, the ball's surface moves by the whole shift nearly everywhere: 2 voxels of 2 mm
    round_ball = ball(16, spacing)
    assert raters.hd95([round_ball, np.roll(round_ball, 2, axis=0)], spacing) == pytest.approx(4.0, abs=0.2)
    expected = np.mean([surface_hd95(a, b, spacing) for a, b in combinations(rater_masks, 2)])
    assert raters.hd95(rater_masks, spacing) == pytest.approx(expected, rel=1e-6)
    agreement = raters.mask_agreement(rater_masks, spacing)
    assert agreement == {
        "mask_dice": raters.pairwise_dice(rater_masks),
        "mask_volume_cv": raters.volume_cv(rater_masks, spacing),
        "mask_hd95": raters.hd95(rater_masks, spacing),
    }
    assert np.isnan(raters.hd95([truth, np.zeros_like(truth)], spacing))


def test_consensus_masks(rater_masks):
    truth, dilated, eroded, noised = rater_masks
    votes = truth.astype(int) + dilated + noised
    majority = raters.consensus_mask([truth, dilated, noised], "majority")
    assert majority.dtype == np.uint8
    np.testing.assert_array_equal(majority, (votes >= 2).astype(np.uint8))
    np.testing.assert_array_equal(raters.consensus_mask([truth, dilated], "majority"), truth & dilated)
    np.testing.assert_array_equal(raters.consensus_mask([truth] * 3, "staple"), truth)
    staple = raters.consensus_mask([truth, dilated, eroded], "staple").astype(bool)
    assert (eroded <= staple).all() and (staple <= dilated).all()
    names = ["ana", "ben", "cleo", "dev"]
    np.testing.assert_array_equal(raters.consensus_mask(rater_masks, "rater", names, "cleo"), eroded)
    with pytest.raises(ValueError, match="'majority', 'staple', 'rater'"):
        raters.consensus_mask(rater_masks, "mean")
    with pytest.raises(ValueError, match=r"unknown rater 'eve'.*'ana'"):
        raters.consensus_mask(rater_masks, "rater", names, "eve")
    with pytest.raises(ValueError, match="rater names"):
        raters.consensus_mask(rater_masks, "rater", names[:3], "ana")


def test_bad_mask_inputs(rater_masks):
    with pytest.raises(ValueError, match="one shape"):
        raters.pairwise_dice([rater_masks[0], rater_masks[1][:-1]])
    with pytest.raises(ValueError, match="at least 2"):
        raters.hd95(rater_masks[:1], (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="binary"):
        raters.dice(rater_masks[0] * 2, rater_masks[1])
    with pytest.raises(ValueError, match="spacing"):
        raters.volume_cv(rater_masks, (1.0, 1.0))


# ---- ICC ------------------------------------------------------------------------------------------------------


def anova_icc3_1(values):
    """ICC(3,1) from statsmodels' two-way ANOVA (cases + raters, no interaction) of the long table."""
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    n, k = values.shape
    long = pd.DataFrame({"v": values.ravel(), "case": np.repeat(np.arange(n), k), "rater": np.tile(np.arange(k), n)})
    table = anova_lm(smf.ols("v ~ C(case) + C(rater)", long).fit())
    msr, mse = table.loc["C(case)", "mean_sq"], table.loc["Residual", "mean_sq"]
    return (msr - mse) / (msr + (k - 1) * mse)


def test_icc3_1_shrout_fleiss_and_anova():
    assert round(raters.icc3_1(SHROUT_FLEISS), 2) == 0.71
    assert raters.icc3_1(SHROUT_FLEISS) == pytest.approx(anova_icc3_1(SHROUT_FLEISS), abs=1e-12)
    rng = np.random.default_rng(13)
    values = rng.normal(size=(25, 1)) + 0.6 * rng.normal(size=(25, 3)) + [0.0, 0.5, -1.0]
    assert raters.icc3_1(values) == pytest.approx(anova_icc3_1(values), abs=1e-12)
    with_nan = values.copy()
    with_nan[4, 1] = np.nan
    assert raters.icc3_1(with_nan) == pytest.approx(anova_icc3_1(np.delete(values, 4, axis=0)), abs=1e-12)
    assert np.isnan(raters.icc3_1(np.full((5, 3), 0.1)))
    assert np.isnan(raters.icc3_1(values[:1]))
    with pytest.raises(ValueError, match="at least 2 raters"):
        raters.icc3_1(values[:, :1])


def test_feature_icc_keeps_the_stable_feature():
    """30 balls, each outlined by 3 raters with boundary noise: the volume is stable, a noise feature is not."""
    rng = np.random.default_rng(14)
    cases = [f"case-{i}" for i in range(30)]
    truths = [ball(r, shape=(28, 28, 28)).astype(bool) for r in rng.uniform(4, 11, len(cases))]
    features = {}
    for rater in ("ana", "ben", "cleo"):
        rows = []
        for truth in truths:
            boundary = ndi.binary_dilation(truth) & ~ndi.binary_erosion(truth)
            mask = np.where(boundary, rng.random(truth.shape) < 0.5, truth)
            rows.append({"volume": mask.sum() * 0.8, "noise": rng.normal(), "constant": 1.0})
        features[rater] = pd.DataFrame(rows, index=cases)
    features["ben"] = features["ben"].iloc[::-1, ::-1]  # the same cases and features in another order
    features["cleo"].loc["case-3", "noise"] = np.nan
    icc = raters.feature_icc(features)
    assert list(icc.index) == ["volume", "noise", "constant"]
    for name in ("volume", "noise"):
        values = np.column_stack([features[r].loc[cases, name] for r in features])
        assert icc[name] == pytest.approx(raters.icc3_1(values), abs=1e-12)
        assert icc[name] == pytest.approx(anova_icc3_1(values[~np.isnan(values).any(axis=1)]), abs=1e-12)
    assert icc["volume"] > 0.95 and abs(icc["noise"]) < 0.3 and np.isnan(icc["constant"])
    assert raters.stable_features(icc) == ["volume"]
    assert raters.stable_features(icc, threshold=-1.0) == ["volume", "noise"]
    two = raters.feature_icc(features, raters=["ana", "ben"])
    values = np.column_stack([features[r].loc[cases, "volume"] for r in ("ana", "ben")])
    assert two["volume"] == pytest.approx(raters.icc3_1(values), abs=1e-12)


def test_bad_feature_inputs():
    frame = pd.DataFrame({"volume": [1.0, 2.0, 3.0]}, index=["a", "b", "c"])
    with pytest.raises(ValueError, match="at least 2 raters"):
        raters.feature_icc({"ana": frame})
    with pytest.raises(ValueError, match="'ben'.*other cases"):
        raters.feature_icc({"ana": frame, "ben": frame.iloc[:2]})
    with pytest.raises(ValueError, match=r"\['eve'\]"):
        raters.feature_icc({"ana": frame, "ben": frame}, raters=["ana", "eve"])
