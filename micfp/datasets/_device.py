"""The recording device: microphone, preamplifier, converter and level control."""

import copy

import numpy as np
import scipy.signal

from ._spectral import (
    butter_highpass,
    butter_lowpass,
    db_to_amp,
    log_bell_db,
)

# Ranges of the nominal parameters of a device model. Uniform unless the
# name says "log" (uniform in the logarithm). Frequencies above a few kHz are
# capped to a fraction of the Nyquist frequency for low sample rates.
MODEL_RANGES = {
    "sensitivity_db": (-3.0, 3.0),
    "highpass_hz_log": (40.0, 200.0),
    "highpass_order": (1.0, 3.0),
    "resonance_hz_log": (1500.0, 9000.0),
    "resonance_gain_db": (-2.0, 6.0),
    "resonance_width_oct": (0.3, 1.0),
    "rolloff_hz": (7000.0, 18000.0),
    "rolloff_order": (1.0, 3.0),
    "floor_dbfs": (-82.0, -62.0),
    "flicker_corner_hz_log": (100.0, 2000.0),
    "tilt_db": (-6.0, 6.0),
    "noise_peak_hz_log": (2000.0, 12000.0),
    "noise_peak_db": (0.0, 6.0),
    "noise_peak_width_oct": (0.5, 1.5),
    "hum_dbfs": (-100.0, -85.0),
    "hum_harmonic_drop_db": (3.0, 20.0),
    "a2": (-0.02, 0.02),
    "a3": (-0.05, 0.0),
    "dc_offset": (-1e-3, 1e-3),
    "anti_alias_ratio": (0.82, 0.96),
    "anti_alias_order": (6.0, 24.0),
    "agc_target_dbfs": (-22.0, -14.0),
    "agc_attack_s": (0.005, 0.05),
    "agc_release_s": (0.3, 3.0),
    "agc_max_gain_db": (12.0, 30.0),
}
N_HUM_HARMONICS = 4
P_16_BIT = 0.7

# Manufacturing tolerances between two units of one model, as
# (section, key): (kind, half-width). "rel" multiplies by 1 + U(-w, w),
# "abs" adds U(-w, w). Parameters not listed (filter orders, the digital
# anti-alias filter, bit depth, dither, automatic gain control, mains
# frequency) are identical in every unit of a model.
UNIT_TOLERANCES = {
    ("mic", "sensitivity_db"): ("abs", 0.5),
    ("mic", "highpass_hz"): ("rel", 0.02),
    ("mic", "resonance_hz"): ("rel", 0.02),
    ("mic", "resonance_gain_db"): ("abs", 0.5),
    ("mic", "resonance_width_oct"): ("rel", 0.05),
    ("mic", "rolloff_hz"): ("rel", 0.02),
    ("self_noise", "floor_dbfs"): ("abs", 1.0),
    ("self_noise", "flicker_corner_hz"): ("rel", 0.05),
    ("self_noise", "tilt_db"): ("abs", 0.3),
    ("self_noise", "peak_hz"): ("rel", 0.02),
    ("self_noise", "peak_db"): ("abs", 0.5),
    ("hum", "harmonic_dbfs"): ("abs", 1.0),
    ("nonlinearity", "a2"): ("rel", 0.05),
    ("nonlinearity", "a3"): ("rel", 0.05),
    ("dc", "offset"): ("abs", 1e-4),
}


def _uniform(rng, name):
    low, high = MODEL_RANGES[name]
    if name.endswith("_log"):
        return float(np.exp(rng.uniform(np.log(low), np.log(high))))
    return float(rng.uniform(low, high))


