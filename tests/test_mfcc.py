import re

import librosa
import numpy as np
import pytest
import scipy.fft
from sklearn import config_context

from micfp.exceptions import AudioValueError
from micfp.features import (
    MFCC,
    cepstral_coefficients,
    dct_matrix,
    delta,
    hz_to_mel,
    linear_filterbank,
    mel_filterbank,
    mel_to_hz,
    power_spectrogram,
    power_to_db,
)


def _clips(n_clips=3, n_samples=16000, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) / 16000.0
    tone = 0.3 * np.sin(2 * np.pi * rng.uniform(200, 3000, (n_clips, 1)) * t)
    noise = 0.05 * rng.standard_normal((n_clips, n_samples))
    return (tone + noise).astype(dtype)


def _rel_err(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_mfcc_matches_librosa_per_clip():
    X = _clips()
    mfcc = MFCC(
        sr=16000,
        n_coefficients=13,
        n_filters=40,
        frame_duration=0.03,
        hop_duration=0.015,
        output="frames",
    )
    out = mfcc.fit_transform(X)
    for row, x in zip(out, X, strict=True):
        ref = librosa.feature.mfcc(
            y=x,
            sr=16000,
            n_mfcc=13,
            n_mels=40,
            n_fft=480,
            hop_length=240,
            center=False,
        )
        expected = ref.T.ravel()
        assert row.shape == expected.shape
        assert _rel_err(row, expected) < 1e-4
        np.testing.assert_allclose(
            row, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max()
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lifter": 22},
        {"fmin": 300.0, "fmax": 6000.0},
        {"n_mfcc": 20, "n_mels": 64},
    ],
)
def test_cepstral_coefficients_match_librosa_options(kwargs):
    x = _clips(1)[0]
    ours = cepstral_coefficients(
        x,
        sr=16000,
        n_coefficients=kwargs.get("n_mfcc", 13),
        n_filters=kwargs.get("n_mels", 40),
        n_fft=512,
        hop_length=160,
        fmin=kwargs.get("fmin", 0.0),
        fmax=kwargs.get("fmax"),
        lifter=kwargs.get("lifter", 0),
    )
    ref = librosa.feature.mfcc(
        y=x,
        sr=16000,
        n_fft=512,
        hop_length=160,
        center=False,
        **{"n_mfcc": 13, "n_mels": 40, **kwargs},
    )
    assert _rel_err(ours, ref) < 1e-4


def test_float32_stays_float32_and_matches_float64():
    X = _clips(2)
    mfcc = MFCC(sr=16000, deltas=2)
    out64 = mfcc.fit_transform(X)
    out32 = mfcc.fit_transform(X.astype(np.float32))
    assert out32.dtype == np.float32
    assert _rel_err(out32, out64) < 1e-4


def test_batched_equals_per_row_loop():
    X = _clips(5)
    mfcc = MFCC(sr=16000, deltas=2, cmn=True).fit(X)
    batched = mfcc.transform(X)
    looped = np.vstack([mfcc.transform(x[np.newaxis]) for x in X])
    np.testing.assert_allclose(batched, looped, rtol=1e-12, atol=1e-9)


