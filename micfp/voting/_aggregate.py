"""Recording-level decisions from clip-level class probabilities."""

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length

_VOTING = ("hard", "soft")


def _soft_vote(log_proba, inverse, n_groups):
    summed = np.zeros((n_groups, log_proba.shape[1]))
    np.add.at(summed, inverse, log_proba)
    mean = summed / np.bincount(inverse, minlength=n_groups)[:, None]
    mean -= mean.max(axis=1, keepdims=True)
    proba = np.exp(mean)
    return proba / proba.sum(axis=1, keepdims=True)


def _hard_vote(proba, inverse, n_groups):
    votes = np.zeros((n_groups, proba.shape[1]))
    np.add.at(votes, (inverse, proba.argmax(axis=1)), 1.0)
    return votes / votes.sum(axis=1, keepdims=True)


def vote_by_group(proba, groups, *, voting="soft", eps=1e-12):
    """Combine clip-level class probabilities into one decision per group.

    Each group (a recording, in micfp's data model) receives one row of class
    scores that sum to one.

    Parameters
    ----------
    proba : array-like of shape (n_clips, n_classes)
        Class probabilities of each clip, as returned by ``predict_proba``.
    groups : array-like of shape (n_clips,)
        The group (recording) of each clip.
    voting : {"soft", "hard"}, default="soft"
        ``"soft"`` averages the log-probabilities of a group's clips (the
        product rule) and renormalizes; ``"hard"`` counts each clip's most
        probable class and returns the vote fractions.
    eps : float, default=1e-12
        Floor applied to probabilities before the logarithm in soft voting,
        so that one clip with a zero probability cannot veto a class alone.

    Returns
    -------
    group_ids : ndarray of shape (n_groups,)
        The distinct groups, sorted.
    group_proba : ndarray of shape (n_groups, n_classes)
        The combined scores of each group, rows summing to one.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.voting import vote_by_group
    >>> proba = np.array([[0.6, 0.4], [0.4, 0.6], [0.9, 0.1]])
    >>> ids, group_proba = vote_by_group(proba, [7, 7, 8], voting="hard")
    >>> ids.tolist(), group_proba.tolist()
    ([7, 8], [[0.5, 0.5], [1.0, 0.0]])
    """
    if voting not in _VOTING:
        raise ValueError(f"voting must be one of {list(_VOTING)}; got {voting!r}.")
    proba = check_array(proba, dtype=np.float64, input_name="proba")
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError(f"groups must be 1-D; got shape {groups.shape}.")
    check_consistent_length(proba, groups)
    group_ids, inverse = np.unique(groups, return_inverse=True)
    if voting == "soft":
        log_proba = np.log(np.clip(proba, eps, None))
        return group_ids, _soft_vote(log_proba, inverse, len(group_ids))
    return group_ids, _hard_vote(proba, inverse, len(group_ids))


def clip_votes(estimator, X, *, voting="soft"):
    """Return what each clip contributes to a vote over its group.

    The rows that :func:`vote_by_group` combines, taken from a fitted clip
    classifier: its class probabilities for soft voting, or a one-hot row of
    its predicted label for hard voting.

    Parameters
    ----------
    estimator : fitted classifier or Pipeline
        Clip classifier with ``classes_``, and ``predict_proba`` for soft
        voting.
    X : array-like of shape (n_clips, n_features)
        Clips, in the input format of ``estimator``.
    voting : {"soft", "hard"}, default="soft"
        ``"soft"`` returns ``predict_proba(X)``; ``"hard"`` one-hot encodes
        ``predict(X)`` over ``classes_``.

    Returns
    -------
    votes : ndarray of shape (n_clips, n_classes)
        One row per clip, columns in the order of ``estimator.classes_``.

    See Also
    --------
    vote_by_group : Combine the rows into one decision per group.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from micfp.voting import clip_votes, vote_by_group
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> clf = LogisticRegression().fit(X, ["a", "a", "b", "b"])
    >>> votes = clip_votes(clf, [[-3.0], [0.5], [3.0]], voting="hard")
    >>> votes.tolist()
    [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    >>> _, group_proba = vote_by_group(votes, [1, 1, 1], voting="hard")
    >>> clf.classes_[group_proba.argmax(axis=1)].tolist()
    ['b']
    """
    if voting not in _VOTING:
        raise ValueError(f"voting must be one of {list(_VOTING)}; got {voting!r}.")
    if voting == "soft":
        return np.asarray(estimator.predict_proba(X), dtype=np.float64)
    labels = np.asarray(estimator.predict(X))
    return (labels[:, None] == estimator.classes_[None, :]).astype(np.float64)


def group_labels(y, groups):
    """Return the label of each group, groups sorted as in :func:`vote_by_group`.

    Every clip of a group (a recording) carries the recording's device; this
    gives the true labels to compare with the decisions of
    :func:`vote_by_group`.

    Parameters
    ----------
    y : array-like of shape (n_clips,)
        Label of each clip.
    groups : array-like of shape (n_clips,)
        Group (recording) of each clip.

    Returns
    -------
    labels : ndarray of shape (n_groups,)
        Label of each distinct group, in sorted group order.

    Raises
    ------
    ValueError
        If ``y`` and ``groups`` differ in length, or the clips of one group
        carry different labels.

    Examples
    --------
    >>> from micfp.voting import group_labels
    >>> group_labels(["b", "b", "a"], [8, 8, 7]).tolist()
    ['a', 'b']
    """
    y = np.asarray(y)
    groups = np.asarray(groups)
    if y.ndim != 1 or groups.ndim != 1:
        raise ValueError(
            f"y and groups must be 1-D; got shapes {y.shape} and {groups.shape}."
        )
    check_consistent_length(y, groups)
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    labels = y[first]
    mixed = y != labels[inverse]
    if np.any(mixed):
        raise ValueError(
            "Every clip of a recording must carry the same label; group "
            f"{groups[mixed][0].tolist()!r} holds more than one."
        )
    return labels
