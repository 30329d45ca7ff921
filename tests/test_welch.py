"""Welch, multitaper, noise-floor and long-term average spectra."""

import re

import numpy as np
import pytest
import scipy.signal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from micfp.datasets import make_recordings
from micfp.exceptions import AudioValueError
from micfp.features import (
    MultitaperSpectrum,
    NoiseFloorSpectrum,
    WelchSpectrum,
    long_term_average_spectrum,
    multitaper_spectrum,
    noise_floor_spectrum,
    welch_spectrum,
)

OFFSET = 1e-30


@pytest.fixture(scope="module")
def clips():
    rng = np.random.default_rng(0)
    # Coloured noise with a tone: bins differ by orders of magnitude.
    white = rng.standard_normal((6, 4096))
    coloured = scipy.signal.lfilter([1.0], [1.0, -0.9], white, axis=-1) * 0.01
    tone = 0.1 * np.sin(2 * np.pi * 0.05 * np.arange(4096))
    return coloured + tone


# Parity with scipy, row by row ------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, scipy_kwargs",
    [
        ({}, {}),
        ({"segment_length": 256, "hop_length": 64}, {"nperseg": 256, "noverlap": 192}),
        ({"window": None}, {"window": "boxcar"}),
        ({"window": ("kaiser", 8.0)}, {"window": ("kaiser", 8.0)}),
        ({"average": "median"}, {"average": "median"}),
        ({"segment_length": 511}, {"nperseg": 511}),
    ],
)
@pytest.mark.parametrize("sr", [None, 16000])
def test_welch_matches_scipy_per_row(clips, kwargs, scipy_kwargs, sr):
    ours = welch_spectrum(clips, sr=sr, **kwargs)
    settings = {"window": "hann", "nperseg": 512, "detrend": False, **scipy_kwargs}
    for row, spectrum in zip(clips, ours, strict=True):
        _, p = scipy.signal.welch(row, fs=1.0 if sr is None else sr, **settings)
        np.testing.assert_allclose(spectrum, np.log(p + OFFSET), rtol=1e-10)


def test_welch_frequency_limits_keep_scipy_bins(clips):
    ours = welch_spectrum(clips, sr=16000, fmin=1000, fmax=4000)
    f, p = scipy.signal.welch(clips, fs=16000, nperseg=512, detrend=False)
    keep = (f >= 1000) & (f <= 4000)
    np.testing.assert_allclose(ours, np.log(p[:, keep] + OFFSET), rtol=1e-10)


