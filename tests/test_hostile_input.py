"""Hostile input to every transformer, its pure function and extract_clips.

Each input either gives finite output of the documented shape and dtype, or
raises micfp's own error (an AudioError) whose message names the argument;
never an error from inside NumPy, SciPy or PyWavelets, a RuntimeWarning of an
overflow, or a NaN or infinity in the output. The expected outcome is derived
from the input: which inputs must be refused, and which must give features.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from micfp.clips import extract_clips
from micfp.denoise import NoiseResidual, WaveletDenoiser, wavelet_denoise
from micfp.exceptions import AudioError, DegradedResultWarning
from micfp.features import (
    MFCC,
    BandEnergyDifference,
    FrameStatistics,
    LogSpectrum,
    MultitaperSpectrum,
    NoiseFloorSpectrum,
    WelchSpectrum,
    band_energy_difference,
    cepstral_coefficients,
    log_spectrum,
)
from micfp.mixture import GaussianSupervector, GMMUBMClassifier

F64 = np.finfo(np.float64)
F32 = np.finfo(np.float32)

# Weighted towards inputs that must give features, so that most examples test
# the arithmetic on awkward values rather than the refusals.
DTYPES = ["float64"] * 6 + ["float32"] * 5 + ["float16", "int16", "int32", "bool"]
DTYPES += ["complex", "object", "object"]

# Finite values that break naive arithmetic: signed zeros, the extremes of
# float64 and float32, subnormals.
EXTREME_VALUES = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    F64.max,
    -F64.max,
    F64.max / 3,
    F32.max,
    -F32.max,
    1e300,
    -1e200,
    1e30,
    F64.tiny,
    F64.smallest_subnormal,
    -F64.smallest_subnormal,
    F32.smallest_subnormal,
    1e-300,
]
NON_FINITE = [np.nan, np.inf, -np.inf]

# Derandomized, so that every run sees the same examples; a larger
# max_examples with derandomize=False explores further.
HYPOTHESIS = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# Input generation -------------------------------------------------------------


@st.composite
def _values(draw, shape):
    """Float64 values of one of several kinds: noise, silence, constant, extremes.

    A few of them NaN or infinite, in one example out of eight or so.
    """
    kind = draw(
        st.sampled_from(["noise", "zeros", "constant", "extreme", "mixed", "mixed"])
    )
    if kind == "zeros":
        values = np.zeros(shape)
    elif kind == "constant":
        values = np.full(shape, draw(st.sampled_from(EXTREME_VALUES)))
    elif kind == "extreme":
        values = draw(
            hnp.arrays(np.float64, shape, elements=st.sampled_from(EXTREME_VALUES))
        )
    else:
        seed = draw(st.integers(0, 2**32 - 1))
        values = np.random.default_rng(seed).uniform(-1, 1, shape)
    if kind == "mixed" and values.size:
        # noise at any level, with a few extreme values sprinkled in
        values *= draw(st.sampled_from([1.0, 1e-310, 1e-30, 1e30, 1e200, F64.max]))
        flat = values.reshape(-1)
        for _ in range(draw(st.integers(1, 3))):
            index = draw(st.integers(0, flat.size - 1))
            flat[index] = draw(st.sampled_from(EXTREME_VALUES))
    if values.size and draw(st.integers(0, 7)) == 0:
        flat = values.reshape(-1)
        flat[draw(st.integers(0, flat.size - 1))] = draw(st.sampled_from(NON_FINITE))
    return values


@st.composite
def _arrays(draw, shape, dtypes=DTYPES):
    """An array of ``shape`` in a drawn dtype, made from drawn float64 values."""
    dtype = draw(st.sampled_from(dtypes))
    values = draw(_values(shape))
    with np.errstate(all="ignore"):
        if dtype in ("int16", "int32"):
            info = np.iinfo(dtype)
            values = np.nan_to_num(values, posinf=info.max, neginf=info.min)
            return values.clip(info.min, info.max).astype(dtype)
        if dtype == "bool":
            return np.nan_to_num(values) > 0
        if dtype == "complex":
            return values + 1j * np.flip(values)
        if dtype == "object":
            out = values.astype(object)
            if out.size and draw(st.booleans()):
                out.reshape(-1)[0] = draw(st.sampled_from(["a", None, {"a": 1}]))
            return out
        return values.astype(dtype)


def _lengths(lengths):
    """Lengths of interest (minimums, filter lengths), or any up to 70."""
    return st.one_of(st.sampled_from(lengths), st.integers(0, 70))


@st.composite
def hostile_batches(draw, lengths):
    """Clip batches: mostly 2-D with 1 to 3 rows; else 0 rows, 0-D, 1-D or 3-D."""
    n_samples = draw(_lengths(lengths))
    n_rows = draw(st.integers(1, 3))
    shapes = [(n_rows, n_samples)] * 16
    shapes += [(0, n_samples), (), (n_samples,), (n_rows, 2, n_samples)]
    return draw(_arrays(draw(st.sampled_from(shapes))))


@st.composite
def signal_batches(draw, lengths):
    """Signals for the pure functions: time last, 0-2 leading axes (0 rows too)."""
    n_samples = draw(_lengths(lengths))
    lead = draw(st.sampled_from([(), (1,), (3,), (3,), (2, 2), (0,), (0, 2)]))
    shape = draw(st.sampled_from([(*lead, n_samples)] * 10 + [()]))
    return draw(_arrays(shape))


# Expected outcomes ------------------------------------------------------------


def _as_float(X):
    """The float64 values of X, or None when they are not real numbers."""
    if X.dtype.kind == "c":
        return None
    try:
        return X.astype(np.float64)
    except (TypeError, ValueError):
        return None


def refusal(X, *, min_length=1, ndim=2, min_rows=1):
    """Why X must be refused, or None when it must give features."""
    values = _as_float(X)
    if values is None:
        return "not real numbers"
    if ndim == 2 and X.ndim != 2:
        return "not 2-D"
    if X.ndim == 0 or X.shape[-1] == 0:
        return "no samples"
    if ndim == 2 and X.shape[0] < min_rows:
        return "no clips"
    if not np.isfinite(values).all():
        return "not finite"
    if X.shape[-1] < min_length:
        return "too short"
    return None


def _out_dtype(X):
    return np.float32 if X.dtype == np.float32 else np.float64


def outcome(run, *, refused, shape, dtype, names=("X",), may_refuse=False):
    """Run, and check that it gives what the input calls for.

    Returns the output, or None when ``run`` raised an accepted error.
    """
    event(f"input {refused or 'valid'}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", DegradedResultWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            out = run()
        except AudioError as exc:
            message = str(exc)
            assert refused or may_refuse, f"refused valid input: {message}"
            assert type(exc).__module__.startswith("micfp.")
            assert any(re.search(rf"\b{n}\b", message) for n in names), message
            return None
    assert refused is None, f"accepted input that is {refused}"
    out = np.asarray(out)
    assert out.shape == shape
    assert out.dtype == dtype
    assert np.isfinite(out).all()
    return out


def _very_large(X):
    """Whether X holds samples so large that a de-noised signal may overflow."""
    values = _as_float(X)
    if values is None:
        return False
    peak = np.abs(values[np.isfinite(values)]).max(initial=0.0)
    return peak > 1e-8 * np.finfo(_out_dtype(X)).max


# Transformers -----------------------------------------------------------------


def _fit_transform(estimator, X):
    return lambda: clone(estimator).fit_transform(X)


def _transform_after_fit(estimator, X):
    """Fit on clean clips of X's width, then transform X."""

    def run():
        width = X.shape[-1] if X.ndim and X.shape[-1] else 64
        clean = np.random.default_rng(0).uniform(-0.5, 0.5, (4, width))
        return clone(estimator).fit(clean).transform(X)

    return run


