import re

import joblib
import librosa
import numpy as np
import pytest
from sklearn import config_context

from micfp.exceptions import AudioValueError
from micfp.features import (
    FrameStatistics,
    frame_signal,
    rms,
    zero_crossing_rate,
)


def _clips(n_clips=3, n_samples=4410, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = 0.2 * rng.standard_normal((n_clips, n_samples))
    X[:, 1000:1100] = 0.0
    return X.astype(dtype)


@pytest.mark.parametrize("frame_length, hop_length", [(1323, 662), (256, 64)])
def test_matches_librosa(frame_length, hop_length):
    for x in _clips():
        np.testing.assert_allclose(
            zero_crossing_rate(x, frame_length=frame_length, hop_length=hop_length),
            librosa.feature.zero_crossing_rate(
                x, frame_length=frame_length, hop_length=hop_length, center=False
            )[0],
        )
        np.testing.assert_allclose(
            rms(x, frame_length=frame_length, hop_length=hop_length),
            librosa.feature.rms(
                y=x,
                frame_length=frame_length,
                hop_length=hop_length,
                center=False,
                dtype=np.float64,
            )[0],
            rtol=1e-12,
        )


def test_zero_crossing_rate_of_a_sine():
    sr, f0 = 8000, 100.0
    x = np.sin(2 * np.pi * f0 * (np.arange(sr) + 0.5) / sr)
    zcr = zero_crossing_rate(x, frame_length=sr, hop_length=sr)
    np.testing.assert_allclose(zcr, [2 * f0 / sr], atol=1 / sr)


def test_outputs_and_names():
    X = _clips()
    frames = FrameStatistics(output="frames").fit(X)
    values = frames.transform(X).reshape(3, frames.n_frames_, 2)
    zcr = zero_crossing_rate(X, frame_length=1323, hop_length=662)
    np.testing.assert_allclose(values[..., 0], zcr)
    np.testing.assert_allclose(
        values[..., 1], rms(X, frame_length=1323, hop_length=662)
    )
    assert list(frames.get_feature_names_out()[:3]) == ["f0_zcr", "f0_rms", "f1_zcr"]
    stats = FrameStatistics(output="stats").fit(X)
    np.testing.assert_allclose(
        stats.transform(X),
        np.hstack([values.mean(axis=1), values.std(axis=1)]),
    )
    assert list(stats.get_feature_names_out()) == [
        "mean_zcr",
        "mean_rms",
        "std_zcr",
        "std_rms",
    ]
    np.testing.assert_allclose(FrameStatistics().fit_transform(X), values.mean(axis=1))


def test_float32_and_batch_invariance():
    X = _clips(dtype=np.float32)
    stats = FrameStatistics(output="stats").fit(X)
    out = stats.transform(X)
    assert out.dtype == np.float32
    looped = np.vstack([stats.transform(x[np.newaxis]) for x in X])
    np.testing.assert_allclose(out, looped, rtol=1e-6)


def test_frame_signal_is_a_view():
    y = np.arange(10.0)
    frames = frame_signal(y, frame_length=4, hop_length=3)
    assert frames.shape == (3, 4)
    assert np.shares_memory(frames, y)


@pytest.mark.parametrize(
    "params, X, error, message",
    [
        (
            {"sr": 1000, "frame_duration": 0.05},
            np.zeros((2, 10)),
            AudioValueError,
            "FrameStatistics needs clips of at least one frame, frame_duration=0.05 s "
            "= 50 samples at sr=1000 Hz; X holds clips of 10 feature(s).",
        ),
        (
            {"output": "median"},
            np.zeros((2, 5000)),
            ValueError,
            "The 'output' parameter of FrameStatistics must be a str among",
        ),
        (
            {"hop_duration": 0},
            np.zeros((2, 5000)),
            ValueError,
            "The 'hop_duration' parameter of FrameStatistics must be a float in "
            "the range (0.0, inf)",
        ),
    ],
)
def test_bad_input_raises(params, X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        FrameStatistics(**params).fit(X)


def test_short_signal_in_pure_function():
    with pytest.raises(AudioValueError, match="frame_length=20 is too large"):
        rms(np.zeros(5), frame_length=20, hop_length=5)


@pytest.mark.parametrize("output", ["mean", "stats", "frames"])
def test_chunks_and_threads_do_not_change_the_result(output):
    X = np.random.default_rng(3).uniform(-1, 1, (37, 2000))
    X[5] *= 1e300  # a row measured scaled down and back
    stats = FrameStatistics(sr=8000, output=output).fit(X)
    whole = stats.transform(X)
    with (
        config_context(working_memory=4 * X[0].nbytes / 2**20),
        joblib.parallel_config(backend="threading"),
    ):
        chunked = stats.set_params(n_jobs=2).transform(X)
    np.testing.assert_array_equal(chunked, whole)
    assert np.all(np.isfinite(whole))


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: frame_signal(np.zeros(10), frame_length=0, hop_length=1),
            "'frame_length' parameter of frame_signal",
        ),
        (
            lambda: rms(np.zeros(10), frame_length=4, hop_length=0),
            "'hop_length' parameter of rms",
        ),
        (
            lambda: zero_crossing_rate(
                np.zeros(10), frame_length=4, hop_length=2, threshold=-1.0
            ),
            "'threshold' parameter of zero_crossing_rate",
        ),
    ],
)
def test_function_parameter_errors(call, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        call()
