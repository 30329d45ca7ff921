"""Acoustic content synthesized inside micfp: speech-like, music-like, room tone."""

import numpy as np

from ..utils._docstring import Substitution
from ._spectral import (
    WORK_DTYPE,
    butter_lowpass,
    db_to_amp,
    istft,
    log_bell_db,
    stft,
    stft_n_frames,
)

CONTENT_KINDS = ("mixed", "speech", "music", "silence")

# Average formant frequencies (F1, F2, F3) in Hz of adult male vowels,
# Peterson & Barney (1952): /i/, /ɪ/, /ɛ/, /æ/, /ɑ/, /ɔ/, /ʊ/, /u/, /ʌ/, /ɝ/.
_VOWEL_FORMANTS = np.array(
    [
        [270, 2290, 3010],
        [390, 1990, 2550],
        [530, 1840, 2480],
        [660, 1720, 2410],
        [730, 1090, 2440],
        [570, 840, 2410],
        [440, 1020, 2240],
        [300, 870, 2240],
        [640, 1190, 2390],
        [490, 1350, 1690],
    ],
    dtype=float,
)
_F4_HZ = 3500.0
_FORMANT_BANDWIDTHS_HZ = np.array([80.0, 100.0, 140.0, 200.0])
_WAVETABLE_BITS = 12
_WAVETABLE_SIZE = 2**_WAVETABLE_BITS
_FRACTION_BITS = 32 - _WAVETABLE_BITS


_PARAMETERS_DOC = """
Parameters
----------
n : int
    Number of samples.
sr : int
    Sample rate in Hz.
rng : numpy.random.Generator
    Source of every random choice.
"""
_SIGNAL_DOC = """
signal : ndarray of shape (n,)
    Unit RMS over the whole signal.
"""
_source_doc = Substitution(parameters=_PARAMETERS_DOC, signal=_SIGNAL_DOC)


def _frame_length(sr):
    """STFT frame of about 23 ms, rounded to a power of two."""
    return int(2 ** round(np.log2(0.023 * sr)))


