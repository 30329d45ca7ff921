"""Simulated edited recordings: material from several devices joined in time."""

from itertools import pairwise
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
from ._simulator import _MIN_SAMPLES, _assign_models, _Chain, _record, _rng
from ._spectral import db_to_amp, fast_len

# Mains frequency: a random walk of the frequency deviation, reverting to
# the nominal value, sampled once a second (held linearly in between).
_ENF_STEP_HZ = 0.004
_ENF_REVERSION = 0.01
_ENF_LIMIT_HZ = 0.2
_ENF_DBFS = (-66.0, -50.0)
_ENF_HARMONIC_DROP_DB = (4.0, 12.0)
_ENF_N_HARMONICS = 3
# Grid time between two sessions: enough for the walk to forget itself.
_ENF_SESSION_GAP_S = (600.0, 7200.0)
_GAIN_STEP_DB = (3.0, 10.0)
_PAUSE_S = (0.5, 5.0)


def _range(value):
    """``(low, high)`` from an int or a pair."""
    if isinstance(value, Integral):
        return int(value), int(value)
    low, high = value
    return int(low), int(high)


def _check_range(value, name, low, high=None, real=False):
    kind = Real if real else Integral
    pair = (value, value) if isinstance(value, kind) else tuple(value)
    if (
        len(pair) != 2
        or not all(isinstance(v, kind) and not isinstance(v, bool) for v in pair)
        or pair[0] > pair[1]
        or pair[0] < low
        or (high is not None and pair[1] > high)
    ):
        upper = "" if high is None else f" and at most {high}"
        raise ValueError(
            f"{name} must be a number or a (low, high) pair with low <= high, "
            f"at least {low}{upper}; got {value!r}."
        )
    return pair


def enf_trajectory(duration, mains_hz, rng):
    """Mains frequency, once a second, over ``duration`` seconds from a random start.

    A mean-reverting random walk of the deviation from ``mains_hz`` (steps of
    a few mHz a second, bounded to ±0.2 Hz), as the grid frequency wanders.
    """
    n = int(np.ceil(duration)) + 2
    steps = rng.normal(0.0, _ENF_STEP_HZ, n)
    deviation = np.empty(n)
    state = rng.uniform(-0.05, 0.05)
    for i, step in enumerate(steps.tolist()):
        state = float(np.clip((1.0 - _ENF_REVERSION) * state + step, -0.2, 0.2))
        deviation[i] = state
    return mains_hz + deviation


def _enf_hum(n, sr, trajectory, amps, phase0):
    """Hum whose fundamental follows ``trajectory`` (one value a second)."""
    t = np.arange(n) / sr
    freq = np.interp(t, np.arange(len(trajectory)), trajectory)
    phase = phase0 + 2.0 * np.pi * np.cumsum(freq) / sr
    hum = np.zeros(n)
    for k, amp in enumerate(amps, start=1):
        hum += amp * np.sin(k * phase)
    return hum


def _place(out, source, lo, hi, out_edges, scene_start):
    """Add ``source`` (scene time) to ``out[lo:hi]`` (output time), pauses skipped."""
    for a, b, c in zip(out_edges[:-1], out_edges[1:], scene_start, strict=True):
        a2, b2 = max(a, lo), min(b, hi)
        if a2 < b2:
            out[a2:b2] += source[c + a2 - a : c + b2 - a]


def _choose_devices(rng, n_segments, n_used, pairing, model_of, twin_of):
    """Device of each segment: consecutive segments on different devices."""
    n_devices = len(model_of)
    if pairing == "same_model":
        pairs = [d for d in range(n_devices) if twin_of[d] is not None]
        first = int(rng.choice(pairs))
        pool = [first, twin_of[first]]
    else:
        first = int(rng.integers(n_devices))
        pool = [first]
        order = rng.permutation(n_devices).tolist()
        for d in order:
            if len(pool) == n_used:
                break
            if d in pool:
                continue
            if pairing == "different_model" and model_of[d] in {
                model_of[p] for p in pool
            }:
                continue
            pool.append(d)
    sequence = [pool[0]]
    for _ in range(n_segments - 1):
        choices = [d for d in pool if d != sequence[-1]]
        # Use every chosen device before reusing one.
        unused = [d for d in choices if d not in sequence]
        sequence.append(int(rng.choice(unused or choices)))
    return sequence


