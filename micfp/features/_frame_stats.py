"""Zero-crossing rate and RMS level per frame of fixed-length clips."""

import numbers
from functools import partial
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from micfp.exceptions import AudioValueError

from ..utils._chunking import map_row_chunks
from ..utils._framing import frame
from ..utils._validation import check_clips, needs_scaling, overflow_shift

__all__ = ["FrameStatistics", "frame_signal", "rms", "zero_crossing_rate"]


def frame_signal(y, *, frame_length, hop_length):
    """View signals as overlapping frames, without copying.

    Parameters
    ----------
    y : ndarray of shape (..., n_samples)
        Signals, time on the last axis.
    frame_length : int
        Samples a frame.
    hop_length : int
        Samples between frame starts.

    Returns
    -------
    frames : ndarray of shape (..., n_frames, frame_length)
        A read-only view; ``n_frames = 1 + (n_samples - frame_length) //
        hop_length``.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features._frame_stats import frame_signal
    >>> frame_signal(np.arange(6), frame_length=4, hop_length=2)
    array([[0, 1, 2, 3],
           [2, 3, 4, 5]])
    """
    return frame(np.asarray(y), frame_length, hop_length)


def zero_crossing_rate(y, *, frame_length, hop_length, threshold=1e-10):
    """Fraction of samples a frame at which the sign changes.

    Samples with magnitude at most `threshold` count as positive zeros, and a
    frame's first sample never counts, as in ``librosa.feature.
    zero_crossing_rate(center=False)``.

    Parameters
    ----------
    y : ndarray of shape (..., n_samples)
        Signals, time on the last axis.
    frame_length : int
        Samples a frame.
    hop_length : int
        Samples between frame starts.
    threshold : float, default=1e-10
        Magnitudes treated as zero.

    Returns
    -------
    zcr : ndarray of shape (..., n_frames)
        Crossings divided by `frame_length`.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features._frame_stats import zero_crossing_rate
    >>> zero_crossing_rate(np.array([1.0, -1.0, 1.0, 1.0]), frame_length=4,
    ...                    hop_length=1)
    array([0.5])
    """
    y = np.asarray(y)
    negative = np.signbit(np.where(np.abs(y) <= threshold, 0.0, y))
    frames = frame_signal(negative, frame_length=frame_length, hop_length=hop_length)
    flips = frames[..., 1:] != frames[..., :-1]
    return (flips.sum(axis=-1) / frame_length).astype(_float_dtype(y))


def rms(y, *, frame_length, hop_length):
    """Root mean square of each frame.

    Parameters
    ----------
    y : ndarray of shape (..., n_samples)
        Signals, time on the last axis.
    frame_length : int
        Samples a frame.
    hop_length : int
        Samples between frame starts.

    Returns
    -------
    rms : ndarray of shape (..., n_frames)
        ``sqrt(mean(frame ** 2))``, as ``librosa.feature.rms(center=False)``.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features._frame_stats import rms
    >>> rms(np.array([3.0, -3.0, 4.0, -4.0]), frame_length=2, hop_length=2)
    array([3., 4.])
    """
    y = np.asarray(y)
    frames = frame_signal(y, frame_length=frame_length, hop_length=hop_length)
    return np.sqrt(np.einsum("...i,...i->...", frames, frames) / frame_length)


def _float_dtype(y):
    return np.float32 if y.dtype == np.float32 else np.float64


