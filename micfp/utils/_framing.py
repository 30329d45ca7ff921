"""Frames of signals and the windows applied to them.

Signals have time on the last axis and any leading batch axes; frames come
back as ``(..., n_frames, frame_length)`` views where no padding is needed.
"""

import warnings

import numpy as np
import scipy.signal

from ..exceptions import AudioValueError, DegradedResultWarning

__all__ = ["frame", "frame_layout", "warn_short_rows", "window_array", "window_gain"]


def frame(x, frame_length, hop_length, *, pad=False, name="frame_length", signals="y"):
    """Frames of signals: frame ``t`` starts at sample ``t * hop_length``.

    Parameters
    ----------
    x : ndarray of shape (..., n_samples)
        Signals.
    frame_length : int
        Samples a frame.
    hop_length : int
        Samples between frame starts; the tail that does not fill a frame is
        dropped, so there are ``1 + (n_samples - frame_length) // hop_length``
        frames.
    pad : bool, default=False
        What signals shorter than one frame give: one frame, zero-padded at
        the end (``True``), or an error (``False``).
    name : str, default="frame_length"
        The frame length's parameter name, for the error message.
    signals : str, default="y"
        The signals' parameter name, for the error message.

    Returns
    -------
    frames : ndarray of shape (..., n_frames, frame_length)
        A read-only view of ``x``, or one padded frame.

    Raises
    ------
    AudioValueError
        If the signals are shorter than one frame and ``pad=False``.
    """
    n = x.shape[-1]
    if n < frame_length:
        if not pad:
            raise AudioValueError(
                f"{name}={frame_length} is too large for {signals}, signals of "
                f"length={n}: they need at least one frame of {name} samples."
            )
        padding = [(0, 0)] * (x.ndim - 1) + [(0, frame_length - n)]
        return np.pad(x, padding)[..., np.newaxis, :]
    windows = np.lib.stride_tricks.sliding_window_view(x, frame_length, axis=-1)
    return windows[..., ::hop_length, :]


def warn_short_rows(n_samples, frame_length, name):
    """Warn that rows shorter than a frame are zero-padded to one frame."""
    warnings.warn(
        f"Rows of {n_samples} samples are shorter than {name}={frame_length}; "
        "each is zero-padded to a single frame.",
        DegradedResultWarning,
        stacklevel=3,
    )


def window_array(window, frame_length, dtype):
    """Window samples of one frame, or None for the rectangular window.

    Parameters
    ----------
    window : None, str, tuple or array-like
        ``None`` (no window), a ``scipy.signal.get_window`` specification
        (periodic), or the window's samples.
    frame_length : int
        Samples a frame.
    dtype : dtype
        Floating type of the signals.

    Returns
    -------
    window : ndarray of shape (frame_length,) or None

    Raises
    ------
    ValueError
        If samples do not have the frame's shape or are not finite in
        ``dtype``.
    """
    if window is None:
        return None
    if isinstance(window, (str, tuple)):
        values = scipy.signal.get_window(window, frame_length, fftbins=True)
    else:
        values = np.asarray(window, dtype=np.float64)
        if values.shape != (frame_length,):
            raise ValueError(
                f"A window given as samples must have shape ({frame_length},), "
                f"one value a sample of a frame; got shape {values.shape}."
            )
    with np.errstate(over="ignore"):
        values = values.astype(dtype, copy=False)
    if not np.isfinite(values).all():
        raise ValueError(
            f"A window given as samples must be finite in {np.dtype(dtype)}; got "
            "NaN, infinite or too large values."
        )
    return values


def window_gain(window):
    """Largest magnitude of a window's samples; 1 for none.

    The factor by which windowing can raise a sample, which the overflow
    checks of :mod:`micfp.utils._validation` take as their ``gain``.
    """
    if window is None:
        return 1.0
    return float(np.abs(window).max(initial=1.0))


def frame_layout(owner, n_samples, *, sr, frame_duration, hop_duration):
    """Frame and hop lengths in samples, and the frames of clips, from seconds.

    Parameters
    ----------
    owner : str
        Name of the estimator, for the error message.
    n_samples : int
        Samples a clip.
    sr : float
        Sample rate in Hz.
    frame_duration, hop_duration : float
        Frame length and hop in seconds; each rounds to at least one sample.

    Returns
    -------
    frame_length, hop_length, n_frames : int

    Raises
    ------
    AudioValueError
        If the clips are shorter than one frame.
    """
    frame_length = max(1, round(frame_duration * sr))
    hop_length = max(1, round(hop_duration * sr))
    if n_samples < frame_length:
        raise AudioValueError(
            f"{owner} needs clips of at least one frame, frame_duration="
            f"{frame_duration:g} s = {frame_length} samples at sr={sr:g} Hz; X "
            f"holds clips of {n_samples} feature(s)."
        )
    return frame_length, hop_length, 1 + (n_samples - frame_length) // hop_length
