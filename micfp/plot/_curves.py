"""Line plots: accuracy against clip duration, and training curves."""

import warnings
from collections.abc import Mapping

import numpy as np

from ._base import (
    BaseDisplay,
    _ax_parameter,
    _axes_attributes,
    _check_1d,
    _check_same_length,
    _draw_doc,
    _plot_doc,
)

_XLABELS = {"test": "Test duration (s)", "train": "Training duration (s)"}
_ACCURACIES = ("recording", "clip")


@_axes_attributes
class AccuracyVsDurationDisplay(BaseDisplay):
    """Identification accuracy against the duration of audio used.

    Build it from the result of
    :func:`micfp.model_selection.accuracy_vs_duration` with
    :meth:`from_results`, let :meth:`from_estimator` run that analysis, or
    pass the values. Drawing several displays on one ``ax`` compares curves,
    such as accuracy against test and against training duration, or clip
    against recording accuracy.

    Parameters
    ----------
    durations : array-like of shape (n_points,)
        Durations in seconds, positive. Points are drawn in increasing
        duration.
    accuracy : array-like of shape (n_points,)
        Accuracy at each duration, a fraction between 0 and 1.
    accuracy_std : array-like of shape (n_points,), default=None
        Standard deviation of the accuracy (over repeats or folds), drawn as
        a band of ``accuracy ± accuracy_std`` clipped to [0, 1].
    label : str, default=None
        Legend entry of the line. A legend is drawn when given.
    xlabel : str, default="Test duration (s)"
        Label of the horizontal axis.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The accuracy curve.
    band_ : matplotlib PolyCollection or None
        The band of one standard deviation, None without ``accuracy_std``.
    {axes}

    See Also
    --------
    micfp.model_selection.accuracy_vs_duration : The analysis drawn here.
    TrainingCurveDisplay : Loss per epoch of a neural estimator.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import AccuracyVsDurationDisplay
    >>> durations = [0.5, 1.0, 2.0, 4.0]
    >>> test = AccuracyVsDurationDisplay(
    ...     durations, [0.6, 0.75, 0.85, 0.9], accuracy_std=[0.05, 0.04, 0.03, 0.02],
    ...     label="test duration").plot()
    >>> train = AccuracyVsDurationDisplay(
    ...     durations, [0.5, 0.7, 0.8, 0.88], label="training duration"
    ... ).plot(ax=test.ax_)
    >>> [line.get_label() for line in test.ax_.lines]
    ['test duration', 'training duration']
    >>> plt.close(test.figure_)
    """

    def __init__(
        self, durations, accuracy, *, accuracy_std=None, label=None, xlabel=None
    ):
        self.durations = durations
        self.accuracy = accuracy
        self.accuracy_std = accuracy_std
        self.label = label
        self.xlabel = xlabel

    def _checked(self):
        durations = _check_1d(self.durations, "durations")
        accuracy = _check_1d(self.accuracy, "accuracy")
        _check_same_length(durations, accuracy, ("durations", "accuracy"))
        if np.any(durations <= 0):
            raise ValueError("durations must be positive (seconds).")
        if np.any((accuracy < 0) | (accuracy > 1)):
            raise ValueError(
                "accuracy must lie between 0 and 1 (a fraction, not a percentage); "
                f"got values from {accuracy.min():g} to {accuracy.max():g}."
            )
        std = self.accuracy_std
        if std is not None:
            std = _check_1d(std, "accuracy_std")
            _check_same_length(durations, std, ("durations", "accuracy_std"))
            if np.any(std < 0):
                raise ValueError("accuracy_std must be non-negative.")
        return durations, accuracy, std

    @_plot_doc
    def plot(self, *, ax=None):
        """Draw the curve, and its band when ``accuracy_std`` is given.

        {plot}
        """
        durations, accuracy, std = self._checked()
        ax = self._prepare_axes(ax)
        order = np.argsort(durations, kind="stable")
        durations, accuracy = durations[order], accuracy[order]
        (self.line_,) = ax.plot(durations, accuracy, marker="o", label=self.label)
        self.band_ = None
        if std is not None:
            std = std[order]
            self.band_ = ax.fill_between(
                durations,
                np.clip(accuracy - std, 0.0, 1.0),
                np.clip(accuracy + std, 0.0, 1.0),
                color=self.line_.get_color(),
                alpha=0.2,
                linewidth=0,
            )
        ax.set_xlabel(_XLABELS["test"] if self.xlabel is None else self.xlabel)
        ax.set_ylabel("Accuracy")
        ax.set_ylim(0.0, 1.05)
        if self.label is not None:
            ax.legend(loc="lower right")
        return self

    @classmethod
    @_ax_parameter
    def from_results(cls, results, *, accuracy="recording", label=None, ax=None):
        """Draw the result of :func:`~micfp.model_selection.accuracy_vs_duration`.

        Parameters
        ----------
        results : dict
            The dictionary ``accuracy_vs_duration`` returns: ``"durations"``,
            ``"vary"``, and the mean and standard deviation of the recording
            and clip accuracies.
        accuracy : {"recording", "clip"}, default="recording"
            Which accuracy to draw: of the decisions voted per recording, or
            of single clips.
        label : str, default=None
            Legend entry of the line. A legend is drawn when given.
        {ax}

        Returns
        -------
        display : AccuracyVsDurationDisplay
            The display, drawn; the horizontal axis names the varied side.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from micfp.plot import AccuracyVsDurationDisplay
        >>> results = {
        ...     "durations": [1.0, 2.0], "vary": "train",
        ...     "recording_accuracy": [0.7, 0.9], "recording_accuracy_std": [0.1, 0.05],
        ...     "clip_accuracy": [0.6, 0.7], "clip_accuracy_std": [0.1, 0.1],
        ... }
        >>> display = AccuracyVsDurationDisplay.from_results(results, accuracy="clip")
        >>> display.ax_.get_xlabel(), display.line_.get_ydata().tolist()
        ('Training duration (s)', [0.6, 0.7])
        >>> plt.close(display.figure_)
        """
        if accuracy not in _ACCURACIES:
            raise ValueError(
                f"accuracy must be one of {list(_ACCURACIES)}; got {accuracy!r}."
            )
        if not isinstance(results, Mapping):
            raise TypeError(
                "results must be the dict returned by accuracy_vs_duration; "
                f"got a {type(results).__name__}."
            )
        needed = ["durations", f"{accuracy}_accuracy", f"{accuracy}_accuracy_std"]
        missing = [key for key in needed if key not in results]
        if missing:
            raise ValueError(
                f"results lacks {missing}; pass the dict returned by "
                "micfp.model_selection.accuracy_vs_duration."
            )
        vary = results.get("vary", "test")
        if vary not in _XLABELS:
            raise ValueError(
                f"results['vary'] must be 'test' or 'train'; got {vary!r}."
            )
        display = cls(
            results["durations"],
            results[f"{accuracy}_accuracy"],
            accuracy_std=results[f"{accuracy}_accuracy_std"],
            label=label,
            xlabel=_XLABELS[vary],
        )
        return display.plot(ax=ax)

    @classmethod
    @_draw_doc
    def from_estimator(
        cls,
        estimator,
        train,
        test,
        *,
        durations,
        accuracy="recording",
        label=None,
        ax=None,
        **kwargs,
    ):
        """Run :func:`~micfp.model_selection.accuracy_vs_duration` and draw it.

        Parameters
        ----------
        estimator : estimator or Pipeline
            Clip classifier with ``predict_proba``; cloned, never modified.
        train, test : Recordings
            Training and test recordings, split by recording.
        durations : sequence of float
            Durations in seconds.
        accuracy : {"recording", "clip"}, default="recording"
            Which accuracy to draw.
        label : str, default=None
            Legend entry of the line. A legend is drawn when given.
        {ax}
        **kwargs
            Further arguments of ``accuracy_vs_duration``: ``vary``,
            ``clip_length``, ``n_clips``, ``voting``, ``n_repeats``,
            ``random_state``, ``n_jobs``.

        {drawn}

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from micfp.io import Recordings
        >>> from micfp.plot import AccuracyVsDurationDisplay
        >>> rng = np.random.default_rng(0)
        >>> def take(offset):
        ...     return offset + 0.2 * rng.standard_normal(8000)
        >>> train = Recordings([take(-0.05), take(0.05)], 8000, ["lo", "hi"], [1, 1])
        >>> test = Recordings([take(-0.05), take(0.05)], 8000, ["lo", "hi"], [2, 2])
        >>> display = AccuracyVsDurationDisplay.from_estimator(
        ...     LogisticRegression(), train, test, durations=[0.1, 0.5],
        ...     clip_length=400, n_repeats=2, random_state=0)
        >>> display.line_.get_ydata().tolist()
        [1.0, 1.0]
        >>> plt.close(display.figure_)
        """
        from ..model_selection import accuracy_vs_duration

        results = accuracy_vs_duration(
            estimator, train, test, durations=durations, **kwargs
        )
        return cls.from_results(results, accuracy=accuracy, label=label, ax=ax)


