"""Zero-crossing rate and RMS level per frame of fixed-length clips."""

import numbers
from typing import ClassVar

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils._base import BaseClipTransformer
from ..utils._docstring import Substitution
from ..utils._framing import frame, frame_layout
from ..utils._validation import overflow_shift
from ._spectrum import CLIP_SECTIONS, FRAME_ATTRIBUTES

__all__ = ["FrameStatistics", "frame_signal", "rms", "zero_crossing_rate"]


# What the frame functions accept.
FRAME_CONSTRAINTS = {
    "y": ["array-like"],
    "frame_length": [Interval(numbers.Integral, 1, None, closed="left")],
    "hop_length": [Interval(numbers.Integral, 1, None, closed="left")],
}
_validate_frames = validate_params(
    FRAME_CONSTRAINTS, prefer_skip_nested_validation=True
)

_frame_doc = Substitution(
    frame_parameters="""
    y : ndarray of shape (..., n_samples)
        Signals, time on the last axis.
    frame_length : int
        Samples a frame.
    hop_length : int
        Samples between frame starts.
    """
)


@_frame_doc
@_validate_frames
def frame_signal(y, *, frame_length, hop_length):
    """View signals as overlapping frames, without copying.

    Parameters
    ----------
    {frame_parameters}

    Returns
    -------
    frames : ndarray of shape (..., n_frames, frame_length)
        A read-only view; ``n_frames = 1 + (n_samples - frame_length) //
        hop_length``.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import frame_signal
    >>> frame_signal(np.arange(6), frame_length=4, hop_length=2)
    array([[0, 1, 2, 3],
           [2, 3, 4, 5]])
    """
    return frame(np.asarray(y), frame_length, hop_length)


