import re

import librosa
import numpy as np
import pytest
import scipy.signal
from sklearn import config_context
from sklearn.utils._param_validation import InvalidParameterError

from micfp.exceptions import AudioValueError, DegradedResultWarning
from micfp.features import LogSpectrum, log_spectrum

SR = 44100


def _noise(n_clips=5, n_samples=4096, seed=0):
    return 0.1 * np.random.default_rng(seed).standard_normal((n_clips, n_samples))


def test_default_is_log_of_fft_magnitude_plus_one():
    X = _noise()
    out = LogSpectrum().fit_transform(X)
    assert out.shape == (5, 2049)
    np.testing.assert_allclose(out, np.log(np.abs(np.fft.rfft(X)) + 1), rtol=1e-12)


def test_float32_stays_float32():
    X = _noise().astype(np.float32)
    out = LogSpectrum().fit_transform(X)
    assert out.dtype == np.float32
    expected = np.log1p(np.abs(np.fft.rfft(X.astype(np.float64))))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_offset():
    X = _noise()
    out = LogSpectrum(offset=1e-3).fit_transform(X)
    np.testing.assert_allclose(out, np.log(np.abs(np.fft.rfft(X)) + 1e-3), rtol=1e-12)


def test_window_over_the_whole_clip():
    X = _noise()
    window = scipy.signal.get_window(("kaiser", 8.0), 4096)
    expected = np.log1p(np.abs(np.fft.rfft(X * window)))
    out = LogSpectrum(window=("kaiser", 8.0)).fit_transform(X)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    out = LogSpectrum(window=list(window)).fit_transform(X)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def _frame_average_by_loop(x, n_fft, hop, window, reduce):
    window = scipy.signal.get_window(window, n_fft)
    spectra = [
        np.abs(np.fft.rfft(x[start : start + n_fft] * window))
        for start in range(0, len(x) - n_fft + 1, hop)
    ]
    return np.log1p(reduce(np.array(spectra), axis=0))


@pytest.mark.parametrize(
    ("average", "reduce"), [("mean", np.mean), ("median", np.median)]
)
@pytest.mark.parametrize(("n_fft", "hop"), [(512, None), (1000, 300), (4096, None)])
def test_frame_average_matches_a_loop(average, reduce, n_fft, hop):
    X = _noise(n_clips=3)
    out = LogSpectrum(
        n_fft=n_fft, hop_length=hop, window="hann", average=average
    ).fit_transform(X)
    hop = hop or n_fft // 2
    expected = [_frame_average_by_loop(x, n_fft, hop, "hann", reduce) for x in X]
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_frame_average_matches_librosa_stft():
    X = _noise(n_clips=2)
    S = np.abs(librosa.stft(X, n_fft=512, hop_length=128, window="hann", center=False))
    expected = np.log1p(S.mean(axis=-1))
    out = LogSpectrum(n_fft=512, hop_length=128, window="hann").fit_transform(X)
    np.testing.assert_allclose(out, expected, rtol=1e-10)


def test_frequency_limits_select_bins_and_name_them():
    X = _noise()
    est = LogSpectrum(n_fft=1024, window="hann", sr=SR, fmin=500, fmax=5000).fit(X)
    freqs = np.fft.rfftfreq(1024, 1 / SR)
    keep = (freqs >= 500) & (freqs <= 5000)
    np.testing.assert_allclose(est.frequencies_, freqs[keep])
    full = LogSpectrum(n_fft=1024, window="hann").fit_transform(X)
    np.testing.assert_array_equal(est.transform(X), full[:, keep])
    names = est.get_feature_names_out()
    assert len(names) == keep.sum()
    assert names[0] == "logspectrum_516.796875Hz"  # 12 * 44100 / 1024, exact
    assert (
        float(names[-1].removeprefix("logspectrum_").removesuffix("Hz"))
        == (freqs[keep][-1])
    )


def test_feature_names_without_sample_rate_are_bin_indices():
    est = LogSpectrum(n_fft=8).fit(_noise(n_samples=64))
    assert list(est.get_feature_names_out()) == [
        f"logspectrum_bin{k}" for k in range(5)
    ]
    np.testing.assert_allclose(est.frequencies_, np.arange(5) / 8)


