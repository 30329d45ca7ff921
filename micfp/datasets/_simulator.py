"""Simulated recordings of one sound world through several recording devices."""

from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    validate_params,
)

from ..io import Recordings
from . import _content, _device, _rooms
from ._spectral import (
    WORK_DTYPE,
    complex_normal,
    db_to_amp,
    fast_len,
    irfft,
    rfft,
    rms_from_rfft,
    unit_noise_scale,
)

_MIN_SAMPLES = 256
_COARSE_BINS = 2**15 + 1
# Zero-padding of the anti-alias stage, so that the filter's ringing at one
# end does not wrap around onto the other.
_AA_PAD = 2048


def _rng(entropy, *key):
    """Independent generator for one part of the simulation.

    Each part (a model, a unit, a recording's conditions, ...) draws from its
    own stream, so that changing one option (``agc``, ``n_recordings``) does
    not change what the others draw.
    """
    seq = np.random.SeedSequence(entropy, spawn_key=key)
    return np.random.Generator(np.random.PCG64(seq))


def _assign_models(rng, n_devices, n_pairs):
    """Model index of each device and its twin (or None), pairs drawn at random."""
    order = rng.permutation(n_devices)
    twin = [None] * n_devices
    for a, b in order[: 2 * n_pairs].reshape(n_pairs, 2).tolist():
        twin[a], twin[b] = b, a
    model = [0] * n_devices
    n_models = 0
    for d in range(n_devices):
        if twin[d] is not None and twin[d] < d:
            model[d] = model[twin[d]]
        else:
            model[d] = n_models
            n_models += 1
    return model, twin, n_models


def _content_kinds(content, n_recordings):
    """Content kind of each take."""
    if isinstance(content, str):
        return [content] * n_recordings
    return list(content)


@lru_cache(maxsize=4)
def _rfft_grid(n_fft, sr):
    """Frequencies of the rfft bins (cached: every take uses the same grids)."""
    grid = np.fft.rfftfreq(n_fft, 1.0 / sr)
    grid.flags.writeable = False
    return grid


def _on_grid(response, sr, n_fft, *args):
    """Evaluate a smooth response on the rfft grid of ``n_fft`` points.

    Long grids are evaluated on a grid of 2**15 + 1 frequencies (under 1 Hz
    apart at 44.1 kHz) and interpolated linearly above 100 Hz, which costs
    far less than evaluating powers and exponentials at every bin.
    """
    fine = _rfft_grid(n_fft, sr)
    if len(fine) <= _COARSE_BINS:
        return response(fine.astype(WORK_DTYPE), *args).astype(WORK_DTYPE)
    coarse = np.linspace(0.0, sr / 2.0, _COARSE_BINS)
    values = np.interp(fine, coarse, response(coarse, *args)).astype(WORK_DTYPE)
    # Below 100 Hz the high-pass and the 1/f noise bend too fast for that.
    low = np.searchsorted(fine, 100.0)
    values[:low] = response(fine[:low], *args)
    return values


class _Chain:
    """Spectral responses of one device on the simulation's frequency grids."""

    def __init__(self, device, sr, n, n_fft):
        self.device = device
        self.mic = _on_grid(_device.mic_response, sr, n_fft, device)
        magnitude = _on_grid(
            lambda f: _device.self_noise_magnitude(f, sr, device)[0], sr, n_fft
        )
        # The RMS follows from the exact floor level and the shape's mean.
        rms = float(
            db_to_amp(device["self_noise"]["floor_dbfs"])
            * np.sqrt(np.mean(np.square(magnitude, dtype=np.float64)))
        )
        magnitude *= WORK_DTYPE(rms * unit_noise_scale(magnitude, n_fft))
        self.self_noise_power = np.square(magnitude)
        self.n_fft_aa = fast_len(n + _AA_PAD)
        self.anti_alias = _on_grid(
            _device.anti_alias_response, sr, self.n_fft_aa, device
        )


