"""Cepstral coefficients of fixed-length clips: MFCC and LFCC.

The pure functions follow librosa's conventions (Slaney mel scale, filters
normalized to constant energy, power in dB with an 80 dB dynamic range, and an
orthonormal DCT-II), so that their output matches ``librosa.feature.mfcc`` with
``center=False``. Time is on the last axis of every array they return and any
leading axes are batch axes, so one call processes a whole batch of clips.
"""

import functools
import numbers
from typing import ClassVar

import numpy as np
import scipy.fft
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from micfp.exceptions import AudioValueError

from ..utils._chunking import map_row_chunks
from ..utils._framing import frame, window_array, window_gain
from ..utils._threads import single_blas_thread
from ..utils._validation import (
    check_clips,
    check_signals,
    needs_scaling,
    overflow_shift,
)

__all__ = [
    "MFCC",
    "cepstral_coefficients",
    "dct_matrix",
    "delta",
    "hz_to_mel",
    "linear_filterbank",
    "mel_filterbank",
    "mel_to_hz",
    "power_spectrogram",
    "power_to_db",
]

# Slaney's mel scale: linear below 1 kHz, logarithmic above.
_F_SP = 200.0 / 3.0
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


# --- frequency scales and filter banks ---------------------------------------


def hz_to_mel(frequencies, *, htk=False):
    """Convert frequencies in Hz to mels.

    Parameters
    ----------
    frequencies : float or array-like
        Frequencies in Hz.
    htk : bool, default=False
        Use the HTK formula ``2595 log10(1 + f / 700)`` instead of Slaney's
        scale (linear below 1 kHz, logarithmic above).

    Returns
    -------
    mels : ndarray
        The frequencies in mels, same shape as `frequencies`.

    See Also
    --------
    mel_to_hz : The inverse conversion.

    Examples
    --------
    >>> from micfp.features._cepstrum import hz_to_mel
    >>> hz_to_mel([0.0, 1000.0])
    array([ 0., 15.])
    """
    f = np.asarray(frequencies, dtype=float)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = f / _F_SP
    log_part = f >= _MIN_LOG_HZ
    safe = np.where(log_part, f, _MIN_LOG_HZ)
    return np.where(
        log_part, _MIN_LOG_MEL + np.log(safe / _MIN_LOG_HZ) / _LOGSTEP, mels
    )


def mel_to_hz(mels, *, htk=False):
    """Convert mels to frequencies in Hz.

    Parameters
    ----------
    mels : float or array-like
        Mel values.
    htk : bool, default=False
        Use the HTK formula instead of Slaney's scale.

    Returns
    -------
    frequencies : ndarray
        Frequencies in Hz, same shape as `mels`.

    See Also
    --------
    hz_to_mel : The inverse conversion.

    Examples
    --------
    >>> from micfp.features._cepstrum import mel_to_hz
    >>> mel_to_hz([0.0, 15.0])
    array([   0., 1000.])
    """
    m = np.asarray(mels, dtype=float)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = _F_SP * m
    return np.where(
        m >= _MIN_LOG_MEL,
        _MIN_LOG_HZ * np.exp(_LOGSTEP * (m - _MIN_LOG_MEL)),
        freqs,
    )


def _triangular_filters(edges, fft_freqs, norm):
    # edges holds n_filters + 2 corner frequencies in Hz; filter i rises from
    # edges[i] to edges[i + 1] and falls to edges[i + 2].
    widths = np.diff(edges)
    ramps = edges[:, np.newaxis] - fft_freqs[np.newaxis, :]
    lower = -ramps[:-2] / widths[:-1, np.newaxis]
    upper = ramps[2:] / widths[1:, np.newaxis]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (edges[2:] - edges[:-2]))[:, np.newaxis]
    return weights


def _check_band(sr, fmin, fmax):
    fmax = sr / 2.0 if fmax is None else float(fmax)
    if not 0.0 <= fmin < fmax <= sr / 2.0:
        raise ValueError(
            f"Need 0 <= fmin < fmax <= sr / 2 = {sr / 2.0:g} Hz; "
            f"got fmin={fmin!r}, fmax={fmax!r}."
        )
    return float(fmin), fmax


def mel_filterbank(
    *, sr, n_fft, n_mels=40, fmin=0.0, fmax=None, htk=False, norm="slaney"
):
    """Triangular filters equally spaced on the mel scale.

    Parameters
    ----------
    sr : float
        Sample rate in Hz.
    n_fft : int
        FFT length; the filters act on its ``n_fft // 2 + 1`` bins.
    n_mels : int, default=40
        Number of filters.
    fmin, fmax : float, default=0.0 and None
        Lowest and highest frequency in Hz; ``fmax=None`` means ``sr / 2``.
    htk : bool, default=False
        Use the HTK mel formula instead of Slaney's.
    norm : {"slaney", None}, default="slaney"
        ``"slaney"`` scales each filter by ``2 / bandwidth`` so that all filters
        carry the same energy; ``None`` keeps unit peaks.

    Returns
    -------
    weights : ndarray of shape (n_mels, n_fft // 2 + 1)
        The filter bank, float64.

    See Also
    --------
    linear_filterbank : The same filters equally spaced in Hz.

    Examples
    --------
    >>> from micfp.features._cepstrum import mel_filterbank
    >>> mel_filterbank(sr=16000, n_fft=512, n_mels=40).shape
    (40, 257)
    """
    fmin, fmax = _check_band(sr, fmin, fmax)
    mels = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels + 2)
    edges = mel_to_hz(mels, htk=htk)
    return _triangular_filters(edges, np.fft.rfftfreq(n_fft, 1.0 / sr), norm)


def linear_filterbank(*, sr, n_fft, n_filters=40, fmin=0.0, fmax=None, norm="slaney"):
    """Triangular filters equally spaced in Hz, for linear-frequency cepstra.

    Linear spacing keeps the resolution of the high bands, where much of a
    microphone's trace lies, instead of merging them as the mel scale does.

    Parameters
    ----------
    sr : float
        Sample rate in Hz.
    n_fft : int
        FFT length; the filters act on its ``n_fft // 2 + 1`` bins.
    n_filters : int, default=40
        Number of filters.
    fmin, fmax : float, default=0.0 and None
        Lowest and highest frequency in Hz; ``fmax=None`` means ``sr / 2``.
    norm : {"slaney", None}, default="slaney"
        ``"slaney"`` scales each filter by ``2 / bandwidth``; ``None`` keeps
        unit peaks.

    Returns
    -------
    weights : ndarray of shape (n_filters, n_fft // 2 + 1)
        The filter bank, float64.

    See Also
    --------
    mel_filterbank : Filters equally spaced on the mel scale.

    Examples
    --------
    >>> from micfp.features._cepstrum import linear_filterbank
    >>> fb = linear_filterbank(sr=8000, n_fft=256, n_filters=20, norm=None)
    >>> fb.shape, float(fb.max())
    ((20, 129), 1.0)
    """
    fmin, fmax = _check_band(sr, fmin, fmax)
    edges = np.linspace(fmin, fmax, n_filters + 2)
    return _triangular_filters(edges, np.fft.rfftfreq(n_fft, 1.0 / sr), norm)


# --- spectra, decibels, DCT and deltas ---------------------------------------


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
    >>> from micfp.features._cepstrum import power_spectrogram
    >>> power_spectrogram(np.ones((3, 1000)), n_fft=400, hop_length=200).shape
    (3, 201, 4)
    """
    y = np.asarray(y)
    frame(y, n_fft, hop_length, name="n_fft")
    dtype = np.float32 if y.dtype == np.float32 else np.float64
    win = window_array(window, n_fft, dtype)
    if win is None:
        win = np.ones(n_fft, dtype=dtype)
    return np.swapaxes(_frame_power(y, n_fft, hop_length, win), -1, -2)


def _frame_power(y, n_fft, hop_length, win):
    """Power spectra of the windowed frames, frame-major: (..., n_frames, n_bins)."""
    frames = frame(y, n_fft, hop_length, name="n_fft") * win
    spectrum = scipy.fft.rfft(frames, axis=-1, overwrite_x=True)
    # Squares of the interleaved real and imaginary parts, in place, then
    # their pairwise sums.
    parts = spectrum.view(win.dtype)
    np.square(parts, out=parts)
    return np.add(parts[..., ::2], parts[..., 1::2])


@functools.lru_cache(maxsize=16)
def _cached_projections(scale, sr, n_fft, n_filters, n_ceps, fmin, fmax, lifter, dtype):
    """Filter bank (n_bins, n_filters) and liftered DCT (n_filters, n_ceps)."""
    bank = _filterbank(scale, sr, n_fft, n_filters, fmin, fmax)
    basis = dct_matrix(n_filters, n_ceps)
    if lifter > 0:
        k = np.arange(1, n_ceps + 1)
        basis *= (1.0 + 0.5 * lifter * np.sin(np.pi * k / lifter))[:, np.newaxis]
    bank = np.ascontiguousarray(bank.T, dtype=dtype)
    basis = np.ascontiguousarray(basis.T, dtype=dtype)
    bank.flags.writeable = basis.flags.writeable = False
    return bank, basis


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
    >>> from micfp.features._cepstrum import power_to_db
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
    >>> from micfp.features._cepstrum import dct_matrix
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
    >>> from micfp.features._cepstrum import delta
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


def cepstral_coefficients(
    y,
    *,
    sr,
    n_ceps=13,
    n_filters=40,
    n_fft=2048,
    hop_length=512,
    window="hann",
    fmin=0.0,
    fmax=None,
    scale="mel",
    lifter=0,
    top_db=80.0,
):
    """Cepstral coefficients of signals: MFCC, or LFCC on a linear scale.

    Power spectrogram, triangular filter bank, power in dB, orthonormal
    DCT-II, optional sine liftering. With ``scale="mel"`` this equals
    ``librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_ceps, n_mels=n_filters,
    n_fft=n_fft, hop_length=hop_length, center=False)`` for one signal.

    Parameters
    ----------
    y : ndarray of shape (..., n_samples)
        Signals, time on the last axis; float32 stays float32.
    sr : float
        Sample rate in Hz.
    n_ceps : int, default=13
        Number of coefficients kept, at most `n_filters`.
    n_filters : int, default=40
        Number of triangular filters.
    n_fft : int, default=2048
        Frame and FFT length in samples.
    hop_length : int, default=512
        Samples between frame starts.
    window : str, tuple or ndarray, default="hann"
        Analysis window applied to each frame before its FFT.
    fmin, fmax : float, default=0.0 and None
        Band covered by the filters; ``fmax=None`` means ``sr / 2``.
    scale : {"mel", "linear"}, default="mel"
        Filter spacing: mel (MFCC) or linear in Hz (LFCC).
    lifter : float, default=0
        Sine liftering ``1 + (L / 2) sin(pi k / L)`` for ``k = 1..n_ceps``
        when positive, as librosa applies it.
    top_db : float or None, default=80.0
        Dynamic range kept per signal.

    Returns
    -------
    ceps : ndarray of shape (..., n_ceps, n_frames)
        The cepstral coefficients.

    Raises
    ------
    ValueError
        For invalid parameters.
    AudioValueError
        If ``y`` does not hold real numbers (for objects that are not
        numbers, the error is a :class:`TypeError` as well), has no samples,
        holds NaN or infinite samples, or is shorter than ``n_fft``.

    See Also
    --------
    MFCC : The same as a scikit-learn transformer.

    Notes
    -----
    Digital silence: a frame of zeros has no power, which the floor of
    ``10 log10(1e-10) = -100`` dB replaces in every band, whatever `top_db`;
    the orthonormal DCT of that constant is ``-100 sqrt(n_filters)`` in the
    first coefficient (times its lifter weight) and 0 in all others, up to
    rounding. The deltas of silence, and its coefficients after cepstral mean
    normalization, are 0.

    Huge samples: rows whose samples exceed ``2 ** 256`` (``2 ** 32`` in
    float32) are transformed scaled by ``2 ** -k``, and ``20 log10(2 ** k)``
    dB added back to every band before the floor and the DCT: the
    coefficients are those of the unscaled row, and finite.

    References
    ----------
    .. [1] S. Davis and P. Mermelstein, "Comparison of parametric
       representations for monosyllabic word recognition in continuously
       spoken sentences", IEEE Trans. ASSP 28(4), 1980.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features._cepstrum import cepstral_coefficients
    >>> y = np.random.default_rng(0).standard_normal((2, 8000))
    >>> cepstral_coefficients(y, sr=16000, n_fft=480, hop_length=240).shape
    (2, 13, 32)
    """
    for name, value in (
        ("n_ceps", n_ceps),
        ("n_filters", n_filters),
        ("n_fft", n_fft),
        ("hop_length", hop_length),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(f"{name} must be a positive int; got {value!r}.")
        if value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}.")
    if not (isinstance(sr, numbers.Real) and 0 < sr < np.inf):
        raise ValueError(f"sr must be a positive, finite sample rate; got {sr!r}.")
    if n_ceps > n_filters:
        raise ValueError(
            f"n_ceps={n_ceps} cannot exceed the number of filters n_filters="
            f"{n_filters}."
        )
    if isinstance(window, np.ndarray) and (
        window.shape != (n_fft,) or not np.isfinite(window).all()
    ):
        raise ValueError(
            f"A window given as samples must hold n_fft={n_fft} finite values; "
            f"got shape {window.shape}."
        )
    y, peak = check_signals(y, name="y", return_peak=True)
    window = window_array(window, n_fft, y.dtype)
    return np.swapaxes(
        _cepstra_by_frame(
            y,
            sr=sr,
            n_ceps=n_ceps,
            n_filters=n_filters,
            n_fft=n_fft,
            hop_length=hop_length,
            window=window,
            fmin=fmin,
            fmax=fmax,
            scale=scale,
            lifter=lifter,
            top_db=top_db,
            check_overflow=needs_scaling(peak, y.dtype, gain=window_gain(window)),
        ),
        -1,
        -2,
    )


def _cepstra_by_frame(
    y,
    *,
    sr,
    n_ceps,
    n_filters,
    n_fft,
    hop_length,
    window,
    fmin,
    fmax,
    scale,
    lifter,
    top_db,
    check_overflow=True,
):
    # Rows with huge samples are scaled by 2 ** -shift so that their power
    # stays finite; 20 log10(2 ** shift) dB restores their level below.
    # check_overflow=False: the caller knows that no row needs it.
    shift = overflow_shift(y, gain=window_gain(window)) if check_overflow else None
    if shift is not None:
        y = np.ldexp(y, -shift)
    # Frame-major layout (..., n_frames, n_values) keeps every product a
    # single contiguous matrix product.
    power = power_spectrogram(y, n_fft=n_fft, hop_length=hop_length, window=window)
    power = np.swapaxes(power, -1, -2)
    bank, basis = _cached_projections(
        scale, sr, n_fft, n_filters, n_ceps, fmin, fmax, lifter, power.dtype
    )
    lead = power.shape[:-1]
    banded = power.reshape(-1, power.shape[-1]) @ bank
    banded = banded.reshape(*lead, n_filters)
    if shift is None:
        banded = power_to_db(banded, top_db=top_db)
    else:
        banded = _shifted_power_to_db(banded, shift[..., np.newaxis], top_db=top_db)
    ceps = banded.reshape(-1, n_filters) @ basis
    return ceps.reshape(*lead, n_ceps)


def _filterbank(scale, sr, n_fft, n_filters, fmin, fmax):
    if scale == "mel":
        return mel_filterbank(
            sr=sr, n_fft=n_fft, n_mels=n_filters, fmin=fmin, fmax=fmax
        )
    return linear_filterbank(
        sr=sr, n_fft=n_fft, n_filters=n_filters, fmin=fmin, fmax=fmax
    )


# --- the transformer ----------------------------------------------------------


def _frame_features(
    X,
    *,
    sr,
    n_ceps,
    n_filters,
    n_fft,
    hop_length,
    window,
    fmin,
    fmax,
    scale,
    lifter,
    top_db,
    deltas,
    delta_width,
    cmn,
    check_overflow=True,
):
    """Cepstra with deltas, shape (n_clips, n_frames, frame_width)."""
    ceps = _cepstra_by_frame(
        X,
        sr=sr,
        n_ceps=n_ceps,
        n_filters=n_filters,
        n_fft=n_fft,
        hop_length=hop_length,
        window=window,
        fmin=fmin,
        fmax=fmax,
        scale=scale,
        lifter=lifter,
        top_db=top_db,
        check_overflow=check_overflow,
    )
    if cmn:
        ceps -= ceps.mean(axis=-2, keepdims=True)
    if deltas == 0:
        return ceps
    blocks = [ceps, delta(ceps, width=delta_width, order=1, axis=-2)]
    if deltas == 2:
        blocks.append(delta(ceps, width=delta_width, order=2, axis=-2))
    return np.concatenate(blocks, axis=-1)


def _summarize(frames, output):
    if output == "frames":
        return frames.reshape(frames.shape[0], -1)
    if output == "mean":
        return frames.mean(axis=1)
    return np.concatenate([frames.mean(axis=1), frames.std(axis=1)], axis=1)


class MFCC(TransformerMixin, BaseEstimator):
    """Mel-frequency (or linear-frequency) cepstral coefficients of clips.

    Each row of ``X`` is one clip. Frames of `frame_length` seconds every
    `hop_length` seconds (no centering, so only whole frames inside the clip)
    give `n_mfcc` coefficients each, optionally with their first and second
    regression deltas. The defaults follow librosa: Slaney mel scale and filter
    normalization, power in dB with a floor of 1e-10 and 80 dB kept per clip,
    orthonormal DCT-II, a periodic Hann window.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    n_mfcc : int, default=13
        Cepstral coefficients a frame, at most `n_mels`.
    n_mels : int, default=40
        Triangular filters in the bank (mel-spaced, or linear with
        ``scale="linear"``).
    frame_length : float, default=0.03
        Frame length in seconds; ``round(frame_length * sr)`` samples, which is
        also the FFT length.
    hop_length : float, default=0.015
        Seconds between frame starts; ``round(hop_length * sr)`` samples.
    window : str, default="hann"
        Window name for :func:`scipy.signal.get_window`.
    fmin : float, default=0.0
        Lowest filter frequency in Hz.
    fmax : float or None, default=None
        Highest filter frequency in Hz; ``None`` means ``sr / 2``.
    lifter : float, default=0
        Sine liftering coefficient; 0 turns it off.
    deltas : {0, 1, 2}, default=0
        0 keeps the static coefficients; 1 adds their deltas; 2 adds deltas
        and delta-deltas (``3 * n_mfcc`` values a frame).
    delta_width : int, default=2
        Frames on each side of the delta regression window.
    cmn : bool, default=False
        Cepstral mean normalization: subtract each clip's mean of every static
        coefficient over its frames, which removes a fixed channel's log
        spectrum. Do not combine with ``output="mean"``, which it zeroes.
    scale : {"mel", "linear"}, default="mel"
        ``"linear"`` gives linear-frequency cepstral coefficients (LFCC).
    top_db : float or None, default=80.0
        Dynamic range in dB kept per clip; ``None`` keeps all of it.
    output : {"frames", "stats", "mean"}, default="frames"
        ``"frames"``: every frame's values, frame-major (all values of frame 0,
        then frame 1, ...), ``n_frames_ * frame_width_`` columns;
        ``"stats"``: mean then standard deviation of each value over the
        frames; ``"mean"``: the means only.
    n_jobs : int or None, default=None
        Threads over chunks of clips (joblib); ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context.

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in `fit`.
    n_fft_ : int
        Frame length in samples.
    hop_length_ : int
        Hop in samples.
    n_frames_ : int
        Frames per clip.
    frame_width_ : int
        Values per frame, ``n_mfcc * (1 + deltas)``.

    See Also
    --------
    cepstral_coefficients : The pure function behind it.
    FrameStatistics : Zero-crossing rate and RMS per frame.
    micfp.mixture.GaussianSupervector : Takes the ``"frames"`` output.

    Notes
    -----
    Input: ``X`` must be 2-D, one clip a row, of real numbers; integers,
    booleans, float16 and numbers in an object array become float64, float32
    stays float32. Complex data, arrays that are not 2-D, empty arrays, NaN
    and infinite samples, and clips shorter than one frame raise
    :class:`~micfp.exceptions.AudioValueError`.

    Digital silence: a frame of zeros has no power, which the floor of
    ``10 log10(1e-10) = -100`` dB replaces in every band, whatever `top_db`;
    the orthonormal DCT of that constant is ``-100 sqrt(n_filters)`` in the
    first coefficient (times its lifter weight) and 0 in all others, up to
    rounding. The deltas of silence, and its coefficients after cepstral mean
    normalization, are 0.

    Huge samples: rows whose samples exceed ``2 ** 256`` (``2 ** 32`` in
    float32) are transformed scaled by ``2 ** -k``, and ``20 log10(2 ** k)``
    dB added back to every band before the floor and the DCT: the
    coefficients are those of the unscaled row, and finite.

    References
    ----------
    .. [1] S. Davis and P. Mermelstein, "Comparison of parametric
       representations for monosyllabic word recognition in continuously
       spoken sentences", IEEE Trans. ASSP 28(4), 1980.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features._cepstrum import MFCC
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(4, 16000))
    >>> mfcc = MFCC(sr=16000, deltas=2).fit(X)
    >>> mfcc.n_frames_, mfcc.frame_width_
    (65, 39)
    >>> mfcc.transform(X).shape
    (4, 2535)
    >>> MFCC(sr=16000, output="stats").fit_transform(X).shape
    (4, 26)
    """

    _parameter_constraints: ClassVar[dict] = {
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_mfcc": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_mels": [Interval(numbers.Integral, 1, None, closed="left")],
        "frame_length": [Interval(numbers.Real, 0, None, closed="neither")],
        "hop_length": [Interval(numbers.Real, 0, None, closed="neither")],
        "window": [str],
        "fmin": [Interval(numbers.Real, 0, None, closed="left")],
        "fmax": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "lifter": [Interval(numbers.Real, 0, None, closed="left")],
        "deltas": [Interval(numbers.Integral, 0, 2, closed="both")],
        "delta_width": [Interval(numbers.Integral, 1, None, closed="left")],
        "cmn": ["boolean"],
        "scale": [StrOptions({"mel", "linear"})],
        "top_db": [Interval(numbers.Real, 0, None, closed="left"), None],
        "output": [StrOptions({"frames", "stats", "mean"})],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        sr=44100,
        *,
        n_mfcc=13,
        n_mels=40,
        frame_length=0.03,
        hop_length=0.015,
        window="hann",
        fmin=0.0,
        fmax=None,
        lifter=0,
        deltas=0,
        delta_width=2,
        cmn=False,
        scale="mel",
        top_db=80.0,
        output="frames",
        n_jobs=None,
    ):
        self.sr = sr
        self.n_mfcc = n_mfcc
        self.n_mels = n_mels
        self.frame_length = frame_length
        self.hop_length = hop_length
        self.window = window
        self.fmin = fmin
        self.fmax = fmax
        self.lifter = lifter
        self.deltas = deltas
        self.delta_width = delta_width
        self.cmn = cmn
        self.scale = scale
        self.top_db = top_db
        self.output = output
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and fix the frame layout for clips like `X`.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Clips, one a row.
        y : None
            Ignored.

        Returns
        -------
        self : MFCC
            The fitted transformer.
        """
        X = check_clips(self, X, reset=True)
        if self.n_mfcc > self.n_mels:
            raise ValueError(
                f"n_mfcc={self.n_mfcc} cannot exceed n_mels={self.n_mels}."
            )
        _check_band(self.sr, self.fmin, self.fmax)
        self.n_fft_ = max(1, round(self.frame_length * self.sr))
        self.hop_length_ = max(1, round(self.hop_length * self.sr))
        n_samples = X.shape[1]
        if n_samples < self.n_fft_:
            raise AudioValueError(
                f"MFCC needs clips of at least one frame, frame_length="
                f"{self.frame_length:g} s = {self.n_fft_} samples at sr="
                f"{self.sr:g} Hz; X holds clips of {n_samples} feature(s)."
            )
        self.n_frames_ = 1 + (n_samples - self.n_fft_) // self.hop_length_
        self.frame_width_ = self.n_mfcc * (1 + self.deltas)
        return self

    def transform(self, X):
        """Compute the cepstral features of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Clips with as many samples as in `fit`.

        Returns
        -------
        features : ndarray of shape (n_clips, n_features_out)
            ``n_frames_ * frame_width_`` columns for ``output="frames"``,
            ``2 * frame_width_`` for ``"stats"``, ``frame_width_`` for
            ``"mean"``; float32 input gives float32.
        """
        check_is_fitted(self)
        X, peak = check_clips(self, X, reset=False, return_peak=True)
        settings = {
            "sr": self.sr,
            "n_ceps": self.n_mfcc,
            "n_filters": self.n_mels,
            "n_fft": self.n_fft_,
            "hop_length": self.hop_length_,
            "window": window_array(self.window, self.n_fft_, X.dtype),
            "fmin": self.fmin,
            "fmax": self.fmax,
            "scale": self.scale,
            "lifter": self.lifter,
            "top_db": self.top_db,
            "deltas": self.deltas,
            "delta_width": self.delta_width,
            "cmn": self.cmn,
            "check_overflow": needs_scaling(peak, X.dtype),
        }
        n_out = {"frames": self.n_frames_, "stats": 2, "mean": 1}[self.output]
        out = np.empty((X.shape[0], n_out * self.frame_width_), dtype=X.dtype)

        def run(chunk):
            return _summarize(_frame_features(chunk, **settings), self.output)

        # Framed samples, their spectra and their powers, per clip.
        row_bytes = 3 * self.n_frames_ * self.n_fft_ * X.itemsize
        # A chunk's products are small: more BLAS threads would mostly wait.
        with single_blas_thread():
            return map_row_chunks(
                run, X, out=out, n_jobs=self.n_jobs, row_bytes=row_bytes
            )

    def _value_names(self):
        prefix = "mfcc" if self.scale == "mel" else "lfcc"
        kinds = ["", "d_", "dd_"][: 1 + self.deltas]
        return [f"{kind}{prefix}{k}" for kind in kinds for k in range(self.n_mfcc)]

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : None
            Ignored; the names depend on the layout only.

        Returns
        -------
        names : ndarray of str
            ``"f{t}_mfcc{k}"``, ``"f{t}_d_mfcc{k}"`` (delta), ``"f{t}_dd_mfcc{k}"``
            for frame ``t`` with ``output="frames"``; ``"mean_mfcc{k}"``,
            ``"std_mfcc{k}"``, ... otherwise (``lfcc`` with a linear scale).
        """
        check_is_fitted(self)
        values = self._value_names()
        if self.output == "frames":
            names = [f"f{t}_{v}" for t in range(self.n_frames_) for v in values]
        elif self.output == "mean":
            names = [f"mean_{v}" for v in values]
        else:
            names = [f"{stat}_{v}" for stat in ("mean", "std") for v in values]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
