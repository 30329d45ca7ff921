"""Spectral primitives of cepstra: power spectrogram, decibels, DCT, deltas.

Time is on the last axis of the signals and any leading axes are batch axes.
"""

from numbers import Integral, Real

import numpy as np
import scipy.fft
from sklearn.utils._param_validation import Interval, validate_params

from ..utils._framing import frame, window_array

__all__ = ["dct_matrix", "delta", "power_spectrogram", "power_to_db"]

_POSITIVE_INT = Interval(Integral, 1, None, closed="left")


@validate_params(
    {
        "y": ["array-like"],
        "n_fft": [_POSITIVE_INT],
        "hop_length": [_POSITIVE_INT],
        "window": [None, str, tuple, "array-like"],
    },
    prefer_skip_nested_validation=True,
)
def power_spectrogram(y, *, n_fft, hop_length, window="hann"):
    """Power spectrogram of uncentered frames, time on the last axis.

    Frame ``t`` covers samples ``t * hop_length`` to ``t * hop_length + n_fft``
    (librosa's ``center=False``); a signal of ``n`` samples gives
    ``1 + (n - n_fft) // hop_length`` frames.

    Parameters
    ----------
    y : ndarray of shape (..., n_samples)
        Real signals; float32 stays float32.
    n_fft : int
        Frame and FFT length in samples.
    hop_length : int
        Samples between the starts of consecutive frames.
    window : None, str, tuple or array-like of shape (n_fft,), default="hann"
        Window, as :func:`scipy.signal.get_window` takes it (periodic), its
        samples, or ``None`` for none.

    Returns
    -------
    power : ndarray of shape (..., n_fft // 2 + 1, n_frames)
        Squared magnitudes of the windowed frames' spectra.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import power_spectrogram
    >>> power_spectrogram(np.ones((3, 1000)), n_fft=400, hop_length=200).shape
    (3, 201, 4)
    """
    y = np.asarray(y)
    frame(y, n_fft, hop_length, name="n_fft")
    dtype = np.float32 if y.dtype == np.float32 else np.float64
    win = window_array(window, n_fft, dtype)
    if win is None:
        win = np.ones(n_fft, dtype=dtype)
    return np.swapaxes(frame_power(y, n_fft, hop_length, win), -1, -2)


def frame_power(y, length, hop_length, window=None, bins=None, *, name="n_fft"):
    """Power spectra of the windowed frames of signals, frame-major.

    Parameters
    ----------
    y : ndarray of shape (..., n_samples)
        Real signals of at least one frame.
    length : int
        Frame and FFT length in samples.
    hop_length : int
        Samples between frame starts.
    window : ndarray of shape (length,) or (n_windows, length), optional
        Window of a frame, or several (tapers), each applied to every frame;
        ``None`` is the rectangular window.
    bins : slice, optional
        The ``rfft`` bins kept; all by default.
    name : str, default="n_fft"
        The frame length's parameter name, for the error message.

    Returns
    -------
    power : ndarray of shape (..., n_frames * n_windows, n_bins)
        ``|rfft|²`` of each windowed frame (windows vary fastest), in the
        floating type of ``y``.
    """
    frames = frame(y, length, hop_length, name=name)
    if window is not None and window.ndim == 2:
        frames = frames[..., np.newaxis, :] * window
        frames = frames.reshape(*frames.shape[:-3], -1, length)
    elif window is not None:
        frames = frames * window
    spectrum = scipy.fft.rfft(frames, axis=-1, overwrite_x=window is not None)
    if bins is not None:
        spectrum = spectrum[..., bins]
    # Squares of the interleaved real and imaginary parts, in place, then
    # their pairwise sums.
    parts = spectrum.view(spectrum.real.dtype)
    np.square(parts, out=parts)
    return np.add(parts[..., ::2], parts[..., 1::2])


