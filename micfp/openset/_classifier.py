"""A classifier that can answer "none of the known devices"."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import ScoreValueError
from ..utils._docstring import Substitution
from ..verification import PLDAScorer


def _rejection_on(self):
    return self.threshold is not None


def _embedding(estimator, X):
    """Return the input of the final step of a Pipeline, or ``X`` itself."""
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        return np.asarray(estimator[:-1].transform(X), dtype=np.float64)
    return np.asarray(X, dtype=np.float64)


def _fit_prototypes(embedding, y, scorer):
    """Return the class means of the embedding standardised on the rows."""
    center = embedding.mean(axis=0)
    scale = embedding.std(axis=0)
    scale[scale == 0] = 1.0
    z = (embedding - center) / scale
    labels, inverse = np.unique(y, return_inverse=True)
    prototypes = np.zeros((len(labels), z.shape[1]))
    np.add.at(prototypes, inverse, z)
    prototypes /= np.bincount(inverse)[:, None]
    return {
        "embedding_mean_": center,
        "embedding_scale_": scale,
        "prototypes_": prototypes,
    }


def _prototype_knownness(embedding, state):
    """Return minus the distance of each row to the nearest prototype."""
    z = (embedding - state["embedding_mean_"]) / state["embedding_scale_"]
    prototypes = state["prototypes_"]
    squared = (
        np.square(z).sum(axis=1)[:, None]
        - 2.0 * z @ prototypes.T
        + np.square(prototypes).sum(axis=1)[None, :]
    )
    return -np.sqrt(np.maximum(squared.min(axis=1), 0.0))


def _fit_backend(embedding, y, scorer):
    """Fit the back-end on the training rows, which also enrol the devices."""
    return {
        "scorer_": clone(scorer).fit(embedding, y),
        "enrolment_": embedding,
        "enrolment_labels_": y,
    }


def _backend_knownness(embedding, state):
    """Return the highest same-device score of each row against the devices."""
    scores = state["scorer_"].score_matrix(
        state["enrolment_"], embedding, enrol_groups=state["enrolment_labels_"]
    )
    return scores.max(axis=0)


# Known-ness methods that work on the embedding: how each fits its state (a
# dict of fitted attributes) and how it scores rows with that state.
_EMBEDDING_METHODS = {
    "prototype": (_fit_prototypes, _prototype_knownness),
    "backend": (_fit_backend, _backend_knownness),
}


def _fit_knownness(method, scorer, estimator, X, y):
    """Fitted state of a known-ness method, as attributes (name ends in _)."""
    if method == "msp":
        return {}
    fit, _ = _EMBEDDING_METHODS[method]
    return fit(_embedding(estimator, X), y, scorer)


def _knownness(method, estimator, state, X):
    """Known-ness of the rows of ``X``, higher for known devices."""
    if method == "msp":
        return estimator.predict_proba(X).max(axis=1)
    _, score = _EMBEDDING_METHODS[method]
    return score(_embedding(estimator, X), state)


_rows_doc = Substitution(
    rows="""
    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows to score or classify.
    """
)


class OpenSetClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Identify the device among known ones, or reject it as unknown.

    Wraps any classifier or Pipeline. Each row gets a known-ness score,
    higher meaning "made by one of the devices seen in training":

    - ``"msp"``: the maximum class probability of the classifier, the usual
      baseline (softmax is overconfident off its training data).
    - ``"prototype"``: minus the Euclidean distance to the nearest class
      mean (prototype), in the embedding standardised on the training rows.
    - ``"backend"``: the highest same-device score of the row against each
      known device, every device enrolled with all its training rows, by a
      verification back-end (``scorer``) fitted on the training rows.

    The embedding is the input of the Pipeline's final step (the output of
    the steps before it), or ``X`` itself for a plain classifier.

    With ``threshold=None`` (the default) nothing is rejected and the
    wrapper predicts like the classifier. With ``threshold="auto"``, the
    threshold is learnt in :meth:`fit` from the known devices alone: the
    classifier is refitted in ``cv`` folds that hold out whole recordings
    (``groups``), the known-ness of each held-out row of a device seen in
    its fold is collected, and the threshold is their ``target_frr``
    quantile, so that about ``target_frr`` of the recordings of known
    devices are falsely rejected. Unknown devices are never used.

    Parameters
    ----------
    estimator : classifier or Pipeline
        Cloned in :meth:`fit`. ``"msp"`` needs ``predict_proba``.
    method : {"msp", "prototype", "backend"}, default="backend"
        Known-ness score, see above.
    threshold : "auto", float or None, default=None
        ``None`` turns rejection off; a float is used as it is.
    target_frr : float, default=0.05
        False-rejection rate of known devices aimed at by
        ``threshold="auto"``, in (0, 1).
    unknown_label : int, float or str, default=-1
        Predicted for rejected rows; must not be a class.
    scorer : back-end or None, default=None
        Back-end of ``"backend"``, with ``fit(X, y)`` and
        ``score_matrix(X_enrol, X_test, enrol_groups=...)``; ``None`` uses
        :class:`~micfp.verification.PLDAScorer`. It is fitted on the known
        devices' training rows, unless it is wrapped in
        :class:`~sklearn.frozen.FrozenEstimator`: a back-end fitted on
        background devices, which usually generalises better to devices
        outside the training set, is then used as it is, and the known
        devices are only enrolled.
    cv : int, default=5
        Folds of recordings for ``threshold="auto"``.

    Attributes
    ----------
    estimator_ : classifier
        The classifier fitted on all the training rows.
    classes_ : ndarray of shape (n_classes,)
        Known devices.
    threshold_ : float or None
        Known-ness below which rows are rejected; None without rejection.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    prototypes_ : ndarray of shape (n_classes, n_embedding)
        ``"prototype"`` only: class means of the standardised embedding,
        with ``embedding_mean_`` and ``embedding_scale_`` the standardisation.
    scorer_ : back-end
        ``"backend"`` only: the fitted (or frozen) back-end, with the
        enrolment embeddings ``enrolment_`` and their ``enrolment_labels_``.

    See Also
    --------
    micfp.verification.PLDAScorer : The default back-end.
    micfp.metrics.oscr : Open-set classification rate.
    sklearn.model_selection.TunedThresholdClassifierCV : Thresholds learnt
        by cross-validation for binary classifiers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from micfp.openset import OpenSetClassifier
    >>> rng = np.random.default_rng(0)
    >>> centres = 4 * rng.standard_normal((5, 8))
    >>> y = np.repeat(np.arange(5), 40)
    >>> X = centres[y] + rng.standard_normal((200, 8))
    >>> groups = np.repeat(np.arange(40), 5)  # 8 recordings per device
    >>> clf = OpenSetClassifier(
    ...     make_pipeline(StandardScaler(), LogisticRegression()),
    ...     method="prototype",
    ...     threshold="auto",
    ... ).fit(X[y < 4], y[y < 4], groups=groups[y < 4])
    >>> unknown = clf.predict(X[y == 4])
    >>> float(np.mean(unknown == -1)) > 0.8
    True
    >>> float(np.mean(clf.predict(X[y < 4]) == -1)) < 0.1
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"])],
        "method": [StrOptions({"msp", "prototype", "backend"})],
        "threshold": [StrOptions({"auto"}), Real, None],
        "target_frr": [Interval(Real, 0, 1, closed="neither")],
        "unknown_label": [Integral, Real, str],
        "scorer": [HasMethods(["fit", "score_matrix"]), None],
        "cv": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        method="backend",
        threshold=None,
        target_frr=0.05,
        unknown_label=-1,
        scorer=None,
        cv=5,
    ):
        self.estimator = estimator
        self.method = method
        self.threshold = threshold
        self.target_frr = target_frr
        self.unknown_label = unknown_label
        self.scorer = scorer
        self.cv = cv

    def _check_method(self):
        if self.method == "msp" and not hasattr(self.estimator, "predict_proba"):
            raise ValueError(
                "method='msp' needs an estimator with predict_proba; use "
                "method='prototype' or 'backend'."
            )

    def _fit_one(self, X, y, fit_params):
        """Fit a clone of the estimator and its known-ness state."""
        estimator = clone(self.estimator).fit(X, y, **fit_params)
        scorer = PLDAScorer() if self.scorer is None else self.scorer
        return estimator, _fit_knownness(self.method, scorer, estimator, X, y)

    def _learn_threshold(self, X, y, groups, fit_params):
        if groups is None:
            raise ScoreValueError(
                "groups is required with threshold='auto': the threshold is "
                "learnt on held-out recordings, so pass the recording of each row."
            )
        groups = np.asarray(groups)
        if groups.shape != (len(y),):
            raise ScoreValueError(
                f"groups must have one entry per row of X ({len(y)}); got shape "
                f"{groups.shape}."
            )
        n_recordings = np.array(
            [len(np.unique(groups[y == label])) for label in self.classes_]
        )
        if n_recordings.min() < 2:
            short = self.classes_[n_recordings < 2][:5].tolist()
            raise ScoreValueError(
                "groups must give every known device at least two recordings "
                f"(one held out at a time) for threshold='auto'; devices {short} "
                "have one."
            )
        n_splits = min(self.cv, len(np.unique(groups)))
        held_out = []
        splitter = StratifiedGroupKFold(n_splits=n_splits)
        for train, test in splitter.split(X, y, groups):
            seen = np.isin(y[test], y[train])
            if not seen.any() or len(np.unique(y[train])) < 2:
                continue
            test = test[seen]
            estimator, state = self._fit_one(X[train], y[train], fit_params)
            held_out.append(_knownness(self.method, estimator, state, X[test]))
        held_out = np.concatenate(held_out)
        return float(np.quantile(held_out, self.target_frr))

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None, **fit_params):
        """Fit the classifier, its known-ness score and its threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows of the known devices.
        y : array-like of shape (n_samples,)
            Device labels.
        groups : array-like of shape (n_samples,) or None, default=None
            Recording of each row; required by ``threshold="auto"``, whose
            folds hold out whole recordings.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : object
            The fitted classifier.

        Raises
        ------
        ScoreValueError
            With ``threshold="auto"``, if ``groups`` is missing, of the wrong
            length, or gives a known device a single recording.
        """
        self._check_method()
        X, y = validate_data(self, X, y, ensure_min_samples=2)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.threshold is not None and self.unknown_label in self.classes_.tolist():
            raise ValueError(
                f"unknown_label={self.unknown_label!r} is one of the classes; "
                "choose a label that no known device has."
            )
        if self.threshold == "auto":
            self.threshold_ = self._learn_threshold(X, y, groups, fit_params)
        elif self.threshold is None:
            self.threshold_ = None
        else:
            self.threshold_ = float(self.threshold)
        self.estimator_, state = self._fit_one(X, y, fit_params)
        for name, value in state.items():
            setattr(self, name, value)
        return self

    def _state(self):
        names = (
            "embedding_mean_",
            "embedding_scale_",
            "prototypes_",
            "scorer_",
            "enrolment_",
            "enrolment_labels_",
        )
        return {name: getattr(self, name) for name in names if hasattr(self, name)}

    @_rows_doc
    def score_samples(self, X):
        """Known-ness of each row, higher meaning "a known device".

        {rows}

        Returns
        -------
        knownness : ndarray of shape (n_samples,)
            The score of ``method``, before the threshold.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return _knownness(self.method, self.estimator_, self._state(), X)

    @available_if(_rejection_on)
    @_rows_doc
    def decision_function(self, X):
        """Known-ness minus the threshold: positive for rows accepted as known.

        Available only with rejection on (``threshold`` not None).

        {rows}

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - threshold_``; rows below 0 are rejected.
        """
        return self.score_samples(X) - self.threshold_

    @_rows_doc
    def predict(self, X):
        """Predict the device of each row, or ``unknown_label`` if rejected.

        {rows}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            A known device, or ``unknown_label`` for rejected rows.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        y_pred = self.estimator_.predict(X)
        if self.threshold_ is None:
            return y_pred
        rejected = (
            _knownness(self.method, self.estimator_, self._state(), X) < self.threshold_
        )
        textual = y_pred.dtype.kind in "USO"
        if textual == isinstance(self.unknown_label, str) and y_pred.dtype != object:
            dtype = np.result_type(y_pred, np.asarray([self.unknown_label]))
        else:  # a number among strings (or the reverse) keeps its type
            dtype = object
        y_pred = y_pred.astype(dtype)
        y_pred[rejected] = self.unknown_label
        return y_pred

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    @_rows_doc
    def predict_proba(self, X):
        """Closed-set class probabilities of the wrapped classifier.

        {rows}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities over the known devices, ignoring rejection.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.estimator_.predict_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
