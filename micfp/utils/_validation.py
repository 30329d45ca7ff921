"""Input validation shared by the transformers that take rows of audio clips.

Every error about the data is an :class:`~micfp.exceptions.AudioValueError`
whose message names the argument (``X`` for estimators, the parameter name for
functions). The messages keep the phrases of scikit-learn's own validation
("Complex data not supported", "Expected 2D array", "0 feature(s)", ...), so
code and tests that match them keep working.

Huge samples: :func:`overflow_shift` finds the rows whose peak is so large
that squares or sums of samples could overflow, and the features scale those
rows by a power of two (exact in floating point) before computing, then undo
the scaling on the result.
"""

import re

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.validation import validate_data

from ..exceptions import AudioTypeError, AudioValueError

_CLIP_DTYPES = [np.float64, np.float32]


def _reject_ragged(X, name="X"):
    """Raise when ``X`` is a sequence of signals of different lengths."""
    if isinstance(X, np.ndarray) and X.dtype != object:
        return
    if not isinstance(X, (list, tuple, np.ndarray)) or len(X) == 0:
        return
    lengths = {len(row) for row in X if hasattr(row, "__len__")}
    if len(lengths) > 1:
        raise AudioValueError(
            f"{name} must hold clips of one length, one clip a row; got rows of "
            f"{len(lengths)} different lengths (from {min(lengths)} to "
            f"{max(lengths)} samples). Cut recordings into fixed-length clips "
            "first, for example with micfp.clips.extract_clips."
        )


def _reject_not_2d(X, name="X"):
    """Raise when an array-like with a known number of dimensions is not 2-D."""
    ndim = getattr(X, "ndim", None)
    if ndim is None or ndim == 2 or issparse(X):
        return
    raise AudioValueError(
        f"{name} must hold one clip a row, shape (n_clips, n_samples). Expected "
        f"2D array, got {ndim}D array instead, of shape {np.shape(X)}. Reshape "
        f"your data: {name}.reshape(1, -1) holds a single clip, "
        f"{name}.reshape(-1, {name}.shape[-1]) one clip a row."
    )


def _name_in_message(message, owner, names=("X",)):
    """Prefix ``message`` with what was invalid unless it already says it."""
    if any(re.search(rf"\b{name}\b", message) for name in names):
        return message
    return f"Invalid {' or '.join(names)} for {owner}: {message}"


def validate_audio_data(
    estimator, X, y="no_validation", *, reset, dtype=_CLIP_DTYPES, **kwargs
):
    """``validate_data`` with micfp's errors and no finiteness check.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator whose ``n_features_in_`` is set or checked.
    X : array-like of shape (n_samples, n_features)
        Input data.
    y : array-like or "no_validation", default="no_validation"
        Targets, validated with ``X`` when given.
    reset : bool
        Whether this call is ``fit``.
    dtype : dtype or list of dtypes, default=[np.float64, np.float32]
        Accepted dtypes; anything else is converted to the first.
    **kwargs : dict
        Passed on to :func:`sklearn.utils.validation.validate_data`.

    Returns
    -------
    X or (X, y)
        As ``validate_data`` returns them.

    Raises
    ------
    AudioValueError
        For data scikit-learn rejects (complex, empty, not 2-D, feature count
        or names that differ from ``fit``), with scikit-learn's message
        prefixed by what was invalid.
    AudioTypeError
        For objects that cannot be converted to numbers.
    """
    _reject_not_2d(X)
    _reject_ragged(X)
    names = ("X",) if isinstance(y, str) and y == "no_validation" else ("X", "y")
    owner = type(estimator).__name__
    try:
        return validate_data(
            estimator,
            X,
            y,
            reset=reset,
            dtype=dtype,
            ensure_all_finite=False,
            **kwargs,
        )
    except AudioValueError:
        raise
    except TypeError as exc:
        raise AudioTypeError(_name_in_message(str(exc), owner, names)) from exc
    except ValueError as exc:
        raise AudioValueError(_name_in_message(str(exc), owner, names)) from exc