class FrameStatistics(TransformerMixin, BaseEstimator):
    """Zero-crossing rate and RMS level of each frame of each clip.

    The two frame statistics that complete averaged MFCCs in classical
    microphone classification pipelines. Each row of ``X`` is one clip.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    frame_length : float, default=0.03
        Frame length in seconds; ``round(frame_length * sr)`` samples.
    hop_length : float, default=0.015
        Seconds between frame starts; ``round(hop_length * sr)`` samples.
    output : {"mean", "stats", "frames"}, default="mean"
        ``"mean"``: the mean zero-crossing rate and RMS over the frames (2
        columns); ``"stats"``: means then standard deviations (4 columns);
        ``"frames"``: both values of every frame, frame-major.
    n_jobs : int or None, default=None
        Threads over chunks of clips (joblib); ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context. Chunks hold a few MiB of
        frames either way, which bounds the temporary memory.

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in `fit`.
    frame_length_ : int
        Frame length in samples.
    hop_length_ : int
        Hop in samples.
    n_frames_ : int
        Frames per clip.
    frame_width_ : int
        Values per frame (2).

    See Also
    --------
    MFCC : Cepstral coefficients of the same frames.

    Notes
    -----
    Input: ``X`` must be 2-D, one clip a row, of real numbers; integers,
    booleans, float16 and numbers in an object array become float64, float32
    stays float32. Complex data, arrays that are not 2-D, empty arrays, NaN
    and infinite samples, and clips shorter than one frame raise
    :class:`~micfp.exceptions.AudioValueError`.

    Digital silence: a frame of zeros has a zero-crossing rate of 0 (samples
    of magnitude at most 1e-10 count as positive zeros) and an RMS of 0.

    Huge samples: the RMS of rows whose samples exceed ``2 ** 256``
    (``2 ** 32`` in float32), and its mean and standard deviation, are
    computed on the row scaled by a power of two and scaled back, so they are
    exact and finite; the zero-crossing rate does not depend on the level.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features._frame_stats import FrameStatistics
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(3, 4410))
    >>> stats = FrameStatistics(sr=44100).fit(X)
    >>> stats.get_feature_names_out()
    array(['mean_zcr', 'mean_rms'], dtype=object)
    >>> stats.transform(X).shape
    (3, 2)
    """

    _parameter_constraints: ClassVar[dict] = {
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "frame_length": [Interval(numbers.Real, 0, None, closed="neither")],
        "hop_length": [Interval(numbers.Real, 0, None, closed="neither")],
        "output": [StrOptions({"mean", "stats", "frames"})],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        sr=44100,
        *,
        frame_length=0.03,
        hop_length=0.015,
        output="mean",
        n_jobs=None,
    ):
        self.sr = sr
        self.frame_length = frame_length
        self.hop_length = hop_length
        self.output = output
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fix the frame layout for clips like `X`.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Clips, one a row.
        y : None
            Ignored.

        Returns
        -------
        self : FrameStatistics
            The fitted transformer.
        """
        X = check_clips(self, X, reset=True)
        self.frame_length_ = max(1, round(self.frame_length * self.sr))
        self.hop_length_ = max(1, round(self.hop_length * self.sr))
        if X.shape[1] < self.frame_length_:
            raise AudioValueError(
                f"FrameStatistics needs clips of at least one frame, frame_length="
                f"{self.frame_length:g} s = {self.frame_length_} samples at sr="
                f"{self.sr:g} Hz; X holds clips of {X.shape[1]} feature(s)."
            )
        self.n_frames_ = 1 + (X.shape[1] - self.frame_length_) // self.hop_length_
        self.frame_width_ = 2
        return self

    def transform(self, X):
        """Compute the frame statistics of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Clips with as many samples as in `fit`.

        Returns
        -------
        features : ndarray of shape (n_clips, n_features_out)
            Columns as named by :meth:`get_feature_names_out`; float32 input
            gives float32.
        """
        check_is_fitted(self)
        X, peak = check_clips(self, X, reset=False, return_peak=True)
        n_values = {"mean": 2, "stats": 4, "frames": 2 * self.n_frames_}
        out = np.empty((X.shape[0], n_values[self.output]), dtype=X.dtype)
        func = partial(self._statistics, scale=needs_scaling(peak, X.dtype))
        framed = self.n_frames_ * self.frame_length_ * X.itemsize
        return map_row_chunks(func, X, out=out, n_jobs=self.n_jobs, row_bytes=framed)

    def _statistics(self, X, *, scale):
        sizes = {"frame_length": self.frame_length_, "hop_length": self.hop_length_}
        zcr = zero_crossing_rate(X, **sizes).astype(X.dtype, copy=False)
        # RMS is proportional to the row: rows with huge samples are measured
        # scaled by 2 ** -shift, and their RMS columns scaled back at the end.
        shift = overflow_shift(X) if scale else None
        level = rms(X if shift is None else np.ldexp(X, -shift), **sizes)
        if self.output == "frames":
            columns = [zcr, level]
        else:
            funcs = [np.mean] if self.output == "mean" else [np.mean, np.std]
            columns = [f(v, axis=1, keepdims=True) for f in funcs for v in (zcr, level)]
        if shift is not None:
            for i in range(1, len(columns), 2):
                columns[i] = np.ldexp(columns[i], shift)
        if self.output == "frames":
            return np.stack(columns, axis=-1).reshape(X.shape[0], -1)
        return np.concatenate(columns, axis=1)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : None
            Ignored; the names depend on the layout only.

        Returns
        -------
        names : ndarray of str
            ``"mean_zcr"``, ``"mean_rms"`` (and ``"std_..."`` with
            ``output="stats"``), or ``"f{t}_zcr"``, ``"f{t}_rms"`` per frame.
        """
        check_is_fitted(self)
        if self.output == "frames":
            names = [f"f{t}_{v}" for t in range(self.n_frames_) for v in ("zcr", "rms")]
        elif self.output == "mean":
            names = ["mean_zcr", "mean_rms"]
        else:
            names = ["mean_zcr", "mean_rms", "std_zcr", "std_rms"]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
