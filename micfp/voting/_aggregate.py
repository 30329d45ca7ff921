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


def _clip_votes(estimator, X, voting):
    """Return what each clip contributes to a vote.

    Soft voting takes ``predict_proba``; hard voting turns each clip's
    predicted label into a one-hot row over ``estimator.classes_``.
    """
    if voting == "soft":
        return estimator.predict_proba(X)
    labels = estimator.predict(X)
    return (labels[:, None] == estimator.classes_[None, :]).astype(float)


def _group_labels(y, groups):
    """Return the label of each group, groups sorted as in :func:`vote_by_group`.

    Raises a ValueError when the clips of one group carry different labels.
    """
    y = np.asarray(y)
    _, first, inverse = np.unique(
        np.asarray(groups), return_index=True, return_inverse=True
    )
    labels = y[first]
    if np.any(y != labels[inverse]):
        raise ValueError("Every clip of a recording must carry the same label.")
    return labels
