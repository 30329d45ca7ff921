"""Line plots: accuracy against clip duration, and training curves."""

import warnings
from collections.abc import Mapping

import numpy as np

from ._base import _check_1d, _check_same_length, _get_axes


def plot_accuracy_vs_duration(
    durations,
    accuracy,
    *,
    std=None,
    label=None,
    xlabel="Test duration (s)",
    ax=None,
):
    """Plot identification accuracy against the duration of audio used.

    Each call adds one line, so calling it twice on the same ``ax`` compares
    two curves, such as accuracy against test duration and against training
    duration, or clip against recording accuracy.

    Parameters
    ----------
    durations : array-like of shape (n_points,)
        Durations in seconds, positive. Points are drawn in increasing
        duration.
    accuracy : array-like of shape (n_points,)
        Accuracy at each duration, a fraction between 0 and 1.
    std : array-like of shape (n_points,), default=None
        Standard deviation of the accuracy (over folds or repeats); drawn as
        a band of ``accuracy ± std``, clipped to [0, 1].
    label : str, default=None
        Legend entry of the line. A legend is drawn when given.
    xlabel : str, default="Test duration (s)"
        Label of the horizontal axis.
    ax : matplotlib Axes, default=None
        Axes to draw on. A new figure is created when None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on; the new line is ``ax.lines[-1]`` and the band, if
        any, ``ax.collections[-1]``.

    See Also
    --------
    plot_training_curve : Loss per epoch of a neural estimator.

    Examples
    --------
    The arrays can come from any analysis, such as the dictionary of
    ``micfp.model_selection.accuracy_vs_duration``
    (``result["durations"], result["recording_accuracy"],
    std=result["recording_accuracy_std"]``).

    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import plot_accuracy_vs_duration
    >>> durations = [0.5, 1.0, 2.0, 4.0]
    >>> ax = plot_accuracy_vs_duration(
    ...     durations, [0.6, 0.75, 0.85, 0.9], std=[0.05, 0.04, 0.03, 0.02],
    ...     label="test duration")
    >>> ax = plot_accuracy_vs_duration(
    ...     durations, [0.5, 0.7, 0.8, 0.88], label="training duration",
    ...     ax=ax)
    >>> [line.get_label() for line in ax.lines]
    ['test duration', 'training duration']
    >>> plt.close(ax.figure)
    """
    durations = _check_1d(durations, "durations")
    accuracy = _check_1d(accuracy, "accuracy")
    _check_same_length(durations, accuracy, ("durations", "accuracy"))
    if np.any(durations <= 0):
        raise ValueError("durations must be positive (seconds).")
    if np.any((accuracy < 0) | (accuracy > 1)):
        raise ValueError(
            "accuracy must lie between 0 and 1 (a fraction, not a percentage); "
            f"got values from {accuracy.min():g} to {accuracy.max():g}."
        )
    if std is not None:
        std = _check_1d(std, "std")
        _check_same_length(durations, std, ("durations", "std"))
        if np.any(std < 0):
            raise ValueError("std must be non-negative.")
    _, ax = _get_axes(ax)

    order = np.argsort(durations, kind="stable")
    durations, accuracy = durations[order], accuracy[order]
    (line,) = ax.plot(durations, accuracy, marker="o", label=label)
    if std is not None:
        std = std[order]
        ax.fill_between(
            durations,
            np.clip(accuracy - std, 0.0, 1.0),
            np.clip(accuracy + std, 0.0, 1.0),
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Accuracy")
    ax.set_ylim(0.0, 1.05)
    if label is not None:
        ax.legend(loc="lower right")
    return ax


def _epoch_rows(history):
    """Return the per-epoch rows of ``history`` as a list of mappings."""
    if hasattr(history, "history_"):
        history = history.history_
    if isinstance(history, (str, bytes, Mapping)):
        raise TypeError(
            "history must be a list of per-epoch dicts (such as a skorch "
            f"History); got a {type(history).__name__}."
        )
    try:
        rows = list(history)
    except TypeError as exc:
        raise TypeError(
            "history must be a list of per-epoch dicts (such as a skorch "
            f"History); got a {type(history).__name__}."
        ) from exc
    if not rows:
        raise ValueError("history is empty; it holds no epoch.")
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(
                f"history must be a list of per-epoch dicts; entry {i} is a "
                f"{type(row).__name__}."
            )
    return rows


def _series(rows, key):
    """Return the epochs and values of ``key``, skipping epochs without it."""
    epochs, values = [], []
    for i, row in enumerate(rows):
        value = row.get(key)
        if value is None:
            continue
        try:
            values.append(float(value))
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"history key {key!r} must hold numbers; epoch entry {i} holds "
                f"a {type(value).__name__}."
            ) from exc
        epochs.append(row.get("epoch", i + 1))
    return np.asarray(epochs), np.asarray(values)


def plot_training_curve(history, *, keys=("train_loss", "valid_loss"), ax=None):
    """Plot per-epoch values of a neural estimator's training history.

    Parameters
    ----------
    history : skorch History, list of dict, or fitted estimator
        One mapping per epoch, such as the ``history_`` of a fitted micfp
        neural estimator (a skorch ``History``). The ``"epoch"`` entry of each
        row gives the horizontal position; rows without it count from 1. An
        object with a ``history_`` attribute is replaced by that attribute.
    keys : str or sequence of str, default=("train_loss", "valid_loss")
        Entries to draw, one line each. Keys missing from every epoch are
        skipped with a :class:`UserWarning`; epochs that lack a key or hold
        None for it are left out of that line.
    ax : matplotlib Axes, default=None
        Axes to draw on. A new figure is created when None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on, with one labelled line per key found and a legend.

    Raises
    ------
    ValueError
        If the history is empty or none of ``keys`` appears in it; the
        message lists the keys available.

    See Also
    --------
    plot_accuracy_vs_duration : Accuracy against the duration of audio used.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import plot_training_curve
    >>> history = [
    ...     {"epoch": 1, "train_loss": 1.2, "valid_loss": 1.3},
    ...     {"epoch": 2, "train_loss": 0.8, "valid_loss": 1.0},
    ...     {"epoch": 3, "train_loss": 0.5, "valid_loss": 0.9},
    ... ]
    >>> ax = plot_training_curve(history)
    >>> [line.get_label() for line in ax.lines]
    ['train_loss', 'valid_loss']
    >>> plt.close(ax.figure)
    """
    rows = _epoch_rows(history)
    if isinstance(keys, str):
        keys = (keys,)
    keys = list(keys)
    if not keys:
        raise ValueError("keys is empty; name at least one history entry.")
    available = sorted({str(key) for row in rows for key in row})
    series = {}
    for key in keys:
        epochs, values = _series(rows, key)
        if values.size:
            series[key] = (epochs, values)
    missing = [key for key in keys if key not in series]
    if not series:
        raise ValueError(
            f"None of the keys {keys} is in the history; available keys: {available}."
        )
    if missing:
        warnings.warn(
            f"Skipping keys missing from every epoch: {missing}; "
            f"available keys: {available}.",
            UserWarning,
            stacklevel=2,
        )
    _, ax = _get_axes(ax)
    for key, (epochs, values) in series.items():
        ax.plot(epochs, values, label=key)
    ax.set_xlabel("Epoch")
    if all(key.endswith("loss") for key in series):
        ax.set_ylabel("Loss")
    ax.legend(loc="best")
    return ax