def check_finite_audio(X, name="X", what="samples"):
    """Raise :class:`~micfp.exceptions.AudioValueError` on NaN or infinite values.

    Parameters
    ----------
    X : ndarray of shape (..., n_samples), float
        Audio samples (or features), time on the last axis.
    name : str, default="X"
        The argument's name, for the message.
    what : str, default="samples"
        What the values are, for the message.

    Returns
    -------
    level : ndarray of shape (...)
        A bound of the largest magnitude of each row: the square root of its
        sum of squares, or, where that overflows, the largest magnitude
        itself.

    Raises
    ------
    AudioValueError
        If a value is NaN or infinite; the message names the first rows
        concerned.
    """
    if X.shape[-1] == 0:
        return np.zeros(X.shape[:-1], dtype=X.dtype)
    # One pass: the sums of squares are finite only when every value is, and
    # small ones bound the peaks. The maximum and minimum, which carry NaN and
    # infinity through, are only needed when a sum is not finite.
    with np.errstate(over="ignore", invalid="ignore"):
        energy = np.einsum("...i,...i->...", X, X)
    if np.isfinite(energy).all():
        return np.sqrt(energy)
    peak = np.maximum(X.max(axis=-1), -X.min(axis=-1))
    bad = ~np.isfinite(peak)
    if not bad.any():
        return peak
    rows = np.flatnonzero(bad.reshape(-1))
    shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
    raise AudioValueError(
        f"Input {name} contains NaN or infinite {what} (inf), in {len(rows)} "
        f"row(s): {shown}."
    )


def check_clips(estimator, X, *, reset, return_peak=False):
    """Validate a 2-D array of audio clips, one clip a row.

    Keeps float32 and float64, converts anything else numeric (integers,
    booleans, float16, numbers in an object array) to float64, and rejects
    complex data, ragged rows, arrays that are not 2-D, empty arrays and
    non-finite samples.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator whose ``n_features_in_`` is set (``reset=True``) or
        checked (``reset=False``).
    X : array-like of shape (n_clips, n_samples)
        Audio clips.
    reset : bool
        Whether this call is ``fit`` (record the input width) or a later
        method (check it).
    return_peak : bool, default=False
        Also return a bound of the largest magnitude of each clip.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples)
        The validated clips, float32 or float64.
    peak : ndarray of shape (n_clips,)
        A bound of the largest magnitude of each clip (see
        :func:`check_finite_audio`); only with ``return_peak=True``.

    Raises
    ------
    AudioValueError
        For any of the rejected inputs above; the message names ``X``.
    """
    X = validate_audio_data(estimator, X, reset=reset)
    peak = check_finite_audio(X)
    return (X, peak) if return_peak else X


def check_signals(x, name="x", *, return_peak=False):
    """Validate the signals given to a micfp function (not an estimator).

    Parameters
    ----------
    x : array-like of shape (..., n_samples)
        Real signals, time on the last axis; any leading axes, including
        empty ones (no signals), are batch axes.
    name : str, default="x"
        The argument's name, for the messages.
    return_peak : bool, default=False
        Also return a bound of the largest magnitude of each signal.

    Returns
    -------
    x : ndarray of shape (..., n_samples)
        float32 stays float32; other real types become float64.
    peak : ndarray of shape (...)
        A bound of the largest magnitude of each signal (see
        :func:`check_finite_audio`); only with ``return_peak=True``.

    Raises
    ------
    AudioValueError
        For complex or non-numeric data, no samples, or NaN or infinite
        samples.
    AudioTypeError
        For objects that cannot be converted to numbers.
    """
    try:
        x = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise AudioValueError(
            f"{name} cannot be read as an array of samples: {exc}"
        ) from exc
    if x.dtype == object and not np.iscomplexobj(x):
        try:
            x = x.astype(np.float64)
        except TypeError as exc:
            raise AudioTypeError(
                f"{name} must hold real numbers; got an object array with "
                f"elements that are not real numbers ({exc})."
            ) from exc
        except ValueError as exc:
            raise AudioValueError(
                f"{name} must hold real numbers; got an object array with "
                f"elements that are not real numbers ({exc})."
            ) from exc
    if np.iscomplexobj(x) or x.dtype.kind not in "biuf":
        raise AudioValueError(
            f"{name} must hold real numbers; got an array of dtype {x.dtype}."
        )
    if x.ndim == 0 or x.shape[-1] == 0:
        raise AudioValueError(
            f"{name} must hold at least one sample; got shape {x.shape}."
        )
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    peak = check_finite_audio(x, name=name)
    return (x, peak) if return_peak else x


