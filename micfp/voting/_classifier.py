"""A meta-classifier that decides per row or per recording by voting over segments."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._docstring import Substitution
from ._aggregate import clip_votes, vote_by_group
from ._segments import cut_segments


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


def _soft_voting_possible(self):
    return self.voting == "soft" and _estimator_has("predict_proba")(self)


_rows_doc = Substitution(
    rows="""
    Parameters
    ----------
    X : array-like of shape (n_rows, `n_features_in_`)
        Rows as wide as the training rows.
    """
)


class SegmentVotingClassifier(ClassifierMixin, BaseEstimator):
    """Classify long rows, or whole recordings, by voting over segments.

    Two ways to use it:

    * Each row is a clip (``fit_on="rows"``, the default). The estimator is
      fitted on the rows as they are, and ``groups`` passed to
      :meth:`predict` or :meth:`predict_proba` pools the clips of each
      recording, so that every row receives its recording's decision.
      Without ``groups`` it predicts like the wrapped estimator.
    * Each row is a long excerpt (``fit_on="segments"``). Every row, in
      :meth:`fit` and at prediction time, is cut into ``n_segments`` evenly
      spaced segments of ``segment_length`` samples; the wrapped estimator is
      fitted on the segments and classifies each of them, and the segments
      of a row vote. This is the voting model of Qi et al., and it works
      inside :class:`~sklearn.model_selection.GridSearchCV` with no extra
      metadata.

    ``"soft"`` voting averages the log-probabilities, ``"hard"`` voting counts
    the predicted labels. ``groups`` also works with ``fit_on="segments"``:
    then all segments of all rows of a group vote.

    Parameters
    ----------
    estimator : estimator or Pipeline
        The clip classifier, cloned in :meth:`fit`. Soft voting needs
        ``predict_proba``.
    n_segments : int, default=3
        Segments cut from each row with ``fit_on="segments"`` (the voters;
        Qi et al. use 3, 4 and 5). Ignored with ``fit_on="rows"``, where the
        row is the one segment and ``groups`` brings voters together.
    segment_length : int or None, default=None
        Samples per segment. ``None`` uses ``n_features // n_segments`` (at
        least 1) with ``fit_on="segments"``, and the row width with
        ``fit_on="rows"``. Segments overlap when the row is shorter than
        ``n_segments * segment_length``.
    voting : {"soft", "hard"}, default="soft"
        How the segments of a row (or group) are combined.
    fit_on : {"rows", "segments"}, default="rows"
        ``"rows"`` fits the estimator on the training rows as they are;
        ``"segments"`` cuts every training row into its ``n_segments``
        segments, each labelled like its row.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    segment_length_ : int
        Samples per segment.
    n_segments_ : int
        Segments per row: ``n_segments``, or 1 with ``fit_on="rows"``.
    n_features_in_ : int
        Width of the rows, in training and at prediction time.

    See Also
    --------
    micfp.voting.vote_by_group : The voting rule on its own.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from micfp.voting import SegmentVotingClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 20)
    >>> X = rng.normal(size=(40, 64)) + y[:, None]
    >>> clf = SegmentVotingClassifier(
    ...     LogisticRegression(), fit_on="segments", n_segments=4
    ... )
    >>> clf.fit(X, y).predict(X[[0, -1]]).tolist()
    [0, 1]
    >>> clf.predict(X[:4], groups=[5, 5, 6, 6]).tolist()
    [0, 0, 0, 0]
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "n_segments": [Interval(Integral, 1, None, closed="left")],
        "segment_length": [Interval(Integral, 1, None, closed="left"), None],
        "voting": [StrOptions({"soft", "hard"})],
        "fit_on": [StrOptions({"rows", "segments"})],
    }

    def __init__(
        self,
        estimator,
        *,
        n_segments=3,
        segment_length=None,
        voting="soft",
        fit_on="rows",
    ):
        self.estimator = estimator
        self.n_segments = n_segments
        self.segment_length = segment_length
        self.voting = voting
        self.fit_on = fit_on

    def _resolve_segment_length(self, n_features):
        if self.fit_on == "rows":
            if self.segment_length not in (None, n_features):
                raise ValueError(
                    f"segment_length={self.segment_length} must be None or equal "
                    f"the width of the training rows ({n_features}) when "
                    "fit_on='rows'; use fit_on='segments' to cut training rows."
                )
            return n_features
        if self.segment_length is None:
            return max(1, n_features // self.n_segments)
        if self.segment_length > n_features:
            raise ValueError(
                f"segment_length={self.segment_length} is longer than the rows "
                f"of X ({n_features} samples)."
            )
        return self.segment_length

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the wrapped estimator on rows or on segments of rows.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_samples)
            Training rows.
        y : array-like of shape (n_rows,)
            Label of each row.
        **fit_params : dict
            Passed to the wrapped estimator's ``fit``.

        Returns
        -------
        self : SegmentVotingClassifier
            The fitted classifier.
        """
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.segment_length_ = self._resolve_segment_length(X.shape[1])
        self.n_segments_ = self.n_segments if self.fit_on == "segments" else 1
        if self.fit_on == "segments":
            X = cut_segments(X, self.segment_length_, self.n_segments_)
            y = np.repeat(y, self.n_segments_)
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def _segments(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return cut_segments(X, self.segment_length_, self.n_segments_)

    def _vote(self, X, groups):
        segments = self._segments(X)
        n_rows = len(segments) // self.n_segments_
        if groups is None:
            row_groups = np.arange(n_rows)
        else:
            row_groups = np.asarray(groups)
            if row_groups.shape != (n_rows,):
                raise ValueError(
                    f"groups must have one entry per row of X ({n_rows}); "
                    f"got shape {row_groups.shape}."
                )
        segment_groups = np.repeat(row_groups, self.n_segments_)
        has_proba = hasattr(self.estimator_, "predict_proba")
        proba = clip_votes(
            self.estimator_, segments, voting=self.voting if has_proba else "hard"
        )
        ids, group_proba = vote_by_group(proba, segment_groups, voting=self.voting)
        return group_proba[np.searchsorted(ids, row_groups)]

    @available_if(_soft_voting_possible)
    @_rows_doc
    def predict_proba(self, X, groups=None):
        """Class probabilities of each row, from its segments or its group's.

        {rows}
        groups : array-like of shape (n_rows,) or None, default=None
            The recording of each row. When given, every row receives the
            probabilities voted over all segments of its recording.

        Returns
        -------
        proba : ndarray of shape (n_rows, n_classes)
            Voted class probabilities, columns in the order of ``classes_``.
        """
        return self._vote(X, groups)

    @_rows_doc
    def predict(self, X, groups=None):
        """Predict the class of each row, or of each row's recording.

        {rows}
        groups : array-like of shape (n_rows,) or None, default=None
            The recording of each row. When given, all rows of a recording get
            the label voted over all of its segments.

        Returns
        -------
        y_pred : ndarray of shape (n_rows,)
            Predicted labels.
        """
        proba = self._vote(X, groups)
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags
