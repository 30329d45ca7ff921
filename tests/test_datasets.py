import itertools
import json
import re

import numpy as np
import pytest

from micfp.datasets import _device, _rooms, _simulator, _spectral, make_recordings
from micfp.datasets._spectral import db_to_amp
from micfp.io import Recordings

SR = 8000
FAST = {"duration": 0.5, "sr": SR}


def _make(**kwargs):
    return make_recordings(**{**FAST, **kwargs})


# --- determinism -------------------------------------------------------------


def test_same_seed_gives_identical_recordings_and_params():
    a, pa = _make(n_devices=2, n_recordings=2, random_state=3, return_params=True)
    b, pb = _make(n_devices=2, n_recordings=2, random_state=3, return_params=True)
    for x, y in zip(a.signals, b.signals, strict=True):
        np.testing.assert_array_equal(x, y)
    assert json.dumps(pa) == json.dumps(pb)


def test_different_seeds_give_different_recordings():
    a = _make(n_devices=2, n_recordings=1, random_state=0)
    b = _make(n_devices=2, n_recordings=1, random_state=1)
    for x, y in zip(a.signals, b.signals, strict=True):
        assert not np.array_equal(x, y)


def test_random_state_instance_is_accepted():
    a = _make(n_devices=1, n_recordings=1, random_state=np.random.RandomState(5))
    b = _make(n_devices=1, n_recordings=1, random_state=np.random.RandomState(5))
    np.testing.assert_array_equal(a.signals[0], b.signals[0])


def test_options_do_not_reshuffle_other_draws():
    # Each take draws from its own stream: adding takes keeps the first ones.
    short = _make(n_devices=2, n_recordings=1, random_state=7)
    long = _make(n_devices=2, n_recordings=3, random_state=7)
    np.testing.assert_array_equal(short.signals[0], long.signals[0])
    np.testing.assert_array_equal(short.signals[1], long.signals[3])


def test_n_jobs_does_not_change_the_output():
    a, pa = _make(n_devices=3, n_recordings=2, random_state=0, return_params=True)
    b, pb = _make(
        n_devices=3, n_recordings=2, random_state=0, n_jobs=2, return_params=True
    )
    for x, y in zip(a.signals, b.signals, strict=True):
        np.testing.assert_array_equal(x, y)
    assert json.dumps(pa) == json.dumps(pb)


# --- structure ---------------------------------------------------------------


def test_shapes_labels_ids_and_order():
    rec = _make(n_devices=3, n_recordings=2, duration=0.25, random_state=0)
    assert isinstance(rec, Recordings)
    assert len(rec) == 6
    assert rec.sr == SR
    assert rec.paths is None
    assert rec.devices.tolist() == [0, 0, 1, 1, 2, 2]
    assert rec.recording_ids.tolist() == [1, 2, 1, 2, 1, 2]
    for x in rec.signals:
        assert x.shape == (int(0.25 * SR),)
        assert x.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32"])
def test_values_are_finite_within_full_scale(dtype):
    rec = _make(n_devices=3, n_recordings=2, dtype=dtype, random_state=1)
    for x in rec.signals:
        assert x.dtype == np.dtype(dtype)
        assert np.all(np.isfinite(x))
        assert x.min() >= -1.0
        assert x.max() <= 1.0
        assert np.std(x) > 0


@pytest.mark.parametrize("kind", ["speech", "music", "silence", "mixed"])
def test_each_content_kind(kind):
    rec, params = _make(
        n_devices=2,
        n_recordings=2,
        duration=1.0,
        content=kind,
        random_state=0,
        return_params=True,
    )
    assert [r["content"] for r in params["recordings"]] == [kind] * 4
    levels = [20 * np.log10(np.sqrt(np.mean(x**2))) for x in rec.signals]
    if kind == "silence":
        # Room tone, self-noise and hum only: far below any content level.
        assert max(levels) < -50
        assert all(r["snr_db"] is None for r in params["recordings"])
    else:
        assert min(levels) > -50
    if kind == "mixed":
        for r in params["recordings"]:
            segments = r["source"]["segments"]
            assert segments[0][0] == 0.0
            assert segments[-1][1] == pytest.approx(1.0)
            assert all(a[1] == b[0] for a, b in itertools.pairwise(segments))
            assert {s[2] for s in segments} <= {"speech", "music", "silence"}


def test_content_list_gives_one_kind_per_take():
    kinds = ["silence", "speech", "music"]
    rec, params = _make(
        n_devices=2,
        n_recordings=3,
        content=kinds,
        random_state=0,
        return_params=True,
    )
    assert [r["content"] for r in params["recordings"]] == kinds * 2
    levels = np.array([np.std(x) for x in rec.signals]).reshape(2, 3)
    assert np.all(levels[:, 0] < levels[:, 1:].min(axis=1))