def _overflow_limit(dtype, gain):
    return 2.0 ** (np.finfo(dtype).maxexp // 4) / max(gain, 1.0)


def needs_scaling(peak, dtype, *, gain=1.0):
    """Whether any row of the given peaks needs :func:`overflow_shift`.

    Parameters
    ----------
    peak : ndarray
        Largest magnitude of each row, or a bound of it, as
        :func:`check_clips` returns it.
    dtype : dtype
        Floating type of the rows.
    gain : float, default=1.0
        Largest factor applied to a sample before the sums (a window's peak).

    Returns
    -------
    bool
        False in the usual case, where no row can overflow.
    """
    return bool(peak.size) and float(peak.max()) > _overflow_limit(dtype, gain)


def overflow_shift(x, *, gain=1.0):
    """Binary exponents that bring rows with huge samples to a safe level.

    Squares of samples, and sums of products of a few billion of them, stay
    finite while the samples stay below ``2 ** (maxexp / 4)`` (``2 ** 32`` in
    float32, ``2 ** 256`` in float64). Rows whose peak, times ``gain``,
    exceeds that are scaled by ``2 ** -shift`` to a peak in ``[0.5, 1)``;
    multiplying by a power of two is exact, so the feature of the scaled row
    is the feature of the row, scaled.

    Parameters
    ----------
    x : ndarray of shape (..., n_samples), float32 or float64
        Finite signals with at least one sample.
    gain : float, default=1.0
        Largest factor applied to a sample before the sums (a window's peak).

    Returns
    -------
    shift : ndarray of int of shape (..., 1) or None
        The exponent of each row, 0 for rows left as they are; None when no
        row needs scaling (the usual case).
    """
    peak = np.maximum(x.max(axis=-1), -x.min(axis=-1))
    big = peak > _overflow_limit(x.dtype, gain)
    if not big.any():
        return None
    return np.where(big, np.frexp(peak)[1], 0)[..., np.newaxis].astype(np.int32)


# Frame values beyond this make the squared distances of Gaussian densities,
# summed over frames, overflow float64.
FRAME_LIMIT = 2.0**256


def check_frames(estimator, X, y="no_validation", *, reset):
    """Validate rows of feature frames for the Gaussian mixture estimators.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator whose ``n_features_in_`` is set or checked.
    X : array-like of shape (n_clips, n_frames * frame_width)
        Feature frames, flattened.
    y : array-like or "no_validation", default="no_validation"
        Targets, validated with ``X`` when given.
    reset : bool
        Whether this call is ``fit``.

    Returns
    -------
    X or (X, y)
        As :func:`validate_audio_data` returns them.

    Raises
    ------
    AudioValueError
        For what :func:`validate_audio_data` rejects, NaN or infinite values,
        and values beyond ``2 ** 256`` in magnitude.
    """
    out = validate_audio_data(estimator, X, y, reset=reset)
    X = out[0] if isinstance(out, tuple) else out
    bound = check_finite_audio(X, what="values")
    if bound.size and float(bound.max()) > FRAME_LIMIT:
        peak = max(float(X.max()), -float(X.min()))
        if peak > FRAME_LIMIT:
            raise AudioValueError(
                f"X holds values up to {peak:.3g} in magnitude; "
                f"{type(estimator).__name__} models frames with Gaussian "
                "densities, whose squared distances overflow float64 beyond "
                f"{FRAME_LIMIT:.3g}. Scale the features down."
            )
    return out
