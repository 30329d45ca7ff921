"""A scorer that votes per recording before it scores."""

import sklearn
from sklearn.metrics import accuracy_score
from sklearn.utils.metadata_routing import MetadataRequest

from ..voting import clip_votes, group_labels, vote_by_group


class _RecordingScorer:
    """Score an estimator on recording-level decisions; see make_recording_scorer."""

    def __init__(self, metric, voting, metric_kwargs):
        self.metric = metric
        self.voting = voting
        self.metric_kwargs = metric_kwargs
        self._groups_request = True

    def __call__(self, estimator, X, y_true, groups=None):
        if groups is None:
            raise ValueError(
                "The recording scorer needs the recording of each clip: pass "
                "groups=... to cross_validate or GridSearchCV.fit with metadata "
                "routing enabled (sklearn.set_config(enable_metadata_routing=True)), "
                "or use micfp.model_selection.cross_validate_recordings."
            )
        truth = group_labels(y_true, groups)
        proba = clip_votes(estimator, X, voting=self.voting)
        _, group_proba = vote_by_group(proba, groups, voting=self.voting)
        y_pred = estimator.classes_[group_proba.argmax(axis=1)]
        return self.metric(truth, y_pred, **self.metric_kwargs)

    def set_score_request(self, *, groups=True):
        """Request (``True``), refuse (``False``) or alias the ``groups`` metadata.

        Parameters
        ----------
        groups : bool, None or str, default=True
            Routing request for ``groups``, as in scikit-learn's metadata
            routing.

        Returns
        -------
        self : object
            The scorer.
        """
        self._groups_request = groups
        return self

    def get_metadata_routing(self):
        """Return the metadata request of this scorer: ``groups`` for ``score``.

        Returns
        -------
        request : sklearn.utils.metadata_routing.MetadataRequest
            Requests ``groups`` unless changed by :meth:`set_score_request`.
        """
        request = MetadataRequest(owner=self)
        request.score.add_request(param="groups", alias=self._groups_request)
        return request

    def __repr__(self):
        name = getattr(self.metric, "__name__", repr(self.metric))
        return f"make_recording_scorer({name}, voting={self.voting!r})"


def make_recording_scorer(metric=accuracy_score, *, voting="soft", **metric_kwargs):
    """Make a scorer that decides per recording before it scores.

    The scorer predicts every clip, combines the clips of each recording with
    :func:`micfp.voting.vote_by_group`, and applies ``metric`` to the
    recording-level labels. It requests the ``groups`` metadata (the recording
    of each clip) through scikit-learn's metadata routing, which must be
    enabled when the scorer is made; then ``GridSearchCV(...,
    scoring=make_recording_scorer()).fit(X, y, groups=groups)`` both splits
    and selects by recording.

    Parameters
    ----------
    metric : callable, default=sklearn.metrics.accuracy_score
        ``metric(y_true, y_pred, **metric_kwargs)`` on recording-level labels;
        greater is better.
    voting : {"soft", "hard"}, default="soft"
        Voting rule; soft voting needs ``predict_proba``.
    **metric_kwargs : dict
        Passed to ``metric``, for example ``average="macro"``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, groups)``, with ``set_score_request`` and
        ``get_metadata_routing`` for scikit-learn's routing.

    Raises
    ------
    RuntimeError
        If metadata routing is disabled: GridSearchCV and cross_validate
        would then call the scorer without ``groups`` and report nan.

    See Also
    --------
    cross_validate_recordings : Group-aware cross-validation with this scorer.

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from micfp.model_selection import make_recording_scorer
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 20)
    >>> X = rng.normal(size=(40, 3)) + y[:, None]
    >>> groups = np.repeat(np.arange(4), 10)
    >>> clf = LogisticRegression().fit(X, y)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scorer = make_recording_scorer()
    >>> scorer(clf, X, y, groups=groups)
    1.0
    """
    if not sklearn.get_config()["enable_metadata_routing"]:
        raise RuntimeError(
            "make_recording_scorer needs scikit-learn's metadata routing, which "
            "passes each clip's recording (groups) to the scorer; without it "
            "GridSearchCV and cross_validate call the scorer without groups and "
            "report a score of nan. Enable it first, with "
            "sklearn.set_config(enable_metadata_routing=True) or inside "
            "`with sklearn.config_context(enable_metadata_routing=True):`, or use "
            "micfp.model_selection.cross_validate_recordings, which does so."
        )
    if voting not in ("soft", "hard"):
        raise ValueError(f"voting must be 'soft' or 'hard'; got {voting!r}.")
    if not callable(metric):
        raise TypeError(f"metric must be callable; got {metric!r}.")
    return _RecordingScorer(metric, voting, metric_kwargs)
