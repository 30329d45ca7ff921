"""Tippett, ECE and PAV displays."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from micfp.calibration import LogisticLRCalibrator  # noqa: E402
from micfp.exceptions import CalibrationError  # noqa: E402
from micfp.metrics import cllr, cllr_min, misleading_rate  # noqa: E402
from micfp.plot import ECEDisplay, PAVDisplay, TippettDisplay  # noqa: E402

DISPLAYS = [TippettDisplay, ECEDisplay, PAVDisplay]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _trials(seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.ones(200, dtype=int), np.zeros(300, dtype=int)]
    llr = rng.normal(np.where(y == 1, 1.0, -1.0), 1.2)
    return y, llr


def test_tippett_curves_read_the_misleading_rates_at_zero():
    y, llr = _trials()
    display = TippettDisplay.from_predictions(y, llr, name="sys")
    for proposition, label in (("H1", 1), ("H2", 0)):
        x, share = display.lines_[proposition].get_data()
        # Step drawn "post": the share at 0 is the last step at or left of 0.
        at_zero = share[np.searchsorted(x, 0.0, side="right") - 1]
        expected = np.mean(llr[y == label] > 0)
        assert at_zero == pytest.approx(expected)
    assert 1 - np.mean(llr[y == 1] > 0) == pytest.approx(
        misleading_rate(y, llr, proposition="H1")
    )
    assert "200 trials" in display.lines_["H1"].get_label()


def test_ece_equals_cllr_and_cllr_min_at_even_prior_odds():
    y, llr = _trials(1)
    display = ECEDisplay.from_predictions(y, llr)
    middle = np.flatnonzero(display.prior_log_odds_ == 0)[0]
    assert display.ece_["system"][middle] == pytest.approx(cllr(y, llr))
    assert display.ece_["pav"][middle] == pytest.approx(cllr_min(y, llr))
    assert display.ece_["neutral"][middle] == pytest.approx(1.0)
    assert np.all(display.ece_["pav"] <= display.ece_["neutral"] + 1e-12)


def test_pav_display_of_calibrated_lrs_follows_the_diagonal():
    rng = np.random.default_rng(2)
    y = np.r_[np.ones(3000, dtype=int), np.zeros(3000, dtype=int)]
    llr = 3 * rng.normal(np.where(y == 1, 1.5, -1.5), 1.0) / np.log(10)
    display = PAVDisplay.from_predictions(y, llr)
    middle = np.abs(llr) < 1
    assert np.allclose(display.pav_llr_[middle], llr[middle], atol=0.3)


@pytest.mark.parametrize("display_class", DISPLAYS)
def test_display_api(display_class):
    y, llr = _trials()
    fig, ax = plt.subplots()
    display = display_class.from_predictions(y, llr, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    # A display built once can draw again on other axes.
    _, other = plt.subplots()
    assert display.plot(ax=other).ax_ is other


@pytest.mark.parametrize("display_class", DISPLAYS)
def test_from_estimator_uses_the_calibrated_lrs(display_class):
    y, scores = _trials(3)
    calibrator = LogisticLRCalibrator().fit(scores[:, None], y)
    display = display_class.from_estimator(calibrator, scores[:, None], y)
    assert display.name == "LogisticLRCalibrator"
    np.testing.assert_allclose(display.llr, calibrator.transform(scores[:, None])[:, 0])


@pytest.mark.parametrize("display_class", DISPLAYS)
def test_natural_log_input_is_drawn_as_log10(display_class):
    y, llr = _trials()
    ten = display_class.from_predictions(y, llr)
    natural = display_class.from_predictions(y, llr * np.log(10), base=np.e)
    assert ten.ax_.get_xlim() == pytest.approx(natural.ax_.get_xlim())


@pytest.mark.parametrize("display_class", DISPLAYS)
@pytest.mark.parametrize(
    "y, llr, error, message",
    [
        ([1, 1], [1.0, 2.0], CalibrationError, "only one class"),
        ([1, 0], [np.nan, 1.0], CalibrationError, "NaN"),
        ([1, 0], [-np.inf, 1.0], CalibrationError, "misleading"),
    ],
)
def test_bad_input(display_class, y, llr, error, message):
    with pytest.raises(error, match=message):
        display_class.from_predictions(y, llr)


@pytest.mark.parametrize("display_class", DISPLAYS)
def test_bad_base_and_axes(display_class):
    y, llr = _trials()
    with pytest.raises(ValueError, match="base must be a number greater than 1"):
        display_class.from_predictions(y, llr, base=1)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        display_class.from_predictions(y, llr, ax="axes")


def test_ece_rejects_a_bad_prior_range():
    y, llr = _trials()
    with pytest.raises(ValueError, match="prior_range"):
        ECEDisplay.from_predictions(y, llr, prior_range=(1, -1))