def test_speech_has_pauses_and_music_does_not_stop():
    # Speech alternates syllables and gaps: its short-time level varies far
    # more than that of music, whose notes overlap.
    rec = _make(
        n_devices=1,
        n_recordings=2,
        duration=2.0,
        content=["speech", "music"],
        random_state=4,
    )
    spread = []
    for x in rec.signals:
        frames = x[: len(x) // 160 * 160].reshape(-1, 160)
        level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)
        spread.append(np.percentile(level, 90) - np.percentile(level, 10))
    assert spread[0] > spread[1] + 10


# --- ground truth ------------------------------------------------------------


def test_params_describe_every_device_and_recording():
    rec, params = _make(n_devices=3, n_recordings=2, random_state=0, return_params=True)
    json.dumps(params)
    assert params["sr"] == SR
    assert params["agc"] is False
    assert [d["device"] for d in params["devices"]] == [0, 1, 2]
    sections = {
        "mic",
        "self_noise",
        "hum",
        "nonlinearity",
        "dc",
        "anti_alias",
        "adc",
        "agc",
    }
    for d in params["devices"]:
        assert sections <= set(d)
        assert d["twin"] is None
        assert d["adc"]["bit_depth"] in (16, 24)
        assert d["hum"]["mains_hz"] in (50, 60)
    assert len(params["models"]) == 3
    pairs = [(r["device"], r["take"]) for r in params["recordings"]]
    assert pairs == list(
        zip(rec.devices.tolist(), rec.recording_ids.tolist(), strict=True)
    )
    for r in params["recordings"]:
        assert 0.15 <= r["rt60_s"] <= 0.8
        assert r["snr_db"] is not None


def _numbers(section):
    return {
        key: np.asarray(value, dtype=float)
        for key, value in section.items()
        if not isinstance(value, bool)
    }


def test_same_model_pairs_share_nominal_parameters_and_differ_slightly():
    _, params = _make(
        n_devices=5,
        n_recordings=1,
        n_same_model_pairs=2,
        random_state=0,
        return_params=True,
    )
    devices = params["devices"]
    twins = [d for d in devices if d["twin"] is not None]
    assert len(twins) == 4
    assert len(params["models"]) == 3
    differs = False
    for d in twins:
        other = devices[d["twin"]]
        assert other["twin"] == d["device"]
        assert other["model"] == d["model"]
        nominal = params["models"][d["model"]]
        for section in ("anti_alias", "adc", "agc"):
            assert d[section] == other[section] == nominal[section]
        assert d["hum"]["mains_hz"] == nominal["hum"]["mains_hz"]
        for (section, key), (kind, width) in _device.UNIT_TOLERANCES.items():
            unit = np.asarray(d[section][key], dtype=float)
            ref = np.asarray(nominal[section][key], dtype=float)
            tol = width * np.abs(ref) if kind == "rel" else width
            assert np.all(np.abs(unit - ref) <= tol + 1e-12), (section, key)
            twin_value = np.asarray(other[section][key], dtype=float)
            differs |= not np.array_equal(unit, twin_value)
    assert differs
    # Devices of different models do not share their chain.
    singles = [d for d in devices if d["twin"] is None]
    assert len(singles) == 1
    a, b = twins[0], next(d for d in twins if d["model"] != twins[0]["model"])
    assert a["self_noise"]["floor_dbfs"] != pytest.approx(
        b["self_noise"]["floor_dbfs"], abs=2.0
    ) or a["mic"]["highpass_hz"] != pytest.approx(b["mic"]["highpass_hz"], rel=0.05)


def test_twins_produce_different_signals():
    rec, params = _make(
        n_devices=2,
        n_recordings=1,
        n_same_model_pairs=1,
        random_state=2,
        return_params=True,
    )
    assert params["devices"][0]["twin"] == 1
    assert not np.array_equal(rec.signals[0], rec.signals[1])