def test_chunks_and_jobs_do_not_change_the_result():
    X = _clips(6)
    mfcc = MFCC(sr=16000, deltas=1).fit(X)
    whole = mfcc.transform(X)
    with config_context(working_memory=2 * X[0].nbytes / 2**20):
        np.testing.assert_allclose(mfcc.transform(X), whole, rtol=1e-12, atol=1e-9)
        parallel = mfcc.set_params(n_jobs=2).transform(X)
        np.testing.assert_allclose(parallel, whole, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("n_jobs, limited", [(None, False), (1, False), (2, True)])
def test_blas_runs_on_one_thread_only_under_workers(n_jobs, limited):
    assert MFCC(n_jobs=n_jobs)._single_blas_thread is limited


def test_frame_layout_is_frame_major_with_deltas():
    X = _clips(2)
    mfcc = MFCC(sr=16000, deltas=2, delta_width=2).fit(X)
    assert mfcc.frame_width_ == 39
    frames = mfcc.transform(X).reshape(2, mfcc.n_frames_, 39)
    static = cepstral_coefficients(
        X, sr=16000, n_fft=mfcc.n_fft_, hop_length=mfcc.hop_length_
    )
    np.testing.assert_allclose(frames[..., :13], np.swapaxes(static, 1, 2))
    np.testing.assert_allclose(
        frames[..., 13:26], np.swapaxes(delta(static, width=2), 1, 2)
    )
    np.testing.assert_allclose(
        frames[..., 26:], np.swapaxes(delta(static, width=2, order=2), 1, 2)
    )
    names = mfcc.get_feature_names_out()
    assert list(names[:2]) == ["f0_mfcc0", "f0_mfcc1"]
    assert names[13] == "f0_d_mfcc0"
    assert names[26] == "f0_dd_mfcc0"
    assert names[39] == "f1_mfcc0"
    assert len(names) == mfcc.n_frames_ * 39


def test_stats_and_mean_outputs_summarize_the_frames():
    X = _clips(3)
    frames = MFCC(sr=16000, deltas=1).fit_transform(X).reshape(3, -1, 26)
    stats = MFCC(sr=16000, deltas=1, output="stats").fit(X)
    out = stats.transform(X)
    np.testing.assert_allclose(out[:, :26], frames.mean(axis=1))
    np.testing.assert_allclose(out[:, 26:], frames.std(axis=1))
    assert stats.get_feature_names_out()[[0, 26]].tolist() == [
        "mean_mfcc0",
        "std_mfcc0",
    ]
    means = MFCC(sr=16000, deltas=1, output="mean").fit_transform(X)
    np.testing.assert_allclose(means, frames.mean(axis=1))


def test_cmn_removes_each_clips_static_mean():
    X = _clips(3)
    raw = MFCC(sr=16000).fit_transform(X).reshape(3, -1, 13)
    normalized = MFCC(sr=16000, cmn=True).fit_transform(X).reshape(3, -1, 13)
    np.testing.assert_allclose(normalized.mean(axis=1), 0.0, atol=1e-9)
    np.testing.assert_allclose(normalized, raw - raw.mean(axis=1, keepdims=True))


def test_cmn_cancels_a_fixed_channel_gain():
    # A gain is a constant offset in dB, which only moves c0, and CMN removes it.
    X = _clips(2)
    mfcc = MFCC(sr=16000, cmn=True, top_db=None).fit(X)
    np.testing.assert_allclose(mfcc.transform(3.0 * X), mfcc.transform(X), atol=1e-8)


def test_lfcc_uses_linear_filters():
    X = _clips(2)
    lfcc = MFCC(sr=16000, scale="linear", n_filters=30, n_coefficients=12).fit(X)
    out = lfcc.transform(X).reshape(2, -1, 12)
    power = power_spectrogram(X, n_fft=480, hop_length=240)
    bank = linear_filterbank(sr=16000, n_fft=480, n_filters=30)
    db = power_to_db(np.einsum("mf,cft->cmt", bank, power))
    expected = scipy.fft.dct(db, type=2, norm="ortho", axis=1)[:, :12]
    np.testing.assert_allclose(out, np.swapaxes(expected, 1, 2), atol=1e-8)
    assert lfcc.get_feature_names_out()[0] == "f0_lfcc0"
    mel = MFCC(sr=16000, n_filters=30, n_coefficients=12).fit_transform(X)
    assert not np.allclose(mel, out.reshape(2, -1))


def test_set_output_pandas_uses_feature_names():
    pd = pytest.importorskip("pandas")
    X = _clips(2)
    mfcc = MFCC(sr=16000, output="stats").set_output(transform="pandas")
    frame = mfcc.fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(mfcc.get_feature_names_out())


@pytest.mark.parametrize("htk", [False, True])
def test_mel_scale_matches_librosa(htk):
    freqs = np.array([0.0, 100.0, 999.0, 1000.0, 4000.0, 22050.0])
    np.testing.assert_allclose(
        hz_to_mel(freqs, htk=htk), librosa.hz_to_mel(freqs, htk=htk)
    )
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(freqs, htk=htk), htk=htk), freqs)


