"""EER, minDCF and actDCF against the definitions of other toolkits."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import cross_val_score

from micfp.exceptions import ScoreValueError
from micfp.metrics import act_dcf, eer, from_target_nontarget, min_dcf


def _trials(seed, n_target=300, n_nontarget=2000, shift=2.0):
    rng = np.random.default_rng(seed)
    target = rng.normal(shift, 1.0, n_target)
    nontarget = rng.normal(0.0, 1.0, n_nontarget)
    return target, nontarget


# Reference definitions, written from the toolkits' documentation and code.
def _speechbrain_eer(positive, negative):
    """speechbrain.utils.metric_stats.EER: closest point, (FAR + FRR) / 2."""
    thresholds = np.unique(np.concatenate([positive, negative]))
    thresholds = np.sort(
        np.concatenate([thresholds, (thresholds[:-1] + thresholds[1:]) / 2])
    )
    frr = (positive[None, :] <= thresholds[:, None]).mean(axis=1)
    far = (negative[None, :] > thresholds[:, None]).mean(axis=1)
    i = np.argmin(np.abs(far - frr))
    return (far[i] + frr[i]) / 2


def _speechbrain_min_dcf(positive, negative, c_miss=1.0, c_fa=1.0, p_target=0.01):
    """speechbrain.utils.metric_stats.minDCF: the cost, not normalised."""
    thresholds = np.unique(np.concatenate([positive, negative]))
    thresholds = np.sort(
        np.concatenate([thresholds, (thresholds[:-1] + thresholds[1:]) / 2])
    )
    p_miss = (positive[None, :] <= thresholds[:, None]).mean(axis=1)
    p_fa = (negative[None, :] > thresholds[:, None]).mean(axis=1)
    return np.min(c_miss * p_miss * p_target + c_fa * p_fa * (1 - p_target))


def _bosaris_min_dcf(tar, non, p_target, c_miss=1.0, c_fa=1.0):
    """BOSARIS/SIDEKIT fast_minDCF(normalize=True) with the effective prior.

    Costs fold into the effective prior; the cost of every threshold between
    sorted scores (all rejected .. all accepted) is divided by
    min(Ptar, 1 - Ptar).
    """
    p_eff = c_miss * p_target / (c_miss * p_target + c_fa * (1 - p_target))
    scores = np.concatenate([tar, non])
    thresholds = np.concatenate([[np.inf], np.sort(scores)[::-1]])
    p_miss = (tar[None, :] < thresholds[:, None]).mean(axis=1)
    p_fa = (non[None, :] >= thresholds[:, None]).mean(axis=1)
    dcf = p_eff * p_miss + (1 - p_eff) * p_fa
    return dcf.min() / min(p_eff, 1 - p_eff)


def _bosaris_act_dcf(tar_ln, non_ln, p_target):
    """BOSARIS fast_actDCF on natural-log LLRs, normalised."""
    plo = np.log(p_target / (1 - p_target))
    p_miss = np.mean(tar_ln < -plo)
    p_fa = np.mean(non_ln >= -plo)
    return (p_target * p_miss + (1 - p_target) * p_fa) / min(p_target, 1 - p_target)


@pytest.mark.parametrize("seed", range(5))
def test_eer_agrees_with_pyannote(seed):
    binary_classification = pytest.importorskip(
        "pyannote.metrics.binary_classification"
    )
    target, nontarget = _trials(seed)
    y_true, y_score = from_target_nontarget(target, nontarget)
    *_, reference = binary_classification.det_curve(y_true.astype(bool), y_score)
    step = 1 / len(target) + 1 / len(nontarget)
    assert abs(eer(y_true, y_score) - reference) <= step / 2


@pytest.mark.parametrize("seed", range(5))
def test_eer_agrees_with_speechbrain_definition(seed):
    target, nontarget = _trials(seed, n_target=200, n_nontarget=500)
    y_true, y_score = from_target_nontarget(target, nontarget)
    step = 1 / len(target) + 1 / len(nontarget)
    assert abs(eer(y_true, y_score) - _speechbrain_eer(target, nontarget)) <= step


def test_eer_of_gaussian_scores_is_the_analytic_value():
    from scipy.stats import norm

    target, nontarget = _trials(0, n_target=20000, n_nontarget=20000, shift=2.0)
    y_true, y_score = from_target_nontarget(target, nontarget)
    assert eer(y_true, y_score) == pytest.approx(norm.cdf(-1.0), abs=0.01)


def test_eer_is_independent_of_collinear_points():
    # Ties between a target and a non-target give a diagonal step.
    y_true = [1, 0, 1, 0, 1, 0]
    y_score = [3.0, 2.0, 2.0, 1.0, 0.5, 0.0]
    rate = eer(y_true, y_score)
    assert rate == pytest.approx(1 / 3)
    # Shuffling the order of trials changes nothing.
    order = [5, 2, 0, 4, 1, 3]
    assert eer(np.take(y_true, order), np.take(y_score, order)) == rate


@pytest.mark.parametrize(
    "y_score, expected",
    [([0.0, 0.1, 0.9, 1.0], 0.0), ([1.0, 0.9, 0.1, 0.0], 1.0), ([5.0] * 4, 0.5)],
)
def test_eer_extremes(y_score, expected):
    assert eer([0, 0, 1, 1], y_score) == pytest.approx(expected)


def test_eer_threshold_gives_nearly_equal_rates():
    target, nontarget = _trials(1)
    y_true, y_score = from_target_nontarget(target, nontarget)
    rate, threshold = eer(y_true, y_score, return_threshold=True)
    p_miss = np.mean(target < threshold)
    p_fa = np.mean(nontarget >= threshold)
    step = 1 / len(target) + 1 / len(nontarget)
    assert abs(p_miss - rate) <= step and abs(p_fa - rate) <= step


def test_eer_pos_label_and_labels():
    y_score = [0.1, 0.4, 0.6, 0.5, 0.8, 0.9]
    expected = eer([0, 0, 0, 1, 1, 1], y_score)
    assert eer(["b", "b", "b", "a", "a", "a"], y_score, pos_label="a") == expected
    assert eer([-1, -1, -1, 1, 1, 1], y_score) == expected
    assert eer([False] * 3 + [True] * 3, y_score) == expected


@pytest.mark.parametrize("p_target", [0.01, 0.05, 0.3])
@pytest.mark.parametrize("seed", range(3))
def test_min_dcf_unnormalised_equals_speechbrain(seed, p_target):
    target, nontarget = _trials(seed, n_target=150, n_nontarget=600)
    y_true, y_score = from_target_nontarget(target, nontarget)
    ours = min_dcf(y_true, y_score, p_target=p_target, normalize=False)
    assert ours == pytest.approx(
        _speechbrain_min_dcf(target, nontarget, p_target=p_target)
    )
    assert ours <= p_target


@pytest.mark.parametrize(
    "p_target, c_miss, c_fa", [(0.01, 1, 1), (0.05, 1, 1), (0.01, 10, 1), (0.7, 1, 3)]
)
@pytest.mark.parametrize("seed", range(3))
def test_min_dcf_normalised_equals_bosaris(seed, p_target, c_miss, c_fa):
    target, nontarget = _trials(seed, n_target=150, n_nontarget=600)
    y_true, y_score = from_target_nontarget(target, nontarget)
    ours = min_dcf(y_true, y_score, p_target=p_target, c_miss=c_miss, c_fa=c_fa)
    assert ours == pytest.approx(
        _bosaris_min_dcf(target, nontarget, p_target, c_miss, c_fa)
    )
    assert 0 <= ours <= 1


def test_min_dcf_threshold_reaches_the_minimum():
    target, nontarget = _trials(2)
    y_true, y_score = from_target_nontarget(target, nontarget)
    cost, threshold = min_dcf(y_true, y_score, p_target=0.05, return_threshold=True)
    p_miss = np.mean(target < threshold)
    p_fa = np.mean(nontarget >= threshold)
    assert (0.05 * p_miss + 0.95 * p_fa) / 0.05 == pytest.approx(cost)


def test_min_dcf_of_useless_scores_is_one():
    assert min_dcf([0, 1, 0, 1], [1.0, 1.0, 1.0, 1.0]) == pytest.approx(1.0)


@pytest.mark.parametrize("p_target", [0.01, 0.05, 0.5])
@pytest.mark.parametrize("seed", range(3))
def test_act_dcf_log10_equals_bosaris_natural_log(seed, p_target):
    target, nontarget = _trials(seed, n_target=200, n_nontarget=800, shift=3.0)
    y_true, llr10 = from_target_nontarget(target, nontarget)
    expected = _bosaris_act_dcf(target * np.log(10), nontarget * np.log(10), p_target)
    assert act_dcf(y_true, llr10, p_target=p_target) == pytest.approx(expected)
    assert act_dcf(y_true, llr10, p_target=p_target) >= min_dcf(
        y_true, llr10, p_target=p_target
    )


def test_act_dcf_of_calibrated_gaussian_llrs_is_near_min_dcf():
    # Equal-variance Gaussians with means -d/2, d/2 give LLR = d * s (natural log).
    rng = np.random.default_rng(3)
    d = 2.0
    target = rng.normal(d / 2, 1, 20000)
    nontarget = rng.normal(-d / 2, 1, 20000)
    y_true, s = from_target_nontarget(target, nontarget)
    llr10 = d * s / np.log(10)
    assert act_dcf(y_true, llr10, p_target=0.05) == pytest.approx(
        min_dcf(y_true, llr10, p_target=0.05), abs=0.02
    )


def test_metrics_work_as_scorers():
    X, y = make_classification(n_samples=200, random_state=0)
    scorer = make_scorer(
        eer, response_method="decision_function", greater_is_better=False
    )
    scores = cross_val_score(LogisticRegression(), X, y, scoring=scorer, cv=3)
    assert np.all(scores <= 0) and np.all(scores > -0.5)
    dcf = make_scorer(
        min_dcf,
        response_method="decision_function",
        greater_is_better=False,
        p_target=0.05,
    )
    assert np.all(cross_val_score(LogisticRegression(), X, y, scoring=dcf, cv=3) <= 0)


def test_from_target_nontarget_reads_bob_order_when_swapped():
    negatives, positives = [0.1, 0.2, 0.7], [0.6, 0.9]
    y_true, y_score = from_target_nontarget(positives, negatives)
    assert y_true.tolist() == [1, 1, 0, 0, 0]
    assert y_score.tolist() == [0.6, 0.9, 0.1, 0.2, 0.7]


@pytest.mark.parametrize("metric", [eer, min_dcf, act_dcf])
@pytest.mark.parametrize(
    "y_true, y_score, match",
    [
        ([1, 1, 1], [0.1, 0.2, 0.3], "y_true must hold two classes"),
        ([0, 1, 2], [0.1, 0.2, 0.3], "y_true must hold two classes"),
        ([0, 1, 1], [0.1, 0.2], "must have the same length; got 3 and 2"),
        ([0, 1, 1], [0.1, np.nan, 0.3], "contains NaN or infinite values at \\[1\\]"),
        ([0, 1, 1], [0.1, np.inf, 0.3], "contains NaN or infinite values"),
        ([0, 1, 1], ["a", "b", "c"], "must hold real numbers"),
        ([[0, 1]], [[0.1, 0.2]], "y_true must be 1-D"),
        (["x", "y", "y"], [0.1, 0.2, 0.3], "pos_label must be given"),
    ],
)
def test_bad_trials_raise_naming_the_argument(metric, y_true, y_score, match):
    with pytest.raises(ScoreValueError, match=match):
        metric(y_true, y_score)


def test_bad_pos_label_and_llr_name():
    with pytest.raises(ScoreValueError, match="pos_label='z' is not among"):
        eer(["x", "y"], [0.1, 0.2], pos_label="z")
    with pytest.raises(ScoreValueError, match="llr contains NaN"):
        act_dcf([0, 1], [0.1, np.nan])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"p_target": 0.0}, "p_target"),
        ({"p_target": 1.0}, "p_target"),
        ({"c_miss": -1}, "c_miss"),
        ({"c_fa": 0}, "c_fa"),
    ],
)
def test_bad_costs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        min_dcf([0, 1], [0.1, 0.2], **kwargs)
