import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from micfp.datasets import make_spliced  # noqa: E402
from micfp.plot import ChangeCurveDisplay  # noqa: E402
from micfp.segmentation import DeviceChangeDetector  # noqa: E402

SR = 8000


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_from_estimator_draws_curve_boundaries_and_spectrogram():
    train, _ = make_spliced(3, sr=SR, n_splices=0, segment_duration=8.0, random_state=0)
    detector = DeviceChangeDetector(sr=SR).fit(train)
    test, truth = make_spliced(
        1, sr=SR, n_splices=1, segment_duration=8.0, random_state=1
    )
    x = test.signals[0]
    display = ChangeCurveDisplay.from_estimator(
        detector, x, true_boundary_times=truth[0]
    )
    times, curve = detector.change_curve(x)
    np.testing.assert_allclose(display.line_.get_xdata(), times)
    np.testing.assert_allclose(display.line_.get_ydata(), curve)
    assert len(display.boundary_lines_) == len(detector.predict(x))
    assert [line.get_xdata()[0] for line in display.true_lines_] == list(truth[0])
    assert display.image_ is not None
    assert display.ax_.figure is display.figure_
    assert display.curve_ax_.get_shared_x_axes().joined(display.ax_, display.curve_ax_)


def test_from_predictions_on_given_axes_and_long_recording_spectrogram():
    fig, ax = plt.subplots()
    x = np.random.default_rng(0).normal(0, 0.1, 600 * SR)
    display = ChangeCurveDisplay.from_predictions(
        [1.0, 2.0],
        [0.5, 3.0],
        boundary_times=[2.0],
        threshold=1.0,
        recording=x,
        sr=SR,
        ax=ax,
    )
    assert display.ax_ is ax and display.figure_ is fig
    # The spectrogram of a long recording is thinned to at most 2000 columns.
    assert 1000 <= display.image_.get_array().shape[1] <= 2000


def test_empty_curve_is_drawn():
    display = ChangeCurveDisplay([], []).plot()
    assert display.line_.get_xdata().size == 0 and display.boundary_lines_ == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"times": [1.0, 2.0], "curve": [1.0]}, "same length"),
        ({"times": [1.0], "curve": [np.nan]}, "finite"),
        ({"times": [[1.0]], "curve": [[1.0]]}, "1-D"),
    ],
)
def test_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ChangeCurveDisplay(**kwargs).plot()


def test_recording_without_sr():
    with pytest.raises(ValueError, match="sr is needed"):
        ChangeCurveDisplay.from_predictions([1.0], [1.0], recording=np.zeros(100))
