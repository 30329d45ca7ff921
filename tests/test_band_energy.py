import re

import numpy as np
import pytest
import scipy.signal
from sklearn import config_context
from sklearn.utils._param_validation import InvalidParameterError

from micfp.exceptions import AudioValueError, DegradedResultWarning
from micfp.features import BandEnergyDifference, band_energy_difference

SR = 16000


def _noise(n_clips=4, n_samples=4096, seed=0):
    return 0.1 * np.random.default_rng(seed).standard_normal((n_clips, n_samples))


def _bed_by_loop(x, frame_length, hop, window):
    """Share of frames in which bin k + 1 holds more energy than bin k."""
    w = (
        np.ones(frame_length)
        if window is None
        else scipy.signal.get_window(window, frame_length)
    )
    n_bins = frame_length // 2 + 1
    score = np.zeros(n_bins - 1)
    n_frames = 0
    for start in range(0, len(x) - frame_length + 1, hop):
        energy = np.abs(np.fft.rfft(x[start : start + frame_length] * w)) ** 2
        for k in range(n_bins - 1):
            if energy[k + 1] > energy[k]:
                score[k] += 1
            elif energy[k + 1] == energy[k]:
                score[k] += 0.5
        n_frames += 1
    return score / n_frames


@pytest.mark.parametrize(
    ("frame_length", "hop", "window"),
    [(64, None, "hann"), (100, 30, "hamming"), (32, 32, None)],
)
def test_matches_a_loop_over_frames_and_bins(frame_length, hop, window):
    X = _noise(n_clips=3, n_samples=1000)
    out = BandEnergyDifference(
        frame_length, hop_length=hop, window=window
    ).fit_transform(X)
    hop = hop or frame_length // 2
    expected = [_bed_by_loop(x, frame_length, hop, window) for x in X]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    assert out.shape == (3, frame_length // 2)


def _repeat(kernel, n_frames, frame_length):
    """Frames that each hold the same short kernel at their start."""
    frame = np.zeros(frame_length)
    frame[: len(kernel)] = kernel
    return np.tile(frame, n_frames)[None, :]


def test_rising_and_falling_spectra():
    # |FFT| of [1, -1] is 2|sin(pi k / N)|, rising up to Nyquist; that of
    # [1, 1] is 2|cos(pi k / N)|, falling; that of an impulse is flat (ties).
    kwargs = {"frame_length": 128, "hop_length": 128, "window": None}
    rising = band_energy_difference(_repeat([1.0, -1.0], 5, 128), **kwargs)
    falling = band_energy_difference(_repeat([1.0, 1.0], 5, 128), **kwargs)
    flat = band_energy_difference(_repeat([1.0], 5, 128), **kwargs)
    np.testing.assert_array_equal(rising, 1.0)
    np.testing.assert_array_equal(falling, 0.0)
    np.testing.assert_array_equal(flat, 0.5)


def test_ignores_the_signal_level():
    X = _noise()
    est = BandEnergyDifference().fit(X)
    # Scaling by a power of two is exact, so no comparison can flip.
    np.testing.assert_array_equal(est.transform(4.0 * X), est.transform(X))


def test_separates_a_low_pass_device_from_a_high_pass_one():
    rng = np.random.default_rng(5)
    noise = rng.standard_normal((6, 8192))
    low_pass = scipy.signal.butter(8, 0.3, output="sos")
    high_pass = scipy.signal.butter(8, 0.3, "high", output="sos")
    low = scipy.signal.sosfilt(low_pass, noise, axis=-1)
    high = scipy.signal.sosfilt(high_pass, noise, axis=-1)
    est = BandEnergyDifference(256).fit(noise)
    # The cut-off, 0.3 of Nyquist, is bin 38 of 128. The periodogram of one
    # frame fluctuates from bin to bin, so only a share of the frames follows
    # the filter's slope: above the cut-off the low-pass spectrum falls, below
    # it the high-pass spectrum rises, and white noise is flat.
    assert np.all(est.transform(low)[:, 40:60].mean(axis=1) < 0.45)
    assert np.all(est.transform(high)[:, 15:37].mean(axis=1) > 0.6)
    assert np.all(np.abs(est.transform(noise).mean(axis=1) - 0.5) < 0.02)


def test_values_are_shares_in_unit_interval_and_float32_stays():
    X = _noise().astype(np.float32)
    out = BandEnergyDifference().fit_transform(X)
    assert out.dtype == np.float32
    assert out.shape == (4, 256)
    assert np.all((out >= 0) & (out <= 1))
    # 15 frames of 512 samples with hop 256 fit in 4096: shares are k / 30.
    np.testing.assert_allclose(out * 30, np.round(out * 30), atol=1e-4)


def test_frequency_limits_and_feature_names():
    X = _noise()
    est = BandEnergyDifference(512, sr=SR, fmin=1000, fmax=4000).fit(X)
    freqs = np.fft.rfftfreq(512, 1 / SR)
    keep = np.flatnonzero((freqs >= 1000) & (freqs <= 4000))
    np.testing.assert_allclose(est.frequencies_, freqs[keep])
    full = BandEnergyDifference(512).fit_transform(X)
    np.testing.assert_array_equal(est.transform(X), full[:, keep[0] : keep[-1]])
    names = est.get_feature_names_out()
    assert names[0] == "bed_1000Hz_1031.25Hz"
    assert len(names) == len(keep) - 1
    plain = BandEnergyDifference(8).fit(X).get_feature_names_out()
    assert list(plain) == [f"bed_bin{k}_bin{k + 1}" for k in range(4)]


def test_pandas_output():
    pytest.importorskip("pandas")
    X = _noise(n_samples=512)
    est = BandEnergyDifference(64, sr=SR).set_output(transform="pandas")
    out = est.fit_transform(X)
    assert out.shape == (4, 32)
    assert out.columns[0] == "bed_0Hz_250Hz"


def test_batch_equals_row_by_row_and_chunks_and_jobs():
    X = _noise(n_clips=12)
    est = BandEnergyDifference(256).fit(X)
    expected = est.transform(X)
    rows = np.vstack([est.transform(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_array_equal(rows, expected)
    with config_context(working_memory=2 * X[0].nbytes / 2**20):
        np.testing.assert_array_equal(est.transform(X), expected)
        parallel = est.set_params(n_jobs=2).transform(X)
        np.testing.assert_array_equal(parallel, expected)


def test_function_takes_leading_batch_axes():
    X = _noise(n_clips=6)
    out = band_energy_difference(X.reshape(3, 2, -1), frame_length=128)
    np.testing.assert_array_equal(
        out.reshape(6, -1), band_energy_difference(X, frame_length=128)
    )


def test_short_clips_are_padded_with_a_warning():
    X = _noise(n_samples=10)
    with pytest.warns(DegradedResultWarning, match="shorter than frame_length=512"):
        out = BandEnergyDifference().fit_transform(X)
    assert out.shape == (4, 256)
    padded = np.pad(X, [(0, 0), (0, 502)])
    np.testing.assert_array_equal(out, BandEnergyDifference().fit_transform(padded))


# Bad input -------------------------------------------------------------------

_GOOD = _noise(n_clips=3, n_samples=600)


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (np.where(np.eye(3, 600) > 0, np.nan, _GOOD), AudioValueError, "NaN"),
        (_GOOD + 0j, ValueError, "Complex data not supported"),
        (_GOOD[0], ValueError, "Expected 2D array, got 1D array instead"),
        ([_GOOD[0], _GOOD[1, :100]], AudioValueError, "clips of one length"),
    ],
)
def test_bad_input(X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        BandEnergyDifference().fit(X)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"fmax": 1000}, ValueError, "need the sample rate: pass sr"),
        ({"sr": SR, "fmin": 9000}, ValueError, "No frequency bin lies"),
        (
            {"sr": SR, "fmin": 1000, "fmax": 1020},
            ValueError,
            "needs at least two frequency bins",
        ),
        ({"frame_length": 1}, InvalidParameterError, "'frame_length' parameter"),
        ({"window": np.ones(3)}, ValueError, "must have shape (512,)"),
    ],
)
def test_bad_parameters(params, error, message):
    with pytest.raises(error, match=re.escape(message)):
        BandEnergyDifference(**params).fit(_GOOD)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"frame_length": 0}, "'frame_length' parameter of band_energy_difference"),
        ({"frame_length": None}, "must be an int in the range [2, inf). Got None"),
        ({"hop_length": -2}, "'hop_length' parameter of band_energy_difference"),
        ({"sr": None, "fmin": 5.0}, "need the sample rate"),
    ],
)
def test_function_bad_parameters(params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        band_energy_difference(_GOOD, **params)