def _record(n, sr, n_fft, kind, chain, agc, entropy, key):
    """One recording of content ``kind`` through a device; returns (x, info)."""
    device = chain.device
    cond_rng = _rng(entropy, *key, 0)
    source_rng = _rng(entropy, *key, 1)
    noise_rng = _rng(entropy, *key, 2)

    conditions = _rooms.draw_conditions(cond_rng, kind)
    ir = _rooms.room_impulse_response(cond_rng, sr, conditions)
    hum_phases = cond_rng.uniform(0.0, 2.0 * np.pi, _device.N_HUM_HARMONICS)
    level = db_to_amp(conditions["level_dbfs"])

    # Acoustic stage, capsule and self-noise: one spectrum-domain pass. The
    # ambient noise (through the capsule) and the self-noise (after it) are
    # independent Gaussians, drawn together with their combined spectrum.
    ambient = _on_grid(_rooms.ambient_magnitude, sr, n_fft, sr, conditions)
    ambient_rms = (
        level if kind == "silence" else level * db_to_amp(-conditions["snr_db"])
    )
    scale = WORK_DTYPE(ambient_rms * unit_noise_scale(ambient, n_fft))
    ambient *= chain.mic
    ambient *= scale
    np.square(ambient, out=ambient)
    ambient += chain.self_noise_power
    np.sqrt(ambient, out=ambient)
    spectrum = complex_normal(noise_rng, n_fft // 2 + 1)
    spectrum *= ambient
    del ambient
    signal, source_info = _content.synthesize(kind, n, sr, source_rng)
    if signal is not None:
        source = rfft(signal, n_fft)
        del signal
        dry = rms_from_rfft(source, n_fft, n)
        source *= rfft(ir, n_fft)
        # The room keeps the content's level (unit RMS over its sounding part).
        source *= chain.mic * (level * dry / rms_from_rfft(source, n_fft, n))
        spectrum += source
        del source
    x = irfft(spectrum, n_fft, n)
    del spectrum

    # Preamplifier: level control, weak nonlinearity, hum and offset.
    if agc:
        x *= _device.automatic_gain(x, sr, device)
    nl = device["nonlinearity"]
    x += x * x * (nl["a2"] + nl["a3"] * x)
    x += _device.hum(n, sr, device, hum_phases)
    x += device["dc"]["offset"]

    # Converter: anti-alias low-pass, then quantization.
    spectrum = rfft(x, chain.n_fft_aa)
    spectrum *= chain.anti_alias
    x = irfft(spectrum, chain.n_fft_aa, n)
    x = _device.quantize(x, device, noise_rng)

    info = {
        "content": kind,
        "source": source_info,
        **conditions,
        "hum_phases_rad": hum_phases.tolist(),
    }
    return x, info


@validate_params(
    {
        "n_devices": [Interval(Integral, 1, None, closed="left")],
        "n_recordings": [Interval(Integral, 1, None, closed="left")],
        "duration": [Interval(Real, 0, None, closed="neither")],
        "sr": [Interval(Integral, 8000, 192000, closed="both")],
        "content": [
            StrOptions({"mixed", "speech", "music", "silence"}),
            "array-like",
        ],
        "n_same_model_pairs": [Interval(Integral, 0, None, closed="left")],
        "agc": ["boolean"],
        "coding": ["boolean"],
        "dtype": [
            Options(type, {np.float32, np.float64}),
            StrOptions({"float32", "float64"}),
        ],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "return_params": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_recordings(
    n_devices=9,
    n_recordings=3,
    *,
    duration=60.0,
    sr=44100,
    content="mixed",
    n_same_model_pairs=0,
    agc=False,
    coding=False,
    dtype=np.float64,
    n_jobs=None,
    random_state=None,
    return_params=False,
):
    """Simulate recordings of changing sounds made with several devices.

    Every device records ``n_recordings`` takes. Each take has its own
    content (synthetic speech, music and room tone), room, level and ambient
    noise; each device has its own microphone response, preamplifier
    self-noise, hum, nonlinearity, offset, anti-alias filter and converter.
    The content and the conditions change from take to take while the device
    stays the same, so a classifier that should generalize to a new take has
    to learn the device, mostly from its noise. The chain is described in the
    Notes below; every drawn value can be returned with ``return_params``.

    Parameters
    ----------
    n_devices : int, default=9
        Number of devices, labelled ``0 .. n_devices - 1``.
    n_recordings : int, default=3
        Takes per device, numbered ``1 .. n_recordings``.
    duration : float, default=60.0
        Length of every take in seconds; it must give at least 256 samples.
    sr : int, default=44100
        Sample rate in Hz, between 8000 and 192000.
    content : {"mixed", "speech", "music", "silence"} or list of str, \
            default="mixed"
        What is recorded. "silence" records room tone only. "mixed" cuts every
        take into segments of 2-8 s, each speech (probability 0.5), music
        (0.25) or silence (0.25), so that every take, of every device, holds
        all three kinds in a different arrangement. A list gives the kind of
        each take (the same for every device) and must hold ``n_recordings``
        entries among "mixed", "speech", "music" and "silence".
    n_same_model_pairs : int, default=0
        Number of pairs of devices that are two units of one model: the same
        nominal chain, differing only by manufacturing tolerances. The pairs
        are drawn at random; ``2 * n_same_model_pairs`` must not exceed
        ``n_devices``.
    agc : bool, default=False
        Whether the devices apply automatic gain control.
    coding : bool, default=False
        Whether each device passes its recordings through a simulated lossy
        codec (band limit, dropped bins, coarse magnitudes) after the
        converter. The stage is written in NumPy and SciPy and imitates the
        traces of perceptual codecs, not a real format; see the Notes.
    dtype : {numpy.float64, numpy.float32, "float64", "float32"}, \
            default=numpy.float64
        Type of the returned samples. Both hold the quantized values exactly.
    n_jobs : int or None, default=None
        Number of devices simulated at the same time, in threads (the heavy
        work runs in NumPy and SciPy, which release the GIL). ``None`` means
        1 and ``-1`` all processors. The output does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds everything that is drawn. Pass an int for reproducible output.
    return_params : bool, default=False
        Whether to return the ground truth along with the recordings.

    Returns
    -------
    recordings : Recordings
        ``n_devices * n_recordings`` recordings ordered device by device (all
        takes of device 0, then of device 1, ...), each a 1-D array in
        [-1, 1], with integer ``devices``, take numbers as
        ``recording_ids`` and ``paths=None``.
    params : dict
        Only with ``return_params=True``: a JSON-serializable description.

        - ``"sr"``, ``"duration"``, ``"agc"``, ``"coding"``: the arguments.
        - ``"models"``: the nominal parameters of each model.
        - ``"devices"``: one dict per device with ``"device"``, ``"model"``,
          ``"twin"`` (the other unit of its model, or None) and the unit's
          parameters in sections ``"mic"``, ``"self_noise"``, ``"hum"``,
          ``"nonlinearity"``, ``"dc"``, ``"anti_alias"``, ``"adc"`` and
          ``"agc"`` (used only when ``agc=True``), and ``"coding"`` (the
          simulated codec; None when ``coding=False``).
        - ``"recordings"``: one dict per recording, in the order of the
          recordings, with ``"device"``, ``"take"``, ``"content"``,
          ``"source"`` (speaker pitch, musical key and, for "mixed", the
          segments as ``[start_s, end_s, kind]``), the conditions
          ``"rt60_s"``, ``"drr_db"``, ``"predelay_ms"``, ``"level_dbfs"``,
          ``"snr_db"`` (None for silence), ``"ambient_slope"``,
          ``"ambient_corner_hz"``, and ``"hum_phases_rad"``.

    See Also
    --------
    micfp.io.Recordings : The container returned.
    sklearn.datasets.make_classification : The generator this one follows.

    Notes
    -----
    Ranges are uniform (log-uniform where marked) and are the same for every
    model; a take or a device draws once from each.

    **1. Content** (unit RMS before the level is applied).

    - Speech: a band-limited glottal pulse train (harmonics at -6 dB per
      octave) with a speaker pitch of 90-240 Hz (log), glides of about 12 %
      per syllable and 1 % jitter, filtered in the short-time Fourier domain
      (23 ms frames) by four formant resonances moving between vowel targets
      of Peterson and Barney, scaled by the speaker's vocal-tract length.
      Syllables of 0.12-0.32 s, half with a 30-90 ms noise onset (fricative
      peak at 2.5-7.5 kHz, log), separated by 20-120 ms gaps and, one time in
      seven, by 0.3-0.9 s pauses.
    - Music: a major key, a beat of 0.3-0.7 s, a chord per bar (bass, root,
      third, fifth) and a melody note per beat with 0.3-0.8 % vibrato; every
      voice is a wavetable oscillator whose harmonics fall as
      ``k ** -(1.2 to 2.5)``, with 5-30 ms attacks and 0.4-2.5 s decays.
    - Silence: room tone alone, at -72 to -58 dBFS.
    - Mixed: segments of the three above, 10 ms fades at their edges.

    **2. Conditions**, per take.

    - Room: impulse response with a direct path and an exponentially
      decaying Gaussian tail, RT60 0.15-0.8 s, direct-to-reverberant ratio
      0-12 dB, pre-delay 2-15 ms; applied by multiplying spectra.
    - Level: long-term RMS of the reverberant content (over its non-silent
      segments) -36 to -22 dBFS, before the capsule's sensitivity.
    - Ambient noise: power falling as ``f ** -(1.5 to 2.5)`` above 20 Hz
      (room tone is mostly rumble), with a second-order roll-off from
      0.5-3 kHz, at an SNR of 35-50 dB; it passes through the capsule.

    **3. Device**, per model (tolerance between two units of one model).

    - Capsule: sensitivity -3 to 3 dB (±0.5 dB); high-pass at 40-200 Hz
      (log, ±2 %) of order 1-3; one or two presence peaks, Gaussian in
      log-frequency, at 1.5-9 kHz (log, ±2 %), -2 to 6 dB (±0.5 dB),
      0.3-1 octave wide (±5 %); high-frequency roll-off at 7-18 kHz (±2 %)
      of order 1-3. Frequencies are capped below Nyquist for low rates.
    - Preamplifier self-noise, the main trace of the device: a white floor
      of -82 to -62 dBFS (±1 dB), 40 to 60 dB below the content, plus a 1/f
      component with a corner at 100-2000 Hz (log, ±5 %), tilted by -6 to
      6 dB (±0.3 dB) between 100 Hz and Nyquist, with a broad 0-6 dB peak
      (±0.5 dB) at 2-12 kHz (log, ±2 %), 0.5-1.5 octave wide.
    - Automatic gain control (``agc=True``): an envelope follower on 10 ms
      block power with a 5-50 ms attack and a 0.3-3 s release, driving the
      level to -22 to -14 dBFS with at most 12-30 dB of gain; it acts after
      the self-noise, so it also pumps the noise.
    - Nonlinearity ``y = x + a2 x² + a3 x³``: ``a2`` in -0.02 to 0.02,
      ``a3`` in -0.05 to 0 (±5 % each).
    - Mains hum at 50 or 60 Hz, four harmonics, the fundamental at -100 to
      -85 dBFS and each next harmonic 3-20 dB lower (±1 dB); its phases
      change per take. DC offset -1e-3 to 1e-3 (±1e-4).
    - Converter: anti-alias low-pass at 0.82-0.96 of Nyquist, Butterworth
      magnitude of order 6-24, and rounding to 16 bits (probability 0.7) or
      24 bits, with triangular dither of ±1 step for half the models. The
      digital parts (anti-alias filter, bit depth, dither, AGC) are identical
      in two units of a model.

    - Simulated lossy coding (``coding=True``), drawn per device (two units
      of a model draw their own): Hann frames of 32 ms, half overlapping
      (512 samples at 16 kHz); bins above 0.5-0.9 of Nyquist dropped; bins
      more than 30-50 dB below the frame's strongest bin dropped; the other
      magnitudes rounded on a grid of 1.5-6 dB, phases kept; overlap-add,
      then clipping to [-1, 1]. The output is no longer on the converter's
      grid.

    All linear stages are zero-phase magnitude responses applied by
    multiplying spectra: content, room, ambient noise, capsule and self-noise
    in one transform pair, the anti-alias filter in a second one after the
    nonlinearity. Long transforms run in single precision, whose rounding
    (near -140 dBFS) stays below a 24-bit step; the quantization itself is
    exact.

    Where the device shows: the raw spectrum of a clip is dominated by the
    content and by the take's room, level and ambient noise, which change
    from take to take; the capsule response colours them by a few dB only.
    What stays from take to take is the device's noise (its self-noise
    colour and level, the anti-alias band edge, the quantization floor),
    strongest where the content is weak: in pauses and at high frequencies,
    which is what a wavelet de-noiser's residual keeps. Nothing else marks
    the devices.

    References
    ----------
    .. [1] G. E. Peterson and H. L. Barney, "Control methods used in a study
       of the vowels", J. Acoust. Soc. Am. 24(2), 175-184, 1952.

    Examples
    --------
    >>> from micfp.datasets import make_recordings
    >>> rec = make_recordings(3, 2, duration=0.5, sr=16000, random_state=0)
    >>> rec
    Recordings(n_recordings=6, n_devices=3, sr=16000, total_duration=3.0s)
    >>> rec.devices.tolist(), rec.recording_ids.tolist()
    ([0, 0, 1, 1, 2, 2], [1, 2, 1, 2, 1, 2])
    >>> rec, params = make_recordings(
    ...     4, 1, duration=0.5, sr=16000, n_same_model_pairs=1,
    ...     random_state=0, return_params=True,
    ... )
    >>> sorted(d["model"] for d in params["devices"])
    [0, 0, 1, 2]
    """
    n = round(duration * sr)
    if n < _MIN_SAMPLES:
        raise ValueError(
            f"duration * sr must give at least {_MIN_SAMPLES} samples; "
            f"duration={duration} at sr={sr} gives {n}."
        )
    if 2 * n_same_model_pairs > n_devices:
        raise ValueError(
            "2 * n_same_model_pairs must not exceed n_devices; got "
            f"n_same_model_pairs={n_same_model_pairs} and n_devices={n_devices}."
        )
    if not isinstance(content, str):
        content = list(content)
        allowed = set(_content.CONTENT_KINDS)
        bad = [k for k in content if not isinstance(k, str) or k not in allowed]
        if len(content) != n_recordings or bad:
            raise ValueError(
                "A list of content kinds must hold n_recordings="
                f"{n_recordings} entries among {sorted(allowed)}; got {content!r}."
            )

    entropy = [int(v) for v in check_random_state(random_state).randint(2**32, size=4)]
    model_of, twin_of, n_models = _assign_models(
        _rng(entropy, 2), n_devices, n_same_model_pairs
    )
    models = [_device.draw_model(_rng(entropy, 0, m), sr) for m in range(n_models)]
    devices = [
        _device.draw_unit(models[model_of[d]], _rng(entropy, 1, d))
        for d in range(n_devices)
    ]
    kinds = _content_kinds(content, n_recordings)
    codecs = [
        _device.draw_coding(_rng(entropy, 5, d), sr) if coding else None
        for d in range(n_devices)
    ]

    # One frequency grid for every take: long enough for the longest room.
    n_fft = fast_len(n + _rooms.max_response_length(sr))
    dtype = np.dtype(dtype)

    def one_device(d):
        chain = _Chain(devices[d], sr, n, n_fft)
        takes = []
        for t in range(n_recordings):
            x, info = _record(n, sr, n_fft, kinds[t], chain, agc, entropy, (4, d, t))
            if codecs[d] is not None:
                x = _device.simulated_coding(x, sr, codecs[d])
            takes.append(
                (x.astype(dtype, copy=False), {"device": d, "take": t + 1, **info})
            )
        return takes

    per_device = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(one_device)(d) for d in range(n_devices)
    )
    signals = [x for takes in per_device for x, _ in takes]
    rec_params = [info for takes in per_device for _, info in takes]

    recordings = Recordings(
        signals=signals,
        sr=int(sr),
        devices=np.repeat(np.arange(n_devices), n_recordings),
        recording_ids=np.tile(np.arange(1, n_recordings + 1), n_devices),
    )
    if not return_params:
        return recordings
    params = {
        "sr": int(sr),
        "duration": float(duration),
        "agc": bool(agc),
        "coding": bool(coding),
        "models": models,
        "devices": [
            {
                "device": d,
                "model": model_of[d],
                "twin": twin_of[d],
                **devices[d],
                "coding": codecs[d],
            }
            for d in range(n_devices)
        ],
        "recordings": rec_params,
    }
    return recordings, params