def draw_model(rng, sr):
    """Draw the nominal parameters of a device model for sample rate ``sr``."""
    nyquist = sr / 2.0
    n_res = int(rng.integers(1, 3))
    hum_fund = _uniform(rng, "hum_dbfs")
    drops = np.cumsum(
        [0.0]
        + [_uniform(rng, "hum_harmonic_drop_db") for _ in range(N_HUM_HARMONICS - 1)]
    )
    return {
        "mic": {
            "sensitivity_db": _uniform(rng, "sensitivity_db"),
            "highpass_hz": _uniform(rng, "highpass_hz_log"),
            "highpass_order": _uniform(rng, "highpass_order"),
            "resonance_hz": [
                min(_uniform(rng, "resonance_hz_log"), 0.7 * nyquist)
                for _ in range(n_res)
            ],
            "resonance_gain_db": [
                _uniform(rng, "resonance_gain_db") for _ in range(n_res)
            ],
            "resonance_width_oct": [
                _uniform(rng, "resonance_width_oct") for _ in range(n_res)
            ],
            "rolloff_hz": min(_uniform(rng, "rolloff_hz"), 0.9 * nyquist),
            "rolloff_order": _uniform(rng, "rolloff_order"),
        },
        "self_noise": {
            "floor_dbfs": _uniform(rng, "floor_dbfs"),
            "flicker_corner_hz": _uniform(rng, "flicker_corner_hz_log"),
            "tilt_db": _uniform(rng, "tilt_db"),
            "peak_hz": min(_uniform(rng, "noise_peak_hz_log"), 0.7 * nyquist),
            "peak_db": _uniform(rng, "noise_peak_db"),
            "peak_width_oct": _uniform(rng, "noise_peak_width_oct"),
        },
        "hum": {
            "mains_hz": int(rng.choice([50, 60])),
            "harmonic_dbfs": [float(hum_fund - d) for d in drops],
        },
        "nonlinearity": {"a2": _uniform(rng, "a2"), "a3": _uniform(rng, "a3")},
        "dc": {"offset": _uniform(rng, "dc_offset")},
        "anti_alias": {
            "cutoff_hz": _uniform(rng, "anti_alias_ratio") * nyquist,
            "order": _uniform(rng, "anti_alias_order"),
        },
        "adc": {
            "bit_depth": 16 if rng.random() < P_16_BIT else 24,
            "dither": bool(rng.random() < 0.5),
        },
        "agc": {
            "target_dbfs": _uniform(rng, "agc_target_dbfs"),
            "attack_s": _uniform(rng, "agc_attack_s"),
            "release_s": _uniform(rng, "agc_release_s"),
            "max_gain_db": _uniform(rng, "agc_max_gain_db"),
        },
    }


def draw_unit(nominal, rng):
    """One manufactured unit of a model: nominal parameters within tolerances."""
    unit = copy.deepcopy(nominal)
    for (section, key), (kind, width) in UNIT_TOLERANCES.items():
        value = np.asarray(unit[section][key], dtype=float)
        step = rng.uniform(-width, width, value.shape)
        value = value * (1.0 + step) if kind == "rel" else value + step
        unit[section][key] = value.tolist()
    return unit


def mic_response(freqs, device):
    """Amplitude response of the capsule: high-pass, presence peaks, roll-off."""
    mic = device["mic"]
    gain_db = np.full(freqs.shape, mic["sensitivity_db"], dtype=freqs.dtype)
    for fc, g, w in zip(
        mic["resonance_hz"],
        mic["resonance_gain_db"],
        mic["resonance_width_oct"],
        strict=True,
    ):
        gain_db += log_bell_db(freqs, fc, g, w)
    return (
        db_to_amp(gain_db)
        * butter_highpass(freqs, mic["highpass_hz"], mic["highpass_order"])
        * butter_lowpass(freqs, mic["rolloff_hz"], mic["rolloff_order"])
    )


def self_noise_magnitude(freqs, sr, device):
    """Relative amplitude spectrum of the preamplifier's self-noise.

    A white floor plus a 1/f (flicker) component that equals it at
    ``flicker_corner_hz``, tilted by ``tilt_db`` between 100 Hz and Nyquist,
    with a broad peak of ``peak_db`` at ``peak_hz`` (the gain peaking of the
    amplifier's feedback network). Returns the magnitude and the RMS the
    noise has for that floor level.
    """
    noise = device["self_noise"]
    f = np.maximum(freqs, 10.0)
    span = np.log(sr / 2.0 / 100.0)
    shape_db = noise["tilt_db"] * np.clip(np.log(f / 100.0) / span, 0.0, 1.0)
    shape_db += log_bell_db(
        f, noise["peak_hz"], noise["peak_db"], noise["peak_width_oct"]
    )
    magnitude = np.sqrt(1.0 + noise["flicker_corner_hz"] / f) * db_to_amp(shape_db)
    rms = float(db_to_amp(noise["floor_dbfs"]) * np.sqrt(np.mean(magnitude**2)))
    return magnitude, rms


def anti_alias_response(freqs, device):
    """Amplitude response of the converter's anti-alias low-pass."""
    aa = device["anti_alias"]
    return butter_lowpass(freqs, aa["cutoff_hz"], aa["order"])


def hum(n, sr, device, phases):
    """Mains hum: harmonics of 50 or 60 Hz at the device's levels.

    One second holds a whole number of periods of every harmonic, so one
    second is synthesized and repeated.
    """
    t = np.arange(sr) / sr
    mains = device["hum"]["mains_hz"]
    k = np.arange(1, len(phases) + 1)
    amps = db_to_amp(device["hum"]["harmonic_dbfs"]) * np.sqrt(2.0)
    second = np.sin(2.0 * np.pi * mains * np.outer(t, k) + phases) @ amps
    return np.resize(second.astype(np.float32), n)


