"""Score-to-LR calibrators and ELUB bounds."""

import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from micfp.calibration import (
    IsotonicLRCalibrator,
    KDELRCalibrator,
    LogisticLRCalibrator,
    elub_bounds,
)
from micfp.exceptions import CalibrationError, DegradedResultWarning
from micfp.metrics import cllr, cllr_cal

CALIBRATORS = [LogisticLRCalibrator(), IsotonicLRCalibrator(), KDELRCalibrator()]


def _gaussian_scores(n_h1, n_h2, separation=3.0, seed=0):
    """Scores of two unit-variance Gaussians; true log10 LR = separation * s / ln 10."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.ones(n_h1, dtype=int), np.zeros(n_h2, dtype=int)]
    scores = rng.normal(np.where(y == 1, separation / 2, -separation / 2), 1.0)
    return scores[:, None], y


@pytest.mark.parametrize("calibrator", CALIBRATORS, ids=lambda c: type(c).__name__)
def test_output_is_an_lr_whatever_the_share_of_h1_trials(calibrator):
    # One H1 trial in ten: a posterior would be ten times too low at the
    # crossing point (score 0, where the true LR is 1).
    X, y = _gaussian_scores(1000, 9000)
    llr = clone(calibrator).fit(X, y).transform([[0.0], [1.0]])
    assert abs(llr[0, 0]) < 0.15
    assert llr[1, 0] == pytest.approx(3.0 / np.log(10), abs=0.2)


@pytest.mark.parametrize("calibrator", CALIBRATORS, ids=lambda c: type(c).__name__)
def test_calibrated_test_scores_are_well_calibrated(calibrator):
    X, y = _gaussian_scores(2000, 2000, seed=1)
    X_test, y_test = _gaussian_scores(2000, 2000, seed=2)
    llr = clone(calibrator).fit(X, y).transform(X_test)[:, 0]
    assert cllr_cal(y_test, llr) < 0.02
    assert cllr(y_test, llr) < 0.45


def test_logistic_slope_is_unpenalised_by_default():
    X, y = _gaussian_scores(15, 15, separation=2.0)
    free = LogisticLRCalibrator().fit(X, y)
    shrunk = LogisticLRCalibrator(C=0.05).fit(X, y)
    assert shrunk.coef_[0] < 0.5 * free.coef_[0]
    llr = free.transform([[2.0]])
    assert llr[0, 0] == pytest.approx(
        (free.intercept_[0] + 2.0 * free.coef_[0]) / np.log(10)
    )


def test_logistic_warns_on_separated_scores():
    X = np.r_[np.arange(5.0), np.arange(5.0) + 10][:, None]
    y = np.r_[np.zeros(5), np.ones(5)]
    with pytest.warns(ConvergenceWarning, match="separate H1 from H2"):
        LogisticLRCalibrator().fit(X, y)
    LogisticLRCalibrator(C=1.0).fit(X, y)  # a penalty gives a finite slope


def test_logistic_matches_scikit_learn_at_the_optimum():
    X, y = _gaussian_scores(60, 240, separation=2.0, seed=4)
    for C in (np.inf, 0.1):
        ours = LogisticLRCalibrator(C=C).fit(X, y)
        reference = LogisticRegression(
            C=C, solver="newton-cholesky", tol=1e-14, class_weight="balanced"
        ).fit(X, y)
        assert ours.coef_[0] == pytest.approx(reference.coef_[0, 0], abs=1e-8)
        assert ours.intercept_[0] == pytest.approx(reference.intercept_[0], abs=1e-8)


def test_isotonic_is_monotone_and_add_misleading_keeps_lrs_finite():
    X, y = _gaussian_scores(200, 300, separation=8.0)
    grid = np.linspace(-10, 10, 101)[:, None]
    plain = IsotonicLRCalibrator(add_misleading=0).fit(X, y).transform(grid)
    assert np.all(plain[1:, 0] >= plain[:-1, 0])
    assert np.isinf(plain).any()
    regular = IsotonicLRCalibrator(add_misleading=1).fit(X, y).transform(grid)
    assert np.isfinite(regular).all()
    assert np.all(np.diff(regular[:, 0]) >= 0)


def test_kde_silverman_bandwidth_and_fixed_bandwidths():
    X, y = _gaussian_scores(100, 400)
    fitted = KDELRCalibrator().fit(X, y)
    for column, label in zip(fitted.bandwidths_[0], (0, 1), strict=True):
        values = X[y == label, 0]
        expected = (4 / (3 * len(values))) ** 0.2 * values.std()
        assert column == pytest.approx(expected)
    pair = KDELRCalibrator(bandwidth=(0.2, 0.4)).fit(X, y)
    assert pair.bandwidths_[0].tolist() == [0.2, 0.4]
    single = KDELRCalibrator(bandwidth=0.3).fit(X, y)
    assert single.bandwidths_[0].tolist() == [0.3, 0.3]


def test_kde_warns_for_a_constant_class():
    X = np.r_[np.zeros(5), np.linspace(1, 2, 5)][:, None]
    y = np.r_[np.zeros(5), np.ones(5)]
    with pytest.warns(DegradedResultWarning, match="bandwidth of 1"):
        KDELRCalibrator().fit(X, y)


@pytest.mark.parametrize("calibrator", CALIBRATORS, ids=lambda c: type(c).__name__)
def test_fixed_and_elub_bounds(calibrator):
    X, y = _gaussian_scores(30, 50, separation=2.5)
    grid = np.linspace(-50, 50, 201)[:, None]
    free = clone(calibrator).fit(X, y).transform(grid)
    fixed = clone(calibrator).set_params(bounds=(-2, 3)).fit(X, y)
    np.testing.assert_array_equal(fixed.transform(grid), np.clip(free, -2, 3))
    elub = clone(calibrator).set_params(bounds="elub").fit(X, y)
    low, high = elub.lower_bound_[0], elub.upper_bound_[0]
    assert -np.log10(31) <= low <= 0 <= high <= np.log10(51)
    np.testing.assert_array_equal(elub.transform(grid), np.clip(free, low, high))


def test_elub_bounds_are_limited_by_the_number_of_trials():
    y = np.r_[np.ones(99), np.zeros(9)]
    llr = np.r_[np.full(99, 5.0), np.full(9, -5.0)]
    low, high = elub_bounds(y, llr)
    assert -2.0 <= low < -1.5
    assert 0.5 < high <= 1.0
    # The same separation with more H2 trials supports larger LRs.
    y_more = np.r_[np.ones(99), np.zeros(99)]
    llr_more = np.r_[np.full(99, 5.0), np.full(99, -5.0)]
    assert elub_bounds(y_more, llr_more)[1] > high + 0.5


def test_elub_bounds_shrink_for_misleading_lrs():
    y, llr = (
        np.r_[np.ones(50), np.zeros(50)],
        np.r_[np.full(50, 2.0), np.full(50, -2.0)],
    )
    clean = elub_bounds(y, llr)
    llr_bad = llr.copy()
    llr_bad[50:55] = 1.5  # five H2 trials with LR about 30
    spoiled = elub_bounds(y, llr_bad)
    assert spoiled[1] < clean[1]


def test_columns_are_calibrated_independently():
    X1, y = _gaussian_scores(100, 100, seed=3)
    X2 = 3 * X1 + 1
    both = LogisticLRCalibrator().fit(np.hstack([X1, X2]), y)
    alone = LogisticLRCalibrator().fit(X2, y)
    assert both.coef_[1] == pytest.approx(alone.coef_[0])
    names = both.get_feature_names_out()
    assert names.tolist() == ["llr_x0", "llr_x1"]


def test_string_labels_take_the_greater_class_as_h1():
    X, y = _gaussian_scores(50, 50)
    labels = np.where(y == 1, "same", "different")
    fitted = LogisticLRCalibrator().fit(X, labels)
    assert fitted.classes_.tolist() == ["different", "same"]
    assert fitted.coef_[0] > 0


def test_calibrator_in_a_pipeline():
    X, y = _gaussian_scores(100, 100)
    pipe = make_pipeline(StandardScaler(), IsotonicLRCalibrator()).fit(X, y)
    assert pipe.transform(X).shape == (200, 1)


@pytest.mark.parametrize("calibrator", CALIBRATORS, ids=lambda c: type(c).__name__)
@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[1.0], [2.0]], [1, 1], "only one class"),
        ([[1.0], [2.0], [3.0]], [0, 1, 2], "3 classes"),
        ([[np.nan], [2.0]], [0, 1], "1 NaN score"),
        ([[np.inf], [2.0]], [0, 1], "1 of them misleading"),
        ([[-np.inf], [2.0]], [0, 1], "infinite score(s) (inf)"),
    ],
)
def test_bad_fit_input_raises_calibration_error(calibrator, X, y, message):
    with pytest.raises(CalibrationError, match=re.escape(message)):
        clone(calibrator).fit(X, y)


@pytest.mark.parametrize("calibrator", CALIBRATORS, ids=lambda c: type(c).__name__)
def test_bad_transform_input_and_bad_bounds(calibrator):
    X, y = _gaussian_scores(20, 20)
    fitted = clone(calibrator).fit(X, y)
    with pytest.raises(CalibrationError, match="NaN"):
        fitted.transform([[np.nan]])
    with pytest.raises(CalibrationError, match="infinite"):
        fitted.transform([[np.inf]])
    with pytest.raises(ValueError, match="Expected 2D array"):
        fitted.transform([1.0, 2.0])
    for bounds, message in [((1, 2), "lower <= 0 <= upper"), ((1,), "a pair")]:
        with pytest.raises(CalibrationError, match=re.escape(message)):
            clone(calibrator).set_params(bounds=bounds).fit(X, y)


def test_bad_kde_bandwidth():
    X, y = _gaussian_scores(20, 20)
    with pytest.raises(CalibrationError, match="pair of positive floats"):
        KDELRCalibrator(bandwidth=(0.1, 0.2, 0.3)).fit(X, y)