@validate_params(
    {
        "n_recordings": [Interval(Integral, 1, None, closed="left")],
        "sr": [Interval(Integral, 8000, 192000, closed="both")],
        "n_devices": [Interval(Integral, 2, None, closed="left")],
        "n_splices": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "segment_duration": [Interval(Real, 0, None, closed="neither"), tuple, list],
        "devices_per_recording": [Interval(Integral, 2, None, closed="left"), tuple],
        "n_same_model_pairs": [Interval(Integral, 0, None, closed="left")],
        "pairing": [StrOptions({"random", "different_model", "same_model"})],
        "content": [StrOptions(set(_content.CONTENT_KINDS))],
        "same_scene": ["boolean"],
        "agc": ["boolean"],
        "gain_steps": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "pauses": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "enf": [Options(Integral, {50, 60}), None],
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
def make_spliced(
    n_recordings=20,
    *,
    sr=44100,
    n_devices=6,
    n_splices=(0, 3),
    segment_duration=(2.0, 30.0),
    devices_per_recording=(2, 3),
    n_same_model_pairs=0,
    pairing="random",
    content="speech",
    same_scene=True,
    agc=False,
    gain_steps=0,
    pauses=0,
    enf=None,
    dtype=np.float64,
    n_jobs=None,
    random_state=None,
    return_params=False,
):
    """Simulate recordings edited together from the material of several devices.

    Each recording is a sequence of segments; consecutive segments come from
    different devices, so every boundary between segments is a splice, and a
    recording with a single segment is pristine. The devices are those of
    :func:`make_recordings` (same models, units and chain). By default all
    segments of a recording share one scene: the same room, content and level
    recorded through each device at once, so that only the device changes at
    a splice. Pristine controls can hold the changes that are not splices:
    automatic gain control, digital gain steps, content changes
    (``content="mixed"``: speech, music and room tone) and pauses of the
    recorder.

    Parameters
    ----------
    n_recordings : int, default=20
        Number of recordings.
    sr : int, default=44100
        Sample rate in Hz, between 8000 and 192000.
    n_devices : int, default=6
        Size of the pool of devices the segments are recorded with.
    n_splices : int or (int, int), default=(0, 3)
        Number of splices of each recording, or the range it is drawn from
        uniformly (both ends included). 0 makes a pristine recording.
    segment_duration : float or (float, float), default=(2.0, 30.0)
        Length of each segment in seconds, or the range it is drawn from
        uniformly. Pristine recordings are as long as a spliced recording of
        1-4 segments, so that both kinds have lengths alike.
    devices_per_recording : int or (int, int), default=(2, 3)
        Number of distinct devices in a spliced recording (capped at its
        number of segments), or the range it is drawn from.
    n_same_model_pairs : int, default=0
        Pairs of devices in the pool that are two units of one model.
    pairing : {"random", "different_model", "same_model"}, default="random"
        How the devices of a spliced recording are chosen: at random from the
        pool, from different models only, or the two units of one model
        (needs ``n_same_model_pairs >= 1``; a recording then uses 2 devices).
    content : {"speech", "music", "mixed", "silence"}, default="speech"
        Content of the scenes, as in :func:`make_recordings`.
    same_scene : bool, default=True
        Whether all segments of a recording share one scene (room, content
        and level). With False every segment comes from a scene of its own,
        so a splice also changes the room, the words and the level.
    agc : bool, default=False
        Whether the devices apply automatic gain control.
    gain_steps : int or (int, int), default=0
        Number of digital gain steps of 3-10 dB (up or down, at random times)
        in every recording, or the range it is drawn from.
    pauses : int or (int, int), default=0
        Number of pauses of the recorder in every recording: 0.5-5 s of the
        scene left out, the device and scene staying the same. With
        ``enf`` the mains phase jumps at a pause, as it does in a real one.
    enf : {50, 60} or None, default=None
        Adds mains hum at -66 to -50 dBFS (three harmonics, 4-12 dB apart)
        whose frequency wanders around 50 or 60 Hz. Every segment of a
        spliced recording comes from a session recorded at a different time
        (10 minutes to 2 hours apart on one grid), so a splice leaves a jump
        in the hum's phase and frequency; a pristine recording has one
        continuous hum.
    dtype : {numpy.float64, numpy.float32, "float64", "float32"}, \
            default=numpy.float64
        Type of the returned samples.
    n_jobs : int or None, default=None
        Number of recordings simulated at once, in threads. The output does
        not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds everything that is drawn.
    return_params : bool, default=False
        Whether to return the description of each recording.

    Returns
    -------
    recordings : Recordings
        The recordings, ``devices`` holding the device of each one's first
        segment and ``recording_ids`` the numbers ``1 .. n_recordings``.
    boundary_times : list of ndarray
        The splice times of each recording in seconds, increasing; empty for
        a pristine recording.
    params : dict
        Only with ``return_params=True``: ``"sr"``, ``"models"``,
        ``"devices"`` (as in :func:`make_recordings`) and ``"recordings"``,
        one dict per recording with ``"segments"`` (``[start_s, end_s,
        device]``), ``"models"`` (model of each segment), ``"scenes"`` (the
        content and conditions each segment was recorded in, as in
        :func:`make_recordings`), ``"gain_steps"``
        (``[time_s, gain_db]``), ``"pauses"`` (``[time_s, skipped_s]``),
        ``"same_model"`` (whether every splice joins two units of one model)
        and ``"enf_hz"`` (the nominal mains frequency or None).

    See Also
    --------
    make_recordings : Unedited recordings of the same devices.
    micfp.segmentation.DeviceChangeDetector : Finds the splices.

    Notes
    -----
    When the segments share a scene, every device records the same content
    through the same room and the same draw of noise, each shaped by its own
    chain (capsule response, self-noise spectrum, hum, nonlinearity,
    anti-alias filter, quantization); the output takes each segment from its
    device's recording, so the content runs on across a splice without a
    break. Gain steps multiply the output after the converter, as an editor's
    gain would; automatic gain control acts inside each device.

    Examples
    --------
    >>> from micfp.datasets import make_spliced
    >>> rec, boundaries = make_spliced(
    ...     3, sr=8000, n_splices=(0, 2), segment_duration=(1.0, 2.0),
    ...     random_state=0,
    ... )
    >>> len(rec), [len(b) for b in boundaries]
    (3, [2, 0, 1])
    """
    splice_range = _check_range(n_splices, "n_splices", 0)
    seg_range = _check_range(segment_duration, "segment_duration", 0.0, real=True)
    used_range = _check_range(devices_per_recording, "devices_per_recording", 2)
    gain_range = _check_range(gain_steps, "gain_steps", 0)
    pause_range = _check_range(pauses, "pauses", 0)
    if 2 * n_same_model_pairs > n_devices:
        raise ValueError(
            "2 * n_same_model_pairs must not exceed n_devices; got "
            f"n_same_model_pairs={n_same_model_pairs} and n_devices={n_devices}."
        )
    if pairing == "same_model" and n_same_model_pairs < 1:
        raise ValueError(
            "pairing='same_model' needs n_same_model_pairs >= 1; got "
            f"n_same_model_pairs={n_same_model_pairs}."
        )
    if seg_range[0] * sr < _MIN_SAMPLES:
        raise ValueError(
            f"segment_duration must give at least {_MIN_SAMPLES} samples; "
            f"{seg_range[0]} s at sr={sr} gives {round(seg_range[0] * sr)}."
        )

    entropy = [int(v) for v in check_random_state(random_state).randint(2**32, size=4)]
    model_of, twin_of, n_models = _assign_models(
        _rng(entropy, 2), n_devices, n_same_model_pairs
    )
    if pairing == "different_model" and n_models < 2:
        raise ValueError(
            "pairing='different_model' needs at least 2 models; all "
            f"{n_devices} devices are units of {n_models} model."
        )
    models = [_device.draw_model(_rng(entropy, 0, m), sr) for m in range(n_models)]
    devices = [
        _device.draw_unit(models[model_of[d]], _rng(entropy, 1, d))
        for d in range(n_devices)
    ]
    dtype = np.dtype(dtype)

    def one(r):
        rng = _rng(entropy, 6, r)
        n_spl = int(rng.integers(splice_range[0], splice_range[1] + 1))
        n_segments = n_spl + 1
        n_length = n_segments if n_spl else int(rng.integers(1, 5))
        lengths = rng.uniform(seg_range[0], seg_range[1], n_length)
        edges = np.round(np.concatenate([[0.0], np.cumsum(lengths)]) * sr).astype(int)
        if not n_spl:
            edges = edges[[0, -1]]
        n = int(edges[-1])
        n_used = int(rng.integers(used_range[0], used_range[1] + 1))
        n_used = 2 if pairing == "same_model" else min(n_used, n_segments)
        sequence = _choose_devices(rng, n_segments, n_used, pairing, model_of, twin_of)
        if n_spl == 0:
            sequence = [int(rng.integers(n_devices))]

        # Pauses: time of the scene left out after some output samples.
        n_pauses = int(rng.integers(pause_range[0], pause_range[1] + 1))
        pause_at = np.sort(rng.uniform(0.0, n / sr, n_pauses))
        pause_len = rng.uniform(*_PAUSE_S, n_pauses)
        skipped = np.round(pause_len * sr).astype(int)
        n_scene = n + int(skipped.sum())
        # Scene sample of each output sample, for each output range.
        out_edges = np.concatenate([[0], np.round(pause_at * sr).astype(int), [n]])
        scene_start = out_edges[:-1] + np.concatenate([[0], np.cumsum(skipped)])

        n_fft = fast_len(n_scene + _rooms.max_response_length(sr))
        x = np.zeros(n, dtype=np.float64)
        chains = {}
        scenes = []
        for s, d in enumerate(sequence):
            key = (5, r) if same_scene else (5, r, s)
            if d not in chains:
                chains[d] = _Chain(devices[d], sr, n_scene, n_fft)
            take, scene = _record(
                n_scene, sr, n_fft, content, chains[d], agc, entropy, key
            )
            scene.pop("hum_phases_rad")
            scenes.append(scene)
            _place(x, take, edges[s], edges[s + 1], out_edges, scene_start)
            del take

        if enf is not None:
            hum_rng = _rng(entropy, 7, r)
            level = hum_rng.uniform(*_ENF_DBFS)
            drops = np.cumsum(
                hum_rng.uniform(*_ENF_HARMONIC_DROP_DB, _ENF_N_HARMONICS - 1)
            )
            amps = db_to_amp(level - np.concatenate([[0.0], drops])) * np.sqrt(2.0)
            n_sessions = len(sequence)
            gaps = hum_rng.uniform(*_ENF_SESSION_GAP_S, n_sessions)
            starts = np.cumsum(gaps) - gaps[0]
            total = float(starts[-1]) + n_scene / sr
            grid = enf_trajectory(total, float(enf), hum_rng)
            # Sessions hours apart: the phase at each start is as good as random.
            phases = hum_rng.uniform(0.0, 2.0 * np.pi, n_sessions)
            for s in range(n_sessions):
                hum = _enf_hum(n_scene, sr, grid[int(starts[s]) :], amps, phases[s])
                _place(x, hum, edges[s], edges[s + 1], out_edges, scene_start)

        n_gain = int(rng.integers(gain_range[0], gain_range[1] + 1))
        gain_at = np.sort(rng.uniform(0.0, n / sr, n_gain))
        gain_db = rng.uniform(*_GAIN_STEP_DB, n_gain) * rng.choice([-1.0, 1.0], n_gain)
        for t, g in zip(gain_at, gain_db, strict=True):
            x[round(t * sr) :] *= db_to_amp(g)
        np.clip(x, -1.0, 1.0, out=x)

        boundaries = edges[1:-1] / sr
        info = {
            "segments": [
                [float(edges[s] / sr), float(edges[s + 1] / sr), int(d)]
                for s, d in enumerate(sequence)
            ],
            "models": [int(model_of[d]) for d in sequence],
            "scenes": scenes,
            "gain_steps": [
                [float(t), float(g)] for t, g in zip(gain_at, gain_db, strict=True)
            ],
            "pauses": [
                [float(t), float(p)] for t, p in zip(pause_at, pause_len, strict=True)
            ],
            "same_model": bool(
                n_spl and all(model_of[a] == model_of[b] for a, b in pairwise(sequence))
            ),
            "enf_hz": enf,
        }
        return x.astype(dtype), boundaries, sequence[0], info

    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(one)(r) for r in range(n_recordings)
    )
    recordings = Recordings(
        signals=[x for x, _, _, _ in results],
        sr=int(sr),
        devices=np.array([d for _, _, d, _ in results]),
        recording_ids=np.arange(1, n_recordings + 1),
    )
    boundary_times = [b for _, b, _, _ in results]
    if not return_params:
        return recordings, boundary_times
    params = {
        "sr": int(sr),
        "models": models,
        "devices": [
            {"device": d, "model": model_of[d], "twin": twin_of[d], **devices[d]}
            for d in range(n_devices)
        ],
        "recordings": [info for _, _, _, info in results],
    }
    return recordings, boundary_times, params