def _check_transformer(estimator, X, *, min_length, out_width, may_refuse=False):
    refused = refusal(X, min_length=min_length)
    shape = None if refused else (X.shape[0], out_width(X.shape[1]))
    dtype = _out_dtype(X)
    for make in (_fit_transform, _transform_after_fit):
        if make is _transform_after_fit and X.ndim == 2 and X.shape[1] < min_length:
            continue  # no clean clips of that width to fit on
        outcome(
            make(estimator, X),
            refused=refused,
            shape=shape,
            dtype=dtype,
            may_refuse=may_refuse,
        )


WAVELET_SETTINGS = [
    {"wavelet": "haar", "level": 2},
    {"wavelet": "db8"},
    {"wavelet": "db2", "threshold": "bayes", "noise_estimate": "level"},
    {"wavelet": "sym4", "threshold": "sure", "mode": "garrote", "level": None},
    {"wavelet": "db3", "threshold": "minimax", "mode": "hard"},
]


@pytest.mark.parametrize("cls", [NoiseResidual, WaveletDenoiser])
@pytest.mark.parametrize("params", WAVELET_SETTINGS)
@settings(HYPOTHESIS, max_examples=25)
@given(X=hostile_batches(lengths=[1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 32, 64]))
def test_wavelet_transformers(cls, params, X):
    _check_transformer(
        cls(**params),
        X,
        min_length=1,
        out_width=lambda n: n,
        may_refuse=_very_large(X),
    )