@_frame_doc
@validate_params(
    {
        **FRAME_CONSTRAINTS,
        "threshold": [Interval(numbers.Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def zero_crossing_rate(y, *, frame_length, hop_length, threshold=1e-10):
    """Fraction of samples a frame at which the sign changes.

    Samples with magnitude at most `threshold` count as positive zeros, and a
    frame's first sample never counts, as in ``librosa.feature.
    zero_crossing_rate(center=False)``.

    Parameters
    ----------
    {frame_parameters}
    threshold : float, default=1e-10
        Magnitudes treated as zero.

    Returns
    -------
    zcr : ndarray of shape (..., n_frames)
        Crossings divided by `frame_length`.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import zero_crossing_rate
    >>> zero_crossing_rate(np.array([1.0, -1.0, 1.0, 1.0]), frame_length=4,
    ...                    hop_length=1)
    array([0.5])
    """
    y = np.asarray(y)
    negative = np.signbit(np.where(np.abs(y) <= threshold, 0.0, y))
    frames = frame_signal(negative, frame_length=frame_length, hop_length=hop_length)
    flips = frames[..., 1:] != frames[..., :-1]
    return (flips.sum(axis=-1) / frame_length).astype(_float_dtype(y))


@_frame_doc
@_validate_frames
def rms(y, *, frame_length, hop_length):
    """Root mean square of each frame.

    Parameters
    ----------
    {frame_parameters}

    Returns
    -------
    rms : ndarray of shape (..., n_frames)
        ``sqrt(mean(frame ** 2))``, as ``librosa.feature.rms(center=False)``.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import rms
    >>> rms(np.array([3.0, -3.0, 4.0, -4.0]), frame_length=2, hop_length=2)
    array([3., 4.])
    """
    y = np.asarray(y)
    frames = frame_signal(y, frame_length=frame_length, hop_length=hop_length)
    return np.sqrt(np.einsum("...i,...i->...", frames, frames) / frame_length)


def frame_feature_names(values, n_frames, output):
    """Names of per-frame values as the transformers of frames output them.

    ``output="frames"``: ``f{t}_{value}`` for every frame ``t``, frame-major;
    ``"mean"``: ``mean_{value}``; ``"stats"``: the means, then ``std_{value}``.
    """
    if output == "frames":
        names = [f"f{t}_{v}" for t in range(n_frames) for v in values]
    elif output == "mean":
        names = [f"mean_{v}" for v in values]
    else:
        names = [f"{stat}_{v}" for stat in ("mean", "std") for v in values]
    return np.asarray(names, dtype=object)


# Docstring of get_feature_names_out of the transformers of frames, up to the
# description of the names.
frame_names_doc = Substitution(
    names_parameters="""
    Parameters
    ----------
    input_features : None
        Ignored; the names depend on the layout only.

    Returns
    -------
    names : ndarray of str
    """
)


def _float_dtype(y):
    return np.float32 if y.dtype == np.float32 else np.float64


@Substitution(**CLIP_SECTIONS, frame_attributes=FRAME_ATTRIBUTES)
class FrameStatistics(BaseClipTransformer):
    """Zero-crossing rate and RMS level of each frame of each clip.

    The two frame statistics that complete averaged MFCCs in classical
    microphone classification pipelines. Each row of ``X`` is one clip.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    frame_duration : float, default=0.03
        Frame length in seconds; ``round(frame_duration * sr)`` samples.
    hop_duration : float, default=0.015
        Seconds between frame starts; ``round(hop_duration * sr)`` samples.
    output : {"mean", "stats", "frames"}, default="mean"
        ``"mean"``: the mean zero-crossing rate and RMS over the frames (2
        columns); ``"stats"``: means then standard deviations (4 columns);
        ``"frames"``: both values of every frame, frame-major.
    {n_jobs}

    Attributes
    ----------
    frame_length_ : int
        Frame length in samples.
    {frame_attributes}
    frame_width_ : int
        Values per frame (2).
    {clip_attributes}

    See Also
    --------
    MFCC : Cepstral coefficients of the same frames.

    Notes
    -----
    {clip_input}
    Clips shorter than one frame raise it as well.

    Digital silence: a frame of zeros has a zero-crossing rate of 0 (samples
    of magnitude at most 1e-10 count as positive zeros) and an RMS of 0.

    Huge samples: the RMS of rows whose samples exceed ``2 ** 256``
    (``2 ** 32`` in float32), and its mean and standard deviation, are
    computed on the row scaled by a power of two and scaled back, so they are
    exact and finite; the zero-crossing rate does not depend on the level.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import FrameStatistics
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(3, 4410))
    >>> stats = FrameStatistics(sr=44100).fit(X)
    >>> stats.get_feature_names_out()
    array(['mean_zcr', 'mean_rms'], dtype=object)
    >>> stats.transform(X).shape
    (3, 2)
    """

    _parameter_constraints: ClassVar[dict] = {
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "frame_duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "hop_duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "output": [StrOptions({"mean", "stats", "frames"})],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        sr=44100,
        *,
        frame_duration=0.03,
        hop_duration=0.015,
        output="mean",
        n_jobs=None,
    ):
        self.sr = sr
        self.frame_duration = frame_duration
        self.hop_duration = hop_duration
        self.output = output
        self.n_jobs = n_jobs

    def _fit_clips(self, X):
        self.frame_length_, self.hop_length_, self.n_frames_ = frame_layout(
            "FrameStatistics",
            X.shape[1],
            sr=self.sr,
            frame_duration=self.frame_duration,
            hop_duration=self.hop_duration,
        )
        self.frame_width_ = 2

    def _row_bytes(self, X):
        return self.n_frames_ * self.frame_length_ * X.itemsize

    def _transform_chunk(self, X, *, scale):
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

    @frame_names_doc
    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        {names_parameters}
            ``"mean_zcr"``, ``"mean_rms"`` (and ``"std_..."`` with
            ``output="stats"``), or ``"f{t}_zcr"``, ``"f{t}_rms"`` per frame.
        """
        check_is_fitted(self)
        return frame_feature_names(("zcr", "rms"), self.n_frames_, self.output)