def test_silent_take_holds_the_noise_its_params_describe():
    # In a band far from hum, content and the anti-alias edge, a silent take
    # holds the ambient noise (through the capsule) plus the self-noise, with
    # the power their spectra give; 2000 periodogram bins estimate it to
    # about 2 %, so 0.3 dB is a wide margin.
    sr, duration = 16000, 2.0
    rec, params = make_recordings(
        4,
        1,
        duration=duration,
        sr=sr,
        content="silence",
        random_state=0,
        return_params=True,
    )
    n = int(duration * sr)
    n_fft = _spectral.fast_len(n + _rooms.max_response_length(sr))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr).astype(_spectral.WORK_DTYPE)
    for x, r in zip(rec.signals, params["recordings"], strict=True):
        device = params["devices"][r["device"]]
        chain = _simulator._Chain(device, sr, n, n_fft)
        ambient = _rooms.ambient_magnitude(freqs, sr, r)
        ambient *= db_to_amp(r["level_dbfs"]) * _spectral.unit_noise_scale(
            ambient, n_fft
        )
        power = (ambient * chain.mic) ** 2 + chain.self_noise_power
        band = (freqs >= 4500) & (freqs < 5500)
        expected = 4.0 * np.sum(power[band], dtype=float) / n_fft**2
        spectrum = np.fft.rfft(x)
        f = np.fft.rfftfreq(n, 1.0 / sr)
        measured = 2.0 * np.sum(np.abs(spectrum[(f >= 4500) & (f < 5500)]) ** 2) / n**2
        assert 10 * np.log10(measured / expected) == pytest.approx(0.0, abs=0.3)


# --- converter and level control ---------------------------------------------


def test_quantization_grid_holds_at_each_bit_depth():
    rec, params = _make(n_devices=6, n_recordings=1, random_state=0, return_params=True)
    depths = set()
    for x, r in zip(rec.signals, params["recordings"], strict=True):
        bits = params["devices"][r["device"]]["adc"]["bit_depth"]
        depths.add(bits)
        steps = x * 2.0 ** (bits - 1)
        np.testing.assert_array_equal(steps, np.round(steps))
        assert steps.max() <= 2.0 ** (bits - 1) - 1
        # Not a coarser grid: odd steps occur.
        assert np.any(steps % 2 == 1)
    assert depths == {16, 24}


def test_quantize_rounds_and_clips_to_the_grid():
    device = {"adc": {"bit_depth": 16, "dither": False}}
    x = np.array([-2.0, -1.0, 0.3 / 2**15, 0.7 / 2**15, 1.0, 5.0])
    out = _device.quantize(x, device, np.random.default_rng(0))
    expected = np.array([-1.0, -1.0, 0.0, 1 / 2**15, 1 - 1 / 2**15, 1 - 1 / 2**15])
    np.testing.assert_array_equal(out, expected)


def test_agc_changes_level_statistics():
    kwargs = {"n_devices": 4, "n_recordings": 3, "duration": 2.0, "content": "speech"}
    plain, params = _make(random_state=0, return_params=True, **kwargs)
    agc = _make(random_state=0, agc=True, **kwargs)
    lev_plain = np.array([20 * np.log10(np.std(x)) for x in plain.signals])
    lev_agc = np.array([20 * np.log10(np.std(x)) for x in agc.signals])
    targets = np.repeat([d["agc"]["target_dbfs"] for d in params["devices"]], 3)
    # The level control pulls the recordings towards their device's target
    # and narrows the spread of levels between takes and devices.
    assert np.mean(np.abs(lev_agc - targets)) < np.mean(np.abs(lev_plain - targets))
    assert np.std(lev_agc - targets) < np.std(lev_plain - targets)
    assert not np.array_equal(plain.signals[0], agc.signals[0])


# --- spectral helpers ----------------------------------------------------------


def test_rms_from_rfft_follows_parseval():
    rng = np.random.default_rng(0)
    for n in (1000, 1001):
        x = rng.standard_normal(n)
        spectrum = np.fft.rfft(x)
        assert _spectral.rms_from_rfft(spectrum, n) == pytest.approx(
            np.sqrt(np.mean(x**2))
        )
        padded = np.fft.rfft(x[:700], n)
        assert _spectral.rms_from_rfft(padded, n, 700) == pytest.approx(
            np.sqrt(np.mean(x[:700] ** 2)), rel=1e-6
        )