@validate_params(
    {
        "S": ["array-like"],
        "amin": [Interval(Real, 0, None, closed="neither")],
        "top_db": [Interval(Real, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def power_to_db(S, *, amin=1e-10, top_db=80.0):
    """Convert power to decibels, clipping each item to a dynamic range.

    ``10 log10(max(S, amin))``, then values more than `top_db` below the
    maximum of the same item (the last two axes) are raised to that level.
    librosa's ``power_to_db`` clips against the maximum of the whole array
    instead; the two agree on a single item.

    Parameters
    ----------
    S : ndarray of shape (..., n_bands, n_frames)
        Power values.
    amin : float, default=1e-10
        Floor applied before the logarithm.
    top_db : float or None, default=80.0
        Dynamic range kept per item; ``None`` keeps everything.

    Returns
    -------
    S_db : ndarray, same shape and float dtype as `S`
        Power in dB.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import power_to_db
    >>> power_to_db(np.array([[1.0, 1e-3, 0.0]]), top_db=50.0)
    array([[  0., -30., -50.]])
    """
    S = np.asarray(S)
    log_spec = np.log10(np.maximum(S, S.dtype.type(amin)))
    log_spec *= 10.0
    if top_db is not None:
        peak = log_spec.max(axis=(-2, -1), keepdims=True)
        np.maximum(log_spec, peak - top_db, out=log_spec)
    return log_spec


def _shifted_power_to_db(S, shift, *, amin=1e-10, top_db=80.0):
    """:func:`power_to_db` of the power ``S * 4 ** shift``, without forming it.

    ``S`` is the power of signals scaled by ``2 ** -shift``; the floor `amin`
    applies to the unscaled power, in dB, where it cannot underflow.
    """
    with np.errstate(divide="ignore"):
        log_spec = np.log10(S)
    log_spec *= 10.0
    log_spec += (20.0 * np.log10(2.0) * shift).astype(log_spec.dtype)
    np.maximum(log_spec, log_spec.dtype.type(10.0 * np.log10(amin)), out=log_spec)
    if top_db is not None:
        peak = log_spec.max(axis=(-2, -1), keepdims=True)
        np.maximum(log_spec, peak - top_db, out=log_spec)
    return log_spec


@validate_params(
    {"n_input": [_POSITIVE_INT], "n_output": [_POSITIVE_INT, None]},
    prefer_skip_nested_validation=True,
)
def dct_matrix(n_input, n_output=None):
    """Orthonormal DCT-II as a matrix.

    ``dct_matrix(n, k) @ x`` equals ``scipy.fft.dct(x, type=2, norm="ortho")``
    truncated to its first ``k`` values, at the cost of one small matrix
    product per frame when few coefficients are kept.

    Parameters
    ----------
    n_input : int
        Length of the transformed vectors.
    n_output : int or None, default=None
        Number of coefficients kept; ``None`` keeps `n_input`.

    Returns
    -------
    basis : ndarray of shape (n_output, n_input)
        Rows are the DCT-II basis vectors, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import dct_matrix
    >>> D = dct_matrix(8)
    >>> bool(np.allclose(D @ D.T, np.eye(8)))
    True
    """
    n_output = n_input if n_output is None else n_output
    k = np.arange(n_output)[:, np.newaxis]
    n = np.arange(n_input)[np.newaxis, :]
    basis = np.cos(np.pi * k * (2 * n + 1) / (2.0 * n_input))
    basis *= np.sqrt(2.0 / n_input)
    basis[0] /= np.sqrt(2.0)
    return basis


@validate_params(
    {
        "C": ["array-like"],
        "width": [_POSITIVE_INT],
        "order": [_POSITIVE_INT],
        "axis": [Integral],
    },
    prefer_skip_nested_validation=True,
)
def delta(C, *, width=2, order=1, axis=-1):
    """Regression deltas of features over time.

    ``d_t = sum_{n=1}^{N} n (c_{t+n} - c_{t-n}) / (2 sum_{n=1}^{N} n^2)`` with
    ``N = width`` and the first and last frames repeated at the edges (the
    HTK formula). ``order=2`` applies it twice (acceleration).

    Parameters
    ----------
    C : ndarray of shape (..., n_frames)
        Features with time on `axis`.
    width : int, default=2
        Frames on each side of the regression window.
    order : int, default=1
        How many times to differentiate.
    axis : int, default=-1
        The time axis.

    Returns
    -------
    deltas : ndarray, same shape as `C`
        The deltas of the given order.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import delta
    >>> delta(np.arange(8.0), width=2)
    array([0.5, 0.8, 1. , 1. , 1. , 1. , 0.8, 0.5])
    """
    C = np.moveaxis(np.asarray(C), axis, -1)
    n_frames = C.shape[-1]
    norm = 2.0 * sum(n * n for n in range(1, width + 1))
    for _ in range(order):
        padded = np.concatenate(
            [
                np.repeat(C[..., :1], width, axis=-1),
                C,
                np.repeat(C[..., -1:], width, axis=-1),
            ],
            axis=-1,
        )
        out = np.zeros_like(C)
        for n in range(1, width + 1):
            out += n * (
                padded[..., width + n : width + n + n_frames]
                - padded[..., width - n : width - n + n_frames]
            )
        C = out / C.dtype.type(norm)
    return np.moveaxis(C, -1, axis)