def test_pandas_output():
    pytest.importorskip("pandas")
    X = _noise(n_samples=256)
    out = LogSpectrum(sr=8000).set_output(transform="pandas").fit_transform(X)
    assert out.shape == (5, 129)
    assert out.columns[1] == "logspectrum_31.25Hz"


def test_batch_equals_row_by_row_and_chunks_and_jobs():
    X = _noise(n_clips=20)
    est = LogSpectrum(n_fft=512, window="hann").fit(X)
    expected = est.transform(X)
    rows = np.vstack([est.transform(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(rows, expected, rtol=1e-13)
    with config_context(working_memory=3 * X[0].nbytes / 2**20):
        np.testing.assert_array_equal(est.transform(X), expected)
        est.set_params(n_jobs=2)
        np.testing.assert_array_equal(est.transform(X), expected)


def test_function_takes_leading_batch_axes():
    X = _noise(n_clips=6)
    out = log_spectrum(X.reshape(2, 3, -1), n_fft=256, window="hann")
    np.testing.assert_array_equal(
        out.reshape(6, -1), log_spectrum(X, n_fft=256, window="hann")
    )
    assert log_spectrum(X[0]).shape == (2049,)


def test_short_clips_are_zero_padded_with_a_warning():
    X = _noise(n_samples=100)
    with pytest.warns(DegradedResultWarning, match="zero-padded to a single frame"):
        out = LogSpectrum(n_fft=256).fit_transform(X)
    np.testing.assert_allclose(out, np.log1p(np.abs(np.fft.rfft(X, n=256))))
    with pytest.warns(DegradedResultWarning, match="shorter than n_fft=256"):
        log_spectrum(X, n_fft=256, window="hann")


# Bad input -------------------------------------------------------------------

_GOOD = _noise(n_clips=3, n_samples=64)


def _with(value):
    X = _GOOD.copy()
    X[1, 3] = value
    return X


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (_with(np.nan), AudioValueError, "NaN or infinite samples"),
        (_with(-np.inf), AudioValueError, "in 1 row(s): 1"),
        (_GOOD.astype(complex), ValueError, "Complex data not supported"),
        (_GOOD[0], ValueError, "Expected 2D array, got 1D array instead"),
        ([_GOOD[0], _GOOD[1, :10]], AudioValueError, "clips of one length"),
    ],
)
def test_bad_input(X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        LogSpectrum().fit(X)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"fmin": 100}, ValueError, "need the sample rate: pass sr"),
        ({"fmax": 100}, ValueError, "need the sample rate: pass sr"),
        ({"sr": 8000, "fmin": 300, "fmax": 200}, ValueError, "fmin=300 must not"),
        ({"sr": 8000, "fmax": 5000}, ValueError, "above the Nyquist frequency"),
        (
            {"sr": 8000, "fmin": 10, "fmax": 20},
            ValueError,
            "No frequency bin lies in [10, 20] Hz",
        ),
        ({"window": [1.0, 2.0]}, ValueError, "must have shape (64,)"),
        ({"window": "not-a-window"}, ValueError, "Invalid window name 'not-a-window'"),
        ({"average": "max"}, InvalidParameterError, "'median'"),
        ({"offset": 0}, InvalidParameterError, "The 'offset' parameter"),
        ({"n_fft": 0}, InvalidParameterError, "The 'n_fft' parameter"),
    ],
)
def test_bad_parameters(params, error, message):
    with pytest.raises(error, match=re.escape(message)):
        LogSpectrum(**params).fit(_GOOD)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fmin": 10.0}, "need the sample rate"),
        ({"average": "max"}, "'average' parameter of log_spectrum must be a str"),
        ({"offset": -1}, "'offset' parameter of log_spectrum must be a float"),
        ({"offset": np.inf}, "in the range (0.0, inf). Got inf instead"),
        ({"n_fft": 0}, "'n_fft' parameter of log_spectrum must be an int"),
        ({"hop_length": 1.5}, "'hop_length' parameter of log_spectrum must be"),
    ],
)
def test_function_bad_parameters(params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        log_spectrum(_GOOD, **params)