def test_unit_noise_scale_gives_unit_rms():
    rng = np.random.default_rng(0)
    n = 2**16
    magnitude = 1.0 / np.sqrt(1.0 + np.arange(n // 2 + 1) / 100.0)
    spectrum = _spectral.complex_normal(rng, n // 2 + 1) * magnitude
    spectrum *= _spectral.unit_noise_scale(magnitude, n)
    x = np.fft.irfft(spectrum, n)
    assert np.sqrt(np.mean(x**2)) == pytest.approx(1.0, rel=0.03)


def test_stft_round_trip_is_exact():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000).astype(_spectral.WORK_DTYPE)
    y = _spectral.istft(_spectral.stft(x, 64), 64, len(x))
    np.testing.assert_allclose(y, x, atol=1e-5)


@pytest.mark.parametrize(
    "response",
    [
        _device.mic_response,
        _device.anti_alias_response,
        lambda f, device: _device.self_noise_magnitude(f, 44100, device)[0],
    ],
)
def test_long_grids_interpolate_responses_closely(response):
    # Long grids are filled by interpolation from 2**15 + 1 frequencies.
    sr, n_fft = 44100, 2**20
    device = _device.draw_model(np.random.default_rng(3), sr)
    approx = _simulator._on_grid(response, sr, n_fft, device)
    exact = response(np.fft.rfftfreq(n_fft, 1.0 / sr), device)
    assert approx.shape == exact.shape
    # A hundredth of a dB: far below the 0.5 dB tolerances between units.
    error_db = 20 * np.log10(approx[1:] / exact[1:])
    assert np.max(np.abs(error_db)) < 0.01


def test_mic_response_peaks_at_its_resonance():
    device = {
        "mic": {
            "sensitivity_db": 1.0,
            "highpass_hz": 50.0,
            "highpass_order": 2.0,
            "resonance_hz": [3000.0],
            "resonance_gain_db": [4.0],
            "resonance_width_oct": [0.5],
            "rolloff_hz": 15000.0,
            "rolloff_order": 2.0,
        }
    }
    freqs = np.array([3000.0, 6000.0, 10.0])
    gain_db = 20 * np.log10(_device.mic_response(freqs, device))
    assert gain_db[0] == pytest.approx(5.0, abs=0.05)
    assert gain_db[1] < gain_db[0] - 2.0
    assert gain_db[2] < -20.0


# --- validation --------------------------------------------------------------


@pytest.mark.parametrize(
    "params, err_msg",
    [
        ({"n_devices": 0}, "The 'n_devices' parameter of make_recordings must be"),
        ({"n_devices": 2.5}, "The 'n_devices' parameter"),
        ({"n_recordings": 0}, "The 'n_recordings' parameter"),
        ({"duration": 0.0}, "The 'duration' parameter"),
        ({"duration": -1.0}, "The 'duration' parameter"),
        ({"sr": 4000}, "The 'sr' parameter"),
        ({"content": "noise"}, "The 'content' parameter"),
        ({"n_same_model_pairs": -1}, "The 'n_same_model_pairs' parameter"),
        ({"agc": "yes"}, "The 'agc' parameter"),
        ({"dtype": np.int16}, "The 'dtype' parameter"),
        ({"random_state": "seed"}, "The 'random_state' parameter"),
        ({"return_params": 1}, "The 'return_params' parameter"),
        ({"n_jobs": 1.5}, "The 'n_jobs' parameter"),
        (
            {"n_devices": 3, "n_same_model_pairs": 2},
            "2 * n_same_model_pairs must not exceed n_devices; got "
            "n_same_model_pairs=2 and n_devices=3",
        ),
        ({"duration": 0.01}, "duration * sr must give at least 256 samples"),
        (
            {"n_recordings": 2, "content": ["speech"]},
            "A list of content kinds must hold n_recordings=2 entries",
        ),
        (
            {"n_recordings": 2, "content": ["speech", "noise"]},
            "A list of content kinds must hold n_recordings=2 entries among",
        ),
    ],
)
def test_invalid_arguments_raise(params, err_msg):
    with pytest.raises(ValueError, match=re.escape(err_msg)):
        _make(**params)


def test_simulated_coding_band_limits_and_is_recorded():
    plain, _ = make_recordings(
        3, 1, duration=1.0, sr=16000, random_state=3, return_params=True
    )
    coded, params = make_recordings(
        3, 1, duration=1.0, sr=16000, coding=True, random_state=3, return_params=True
    )
    assert params["coding"] is True
    for d, (x, y) in enumerate(zip(plain.signals, coded.signals, strict=True)):
        codec = params["devices"][d]["coding"]
        assert 0.5 * 8000 <= codec["cutoff_hz"] <= 0.9 * 8000
        assert 1.5 <= codec["step_db"] <= 6.0 and 30 <= codec["mask_db"] <= 50
        assert y.shape == x.shape and np.abs(y).max() <= 1.0
        assert not np.array_equal(x, y)
        spectrum = np.abs(np.fft.rfft(y)) ** 2
        freqs = np.fft.rfftfreq(len(y), 1 / 16000)
        above = spectrum[freqs > codec["cutoff_hz"] + 200].sum()
        assert above < 1e-3 * spectrum.sum()
    # Coding draws from its own stream: the rest of the simulation is unchanged.
    _, plain_params = make_recordings(
        3, 1, duration=1.0, sr=16000, random_state=3, return_params=True
    )
    assert all(d["coding"] is None for d in plain_params["devices"])
    assert plain_params["recordings"] == params["recordings"]
