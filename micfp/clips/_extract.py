"""Cutting recordings into fixed-length clips."""

import warnings
from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_random_state

from ..exceptions import AudioValueError, DegradedResultWarning
from ..io import Recordings
from ..utils._chunking import chunk_slices

_STRATEGIES = ("loudest", "quietest", "random", "sequential")


def _describe(i, recording_ids, paths):
    """Name recording ``i`` for error messages."""
    text = f"recording {i}"
    details = []
    if recording_ids is not None:
        rid = recording_ids[i]
        details.append(f"id {rid.item() if isinstance(rid, np.generic) else rid!r}")
    if paths is not None:
        details.append(f"file {paths[i]!r}")
    return f"{text} ({', '.join(details)})" if details else text


def _check_signals(signals, length, recording_ids, paths):
    """Return the signals as finite 1-D real arrays at least ``length`` long."""
    if len(signals) == 0:
        raise AudioValueError("recordings is empty; pass at least one recording.")
    checked = []
    for i, signal in enumerate(signals):
        name = _describe(i, recording_ids, paths)
        try:
            signal = np.asarray(signal)
        except (TypeError, ValueError) as exc:
            raise AudioValueError(
                f"{name} of recordings cannot be read as an array of samples: {exc}"
            ) from exc
        if signal.ndim != 1:
            raise AudioValueError(
                f"{name} must be a 1-D array of samples; got shape {signal.shape}."
            )
        if signal.dtype.kind not in "iuf":
            raise AudioValueError(
                f"{name} must hold real numbers; got dtype {signal.dtype}."
            )
        if signal.shape[0] < length:
            raise AudioValueError(
                f"{name} has {signal.shape[0]} samples, fewer than one clip of "
                f"length={length}; use a shorter length or drop the recording."
            )
        if not _all_finite(signal):
            raise AudioValueError(
                f"{name} contains NaN or infinite samples; clips of recordings "
                "must be finite."
            )
        checked.append(signal)
    return checked


def _all_finite(signal):
    if signal.dtype.kind != "f":
        return True
    # A finite sum needs finite terms: one pass and no copy; only a sum of
    # huge samples that overflows needs the exact test.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(signal)
    return bool(np.isfinite(total)) or bool(np.isfinite(signal).all())