@pytest.mark.parametrize("segment_length", [None, 512])
def test_multitaper_matches_tapered_periodograms(clips, segment_length):
    length = 4096 if segment_length is None else segment_length
    ours = multitaper_spectrum(
        clips, segment_length=segment_length, n_tapers=5, sr=8000
    )
    tapers = scipy.signal.windows.dpss(length, 3.0, Kmax=5, sym=False)
    for row, spectrum in zip(clips, ours, strict=True):
        segments = row[: len(row) // length * length].reshape(-1, length)
        power = [
            scipy.signal.periodogram(s, fs=8000, window=t, detrend=False)[1]
            for s in segments
            for t in tapers
        ]
        expected = np.log(np.mean(power, axis=0) + OFFSET)
        np.testing.assert_allclose(spectrum, expected, rtol=1e-9)


@pytest.mark.parametrize("percentile", [0, 10, 20, 50, 100])
def test_noise_floor_matches_spectrogram_percentile(clips, percentile):
    ours = noise_floor_spectrum(clips, sr=44100, percentile=percentile)
    _, _, s = scipy.signal.spectrogram(
        clips, fs=44100, window="hann", nperseg=256, noverlap=128, detrend=False
    )
    expected = np.log(np.percentile(s, percentile, axis=-1) + OFFSET)
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_noise_floor_lies_below_the_mean(clips):
    floor = noise_floor_spectrum(clips, frame_length=512, hop_length=256)
    mean = welch_spectrum(clips, segment_length=512)
    assert np.all(floor <= mean + 1e-12)


def test_long_term_average_spectrum_is_welch_of_the_recording():
    rng = np.random.default_rng(1)
    signals = [rng.standard_normal(300_000), rng.standard_normal(5000)]
    ltas = long_term_average_spectrum(signals, sr=8000, segment_length=256)
    for signal, row in zip(signals, ltas, strict=True):
        _, p = scipy.signal.welch(signal, fs=8000, nperseg=256, detrend=False)
        np.testing.assert_allclose(row, np.log(p + OFFSET), rtol=1e-9)
    single = long_term_average_spectrum(signals[1], sr=8000, segment_length=256)
    np.testing.assert_allclose(single, ltas[1:])


def test_long_term_average_spectrum_of_recordings_takes_their_rate():
    rec = make_recordings(2, 1, duration=0.5, sr=16000, random_state=0)
    ltas = long_term_average_spectrum(rec, fmax=4000)
    expected = welch_spectrum(np.stack(rec.signals), sr=16000, fmax=4000)
    np.testing.assert_allclose(ltas, expected, rtol=1e-9)


# Batches, transformers, dtypes -------------------------------------------------

FUNCTIONS = [
    (welch_spectrum, WelchSpectrum, {"segment_length": 256}),
    (multitaper_spectrum, MultitaperSpectrum, {"segment_length": 512, "n_tapers": 3}),
    (noise_floor_spectrum, NoiseFloorSpectrum, {"frame_length": 128}),
]


@pytest.mark.parametrize("function, transformer, kwargs", FUNCTIONS)
def test_batched_equals_per_row(clips, function, transformer, kwargs):
    batched = function(clips.reshape(2, 3, -1), sr=16000, **kwargs)
    for i, row in enumerate(clips):
        np.testing.assert_allclose(
            batched.reshape(len(clips), -1)[i],
            function(row, sr=16000, **kwargs),
            rtol=1e-12,
        )
    fitted = transformer(sr=16000, **kwargs).fit(clips)
    np.testing.assert_allclose(
        fitted.transform(clips), batched.reshape(len(clips), -1), rtol=1e-12
    )
    one_by_one = np.vstack([fitted.transform(row[None]) for row in clips])
    np.testing.assert_allclose(fitted.transform(clips), one_by_one, rtol=1e-12)


@pytest.mark.parametrize("function, transformer, kwargs", FUNCTIONS)
def test_float32_stays_float32_and_close(clips, function, transformer, kwargs):
    out32 = transformer(**kwargs).fit_transform(clips.astype(np.float32))
    assert out32.dtype == np.float32
    out64 = function(clips, **kwargs)
    np.testing.assert_allclose(out32, out64, atol=2e-3)


@pytest.mark.parametrize("function, transformer, kwargs", FUNCTIONS)
def test_parallel_chunks_give_the_same_output(clips, function, transformer, kwargs):
    X = np.tile(clips, (60, 1))
    serial = transformer(**kwargs).fit_transform(X)
    parallel = transformer(n_jobs=2, **kwargs).fit_transform(X)
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize(
    "transformer, prefix, first",
    [
        (WelchSpectrum(256, sr=8000), "welch", "welch_0Hz"),
        (MultitaperSpectrum(256, sr=8000), "multitaper", "multitaper_0Hz"),
        (NoiseFloorSpectrum(256, sr=8000, fmin=100), "noisefloor", "noisefloor_125Hz"),
        (WelchSpectrum(256), "welch", "welch_bin0"),
    ],
)
def test_feature_names(clips, transformer, prefix, first):
    out = transformer.fit_transform(clips)
    names = transformer.get_feature_names_out()
    assert len(names) == out.shape[1] == len(transformer.frequencies_)
    assert names[0] == first
    assert all(name.startswith(prefix + "_") for name in names)


def test_extreme_inputs_stay_finite(clips):
    silence = np.zeros((2, 4096))
    huge = clips[:2] * 1e300
    for transformer in (WelchSpectrum(), MultitaperSpectrum(), NoiseFloorSpectrum()):
        out = transformer.fit_transform(np.vstack([silence, huge, clips[:2]]))
        assert np.isfinite(out).all()
        np.testing.assert_allclose(out[:2], np.log(OFFSET))
        # Scaling a row by 1e300 raises its log power by 2 ln(1e300).
        np.testing.assert_allclose(
            out[2:4], out[4:] + 2 * np.log(1e300), rtol=1e-9, atol=1e-6
        )
        huge32 = (clips[:2] * 1e30).astype(np.float32)
        assert np.isfinite(clone(transformer).fit_transform(huge32)).all()


# Bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: welch_spectrum(x[:, :100]), "fewer than segment_length=512"),
        (
            lambda x: multitaper_spectrum(x[:, :100], segment_length=256),
            "fewer than segment_length=256",
        ),
        (
            lambda x: noise_floor_spectrum(x[:, :300]),
            "give 1 frame(s) of frame_length=256 every hop_length=128",
        ),
        (
            lambda x: noise_floor_spectrum(x[:, :100]),
            "give 0 frame(s) of frame_length=256",
        ),
        (
            lambda x: long_term_average_spectrum([x[0], x[0, :10]]),
            "signals[1] has 10 feature(s)",
        ),
        (lambda x: long_term_average_spectrum([]), "holds no recording"),
        (lambda x: long_term_average_spectrum([x[:2]]), "must be 1-D"),
        (lambda x: long_term_average_spectrum("abc"), "must be a Recordings"),
        (lambda x: welch_spectrum(np.full(1024, np.nan)), "NaN or infinite"),
    ],
)
def test_function_input_errors(clips, call, match):
    with pytest.raises(AudioValueError, match=re.escape(match)):
        call(clips)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"segment_length": 0}, "'segment_length' parameter of welch_spectrum"),
        ({"segment_length": 2.5}, "'segment_length' parameter of welch_spectrum"),
        ({"hop_length": -1}, "'hop_length' parameter of welch_spectrum"),
        (
            {"average": "max"},
            "'average' parameter of welch_spectrum must be a str among",
        ),
        ({"offset": 0.0}, "'offset' parameter of welch_spectrum"),
        ({"offset": np.inf}, "'offset' parameter of welch_spectrum"),
        ({"offset": "1"}, "'offset' parameter of welch_spectrum"),
        ({"fmin": 10}, "need the sample rate"),
        ({"window": np.ones(3)}, "must have shape (512,)"),
    ],
)
def test_welch_parameter_errors(clips, kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        welch_spectrum(clips, **kwargs)


@pytest.mark.parametrize(
    "function, kwargs, match",
    [
        (
            multitaper_spectrum,
            {"n_tapers": 0},
            "'n_tapers' parameter of multitaper_spectrum",
        ),
        (
            multitaper_spectrum,
            {"segment_length": 4, "n_tapers": 5},
            "n_tapers=5 tapers need segments",
        ),
        (
            multitaper_spectrum,
            {"segment_length": 64, "time_bandwidth": 40},
            "time_bandwidth must lie in (0, segment_length / 2)",
        ),
        (
            noise_floor_spectrum,
            {"percentile": 101},
            "'percentile' parameter of noise_floor_spectrum must be a float",
        ),
        (
            noise_floor_spectrum,
            {"percentile": "low"},
            "'percentile' parameter of noise_floor_spectrum",
        ),
        (
            noise_floor_spectrum,
            {"frame_length": None},
            "'frame_length' parameter of noise_floor_spectrum",
        ),
        (
            long_term_average_spectrum,
            {"hop_length": 0},
            "'hop_length' parameter of long_term_average_spectrum",
        ),
    ],
)
def test_other_parameter_errors(clips, function, kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        function(clips, **kwargs)


@pytest.mark.parametrize(
    "transformer, width, match",
    [
        (WelchSpectrum(), 500, "X has 500 feature(s) (samples a clip), fewer than "),
        (MultitaperSpectrum(1024), 1000, "fewer than segment_length=1024"),
        (NoiseFloorSpectrum(), 383, "which give 1 frame(s) of frame_length=256"),
    ],
)
def test_transformers_refuse_short_clips(clips, transformer, width, match):
    with pytest.raises(AudioValueError, match=re.escape(match)):
        transformer.fit(clips[:, :width])


@pytest.mark.parametrize(
    "transformer, param",
    [
        (WelchSpectrum(segment_length=0), "segment_length"),
        (MultitaperSpectrum(n_tapers=0), "n_tapers"),
        (NoiseFloorSpectrum(percentile=120), "percentile"),
        (WelchSpectrum(average="mode"), "average"),
    ],
)
def test_transformer_parameter_constraints(clips, transformer, param):
    with pytest.raises(ValueError, match=f"The '{param}' parameter"):
        transformer.fit(clips)


def test_transform_before_fit_and_width_change(clips):
    with pytest.raises(NotFittedError):
        WelchSpectrum().transform(clips)
    fitted = WelchSpectrum().fit(clips)
    with pytest.raises(AudioValueError, match="X has 4000 features"):
        fitted.transform(clips[:, :4000])
