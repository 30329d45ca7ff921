"""Recording conditions: room reverberation, level and ambient noise per recording."""

import numpy as np

from ._spectral import WORK_DTYPE, butter_highpass, butter_lowpass

# Ranges of the per-recording conditions, (low, high), uniform.
CONDITION_RANGES = {
    "rt60_s": (0.15, 0.8),
    "drr_db": (0.0, 12.0),
    "predelay_ms": (2.0, 15.0),
    "level_dbfs": (-36.0, -22.0),
    "room_tone_dbfs": (-72.0, -58.0),
    "snr_db": (35.0, 50.0),
    "ambient_slope": (1.5, 2.5),
    "ambient_corner_hz": (500.0, 3000.0),
}


def draw_conditions(rng, kind):
    """Draw the conditions of one recording of content ``kind``.

    Every draw is made whatever the kind, so that the conditions of a
    recording do not depend on the content chosen for the others.
    """
    u = {name: float(rng.uniform(*bounds)) for name, bounds in CONDITION_RANGES.items()}
    silent = kind == "silence"
    return {
        "rt60_s": u["rt60_s"],
        "drr_db": u["drr_db"],
        "predelay_ms": u["predelay_ms"],
        "level_dbfs": u["room_tone_dbfs"] if silent else u["level_dbfs"],
        "snr_db": None if silent else u["snr_db"],
        "ambient_slope": u["ambient_slope"],
        "ambient_corner_hz": u["ambient_corner_hz"],
    }


def room_impulse_response(rng, sr, conditions):
    """Synthetic room impulse response: a direct path and a decaying noise tail.

    The tail is Gaussian noise under an exponential envelope that falls by
    60 dB in ``rt60_s`` seconds, starting ``predelay_ms`` after the direct
    path, with the direct-to-reverberant energy ratio ``drr_db``.

    Returns
    -------
    ndarray of shape (n_taps,)
    """
    rt60 = conditions["rt60_s"]
    start = round(conditions["predelay_ms"] * 1e-3 * sr)
    n_tail = max(1, int(rt60 * sr))
    t = np.arange(n_tail) / sr
    tail = rng.standard_normal(n_tail) * np.exp(-3.0 * np.log(10.0) * t / rt60)
    tail *= np.sqrt(10.0 ** (-conditions["drr_db"] / 10.0) / np.sum(tail**2))
    h = np.zeros(start + n_tail, dtype=WORK_DTYPE)
    h[0] = 1.0
    h[start:] += tail
    return h


def max_response_length(sr):
    """Return the number of taps of the longest room impulse response."""
    return round(CONDITION_RANGES["predelay_ms"][1] * 1e-3 * sr) + int(
        CONDITION_RANGES["rt60_s"][1] * sr
    )


def ambient_magnitude(freqs, sr, conditions):
    """Relative amplitude spectrum of the ambient noise (room tone).

    Power falls as ``f ** -ambient_slope`` (pink to brown noise), with a
    second-order roll-off above ``ambient_corner_hz`` and below 20 Hz.
    """
    f = np.maximum(freqs, 1.0)
    corner = min(conditions["ambient_corner_hz"], 0.45 * sr)
    return (
        (f / 100.0) ** (-conditions["ambient_slope"] / 2.0)
        * butter_lowpass(f, corner, 2)
        * butter_highpass(f, 20.0, 2)
    )