def _window_energies(signal, length, hop, n_candidates):
    """Mean square of the windows starting at ``0, hop, 2 * hop, ...``.

    Running sums of squares restart every ``length`` samples, so that a window
    spans two blocks and its energy is the tail of one block's running sum
    plus the head of the next. The rounding error of a window's energy is
    then relative to the energy of the two blocks it touches, not to that of
    the whole recording before it: quiet windows after loud minutes of audio
    are still ranked correctly. Disjoint windows (``hop >= length``) are
    summed directly through a strided view instead, in float32 for float32
    signals (a relative error near ``1e-6``, far below the energy differences
    that the ranking is for) and in float64 otherwise.

    A signal whose squares overflow is ranked scaled by a power of two, which
    leaves the order of the energies as it is.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        energy = _sums_of_squares(signal, length, hop, n_candidates)
    if np.isfinite(energy).all():
        return energy / length
    peak = float(np.abs(signal).max())
    scaled = np.ldexp(signal, -int(np.frexp(peak)[1]))
    return _sums_of_squares(scaled, length, hop, n_candidates) / length


def _sums_of_squares(signal, length, hop, n_candidates):
    if hop >= length:
        acc = np.float32 if signal.dtype == np.float32 else np.float64
        windows = sliding_window_view(signal, length)[::hop][:n_candidates]
        energy = np.einsum("ij,ij->i", windows, windows, dtype=acc)
        return energy.astype(np.float64)
    n = signal.shape[0]
    n_blocks = -(-n // length) + 1  # one zero block past the end
    running = np.zeros((n_blocks, length))
    np.square(signal, out=running.reshape(-1)[:n], dtype=np.float64)
    np.cumsum(running, axis=1, out=running)
    starts = np.arange(n_candidates) * hop
    block, offset = np.divmod(starts, length)
    inside = offset > 0
    # sum of squares in [start, start + length): the rest of the start's block
    # and the beginning of the next one, each read from a running sum
    energy = running[block, -1]
    energy -= np.where(inside, running[block, offset - 1], 0.0)
    energy += np.where(inside, running[block + 1, offset - 1], 0.0)
    return energy


def _choose_starts(signal, *, length, n_clips, strategy, hop, rng):
    """Start sample of each clip taken from ``signal``, in increasing order.

    Returns the starts and the number of candidate clips (to report a shortage).
    """
    n_candidates = (signal.shape[0] - length) // hop + 1
    if n_clips is None:
        if strategy == "random":
            n_take = min(signal.shape[0] // length, n_candidates)
        else:
            n_take = n_candidates
    else:
        n_take = min(n_clips, n_candidates)

    if strategy == "sequential":
        chosen = np.arange(n_take)
    elif strategy == "random":
        chosen = np.sort(
            sample_without_replacement(n_candidates, n_take, random_state=rng)
        )
    else:
        energy = _window_energies(signal, length, hop, n_candidates)
        if strategy == "loudest":
            energy = -energy
        chosen = np.sort(np.argsort(energy, kind="stable")[:n_take])
    return chosen.astype(np.intp) * hop, n_candidates


def _even_step(starts):
    """Return the common difference of increasing ``starts``, 0 if uneven."""
    if len(starts) == 1:
        return 1
    steps = np.diff(starts)
    return int(steps[0]) if np.all(steps == steps[0]) else 0


@validate_params(
    {
        "recordings": [Recordings, list, tuple],
        "length": [Interval(Integral, 1, None, closed="left")],
        "n_clips": [Interval(Integral, 1, None, closed="left"), None],
        "strategy": [StrOptions(set(_STRATEGIES))],
        "hop": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "return_starts": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def extract_clips(
    recordings,
    *,
    length=4096,
    n_clips=None,
    strategy="random",
    hop=None,
    random_state=None,
    return_starts=False,
):
    """Cut recordings into fixed-length clips, one clip per row.

    The audio counterpart of
    :func:`sklearn.feature_extraction.image.extract_patches_2d`: it turns
    recordings of any length into the ``(n_clips, length)`` matrix that
    micfp's transformers take, with the device label and the source recording
    of every clip. Split train and test sets with ``groups``
    (:class:`~sklearn.model_selection.GroupKFold`,
    :class:`~sklearn.model_selection.GroupShuffleSplit`): clips of one
    recording share its content and conditions, so a split that puts clips of
    one recording on both sides overestimates accuracy.

    Candidate clips start at ``0, hop, 2 * hop, ...`` up to the last start
    where a whole clip fits. The strategies choose among them:

    - "random": ``n_clips`` starts drawn uniformly without replacement
      (``hop=1`` by default, so every sample is a candidate start, as in the
      random segments of the noise-residual protocol; clips may then overlap,
      pass ``hop=length`` for distinct, non-overlapping ones).
    - "sequential": the first ``n_clips`` candidates.
    - "quietest" / "loudest": the ``n_clips`` candidates of lowest / highest
      energy (mean square). Near-silent parts carry the purest device noise.

    Whatever the strategy, the clips of a recording are returned in the order
    of their starts, recordings one after the other.

    Parameters
    ----------
    recordings : Recordings or list of ndarray of shape (n_samples_i,)
        The recordings. A list of 1-D arrays has no labels: ``y`` is then None.
    length : int, default=4096
        Samples per clip.
    n_clips : int, default=None
        Clips per recording. None takes all candidates for "sequential",
        "quietest" and "loudest" (every candidate, so the energy ranking then
        selects nothing), and for "random" as many clips as would fit without
        overlap, ``n_samples // length``. A recording with fewer candidates
        than ``n_clips`` gives all it has, with a warning.
    strategy : {"random", "sequential", "quietest", "loudest"}, default="random"
        How the clips are chosen, see above.
    hop : int, default=None
        Distance in samples between candidate starts. None means 1 for
        "random" and ``length`` (non-overlapping clips) for the others.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of "random"; pass an int for reproducible clips.
        Ignored by the other strategies.
    return_starts : bool, default=False
        Also return the start sample of each clip within its recording.

    Returns
    -------
    X : ndarray of shape (n_total_clips, length)
        The clips, in the recordings' dtype (the common type if they differ).
    y : ndarray of shape (n_total_clips,) or None
        Device label of each clip, or None when ``recordings`` is a list.
    groups : ndarray of shape (n_total_clips,)
        Index of the recording each clip came from, 0 to
        ``len(recordings) - 1``.
    starts : ndarray of shape (n_total_clips,)
        Start sample of each clip in its recording. Only when
        ``return_starts=True``.

    Raises
    ------
    AudioValueError
        If ``recordings`` is empty, or a recording cannot be read as an array,
        is not 1-D, not real-valued (booleans, complex numbers and objects are
        refused), shorter than ``length``, or holds NaN or infinite samples.

    Warns
    -----
    DegradedResultWarning
        When some recordings have fewer candidate clips than ``n_clips``.

    See Also
    --------
    micfp.io.load_recordings : Read a folder of WAV files into recordings.
    sklearn.model_selection.GroupKFold : Cross-validation split by recording.

    Notes
    -----
    Clips are copies of the recordings' samples, whatever their level: digital
    silence gives clips of zeros, which "quietest" ranks first (ties in the
    order of their starts). Recordings with huge samples are ranked on a copy
    scaled by a power of two, which keeps their energies finite and their
    order unchanged; recordings with NaN or infinite samples are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.io import Recordings
    >>> from micfp.clips import extract_clips
    >>> rng = np.random.default_rng(0)
    >>> rec = Recordings(
    ...     signals=[rng.standard_normal(10_000) for _ in range(3)],
    ...     sr=8000,
    ...     devices=["a", "a", "b"],
    ...     recording_ids=[1, 2, 1],
    ... )
    >>> X, y, groups = extract_clips(rec, length=1024, n_clips=4, random_state=0)
    >>> X.shape, y[::4].tolist(), groups[::4].tolist()
    ((12, 1024), ['a', 'a', 'b'], [0, 1, 2])
    >>> X, y, groups, starts = extract_clips(
    ...     rec, length=4096, strategy="sequential", return_starts=True
    ... )
    >>> starts.tolist()
    [0, 4096, 0, 4096, 0, 4096]
    """
    if isinstance(recordings, Recordings):
        signals = recordings.signals
        devices = recordings.devices
        recording_ids = recordings.recording_ids
        paths = recordings.paths
    else:
        signals, devices, recording_ids, paths = list(recordings), None, None, None
    signals = _check_signals(signals, length, recording_ids, paths)
    if hop is None:
        hop = 1 if strategy == "random" else length
    rng = check_random_state(random_state)

    all_starts, short = [], []
    for i, signal in enumerate(signals):
        starts, n_candidates = _choose_starts(
            signal, length=length, n_clips=n_clips, strategy=strategy, hop=hop, rng=rng
        )
        if n_clips is not None and n_candidates < n_clips:
            short.append(f"{_describe(i, recording_ids, paths)}: {n_candidates}")
        all_starts.append(starts)
    if short:
        warnings.warn(
            f"n_clips={n_clips} is more than {len(short)} recording(s) hold with "
            f"length={length} and hop={hop}; all their candidate clips were "
            f"taken ({'; '.join(short)}).",
            DegradedResultWarning,
            stacklevel=3,
        )

    counts = np.array([len(s) for s in all_starts])
    dtype = np.result_type(*signals)
    X = np.empty((int(counts.sum()), length), dtype=dtype)
    offset = 0
    for signal, starts in zip(signals, all_starts, strict=True):
        windows = sliding_window_view(signal, length)
        step = _even_step(starts)
        if step:
            # evenly spaced starts are a basic slice of the view: one copy
            n = len(starts)
            X[offset : offset + n] = windows[starts[0] : starts[-1] + 1 : step]
            offset += n
            continue
        # Fancy indexing gathers the chosen rows of the strided view (np.take
        # would first make the whole view contiguous: one copy per window), a
        # chunk at a time so that the temporary stays within the working memory.
        for part in chunk_slices(len(starts), length * X.itemsize):
            X[offset : offset + part.stop - part.start] = windows[starts[part]]
            offset += part.stop - part.start

    y = None if devices is None else np.repeat(devices, counts)
    groups = np.repeat(np.arange(len(signals)), counts)
    if return_starts:
        return X, y, groups, np.concatenate(all_starts)
    return X, y, groups
