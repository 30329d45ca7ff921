"""Input validation shared by the transformers that take rows of audio clips."""

import numpy as np
from sklearn.utils.validation import validate_data

from ..exceptions import AudioValueError

_CLIP_DTYPES = [np.float64, np.float32]


def _reject_ragged(X):
    """Raise when ``X`` is a sequence of signals of different lengths."""
    if isinstance(X, np.ndarray) and X.dtype != object:
        return
    if not isinstance(X, (list, tuple, np.ndarray)) or len(X) == 0:
        return
    lengths = {len(row) for row in X if hasattr(row, "__len__")}
    if len(lengths) > 1:
        raise AudioValueError(
            "X must hold clips of one length, one clip a row; got rows of "
            f"{len(lengths)} different lengths (from {min(lengths)} to "
            f"{max(lengths)} samples). Cut recordings into fixed-length clips "
            "first, for example with micfp.clips.extract_clips."
        )


def check_finite_audio(X):
    """Raise :class:`~micfp.exceptions.AudioValueError` on NaN or infinite samples.

    Parameters
    ----------
    X : ndarray
        Audio samples, time on the last axis.

    Raises
    ------
    AudioValueError
        If a sample is NaN or infinite; the message names the first rows
        concerned.
    """
    # The sum is one fast pass; the element-wise test only runs when it fails.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(X, dtype=np.float64)
    if np.isfinite(total):
        return
    bad = ~np.isfinite(X)
    if not bad.any():
        return
    rows = np.flatnonzero(bad.reshape(-1, X.shape[-1]).any(axis=-1))
    shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
    raise AudioValueError(
        f"Input X contains NaN or infinite samples (inf), in {len(rows)} "
        f"row(s): {shown}."
    )


def check_clips(estimator, X, *, reset):
    """Validate a 2-D array of audio clips, one clip a row.

    Keeps float32 and float64, converts anything else numeric to float64, and
    rejects complex data, ragged rows, 1-D input and non-finite samples.

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

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples)
        The validated clips, float32 or float64.
    """
    _reject_ragged(X)
    X = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=_CLIP_DTYPES,
        ensure_all_finite=False,
    )
    check_finite_audio(X)
    return X


def check_signals(x):
    """Validate the signals given to a micfp function (not an estimator).

    Parameters
    ----------
    x : array-like of shape (..., n_samples)
        Real signals, time on the last axis.

    Returns
    -------
    x : ndarray of shape (..., n_samples)
        float32 stays float32; other real types become float64.

    Raises
    ------
    ValueError
        For complex or non-numeric data, or no samples.
    AudioValueError
        For NaN or infinite samples.
    """
    x = np.asarray(x)
    if np.iscomplexobj(x) or x.dtype.kind not in "biuf":
        raise ValueError(f"x must hold real numbers; got an array of dtype {x.dtype}.")
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"x must hold at least one sample; got shape {x.shape}.")
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    check_finite_audio(x)
    return x