@pytest.mark.parametrize(
    "sr, n_fft, n_mels, fmin, fmax, htk",
    [
        (16000, 480, 40, 0.0, None, False),
        (44100, 2048, 128, 20.0, 18000.0, False),
        (8000, 256, 26, 0.0, None, True),
    ],
)
def test_mel_filterbank_matches_librosa(sr, n_fft, n_mels, fmin, fmax, htk):
    ours = mel_filterbank(
        sr=sr, n_fft=n_fft, n_filters=n_mels, fmin=fmin, fmax=fmax, htk=htk
    )
    ref = librosa.filters.mel(
        sr=sr,
        n_fft=n_fft,
        n_mels=n_mels,
        fmin=fmin,
        fmax=fmax,
        htk=htk,
        dtype=np.float64,
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_linear_filterbank_peaks_at_equally_spaced_centers():
    bank = linear_filterbank(sr=8000, n_fft=800, n_filters=9, norm=None)
    freqs = np.fft.rfftfreq(800, 1 / 8000)
    np.testing.assert_allclose(freqs[bank.argmax(axis=1)], np.arange(1, 10) * 400.0)
    np.testing.assert_allclose(bank.max(axis=1), 1.0)


def test_dct_matrix_matches_scipy():
    x = np.random.default_rng(1).standard_normal((5, 40))
    np.testing.assert_allclose(
        x @ dct_matrix(40, 13).T,
        scipy.fft.dct(x, type=2, norm="ortho", axis=-1)[:, :13],
        atol=1e-12,
    )


def test_power_to_db_clips_each_item_like_librosa():
    S = np.random.default_rng(2).uniform(0, 1, (3, 4, 5)) ** 12
    S[1] *= 1e-6
    ours = power_to_db(S)
    for item, ref_in in zip(ours, S, strict=True):
        np.testing.assert_allclose(item, librosa.power_to_db(ref_in), rtol=1e-12)


def test_power_spectrogram_matches_librosa_stft():
    x = _clips(1)[0]
    ref = np.abs(librosa.stft(x, n_fft=400, hop_length=100, center=False)) ** 2
    np.testing.assert_allclose(
        power_spectrogram(x, n_fft=400, hop_length=100), ref, rtol=1e-9, atol=1e-12
    )


def test_delta_recovers_slopes():
    t = np.arange(20.0)
    ramp = np.stack([3.0 * t, -t])
    interior = delta(ramp, width=2)[:, 2:-2]
    np.testing.assert_allclose(interior, np.broadcast_to([[3.0], [-1.0]], (2, 16)))
    accel = delta(0.5 * t**2, width=1, order=2)
    np.testing.assert_allclose(accel[2:-2], 1.0)
    along_first = delta(ramp.T, width=2, axis=0)
    np.testing.assert_allclose(along_first, delta(ramp, width=2).T)


@pytest.mark.parametrize(
    "params, X, error, message",
    [
        (
            {"sr": 16000},
            np.zeros((2, 100)),
            AudioValueError,
            "MFCC needs clips of at least one frame, frame_duration=0.03 s = 480 "
            "samples at sr=16000 Hz; X holds clips of 100 feature(s).",
        ),
        (
            {"sr": 16000, "n_coefficients": 50},
            np.zeros((2, 1000)),
            ValueError,
            "n_coefficients=50 cannot exceed the number of filters n_filters=40.",
        ),
        (
            {"sr": 16000, "fmax": 9000.0},
            np.zeros((2, 1000)),
            ValueError,
            "Need 0 <= fmin < fmax <= sr / 2 = 8000 Hz; got fmin=0.0, fmax=9000.0.",
        ),
        (
            {"sr": 16000, "output": "bogus"},
            np.zeros((2, 1000)),
            ValueError,
            "The 'output' parameter of MFCC must be a str among",
        ),
        (
            {"sr": 16000, "deltas": 3},
            np.zeros((2, 1000)),
            ValueError,
            "The 'deltas' parameter of MFCC must be an int in the range [0, 2]",
        ),
        (
            {"sr": 16000},
            np.full((2, 1000), np.nan),
            ValueError,
            "Input X contains NaN",
        ),
    ],
)
def test_bad_input_raises(params, X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        MFCC(**params).fit(X)


def test_transform_rejects_another_clip_length():
    mfcc = MFCC(sr=16000).fit(np.zeros((2, 1000)))
    with pytest.raises(ValueError, match="X has 2000 features, but MFCC is expecting"):
        mfcc.transform(np.zeros((2, 2000)))


def test_power_spectrogram_rejects_short_signal():
    with pytest.raises(AudioValueError, match="n_fft=512 is too large"):
        power_spectrogram(np.zeros(100), n_fft=512, hop_length=128)


def test_cepstral_coefficients_rejects_more_ceps_than_filters():
    with pytest.raises(ValueError, match="n_coefficients=41 cannot exceed"):
        cepstral_coefficients(np.zeros(1000), sr=16000, n_coefficients=41, n_fft=256)


def test_digital_silence_gives_finite_features():
    out = MFCC(sr=16000, deltas=2).fit_transform(np.zeros((2, 4000)))
    assert np.isfinite(out).all()


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: power_spectrogram(np.zeros(100), n_fft=0, hop_length=10),
            "'n_fft' parameter of power_spectrogram",
        ),
        (
            lambda: power_to_db(np.ones((2, 2)), amin=0.0),
            "'amin' parameter of power_to_db",
        ),
        (
            lambda: power_to_db(np.ones((2, 2)), top_db=-1.0),
            "'top_db' parameter of power_to_db",
        ),
        (lambda: dct_matrix(0), "'n_input' parameter of dct_matrix"),
        (lambda: delta(np.ones(5), width=0), "'width' parameter of delta"),
        (lambda: delta(np.ones(5), order=0), "'order' parameter of delta"),
        (lambda: hz_to_mel(100.0, htk="yes"), "'htk' parameter of hz_to_mel"),
        (lambda: mel_to_hz("15"), "'mels' parameter of mel_to_hz"),
        (
            lambda: mel_filterbank(sr=-1, n_fft=256),
            "'sr' parameter of mel_filterbank",
        ),
        (
            lambda: linear_filterbank(sr=8000, n_fft=256, n_filters=0),
            "'n_filters' parameter of linear_filterbank",
        ),
        (
            lambda: linear_filterbank(sr=8000, n_fft=256, norm="area"),
            "'norm' parameter of linear_filterbank",
        ),
    ],
)
def test_primitive_parameter_errors(call, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        call()
