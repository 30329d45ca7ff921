"""Cepstral coefficients of fixed-length clips: MFCC and LFCC.

Power spectrogram, filter bank, power in dB and orthonormal DCT-II following
librosa's conventions, so that the output matches ``librosa.feature.mfcc``
with ``center=False``. Time is on the last axis of every array the functions
return and any leading axes are batch axes, so one call processes a whole
batch of clips.
"""

import functools
import numbers
from typing import ClassVar

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils._base import BaseClipTransformer
from ..utils._docstring import Substitution
from ..utils._framing import frame_layout, window_array, window_gain
from ..utils._validation import check_signals, needs_scaling, overflow_shift
from ._filterbank import _check_band, _filterbank
from ._frame_stats import frame_feature_names, frame_names_doc
from ._spectral import (
    _shifted_power_to_db,
    dct_matrix,
    delta,
    power_spectrogram,
    power_to_db,
)
from ._spectrum import CLIP_SECTIONS, FRAME_ATTRIBUTES

__all__ = ["MFCC", "cepstral_coefficients"]


@functools.lru_cache(maxsize=16)
def _cached_projections(
    scale, sr, n_fft, n_filters, n_coefficients, fmin, fmax, lifter, dtype
):
    """Filter bank (n_bins, n_filters) and liftered DCT (n_filters, n_coefficients)."""
    bank = _filterbank(scale, sr, n_fft, n_filters, fmin, fmax)
    basis = dct_matrix(n_filters, n_coefficients)
    if lifter > 0:
        k = np.arange(1, n_coefficients + 1)
        basis *= (1.0 + 0.5 * lifter * np.sin(np.pi * k / lifter))[:, np.newaxis]
    bank = np.ascontiguousarray(bank.T, dtype=dtype)
    basis = np.ascontiguousarray(basis.T, dtype=dtype)
    bank.flags.writeable = basis.flags.writeable = False
    return bank, basis


# What cepstral_coefficients and MFCC accept.
CEPSTRUM_CONSTRAINTS = {
    "sr": [Interval(numbers.Real, 0, np.inf, closed="neither")],
    "n_coefficients": [Interval(numbers.Integral, 1, None, closed="left")],
    "n_filters": [Interval(numbers.Integral, 1, None, closed="left")],
    "fmin": [Interval(numbers.Real, 0, None, closed="left")],
    "fmax": [Interval(numbers.Real, 0, None, closed="neither"), None],
    "scale": [StrOptions({"mel", "linear"})],
    "lifter": [Interval(numbers.Real, 0, None, closed="left")],
    "top_db": [Interval(numbers.Real, 0, None, closed="left"), None],
}


def _check_coefficients(n_coefficients, n_filters):
    if n_coefficients > n_filters:
        raise ValueError(
            f"n_coefficients={n_coefficients} cannot exceed the number of "
            f"filters n_filters={n_filters}."
        )


_CEPSTRUM_NOTES = """
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
"""


@Substitution(
    cepstrum_notes=_CEPSTRUM_NOTES,
)
@validate_params(
    {
        "y": "no_validation",
        **CEPSTRUM_CONSTRAINTS,
        "n_fft": [Interval(numbers.Integral, 1, None, closed="left")],
        "hop_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "window": [None, str, tuple, "array-like"],
    },
    prefer_skip_nested_validation=True,
)
def cepstral_coefficients(
    y,
    *,
    sr,
    n_coefficients=13,
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
    ``librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_coefficients, n_mels=n_filters,
    n_fft=n_fft, hop_length=hop_length, center=False)`` for one signal.

    Parameters
    ----------
    y : ndarray of shape (..., n_samples)
        Signals, time on the last axis; float32 stays float32.
    sr : float
        Sample rate in Hz.
    n_coefficients : int, default=13
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
        Sine liftering ``1 + (L / 2) sin(pi k / L)`` for ``k = 1..n_coefficients``
        when positive, as librosa applies it.
    top_db : float or None, default=80.0
        Dynamic range kept per signal.

    Returns
    -------
    ceps : ndarray of shape (..., n_coefficients, n_frames)
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
    {cepstrum_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import cepstral_coefficients
    >>> y = np.random.default_rng(0).standard_normal((2, 8000))
    >>> cepstral_coefficients(y, sr=16000, n_fft=480, hop_length=240).shape
    (2, 13, 32)
    """
    _check_coefficients(n_coefficients, n_filters)
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
            n_coefficients=n_coefficients,
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
    n_coefficients,
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
        scale, sr, n_fft, n_filters, n_coefficients, fmin, fmax, lifter, power.dtype
    )
    lead = power.shape[:-1]
    banded = power.reshape(-1, power.shape[-1]) @ bank
    banded = banded.reshape(*lead, n_filters)
    if shift is None:
        banded = power_to_db(banded, top_db=top_db)
    else:
        banded = _shifted_power_to_db(banded, shift[..., np.newaxis], top_db=top_db)
    ceps = banded.reshape(-1, n_filters) @ basis
    return ceps.reshape(*lead, n_coefficients)


# --- the transformer ----------------------------------------------------------


def _frame_features(X, *, deltas, delta_width, cmn, **settings):
    """Cepstra with deltas, shape (n_clips, n_frames, frame_width).

    ``settings`` are the keyword arguments of :func:`_cepstra_by_frame`.
    """
    ceps = _cepstra_by_frame(X, **settings)
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


@Substitution(
    **CLIP_SECTIONS, frame_attributes=FRAME_ATTRIBUTES, cepstrum_notes=_CEPSTRUM_NOTES
)
class MFCC(BaseClipTransformer):
    """Mel-frequency (or linear-frequency) cepstral coefficients of clips.

    Each row of ``X`` is one clip. Frames of `frame_duration` seconds every
    `hop_duration` seconds (no centering, so only whole frames inside the clip)
    give `n_coefficients` coefficients each, optionally with their first and second
    regression deltas. The defaults follow librosa: Slaney mel scale and filter
    normalization, power in dB with a floor of 1e-10 and 80 dB kept per clip,
    orthonormal DCT-II, a periodic Hann window.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    n_coefficients : int, default=13
        Cepstral coefficients a frame, at most `n_filters`.
    n_filters : int, default=40
        Triangular filters in the bank (mel-spaced, or linear with
        ``scale="linear"``).
    frame_duration : float, default=0.03
        Frame length in seconds; ``round(frame_duration * sr)`` samples, which is
        also the FFT length.
    hop_duration : float, default=0.015
        Seconds between frame starts; ``round(hop_duration * sr)`` samples.
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
        and delta-deltas (``3 * n_coefficients`` values a frame).
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
    {n_jobs}

    Attributes
    ----------
    n_fft_ : int
        Frame length in samples, also the FFT length.
    {frame_attributes}
    frame_width_ : int
        Values per frame, ``n_coefficients * (1 + deltas)``.
    {clip_attributes}

    See Also
    --------
    cepstral_coefficients : The pure function behind it.
    FrameStatistics : Zero-crossing rate and RMS per frame.
    micfp.mixture.GaussianSupervector : Takes the ``"frames"`` output.

    Notes
    -----
    {clip_input}
    Clips shorter than one frame raise it as well.

    {cepstrum_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import MFCC
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
        **CEPSTRUM_CONSTRAINTS,
        "frame_duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "hop_duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "window": [str],
        "deltas": [Interval(numbers.Integral, 0, 2, closed="both")],
        "delta_width": [Interval(numbers.Integral, 1, None, closed="left")],
        "cmn": ["boolean"],
        "output": [StrOptions({"frames", "stats", "mean"})],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        sr=44100,
        *,
        n_coefficients=13,
        n_filters=40,
        frame_duration=0.03,
        hop_duration=0.015,
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
        self.n_coefficients = n_coefficients
        self.n_filters = n_filters
        self.frame_duration = frame_duration
        self.hop_duration = hop_duration
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

    @property
    def _single_blas_thread(self):
        # One worker runs a chunk's products as a few large matrix products,
        # for which BLAS's own threads pay off, quiet and beside a busy
        # process alike (6000 clips: 1.3 s against 1.6 s quiet, 2.9 s beside
        # one busy process). Workers over chunks get one BLAS thread each.
        return effective_n_jobs(self.n_jobs) > 1

    def _fit_clips(self, X):
        _check_coefficients(self.n_coefficients, self.n_filters)
        _check_band(self.sr, self.fmin, self.fmax)
        self.n_fft_, self.hop_length_, self.n_frames_ = frame_layout(
            "MFCC",
            X.shape[1],
            sr=self.sr,
            frame_duration=self.frame_duration,
            hop_duration=self.hop_duration,
        )
        self.frame_width_ = self.n_coefficients * (1 + self.deltas)

    def _prepare_transform(self, X):
        return {
            "sr": self.sr,
            "n_coefficients": self.n_coefficients,
            "n_filters": self.n_filters,
            "n_fft": self.n_fft_,
            "hop_length": self.hop_length_,
            "window": window_array(self.window, self.n_fft_, X.dtype),
            "fmin": self.fmin,
            "fmax": self.fmax,
            "frequency_scale": self.scale,
            "lifter": self.lifter,
            "top_db": self.top_db,
            "deltas": self.deltas,
            "delta_width": self.delta_width,
            "cmn": self.cmn,
        }

    def _row_bytes(self, X):
        # Framed samples, their spectra and their powers.
        return 3 * self.n_frames_ * self.n_fft_ * X.itemsize

    def _transform_chunk(self, X, *, scale, frequency_scale, **settings):
        frames = _frame_features(
            X, scale=frequency_scale, check_overflow=scale, **settings
        )
        return _summarize(frames, self.output)

    def _value_names(self):
        prefix = "mfcc" if self.scale == "mel" else "lfcc"
        kinds = ["", "d_", "dd_"][: 1 + self.deltas]
        return [
            f"{kind}{prefix}{k}" for kind in kinds for k in range(self.n_coefficients)
        ]

    @frame_names_doc
    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        {names_parameters}
            ``"f{t}_mfcc{k}"``, ``"f{t}_d_mfcc{k}"`` (delta),
            ``"f{t}_dd_mfcc{k}"`` for frame ``t`` with ``output="frames"``;
            ``"mean_mfcc{k}"``, ``"std_mfcc{k}"``, ... otherwise (``lfcc``
            with a linear scale).
        """
        check_is_fitted(self)
        return frame_feature_names(self._value_names(), self.n_frames_, self.output)