@pytest.mark.parametrize(
    "params, width",
    [
        ({}, lambda n: n // 2 + 1),
        ({"n_fft": 16, "window": "hann", "average": "median"}, lambda n: 9),
        ({"n_fft": 8, "offset": 1e-3}, lambda n: 5),
        ({"offset": 1e300}, lambda n: n // 2 + 1),
    ],
)
@settings(HYPOTHESIS)
@given(X=hostile_batches(lengths=[1, 2, 7, 8, 15, 16, 17]))
def test_log_spectrum_transformer(params, width, X):
    _check_transformer(LogSpectrum(**params), X, min_length=1, out_width=width)


@pytest.mark.parametrize(
    "estimator, min_length, width",
    [
        (WelchSpectrum(8), 8, lambda n: 5),
        (WelchSpectrum(4, window=None, average="median"), 4, lambda n: 3),
        (MultitaperSpectrum(8, n_tapers=2), 8, lambda n: 5),
        (NoiseFloorSpectrum(4, hop_length=2), 6, lambda n: 3),
        (NoiseFloorSpectrum(4, percentile=0), 6, lambda n: 3),
    ],
)
@settings(HYPOTHESIS)
@given(X=hostile_batches(lengths=[1, 3, 4, 6, 8, 15, 16]))
def test_spectral_estimate_transformers(estimator, min_length, width, X):
    _check_transformer(estimator, X, min_length=min_length, out_width=width)


@settings(HYPOTHESIS)
@given(X=hostile_batches(lengths=[1, 3, 4, 5, 8]))
def test_band_energy_difference_transformer(X):
    _check_transformer(
        BandEnergyDifference(frame_length=4, hop_length=1),
        X,
        min_length=1,
        out_width=lambda n: 2,
    )


MFCC_SETTINGS = [
    # frames of 2 samples every sample, static coefficients with both deltas
    (
        {
            "n_coefficients": 2,
            "n_filters": 2,
            "frame_duration": 0.002,
            "hop_duration": 0.001,
            "deltas": 2,
        },
        2,
        lambda n: 6 * (1 + (n - 2)),
    ),
    # LFCC of frames of 8 samples every 4, summarized; liftered, no dB range
    (
        {
            "n_coefficients": 3,
            "n_filters": 4,
            "frame_duration": 0.008,
            "hop_duration": 0.004,
            "scale": "linear",
            "output": "stats",
            "lifter": 2,
            "top_db": None,
        },
        8,
        lambda n: 6,
    ),
    (
        {
            "n_coefficients": 3,
            "n_filters": 4,
            "frame_duration": 0.008,
            "hop_duration": 0.004,
            "cmn": True,
            "deltas": 1,
            "output": "mean",
        },
        8,
        lambda n: 6,
    ),
]


@pytest.mark.parametrize("params, min_length, width", MFCC_SETTINGS)
@settings(HYPOTHESIS)
@given(X=hostile_batches(lengths=[1, 2, 3, 7, 8, 9, 12]))
def test_mfcc_transformer(params, min_length, width, X):
    _check_transformer(
        MFCC(sr=1000, **params), X, min_length=min_length, out_width=width
    )


@pytest.mark.parametrize(
    "output, width",
    [("stats", lambda n: 4), ("frames", lambda n: 2 * (1 + (n - 2)))],
)
@settings(HYPOTHESIS)
@given(X=hostile_batches(lengths=[1, 2, 3, 10]))
def test_frame_statistics_transformer(output, width, X):
    est = FrameStatistics(
        sr=1000, frame_duration=0.002, hop_duration=0.001, output=output
    )
    _check_transformer(est, X, min_length=2, out_width=width)


@pytest.mark.parametrize("frame_width", [1, 2])
@pytest.mark.parametrize("normalize", [False, True])
@settings(HYPOTHESIS, max_examples=30)
@given(X=hostile_batches(lengths=[1, 2, 3, 4, 6]))
def test_gaussian_supervector(frame_width, normalize, X):
    est = GaussianSupervector(
        n_components=2, frame_width=frame_width, normalize=normalize, random_state=0
    )
    refused = refusal(X)
    values = _as_float(X)
    if refused is None and X.shape[1] % frame_width:
        refused = "not whole frames"
    if refused is None and np.abs(values).max() > 2.0**256:
        refused = "too large for Gaussian densities"
    if refused is None and X.size < 2 * frame_width:
        refused = "fewer frames than components"
    # Frames a float64 mixture cannot model (values 1e8 times or more their
    # spread or the regularized variance) may be refused with a message; they
    # never give NaN.
    wide = refused is None and np.abs(values).max() > 1e7
    shape = None if refused else (X.shape[0], 2 * frame_width)
    dtype = _out_dtype(X)
    outcome(
        _fit_transform(est, X),
        refused=refused,
        shape=shape,
        dtype=dtype,
        may_refuse=wide,
    )
    if X.ndim == 2 and X.shape[1] and X.shape[1] % frame_width == 0:
        # a background model of clean frames, then the hostile ones
        if refused == "fewer frames than components":
            refused, shape = None, (X.shape[0], 2 * frame_width)
        outcome(
            _transform_after_fit(est, X),
            refused=refused,
            shape=shape,
            dtype=dtype,
            may_refuse=wide,
        )


# Pure functions ---------------------------------------------------------------


def _check_function(run, x, *, name, min_length, out_shape, may_refuse=False):
    refused = refusal(x, min_length=min_length, ndim=None)
    outcome(
        run,
        refused=refused,
        shape=None if refused else out_shape(x.shape),
        dtype=_out_dtype(x),
        names=(name,),
        may_refuse=may_refuse,
    )


@pytest.mark.parametrize("params", WAVELET_SETTINGS)
@pytest.mark.parametrize("output", ["denoised", "residual"])
@settings(HYPOTHESIS, max_examples=25)
@given(x=signal_batches(lengths=[1, 2, 3, 4, 15, 16, 64]))
def test_wavelet_denoise_function(params, output, x):
    _check_function(
        lambda: wavelet_denoise(x, output=output, **params),
        x,
        name="x",
        min_length=1,
        out_shape=lambda s: s,
        may_refuse=_very_large(x),
    )


@pytest.mark.parametrize(
    "params, n_bins",
    [
        ({}, None),
        ({"n_fft": 8, "window": "hann"}, 5),
        ({"offset": 1e-60}, None),
        ({"offset": 1e300}, None),
    ],
)
@settings(HYPOTHESIS)
@given(x=signal_batches(lengths=[1, 2, 7, 8, 9]))
def test_log_spectrum_function(params, n_bins, x):
    _check_function(
        lambda: log_spectrum(x, **params),
        x,
        name="x",
        min_length=1,
        out_shape=lambda s: (*s[:-1], n_bins or s[-1] // 2 + 1),
    )


@settings(HYPOTHESIS)
@given(x=signal_batches(lengths=[1, 3, 4, 5]))
def test_band_energy_difference_function(x):
    _check_function(
        lambda: band_energy_difference(x, frame_length=4, hop_length=1, window=None),
        x,
        name="x",
        min_length=1,
        out_shape=lambda s: (*s[:-1], 2),
    )


@pytest.mark.parametrize("scale", ["mel", "linear"])
@settings(HYPOTHESIS)
@given(y=signal_batches(lengths=[1, 7, 8, 9, 12, 16]))
def test_cepstral_coefficients_function(scale, y):
    _check_function(
        lambda: cepstral_coefficients(
            y,
            sr=1000,
            n_coefficients=3,
            n_filters=4,
            n_fft=8,
            hop_length=4,
            scale=scale,
        ),
        y,
        name="y",
        min_length=8,
        out_shape=lambda s: (*s[:-1], 3, 1 + (s[-1] - 8) // 4),
    )


# extract_clips ----------------------------------------------------------------


@st.composite
def recording_lists(draw):
    n = draw(st.integers(0, 3))
    shapes = [
        draw(st.sampled_from([(draw(st.integers(0, 60)),)] * 5 + [(), (2, 20)]))
        for _ in range(n)
    ]
    dtypes = ["float64", "float32", "float16", "int16", "int32", "bool"]
    dtypes += ["complex", "object"]
    return [draw(_arrays(shape, dtypes)) for shape in shapes]


@settings(HYPOTHESIS, max_examples=60)
@given(
    recordings=recording_lists(),
    length=st.sampled_from([1, 2, 8, 16]),
    strategy=st.sampled_from(["random", "sequential", "quietest", "loudest"]),
    hop=st.one_of(st.none(), st.integers(1, 20)),
    n_clips=st.one_of(st.none(), st.integers(1, 4)),
)
def test_extract_clips(recordings, length, strategy, hop, n_clips):
    refused = None if recordings else "empty"
    for signal in recordings:
        if signal.ndim != 1 or signal.dtype.kind not in "iuf":
            refused = "not 1-D real numbers"
        elif signal.shape[0] < length or not np.isfinite(signal).all():
            refused = "too short or not finite"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            warnings.simplefilter("ignore", DegradedResultWarning)
            X, y, groups, starts = extract_clips(
                recordings,
                length=length,
                strategy=strategy,
                hop=hop,
                n_clips=n_clips,
                random_state=0,
                return_starts=True,
            )
    except AudioError as exc:
        assert refused, f"refused valid recordings: {exc}"
        assert re.search(r"\brecordings?\b", str(exc)), str(exc)
        return
    assert refused is None, f"accepted recordings: {refused}"
    assert y is None
    assert X.shape[1] == length
    assert X.dtype == np.result_type(*recordings)
    assert np.isfinite(X).all()
    for clip, group, start in zip(X, groups, starts, strict=True):
        assert_array_equal(clip, recordings[group][start : start + length])


# Digital silence: the documented meaning of each feature ---------------------


SILENCE = np.zeros((3, 512))


@pytest.mark.parametrize("cls", [NoiseResidual, WaveletDenoiser])
@pytest.mark.parametrize("params", WAVELET_SETTINGS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_silence_has_no_noise_residual(cls, params, dtype):
    out = cls(**params).fit_transform(SILENCE.astype(dtype))
    assert out.dtype == dtype
    assert_array_equal(out, 0.0)


@pytest.mark.parametrize("offset", [1.0, 0.25])
@pytest.mark.parametrize("params", [{}, {"n_fft": 64, "window": "hann"}])
def test_log_spectrum_of_silence_is_the_log_of_the_offset(offset, params):
    out = LogSpectrum(offset=offset, **params).fit_transform(SILENCE)
    assert_array_equal(out, np.log(offset))


def test_band_energy_difference_of_silence_is_all_ties():
    out = BandEnergyDifference(frame_length=64).fit_transform(SILENCE)
    assert_array_equal(out, 0.5)


@pytest.mark.parametrize("scale", ["mel", "linear"])
@pytest.mark.parametrize("top_db", [80.0, None])
@pytest.mark.parametrize("lifter", [0, 6])
def test_mfcc_of_silence_is_the_cepstrum_of_the_db_floor(scale, top_db, lifter):
    n_filters, n_coefficients = 20, 5
    mfcc = MFCC(
        sr=8000,
        n_coefficients=n_coefficients,
        n_filters=n_filters,
        scale=scale,
        top_db=top_db,
        lifter=lifter,
        deltas=2,
    )
    frames = mfcc.fit_transform(SILENCE).reshape(3, mfcc.n_frames_, 3, n_coefficients)
    # Every band at 10 log10(1e-10) = -100 dB; the orthonormal DCT of a
    # constant puts it all in c0, -100 * sqrt(n_filters), scaled by c0's lifter.
    weight = 1 + lifter / 2 * np.sin(np.pi / lifter) if lifter else 1.0
    expected = np.zeros(n_coefficients)
    expected[0] = -100.0 * np.sqrt(n_filters) * weight
    static = frames[..., 0, :]
    assert_allclose(static, np.broadcast_to(expected, static.shape), atol=1e-9)
    assert_allclose(frames[..., 1:, :], 0.0, atol=1e-9)
    cmn = MFCC(sr=8000, cmn=True, output="stats").fit_transform(SILENCE)
    assert_allclose(cmn, 0.0, atol=1e-9)


def test_frame_statistics_of_silence_are_zero():
    out = FrameStatistics(sr=8000, output="stats").fit_transform(SILENCE)
    assert_array_equal(out, 0.0)


def test_supervector_of_identical_frames_moves_each_mean_towards_them():
    rng = np.random.default_rng(0)
    train = rng.standard_normal((20, 10 * 2))
    gsv = GaussianSupervector(n_components=3, frame_width=2, random_state=0)
    gsv.fit(train)
    frame = np.array([0.7, -0.2])
    n_frames = 10
    out = gsv.transform(np.tile(frame, (1, n_frames)))
    ubm = gsv.ubm_
    n_c = n_frames * ubm.predict_proba(frame[None])[0]
    alpha = n_c / (n_c + gsv.relevance_factor)
    expected = alpha[:, None] * frame + (1 - alpha[:, None]) * ubm.means_
    assert_allclose(out.reshape(3, 2), expected)


def test_supervectors_of_silent_mfcc_frames_are_finite():
    rng = np.random.default_rng(1)
    X = np.vstack([0.1 * rng.standard_normal((4, 4000)), np.zeros((4, 4000))])
    pipe = make_pipeline(
        MFCC(sr=8000, n_coefficients=4, n_filters=16, deltas=1),
        GaussianSupervector(n_components=4, frame_width=8, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = pipe.fit_transform(X)
    assert out.shape == (8, 32)
    assert np.isfinite(out).all()
    # the silent clips have identical frames, hence identical supervectors
    assert_allclose(out[4:], np.broadcast_to(out[4], (4, 32)))


# Huge samples: results equal those of the same clips at a normal level --------


_NOISE = np.random.default_rng(2).uniform(-1, 1, (3, 512))
_BIG = 2.0**900


def test_huge_clips_give_the_scaled_noise_residual():
    small = NoiseResidual(wavelet="db4").fit_transform(_NOISE)
    big = NoiseResidual(wavelet="db4").fit_transform(_NOISE * _BIG)
    assert_allclose(big / _BIG, small, rtol=1e-12, atol=1e-15)


def test_huge_clips_give_the_shifted_log_spectrum():
    small = LogSpectrum().fit_transform(_NOISE)
    big = LogSpectrum().fit_transform(_NOISE * _BIG)
    # log(|F| s + 1) = log(|F| + 1/s) + log s, and 1/s is negligible
    assert_allclose(big - 900 * np.log(2), np.log(np.abs(np.fft.rfft(_NOISE))))
    assert np.isfinite(small).all()


def test_huge_clips_give_the_same_band_energy_difference():
    est = BandEnergyDifference(frame_length=64)
    assert_array_equal(est.fit_transform(_NOISE * _BIG), est.fit_transform(_NOISE))


@pytest.mark.parametrize("dtype, big", [(np.float64, _BIG), (np.float32, 2.0**100)])
def test_huge_clips_shift_only_the_first_mfcc(dtype, big):
    mfcc = MFCC(sr=8000, n_coefficients=6, n_filters=16, top_db=None)
    small = mfcc.fit_transform(_NOISE.astype(dtype))
    large = mfcc.fit_transform((_NOISE * big).astype(dtype))
    frames_small = small.reshape(3, -1, 6)
    frames_large = large.reshape(3, -1, 6)
    # power scales by big ** 2: every band gains 20 log10(big) dB, which the
    # orthonormal DCT puts into c0 times sqrt(n_filters)
    gain = 20 * np.log10(big) * np.sqrt(16)
    tol = 1e-9 if dtype == np.float64 else 2e-2
    assert_allclose(frames_large[..., 0] - gain, frames_small[..., 0], atol=tol)
    assert_allclose(frames_large[..., 1:], frames_small[..., 1:], atol=tol)


@pytest.mark.parametrize("output", ["frames", "stats"])
def test_huge_clips_give_the_scaled_rms(output):
    est = FrameStatistics(sr=8000, output=output)
    small = est.fit_transform(_NOISE)
    big = est.fit_transform(_NOISE * _BIG)
    rms_columns = np.arange(small.shape[1]) % 2 == 1
    assert_allclose(big[:, rms_columns] / _BIG, small[:, rms_columns], rtol=1e-12)
    assert_array_equal(big[:, ~rms_columns], small[:, ~rms_columns])


@pytest.mark.parametrize("strategy", ["quietest", "loudest"])
@pytest.mark.parametrize("hop", [None, 100])
def test_huge_recordings_rank_clips_as_at_a_normal_level(strategy, hop):
    signal = np.random.default_rng(3).standard_normal(5000)
    signal *= np.repeat(np.random.default_rng(4).uniform(0, 1, 50), 100)
    kwargs = {"length": 256, "n_clips": 4, "strategy": strategy, "hop": hop}
    *_, starts = extract_clips([signal], return_starts=True, **kwargs)
    *_, big_starts = extract_clips([signal * _BIG], return_starts=True, **kwargs)
    assert_array_equal(big_starts, starts)


# Messages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros(64), "Expected 2D array, got 1D array instead"),
        (np.zeros((2, 2, 64)), "X.reshape(1, -1) holds a single clip"),
        (np.zeros((0, 64)), "Invalid X for LogSpectrum: Found array with 0 sample(s)"),
        (np.zeros((2, 64), complex), "Invalid X for LogSpectrum: Complex data"),
        (np.full((2, 64), "a", dtype=object), "could not convert string to float"),
    ],
)
def test_refusals_name_x(X, message):
    with pytest.raises(AudioError, match=re.escape(message)):
        LogSpectrum().fit(X)


def test_objects_that_are_not_numbers_are_a_type_error_too():
    X = np.zeros((2, 8), dtype=object)
    X[0, 0] = {"a": 1}
    with pytest.raises(TypeError, match="Invalid X for MFCC: float"):
        MFCC(sr=1000, frame_duration=0.002, hop_duration=0.001, n_filters=2).fit(X)
    with pytest.raises(AudioError, match="y must hold real numbers; got an object"):
        cepstral_coefficients(X, sr=1000)


def test_recording_with_nan_is_named():
    with pytest.raises(AudioError, match=r"recording 1 contains NaN or infinite"):
        extract_clips([np.zeros(100), np.r_[np.zeros(99), np.nan]], length=10)


# The GMM-UBM classifier validates its frames like the supervector -------------


_FRAMES = np.random.default_rng(5).standard_normal((6, 12))
_LABELS = np.repeat(["a", "b"], 3)


@pytest.mark.parametrize(
    "X, message",
    [
        (np.where(np.eye(6, 12) > 0, np.nan, _FRAMES), "Input X contains NaN"),
        (_FRAMES * 1e100, "X holds values up to"),
        (_FRAMES[:, :11], "Invalid X for GMMUBMClassifier: Expected rows of whole"),
        (_FRAMES[:1, :2], "Invalid X or y for GMMUBMClassifier: Found input"),
        (_FRAMES[:, :0], "Invalid X or y for GMMUBMClassifier: Found array with 0"),
    ],
)
def test_gmm_ubm_refuses_bad_frames(X, message):
    clf = GMMUBMClassifier(n_components=2, frame_width=2, random_state=0)
    with pytest.raises(AudioError, match=re.escape(message)):
        clf.fit(X, _LABELS)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gmm_ubm_scores_silent_frames():
    # device "a" recorded digital silence: all its frames sit at one point
    X = np.vstack([np.full((3, 12), -100.0), _FRAMES[3:]])
    clf = GMMUBMClassifier(n_components=2, frame_width=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, _LABELS)
        scores = clf.log_likelihood_ratio(X)
    assert scores.shape == (6, 2)
    assert np.isfinite(scores).all()
    with pytest.raises(AudioError, match="need reg_covar > 0"):
        GaussianSupervector(n_components=2, frame_width=2, reg_covar=0.0).fit(
            np.full((3, 12), -100.0)
        )