def _harmonic_table(amplitudes, phases):
    """One period of a sum of harmonics, with its slope for linear interpolation.

    Returns the table and the difference to the next entry (wrapping), both
    in working precision and normalized to unit RMS.
    """
    # sin(θ k + φ) is the real part of exp(i (θ k + φ - π/2)).
    k = min(len(amplitudes), _WAVETABLE_SIZE // 2 - 1)
    spectrum = np.zeros(_WAVETABLE_SIZE // 2 + 1, dtype=complex)
    spectrum[1 : k + 1] = amplitudes[:k] * np.exp(1j * (phases[:k] - np.pi / 2))
    table = np.fft.irfft(spectrum, _WAVETABLE_SIZE)
    table /= np.sqrt(np.mean(table**2))
    slope = np.roll(table, -1) - table
    return table.astype(WORK_DTYPE), slope.astype(WORK_DTYPE)


def _phase_steps(f0, sr):
    """Per-sample phase increments, in units of 2**-32 of a cycle."""
    return np.rint(np.asarray(f0) * (2.0**32 / sr)).astype(np.uint32)


def _oscillator(table, steps):
    """Play a wavetable with a fixed-point phase accumulator.

    The phase is a 32-bit unsigned integer (a full cycle is 2**32), so its
    running sum wraps around exactly once per cycle without a modulo; the
    top bits index the table and the rest interpolate linearly.
    """
    values, slope = table
    phase = np.cumsum(steps, dtype=np.uint32)
    index = phase >> np.uint32(_FRACTION_BITS)
    phase &= np.uint32((1 << _FRACTION_BITS) - 1)
    frac = phase.astype(WORK_DTYPE)
    frac *= WORK_DTYPE(2.0**-_FRACTION_BITS)
    frac *= slope[index]
    frac += values[index]
    return frac


def _segments(rng, total, mean_length, spread):
    """Cut ``total`` seconds into consecutive random segments; return their edges."""
    count = int(total / (mean_length * (1.0 - spread))) + 2
    lengths = mean_length * rng.uniform(1.0 - spread, 1.0 + spread, count)
    edges = np.concatenate([[0.0], np.cumsum(lengths)])
    return edges[: np.searchsorted(edges, total) + 1]


@_source_doc
def speech(n, sr, rng):
    """Speech-like sound: formant-filtered glottal pulses and noise bursts.

    A band-limited pulse train (harmonics falling at 6 dB per octave, the
    glottal flow derivative with lip radiation) follows a pitch contour that
    glides (mostly downwards) within each syllable and carries about 1 % of
    jitter. Its short-time spectrum is multiplied frame by frame by a
    cascade of four formant resonances that move between vowel targets, and
    gated by syllable envelopes. Unvoiced onsets are Gaussian noise shaped by
    a high-frequency fricative peak. Syllables are separated by short gaps and
    phrases by longer pauses.

    {parameters}

    Returns
    -------
    {signal}
    info : dict
        The speaker's mean pitch and vocal-tract scaling.
    """
    duration = n / sr
    nyquist = sr / 2.0
    f0_mean = float(np.exp(rng.uniform(np.log(90.0), np.log(240.0))))
    # Shorter vocal tracts go with higher voices.
    tract_scale = float(
        np.clip((f0_mean / 120.0) ** 0.35 * rng.uniform(0.95, 1.05), 0.9, 1.35)
    )

    # Syllables (onset, vowel nucleus) and the pauses between them; even the
    # shortest syllables and gaps (0.14 s together) fill the duration.
    count = int(duration / 0.14) + 2
    syl_len = rng.uniform(0.12, 0.32, count)
    gap = np.where(
        rng.random(count) < 0.15,
        rng.uniform(0.3, 0.9, count),
        rng.uniform(0.02, 0.12, count),
    )
    starts = np.concatenate([[rng.uniform(0.0, 0.3)], np.zeros(count - 1)])
    starts[1:] = starts[0] + np.cumsum(syl_len + gap)[:-1]
    ends = starts + syl_len
    onset = np.where(rng.random(count) < 0.5, rng.uniform(0.03, 0.09, count), 0.0)
    vowel = rng.integers(0, len(_VOWEL_FORMANTS), count)
    fric_centre = np.exp(rng.uniform(np.log(2500.0), np.log(7500.0), count))
    # Pitch: a glide per syllable, falling on average.
    glide_start = f0_mean * np.exp(rng.normal(0.0, 0.12, count))
    glide_end = glide_start * np.exp(rng.normal(-0.05, 0.1, count))

    # Pitch contour, held for 5 ms control steps (the jitter changes per step).
    hop = max(1, int(0.005 * sr))
    ctrl_t = np.arange(-(-n // hop)) * hop / sr
    knots_t = np.column_stack([starts, ends]).ravel()
    knots_f = np.column_stack([glide_start, glide_end]).ravel()
    f0_ctrl = np.interp(ctrl_t, knots_t, knots_f)
    f0_ctrl *= 1.0 + 0.01 * rng.standard_normal(len(ctrl_t))
    n_harm = max(1, int(0.45 * sr / f0_ctrl.max()))
    k = np.arange(1, n_harm + 1)
    table = _harmonic_table(1.0 / k, rng.uniform(0, 2 * np.pi, n_harm) * 0.3)
    voiced = _oscillator(table, np.repeat(_phase_steps(f0_ctrl, sr), hop)[:n])

    n_fft = _frame_length(sr)
    n_frames = stft_n_frames(n, n_fft)
    frame_t = (np.arange(n_frames) - 1) * (n_fft // 2) / sr + n_fft / (2 * sr)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)

    # Which syllable each frame belongs to, and where inside it.
    idx = np.clip(np.searchsorted(starts, frame_t, side="right") - 1, 0, count - 1)
    rel = frame_t - starts[idx]
    inside = rel < syl_len[idx]
    nucleus = inside & (rel >= onset[idx])
    ramp = np.minimum(rel - onset[idx], syl_len[idx] - rel) / 0.03
    voice_gain = np.where(nucleus, np.clip(ramp, 0.0, 1.0), 0.0)
    fric_gain = np.where(inside & ~nucleus, 0.35, 0.0)

    # Formant trajectories: vowel targets at syllable centres, interpolated.
    centres = starts + 0.5 * (syl_len + onset)
    targets = _VOWEL_FORMANTS[vowel] * tract_scale
    formants = np.column_stack(
        [np.interp(frame_t, centres, targets[:, i]) for i in range(3)]
        + [np.full(n_frames, _F4_HZ * tract_scale)]
    )
    spectra = stft(voiced, n_fft)
    del voiced
    freqs = freqs.astype(WORK_DTYPE)
    f2 = freqs**2
    voiced_frames = np.flatnonzero(voice_gain > 0)
    envelope = np.ones((len(voiced_frames), len(freqs)), dtype=WORK_DTYPE)
    for i in range(4):
        fi = np.minimum(formants[voiced_frames, i : i + 1], 0.9 * nyquist)
        fi = fi.astype(WORK_DTYPE)
        bi = _FORMANT_BANDWIDTHS_HZ[i]
        envelope *= fi**2 / np.sqrt((fi**2 - f2) ** 2 + (bi * freqs) ** 2)
    envelope *= voice_gain[voiced_frames, None].astype(WORK_DTYPE)
    spectra[voiced_frames] *= envelope
    spectra[voice_gain <= 0] = 0.0
    del envelope

    # Unvoiced bursts: noise drawn directly in the STFT domain, with the
    # power a unit-variance white noise has there (sum of w² = n_fft / 2).
    fric_frames = np.flatnonzero(fric_gain > 0)
    shape = db_to_amp(
        log_bell_db(freqs, fric_centre[idx[fric_frames], None], 18.0, 0.8)
    ) * butter_lowpass(freqs, 0.95 * nyquist, 4)
    shape *= np.sqrt(n_fft / 4.0) * fric_gain[fric_frames, None]
    noise = rng.standard_normal((len(fric_frames), 2 * len(freqs)), dtype=WORK_DTYPE)
    noise = noise.view(np.result_type(WORK_DTYPE, np.complex64))
    noise *= shape.astype(WORK_DTYPE)
    spectra[fric_frames] = noise
    del noise

    signal = istft(spectra, n_fft, n)
    signal /= max(float(np.sqrt(np.mean(signal**2, dtype=np.float64))), 1e-12)
    return signal, {"f0_hz": f0_mean, "vocal_tract_scale": tract_scale}


@_source_doc
def music(n, sr, rng):
    """Music-like sound: chords and a melody of harmonic tones.

    A key and a tempo are drawn; each bar holds a chord of the key (root,
    third and fifth, the root doubled an octave below as a bass) and the
    melody picks scale notes on the beats. Every voice is a band-limited
    wavetable oscillator with its own harmonic timbre and an attack and
    exponential-decay envelope per note; the melody carries vibrato.

    {parameters}

    Returns
    -------
    {signal}
    info : dict
        The key (MIDI note of the tonic) and the beat length.
    """
    duration = n / sr
    tonic = int(rng.integers(55, 67))
    beat = float(rng.uniform(0.3, 0.7))
    major = np.array([0, 2, 4, 5, 7, 9, 11])
    degrees_pool = np.array([0, 3, 4, 5, 0, 4, 1, 5])

    bar_edges = _segments(rng, duration, 4 * beat, 0.0)
    n_bars = len(bar_edges) - 1
    degree = rng.choice(degrees_pool, n_bars)

    def scale_note(steps):
        return tonic + 12 * (steps // 7) + major[steps % 7]

    chord = np.stack([scale_note(degree + 2 * j) for j in range(3)], axis=1)
    beat_edges = _segments(rng, duration, beat, 0.0)
    n_beats = len(beat_edges) - 1
    melody_steps = np.cumsum(rng.integers(-2, 3, n_beats)) % 12 + 7
    melody = scale_note(melody_steps)

    # (note edges, MIDI notes per voice, weight per voice, vibrato depth)
    groups = [
        (bar_edges, [chord[:, 0] - 12], [0.9], 0.0),
        (bar_edges, [chord[:, j] for j in range(3)], [0.5, 0.4, 0.4], 0.0),
        (beat_edges, [melody], [0.8], float(rng.uniform(0.003, 0.008))),
    ]
    signal = np.zeros(n, dtype=WORK_DTYPE)
    vibrato_curve = None
    for edges, notes_list, weights, vibrato in groups:
        onsets = np.minimum((edges[:-1] * sr).astype(np.intp), n)
        counts = np.diff(np.append(onsets, n))
        # One instrument per group: its timbre and note envelope.
        attack = rng.uniform(0.005, 0.03) * sr
        decay = rng.uniform(0.4, 2.5) * sr
        slope = rng.uniform(1.2, 2.5)
        since = np.arange(n, dtype=WORK_DTYPE)
        since -= np.repeat(onsets, counts).astype(WORK_DTYPE)
        env = np.exp(since * WORK_DTYPE(-1.0 / decay))
        env *= 1.0 - np.exp(since * WORK_DTYPE(-1.0 / attack))
        del since
        voices = np.zeros(n, dtype=WORK_DTYPE)
        for notes, weight in zip(notes_list, weights, strict=True):
            freq = 440.0 * 2.0 ** ((notes - 69) / 12.0)
            if vibrato:
                if vibrato_curve is None:
                    t = np.arange(n, dtype=WORK_DTYPE) * WORK_DTYPE(5.5 / sr)
                    vibrato_curve = 1.0 + vibrato * np.sin(2 * np.pi * t)
                steps = _phase_steps(np.repeat(freq, counts) * vibrato_curve, sr)
            else:
                steps = np.repeat(_phase_steps(freq, sr), counts)
            n_harm = max(1, int(0.45 * sr / (freq.max() * (1.0 + vibrato))))
            k = np.arange(1, n_harm + 1)
            amplitudes = k**-slope * rng.uniform(0.3, 1.0, n_harm)
            table = _harmonic_table(amplitudes, rng.uniform(0, 2 * np.pi, n_harm))
            voices += weight * _oscillator(table, steps)
        voices *= env
        signal += voices
    signal /= max(float(np.sqrt(np.mean(signal**2, dtype=np.float64))), 1e-12)
    return signal, {"tonic_midi": tonic, "beat_s": beat}


# Probabilities of the kinds of the segments of a "mixed" recording.
_MIXED_KINDS = {"speech": 0.5, "music": 0.25, "silence": 0.25}
_MIXED_SEGMENT_S = (2.0, 8.0)
_FADE_S = 0.01


@Substitution(parameters=_PARAMETERS_DOC)
def mixed(n, sr, rng):
    """Synthesize a recording made of segments of speech, music and room tone.

    Segments last 2-8 s; each is speech (probability 0.5), music (0.25) or
    silence (0.25), the first two faded in and out over 10 ms. One speech
    signal and one music signal are synthesized for the total length of
    their segments, each with unit RMS over its segments, and cut into place.

    {parameters}

    Returns
    -------
    signal : ndarray of shape (n,) or None
        Unit RMS over the non-silent segments; None if every segment is
        silent.
    info : dict
        The segments as ``[start_s, end_s, kind]`` and the sources' details.
    """
    edges = (_segments(rng, n / sr, np.mean(_MIXED_SEGMENT_S), 0.6) * sr).astype(int)
    edges[-1] = n
    names = list(_MIXED_KINDS)
    kinds = rng.choice(names, len(edges) - 1, p=list(_MIXED_KINDS.values()))
    lengths = np.diff(edges)
    signal = np.zeros(n, dtype=WORK_DTYPE)
    fade = max(1, int(_FADE_S * sr))
    info = {"segments": []}
    for name, synth in (("speech", speech), ("music", music)):
        mask = kinds == name
        total = int(lengths[mask].sum())
        if total == 0:
            continue
        source, info[name] = synth(total, sr, rng)
        offset = 0
        for start, stop in zip(edges[:-1][mask], edges[1:][mask], strict=True):
            piece = source[offset : offset + stop - start]
            offset += stop - start
            ramp = np.linspace(0.0, 1.0, min(fade, len(piece)), dtype=WORK_DTYPE)
            piece[: len(ramp)] *= ramp
            piece[len(piece) - len(ramp) :] *= ramp[::-1]
            signal[start:stop] = piece
    info["segments"] = [
        [float(a / sr), float(b / sr), str(k)]
        for a, b, k in zip(edges[:-1], edges[1:], kinds, strict=True)
    ]
    active = float(lengths[kinds != "silence"].sum())
    if not active:
        return None, info
    signal /= max(np.sqrt(np.sum(signal**2, dtype=np.float64) / active), 1e-12)
    return signal, info


def synthesize(kind, n, sr, rng):
    """Content of ``kind`` ("speech", "music", "mixed"), or None when silent."""
    if kind == "silence":
        return None, {}
    return {"speech": speech, "music": music, "mixed": mixed}[kind](n, sr, rng)
