"""Leakage-free splits and cross-validation by recording."""

import warnings

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GroupKFold, cross_validate

from ._scorer import make_recording_scorer


def split_recordings(recordings, *, test_ids):
    """Split recordings into training and test sets by recording identifier.

    The protocol of Qi et al. ("recordings 1 and 2 of every device for
    training, recording 3 for testing") is ``split_recordings(recordings,
    test_ids=[3])``. Clips are cut after the split, so no recording has clips
    on both sides.

    Parameters
    ----------
    recordings : Recordings
        The recordings, with ``recording_ids``.
    test_ids : scalar or sequence
        The ``recording_ids`` that go to the test set; all others train.

    Returns
    -------
    train, test : Recordings
        The two sets, sharing the signal arrays with ``recordings``.

    Warns
    -----
    UserWarning
        When a device ends up with no recording in one of the sets.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.io import Recordings
    >>> from micfp.model_selection import split_recordings
    >>> rec = Recordings([np.zeros(8)] * 4, 8, ["a", "a", "b", "b"], [1, 2, 1, 2])
    >>> train, test = split_recordings(rec, test_ids=[2])
    >>> train.devices.tolist(), test.devices.tolist()
    (['a', 'b'], ['a', 'b'])
    """
    test_ids = np.atleast_1d(np.asarray(test_ids, dtype=recordings.recording_ids.dtype))
    is_test = np.isin(recordings.recording_ids, test_ids)
    if not is_test.any():
        raise ValueError(
            f"No recording has an id in test_ids={test_ids.tolist()}; the ids "
            f"present are {np.unique(recordings.recording_ids).tolist()}."
        )
    if is_test.all():
        raise ValueError(
            f"test_ids={test_ids.tolist()} takes every recording; none is left "
            "for training."
        )
    devices = np.unique(recordings.devices)
    for side, mask in (("training", ~is_test), ("test", is_test)):
        missing = np.setdiff1d(devices, recordings.devices[mask])
        if len(missing):
            warnings.warn(
                f"Devices {missing.tolist()} have no recording in the {side} set.",
                UserWarning,
                stacklevel=2,
            )
    return recordings.subset(~is_test), recordings.subset(is_test)


def cross_validate_recordings(
    estimator, X, y, groups, *, cv=5, voting="soft", n_jobs=None, verbose=0, **kwargs
):
    """Cross-validate by recording and score both clips and recordings.

    Folds never split a recording (:class:`~sklearn.model_selection.GroupKFold`
    over ``groups``), and each fold is scored twice: clip accuracy and
    recording accuracy after voting (:func:`make_recording_scorer`).

    .. warning::
       A random split of clips (``KFold``, ``train_test_split``) puts clips
       of one recording on both sides. The classifier can then recognise the
       recording (its content, room, level) instead of the device, and the
       accuracy it reports will not hold on new recordings.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Classifier of clips.
    X : array-like of shape (n_clips, n_samples)
        Clips, as returned by :func:`micfp.clips.extract_clips`.
    y : array-like of shape (n_clips,)
        Device of each clip.
    groups : array-like of shape (n_clips,)
        Recording of each clip.
    cv : int or group-aware splitter, default=5
        Number of :class:`~sklearn.model_selection.GroupKFold` folds, or a
        splitter that takes ``groups`` (``GroupKFold``, ``LeaveOneGroupOut``,
        ``GroupShuffleSplit``, ...).
    voting : {"soft", "hard"}, default="soft"
        Voting rule of the recording-level score.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib).
    verbose : int, default=0
        Verbosity of scikit-learn's ``cross_validate``: from 2 on, a line
        as each fold ends (with its scores from 3 on), in plain text; 1
        only joblib's summaries.
    **kwargs : dict
        Passed to :func:`sklearn.model_selection.cross_validate`.

    Returns
    -------
    scores : dict of ndarray
        ``cross_validate``'s result with ``test_clip_accuracy`` and
        ``test_recording_accuracy``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from micfp.model_selection import cross_validate_recordings
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 30)
    >>> X = rng.normal(size=(60, 4)) + y[:, None]
    >>> groups = np.repeat(np.arange(6), 10)
    >>> scores = cross_validate_recordings(LogisticRegression(), X, y, groups, cv=3)
    >>> scores["test_recording_accuracy"].tolist()
    [1.0, 1.0, 1.0]
    """
    if isinstance(cv, int):
        cv = GroupKFold(n_splits=cv)
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = {
            "clip_accuracy": make_scorer(accuracy_score),
            "recording_accuracy": make_recording_scorer(voting=voting),
        }
        return cross_validate(
            estimator,
            X,
            y,
            cv=cv,
            scoring=scoring,
            params={"groups": groups},
            n_jobs=n_jobs,
            verbose=verbose,
            **kwargs,
        )