def automatic_gain(x, sr, device):
    """Gain curve of a slow envelope follower that drives the level to a target.

    The power of 10 ms blocks is smoothed with the device's attack time when
    it rises and its release time when it falls; the gain brings the smoothed
    level to ``target_dbfs`` and is capped at ``max_gain_db`` (and at -20 dB
    of attenuation). The block gains are interpolated linearly to samples.
    """
    agc = device["agc"]
    block = max(1, int(0.01 * sr))
    n_blocks = -(-len(x) // block)
    padded = np.zeros(n_blocks * block, dtype=x.dtype)
    padded[: len(x)] = x
    power = np.mean(padded.reshape(n_blocks, block) ** 2, axis=1, dtype=np.float64)
    dt = block / sr
    up = np.exp(-dt / agc["attack_s"])
    down = np.exp(-dt / agc["release_s"])
    smoothed = np.empty(n_blocks)
    state = power[0]
    for i, p in enumerate(power.tolist()):
        coef = up if p > state else down
        state = coef * state + (1.0 - coef) * p
        smoothed[i] = state
    level = np.sqrt(np.maximum(smoothed, 1e-20))
    gain = np.clip(
        db_to_amp(agc["target_dbfs"]) / level,
        db_to_amp(-20.0),
        db_to_amp(agc["max_gain_db"]),
    )
    centres = (np.arange(n_blocks) + 0.5) * block
    return np.interp(np.arange(len(x)), centres, gain).astype(x.dtype)


def quantize(x, device, rng):
    """Round to the converter's grid, with triangular dither if the device uses it.

    Returns values of the type of ``x`` that are integer multiples of
    ``2 ** -(bits - 1)`` within ``[-1, 1 - 2 ** -(bits - 1)]``. Single
    precision holds them exactly up to 24 bits: scaling by a power of two,
    rounding to an integer below 2**23 and clipping are exact.
    """
    scale = 2.0 ** (device["adc"]["bit_depth"] - 1)
    y = np.multiply(x, scale, dtype=np.result_type(x, np.float32))
    if device["adc"]["dither"]:
        y += rng.random(len(y), dtype=np.float32)
        y -= rng.random(len(y), dtype=np.float32)
    np.rint(y, out=y)
    np.clip(y, -scale, scale - 1.0, out=y)
    y *= 1.0 / scale
    return y


# Simulated lossy coding ------------------------------------------------------

# Ranges of the simulated codec of a device (uniform): what it keeps of the
# band, how coarsely it quantizes the magnitude of each time-frequency bin,
# and how far below a frame's strongest bin it drops bins altogether.
CODING_RANGES = {
    "cutoff_ratio": (0.5, 0.9),
    "step_db": (1.5, 6.0),
    "mask_db": (30.0, 50.0),
}
CODING_FRAME_S = 0.032


def draw_coding(rng, sr):
    """Draw the parameters of a device's simulated lossy codec."""
    u = {name: float(rng.uniform(*bounds)) for name, bounds in CODING_RANGES.items()}
    return {
        "cutoff_hz": u["cutoff_ratio"] * sr / 2.0,
        "step_db": u["step_db"],
        "mask_db": u["mask_db"],
    }


def simulated_coding(x, sr, coding):
    """Pass a signal through a simulated lossy codec (not a real format).

    The signal is analysed in Hann frames of 32 ms (half overlapping); bins
    above ``cutoff_hz`` and bins more than ``mask_db`` below the frame's
    strongest bin are dropped (crude masking); the magnitudes of the others
    are rounded on a logarithmic grid of ``step_db`` decibels with their
    phases kept, and the frames are overlap-added back. It reproduces the
    traces perceptual codecs leave (band limit, spectral holes, magnitude
    quantization noise that follows the content), not any format.
    """
    nperseg = int(2 ** np.ceil(np.log2(CODING_FRAME_S * sr)))
    _, _, spec = scipy.signal.stft(
        x, fs=sr, window="hann", nperseg=nperseg, noverlap=nperseg // 2
    )
    freqs = np.fft.rfftfreq(nperseg, 1.0 / sr)
    magnitude = np.abs(spec)
    peak = magnitude.max(axis=0, keepdims=True)
    keep = (magnitude > peak * db_to_amp(-coding["mask_db"])) & (
        freqs[:, None] <= coding["cutoff_hz"]
    )
    step = coding["step_db"] / 20.0 * np.log(10.0)
    with np.errstate(divide="ignore"):
        log_mag = np.log(np.where(keep, magnitude, 1.0))
    quantized = np.exp(np.round(log_mag / step) * step)
    phase = np.where(magnitude > 0, spec / np.where(magnitude > 0, magnitude, 1), 0)
    spec = np.where(keep, quantized * phase, 0)
    _, y = scipy.signal.istft(
        spec, fs=sr, window="hann", nperseg=nperseg, noverlap=nperseg // 2
    )
    y = y[: len(x)]
    if len(y) < len(x):
        y = np.pad(y, (0, len(x) - len(y)))
    return np.clip(y, -1.0, 1.0).astype(x.dtype)