def _epoch_rows(history):
    """Return the per-epoch rows of ``history`` as a list of mappings."""
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


@_axes_attributes
class TrainingCurveDisplay(BaseDisplay):
    """Per-epoch values of a neural estimator's training history.

    Build it from a fitted neural estimator (:meth:`from_estimator`), from a
    history (:meth:`from_history`), or from the curves themselves.

    Parameters
    ----------
    curves : dict of str to (array-like, array-like)
        For each history key, the epochs and the values at those epochs.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        One line per key, in the order of ``curves``.
    {axes}

    See Also
    --------
    AccuracyVsDurationDisplay : Accuracy against the duration of audio used.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import TrainingCurveDisplay
    >>> history = [
    ...     {"epoch": 1, "train_loss": 1.2, "valid_loss": 1.3},
    ...     {"epoch": 2, "train_loss": 0.8, "valid_loss": 1.0},
    ...     {"epoch": 3, "train_loss": 0.5, "valid_loss": 0.9},
    ... ]
    >>> display = TrainingCurveDisplay.from_history(history)
    >>> list(display.lines_)
    ['train_loss', 'valid_loss']
    >>> plt.close(display.figure_)
    """

    def __init__(self, curves):
        self.curves = curves

    @_plot_doc
    def plot(self, *, ax=None):
        """Draw one labelled line per curve, with a legend.

        {plot}
        """
        if not isinstance(self.curves, Mapping) or not self.curves:
            raise ValueError(
                "curves must be a non-empty dict of key to (epochs, values)."
            )
        checked = {}
        for key, (epochs, values) in self.curves.items():
            epochs = _check_1d(epochs, f"epochs of {key!r}")
            values = _check_1d(values, f"values of {key!r}")
            _check_same_length(
                epochs, values, (f"epochs of {key!r}", f"values of {key!r}")
            )
            checked[key] = epochs, values
        ax = self._prepare_axes(ax)
        self.lines_ = {
            key: ax.plot(epochs, values, label=key)[0]
            for key, (epochs, values) in checked.items()
        }
        ax.set_xlabel("Epoch")
        if all(str(key).endswith("loss") for key in checked):
            ax.set_ylabel("Loss")
        ax.legend(loc="best")
        return self

    @classmethod
    @_draw_doc
    def from_history(cls, history, *, keys=("train_loss", "valid_loss"), ax=None):
        """Draw entries of a training history.

        Parameters
        ----------
        history : skorch History or list of dict
            One mapping per epoch, such as the ``history_`` of a fitted micfp
            neural estimator. The ``"epoch"`` entry of each row gives the
            horizontal position; rows without it count from 1.
        keys : str or sequence of str, default=("train_loss", "valid_loss")
            Entries to draw, one line each. Keys missing from every epoch are
            skipped with a :class:`UserWarning`; epochs that lack a key or
            hold None for it are left out of that line.
        {ax}

        {drawn}

        Raises
        ------
        ValueError
            If the history is empty or none of ``keys`` appears in it; the
            message lists the keys available.
        """
        rows = _epoch_rows(history)
        if isinstance(keys, str):
            keys = (keys,)
        keys = list(keys)
        if not keys:
            raise ValueError("keys is empty; name at least one history entry.")
        available = sorted({str(key) for row in rows for key in row})
        curves = {}
        for key in keys:
            epochs, values = _series(rows, key)
            if values.size:
                curves[key] = (epochs, values)
        missing = [key for key in keys if key not in curves]
        if not curves:
            raise ValueError(
                f"None of the keys {keys} is in the history; available keys: "
                f"{available}."
            )
        if missing:
            warnings.warn(
                f"Skipping keys missing from every epoch: {missing}; "
                f"available keys: {available}.",
                UserWarning,
                stacklevel=2,
            )
        return cls(curves).plot(ax=ax)

    @classmethod
    @_draw_doc
    def from_estimator(cls, estimator, *, keys=("train_loss", "valid_loss"), ax=None):
        """Draw the training history of a fitted neural estimator.

        Parameters
        ----------
        estimator : fitted estimator
            An estimator with a ``history_`` (micfp's neural classifiers), or
            a Pipeline that ends with one.
        keys : str or sequence of str, default=("train_loss", "valid_loss")
            Entries to draw; see :meth:`from_history`.
        {ax}

        {drawn}

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from micfp.neural import MLPClassifier
        >>> from micfp.plot import TrainingCurveDisplay
        >>> X = np.random.default_rng(0).normal(size=(20, 3))
        >>> clf = MLPClassifier((4,), max_epochs=3, random_state=0)
        >>> clf = clf.fit(X, np.repeat([0, 1], 10))
        >>> display = TrainingCurveDisplay.from_estimator(clf, keys="train_loss")
        >>> len(display.lines_["train_loss"].get_xdata())
        3
        >>> plt.close(display.figure_)
        """
        if hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        if not hasattr(estimator, "history_"):
            raise TypeError(
                "estimator must be a fitted estimator with a history_ (a micfp "
                f"neural classifier); got a {type(estimator).__name__} without one."
            )
        return cls.from_history(estimator.history_, keys=keys, ax=ax)
