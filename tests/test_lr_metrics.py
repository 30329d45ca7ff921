"""Likelihood-ratio metrics: Cllr, Cllr_min, Cllr_cal, devPAV, misleading rates."""

import re

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from micfp.exceptions import CalibrationError
from micfp.metrics import cllr, cllr_cal, cllr_min, devpav, misleading_rate
from micfp.utils import pool_adjacent_violators


def _calibrated(n_h1, n_h2, separation, seed=0):
    """Log10 LRs that are calibrated by construction (equal-variance Gaussians)."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.ones(n_h1, dtype=int), np.zeros(n_h2, dtype=int)]
    scores = rng.normal(np.where(y == 1, separation / 2, -separation / 2), 1.0)
    return y, separation * scores / np.log(10)


def test_cllr_of_neutral_lrs_is_one_bit():
    assert cllr([1, 0, 0], [0.0, 0.0, 0.0]) == pytest.approx(1.0)


def test_cllr_weighs_propositions_equally_whatever_the_counts():
    y, llr = _calibrated(50, 50, 2.0)
    repeated = np.r_[llr, llr[y == 0], llr[y == 0]]
    y_repeated = np.r_[y, np.zeros(100, dtype=int)]
    assert cllr(y_repeated, repeated) == pytest.approx(cllr(y, llr))


def test_cllr_base_converts_natural_log_lrs():
    y, llr = _calibrated(40, 60, 3.0)
    assert cllr(y, llr * np.log(10), base=np.e) == pytest.approx(cllr(y, llr))
    assert devpav(y, llr * np.log2(10), base=2) == pytest.approx(devpav(y, llr))


def test_infinite_lrs_of_the_right_sign_cost_nothing():
    assert cllr([1, 0], [np.inf, -np.inf]) == 0.0


def test_cllr_min_is_at_most_cllr_and_invariant_to_monotone_maps():
    y, llr = _calibrated(300, 700, 2.5)
    assert cllr_min(y, llr) <= cllr(y, llr)
    assert cllr_min(y, 5 * llr + 3) == pytest.approx(cllr_min(y, llr))
    assert cllr_cal(y, llr) == pytest.approx(cllr(y, llr) - cllr_min(y, llr))


def test_calibrated_lrs_lose_little_to_calibration_and_shifted_ones_lose_more():
    y, llr = _calibrated(5000, 5000, 3.0)
    assert cllr_cal(y, llr) < 0.01
    assert cllr_cal(y, llr + 1.0) > 0.1
    assert cllr_cal(y, 3 * llr) > 0.1


def test_devpav_measures_the_distance_to_the_identity():
    y, llr = _calibrated(5000, 5000, 3.0)
    small = devpav(y, llr)
    assert small < 0.15
    # Shifted by one log10 unit, PAV moves every point back by about one.
    assert devpav(y, llr + 1.0) == pytest.approx(1.0, abs=0.2)
    assert devpav(y, 3 * llr) > small


def test_devpav_pathological_cases():
    # Perfect separation: every PAV value is infinite.
    assert np.isnan(devpav([1, 1, 0, 0], [2.0, 1.0, -1.0, -2.0]))
    # Infinite LRs get infinite PAV values and are left out.
    finite = devpav([1, 0, 1, 0], [3.0, 1.0, 0.5, -1.0])
    assert devpav([1, 0, 1, 0], [np.inf, 1.0, 0.5, -1.0]) == pytest.approx(finite)
    # One finite point: its distance to the identity.
    assert devpav([1, 0, 0, 1], [0.5, 0.5, -1.0, 3.0]) == pytest.approx(0.5)


def test_misleading_rates():
    y = [1, 1, 1, 1, 0, 0, 0]
    llr = [2.0, 0.0, -1.0, -np.inf, 1.0, 0.0, -2.0]
    assert misleading_rate(y, llr, proposition="H1") == 0.5
    assert misleading_rate(y, llr, proposition="H2") == pytest.approx(1 / 3)


def test_pav_is_prior_balanced():
    # One H1 trial against three H2 trials at the same score: even odds.
    knots, probabilities = pool_adjacent_violators(
        np.array([0.0, 0.0, 0.0, 0.0]), np.array([1, 0, 0, 0])
    )
    assert knots.tolist() == [0.0]
    assert probabilities.tolist() == [0.5]


@pytest.mark.parametrize("metric", [cllr, cllr_min, cllr_cal, devpav, misleading_rate])
@pytest.mark.parametrize(
    "y, llr, message",
    [
        ([1, 1], [1.0, 2.0], "only one class"),
        ([0, 2], [1.0, 2.0], "y must hold 0 (H2"),
        ([1, 0], [np.nan, 2.0], "1 NaN value"),
        ([1, 0], [1.0], "one label per score"),
        ([1, 0], [[1.0, 2.0], [3.0, 4.0]], "must be 1-D or one column"),
        ([1, 0], ["a", "b"], "must hold numbers"),
    ],
)
def test_bad_input_raises_calibration_error(metric, y, llr, message):
    with pytest.raises(CalibrationError, match=re.escape(message)):
        metric(y, llr)


@pytest.mark.parametrize("metric", [cllr, cllr_min, cllr_cal, devpav])
@pytest.mark.parametrize("llr", [[-np.inf, 1.0], [1.0, np.inf]])
def test_misleading_infinities_are_refused(metric, llr):
    with pytest.raises(CalibrationError, match="misleading infinities"):
        metric([1, 0], llr)


@pytest.mark.parametrize("base", [1, 0.5, -10, "ten"])
def test_base_must_exceed_one(base):
    with pytest.raises(InvalidParameterError, match="'base' parameter"):
        cllr([1, 0], [1.0, -1.0], base=base)


def test_proposition_is_checked():
    with pytest.raises(InvalidParameterError, match="'proposition' parameter"):
        misleading_rate([1, 0], [1.0, -1.0], proposition="Hp")
