"""Scoring back-ends: same-device scores of enrolment and test embeddings."""

from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy.linalg import eigh
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.covariance import ledoit_wolf_shrinkage
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import ScoreValueError
from ._embedding import check_embeddings


def _unit_rows(X):
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1.0)


def _group_means(X, groups):
    """Mean row and row count of each group, groups in sorted order."""
    labels, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    sums = np.zeros((len(labels), X.shape[1]), dtype=X.dtype)
    np.add.at(sums, inverse, X)
    return sums / counts[:, None], counts, labels, inverse


class BaseScorer(BaseEstimator, metaclass=ABCMeta):
    """Template of the scoring back-ends.

    A back-end is fitted on embeddings of background devices with their
    device labels; :meth:`score_matrix` then scores every enrolment model
    against every test embedding in one batched computation, higher meaning
    "same device". Subclasses implement ``_fit`` and ``_score_matrix``
    on validated arrays.
    """

    _parameter_constraints: ClassVar[dict] = {}

    @abstractmethod
    def _fit(self, X, y):
        """Fit on validated background embeddings and labels."""

    @abstractmethod
    def _score_matrix(self, enrol, test, enrol_groups):
        """Scores of validated enrolment rows (pooled by groups) vs test rows."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the back-end on embeddings of background devices.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            Embeddings of background recordings or excerpts, finite.
        y : array-like of shape (n_rows,)
            Device label of each row; at least two devices, one of them with
            two rows or more.

        Returns
        -------
        self : object
            The fitted back-end.

        Raises
        ------
        ScoreValueError
            For NaN or infinite embeddings, labels of the wrong length, a
            single device, or no device with two rows.
        """
        X, y = validate_data(self, X, y, ensure_all_finite=False, dtype=np.float64)
        X = check_embeddings(X, "X")
        check_classification_targets(y)
        labels, counts = np.unique(y, return_counts=True)
        if len(labels) < 2:
            raise ScoreValueError(
                "y must hold at least two background devices; got one class "
                f"({labels[0]!r})."
            )
        if counts.max() < 2:
            raise ScoreValueError(
                "y must give at least one background device two rows or more, "
                "to measure the spread within a device; every device has one sample."
            )
        self.n_features_in_ = X.shape[1]
        self.n_devices_ = len(labels)
        self._fit(X, y)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def score_matrix(self, X_enrol, X_test, *, enrol_groups=None):
        """Same-device scores of every enrolment model against every test row.

        Parameters
        ----------
        X_enrol : array-like of shape (n_enrol_rows, n_features)
            Enrolment embeddings, one model per row, or per group of rows
            with ``enrol_groups``.
        X_test : array-like of shape (n_test, n_features)
            Test (questioned) embeddings.
        enrol_groups : array-like of shape (n_enrol_rows,) or None, \
                default=None
            The model each enrolment row belongs to: rows of one model (say,
            several recordings of one suspected device) are enrolled
            together, in the sorted order of the labels.

        Returns
        -------
        scores : ndarray of shape (n_models, n_test)
            Higher means "same device".

        Raises
        ------
        ScoreValueError
            For NaN or infinite embeddings, a number of features other than
            the one fitted, or ``enrol_groups`` of the wrong length.
        """
        check_is_fitted(self)
        enrol = check_embeddings(X_enrol, "X_enrol", n_features=self.n_features_in_)
        test = check_embeddings(X_test, "X_test", n_features=self.n_features_in_)
        if enrol_groups is not None:
            enrol_groups = np.asarray(enrol_groups)
            if enrol_groups.shape != (len(enrol),):
                raise ScoreValueError(
                    f"enrol_groups must have one entry per row of X_enrol "
                    f"({len(enrol)}); got shape {enrol_groups.shape}."
                )
        return self._score_matrix(enrol, test, enrol_groups)


class _ProjectingScorer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseScorer):
    """A back-end that maps embeddings into a space and scores them there.

    Subclasses implement :meth:`_project` and :meth:`_score` (projected
    enrolment model means, with their row counts, against projected test
    rows); enrolment rows of one group are averaged after projection.
    """

    @abstractmethod
    def _project(self, X):
        """Map validated embeddings into the scoring space."""

    @property
    def _n_features_out(self):
        return getattr(self, "n_components_", self.n_features_in_)

    @abstractmethod
    def _score(self, enrol, counts, test):
        """Scores of projected enrolment means (with counts) vs test rows."""

    def transform(self, X):
        """Map embeddings into the space where they are scored.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            Embeddings.

        Returns
        -------
        X_out : ndarray of shape (n_rows, n_components)
            The projected embeddings.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite=False)
        return self._project(check_embeddings(X, "X"))

    def _score_matrix(self, enrol, test, enrol_groups):
        enrol = self._project(enrol)
        if enrol_groups is None:
            counts = np.ones(len(enrol), dtype=int)
        else:
            enrol, counts, _, _ = _group_means(enrol, enrol_groups)
        return self._score(enrol, counts, self._project(test))


class CosineScorer(_ProjectingScorer):
    """Cosine similarity of embeddings centred on the background mean.

    Every embedding has the mean of the background embeddings subtracted and
    is scaled to unit length; a score is the dot product, so a whole score
    matrix is one matrix product. An enrolment model of several rows is the
    mean of its unit vectors.

    Parameters
    ----------
    center : bool, default=True
        Subtract the background mean before normalising.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Background mean (zeros with ``center=False``).
    n_features_in_ : int
        Embedding size.
    n_devices_ : int
        Background devices seen in :meth:`fit`.

    See Also
    --------
    LDACosineScorer : Cosine similarity after linear discriminant analysis.
    PLDAScorer : Log-likelihood ratios of a two-covariance PLDA model.
    NormalizedScorer : Symmetric score normalisation of a back-end.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.verification import CosineScorer
    >>> rng = np.random.default_rng(0)
    >>> devices = rng.standard_normal((5, 8))
    >>> y = np.repeat(np.arange(5), 4)
    >>> X = devices[y] + 0.1 * rng.standard_normal((20, 8))
    >>> scorer = CosineScorer().fit(X, y)
    >>> S = scorer.score_matrix(X[:8:4], X[:8])
    >>> S.shape
    (2, 8)
    >>> bool(S[0, :4].min() > S[0, 4:].max())
    True
    """

    _parameter_constraints: ClassVar[dict] = {"center": ["boolean"]}

    def __init__(self, *, center=True):
        self.center = center

    def _fit(self, X, y):
        self.mean_ = X.mean(axis=0) if self.center else np.zeros(X.shape[1])

    def _project(self, X):
        return _unit_rows(X - self.mean_)

    def _score(self, enrol, counts, test):
        # The mean of several unit vectors is shorter than one.
        return _unit_rows(enrol) @ test.T


class LDACosineScorer(CosineScorer):
    """Cosine similarity after linear discriminant analysis.

    A :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis`
    fitted on the background devices projects embeddings onto the directions
    that separate devices best relative to the spread within a device;
    scores are cosines in that space.

    Parameters
    ----------
    n_components : int or None, default=None
        Dimensions kept, at most ``n_devices - 1`` and the embedding size.
        ``None`` keeps all of them.
    shrinkage : "auto", float or None, default="auto"
        Shrinkage of the within-device covariance (Ledoit-Wolf with
        ``"auto"``), as in scikit-learn's ``eigen`` solver; embeddings often
        have more features than background rows.

    Attributes
    ----------
    lda_ : LinearDiscriminantAnalysis
        The fitted projection.
    mean_ : ndarray of shape (n_components,)
        Mean of the projected background embeddings.
    n_components_ : int
        Dimensions kept.
    n_features_in_ : int
        Embedding size.
    n_devices_ : int
        Background devices.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.verification import LDACosineScorer
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(np.arange(6), 5)
    >>> X = rng.standard_normal((6, 10))[y] + 0.3 * rng.standard_normal((30, 10))
    >>> scorer = LDACosineScorer(n_components=3).fit(X, y)
    >>> scorer.transform(X).shape
    (30, 3)
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "shrinkage": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both"), None],
    }

    def __init__(self, *, n_components=None, shrinkage="auto"):
        self.n_components = n_components
        self.shrinkage = shrinkage

    def _fit(self, X, y):
        limit = min(self.n_devices_ - 1, X.shape[1])
        self.n_components_ = limit if self.n_components is None else self.n_components
        if self.n_components_ > limit:
            raise ValueError(
                f"n_components={self.n_components} exceeds what LDA gives with "
                f"{self.n_devices_} background devices and {X.shape[1]} features "
                f"({limit})."
            )
        self.lda_ = LinearDiscriminantAnalysis(
            solver="eigen", shrinkage=self.shrinkage, n_components=self.n_components_
        ).fit(X, y)
        self.mean_ = self.lda_.transform(X).mean(axis=0)

    def _project(self, X):
        return _unit_rows(self.lda_.transform(X) - self.mean_)


class PLDAScorer(_ProjectingScorer):
    """Log-likelihood ratios of a two-covariance PLDA model.

    The two-covariance model draws a device's latent mean from
    ``N(m, B)`` and each embedding of the device from ``N(device mean, W)``.
    After the linear map that makes ``W`` the identity and ``B`` diagonal
    (a simultaneous diagonalisation, the LDA directions), the dimensions are
    independent, and the log-likelihood ratio of "the enrolment rows and the
    test row share one device" against "two devices" is a quadratic form in
    the enrolment mean and the test row: a score matrix costs one matrix
    product and two rank-one updates.

    ``W`` is the pooled within-device covariance (shrunk towards a multiple
    of the identity by Ledoit-Wolf, since embeddings often have more
    features than background rows), ``B`` the covariance of the device means
    less ``W`` over the mean row count, the moment estimates of Ioffe [1]_.

    Parameters
    ----------
    n_components : int or None, default=None
        Dimensions kept, those of largest between-device variance, at most
        ``n_devices - 1`` and the embedding size. ``None`` keeps all of them.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Background mean.
    components_ : ndarray of shape (n_features, n_components)
        The map into the model's space.
    between_variance_ : ndarray of shape (n_components,)
        Diagonal of ``B`` in that space (``W`` is the identity there).
    n_components_ : int
        Dimensions kept.
    n_features_in_ : int
        Embedding size.
    n_devices_ : int
        Background devices.

    Notes
    -----
    Scores are natural-log likelihood ratios under the model, not calibrated
    ones: calibrate them on held-out devices before reading them as evidence.

    References
    ----------
    .. [1] S. Ioffe, "Probabilistic linear discriminant analysis", ECCV 2006,
       LNCS 3954, 531-542. :doi:`10.1007/11744085_41`

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.verification import PLDAScorer
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(np.arange(8), 5)
    >>> X = rng.standard_normal((8, 6))[y] + 0.3 * rng.standard_normal((40, 6))
    >>> plda = PLDAScorer().fit(X, y)
    >>> enrol, test = [0, 1, 2, 5, 6, 7], [3, 4, 8, 9]
    >>> S = plda.score_matrix(X[enrol], X[test], enrol_groups=y[enrol])
    >>> S.shape
    (2, 4)
    >>> bool(min(S[0, :2].min(), S[1, 2:].min()) > max(S[0, 2:].max(), S[1, :2].max()))
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, *, n_components=None):
        self.n_components = n_components

    def _fit(self, X, y):
        limit = min(self.n_devices_ - 1, X.shape[1])
        n_components = limit if self.n_components is None else self.n_components
        if n_components > limit:
            raise ValueError(
                f"n_components={self.n_components} exceeds what PLDA estimates "
                f"with {self.n_devices_} background devices and {X.shape[1]} "
                f"features ({limit})."
            )
        self.mean_ = X.mean(axis=0)
        means, counts, _, inverse = _group_means(X - self.mean_, y)
        residuals = X - self.mean_ - means[inverse]
        dof = max(len(X) - len(means), 1)
        within = residuals.T @ residuals / dof
        alpha = ledoit_wolf_shrinkage(residuals, assume_centered=True)
        level = np.trace(within) / len(within)
        # Shrunk towards the average variance; a ridge keeps constant features
        # from making it singular.
        within = (1.0 - alpha) * within + (alpha * level + 1e-9 * (level or 1.0)) * (
            np.eye(len(within))
        )
        between = np.cov(means.T, bias=True).reshape(len(within), len(within))
        values, vectors = eigh(between, within)
        order = np.argsort(values)[::-1][:n_components]
        self.components_ = vectors[:, order]
        floor = 1e-6 * max(values[order[0]], 1e-12)
        self.between_variance_ = np.maximum(
            values[order] - np.mean(1.0 / counts), floor
        )
        self.n_components_ = n_components

    def _project(self, X):
        return (X - self.mean_) @ self.components_

    def _score(self, enrol, counts, test):
        b = self.between_variance_
        w_enrol = 1.0 / counts[:, None]  # variance of an enrolment mean
        total_enrol = b + w_enrol
        det = b * (w_enrol + 1.0) + w_enrol
        quad_enrol = -0.5 * ((b + 1.0) / det - 1.0 / total_enrol)
        cross = b / det
        quad_test = -0.5 * (total_enrol / det - 1.0 / (b + 1.0))
        const = 0.5 * np.log(total_enrol * (b + 1.0) / det).sum(axis=1)
        scores = (enrol * cross) @ test.T
        scores += quad_test @ np.square(test).T
        scores += (const + (quad_enrol * np.square(enrol)).sum(axis=1))[:, None]
        return scores


class NormalizedScorer(BaseScorer):
    """Symmetric score normalisation (s-norm, adaptive s-norm) of a back-end.

    The raw score ``s`` of an enrolment model ``e`` and a test row ``t`` is
    standardised twice by the scores of a cohort of background embeddings,
    ``((s - mu_e) / sigma_e + (s - mu_t) / sigma_t) / 2``, where ``mu_e``,
    ``sigma_e`` are the mean and standard deviation of ``e``'s scores against
    the cohort (likewise for ``t``). Adaptive s-norm uses only the ``top_n``
    highest cohort scores of each side, the cohort members most like it [1]_.

    The cohort is the background embeddings the back-end is fitted on, never
    enrolment or test rows: normalising with test-side statistics across
    trials would make one trial's score depend on the others.

    Parameters
    ----------
    scorer : back-end
        A :class:`CosineScorer`, :class:`LDACosineScorer`,
        :class:`PLDAScorer` or any estimator with ``fit(X, y)`` and
        ``score_matrix(X_enrol, X_test, enrol_groups=None)``; cloned and
        fitted on the background embeddings.
    method : {"s-norm", "as-norm"}, default="as-norm"
        Plain or adaptive symmetric normalisation.
    top_n : int, default=100
        Cohort scores kept per side by ``"as-norm"``, at most the number of
        background rows. Ignored by ``"s-norm"``.

    Attributes
    ----------
    scorer_ : back-end
        The fitted clone of ``scorer``.
    cohort_ : ndarray of shape (n_cohort, n_features)
        The background embeddings used as cohort.
    n_features_in_ : int
        Embedding size.
    n_devices_ : int
        Background devices.

    References
    ----------
    .. [1] P. Matějka et al., "Analysis of score normalization in multilingual
       speaker recognition", Interspeech 2017, 1567-1571.
       :doi:`10.21437/Interspeech.2017-803`

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.verification import CosineScorer, NormalizedScorer
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(np.arange(10), 3)
    >>> X = rng.standard_normal((10, 6))[y] + 0.2 * rng.standard_normal((30, 6))
    >>> scorer = NormalizedScorer(CosineScorer(), top_n=10).fit(X, y)
    >>> scorer.score_matrix(X[:2], X[:5]).shape
    (2, 5)
    """

    _parameter_constraints: ClassVar[dict] = {
        "scorer": [HasMethods(["fit", "score_matrix"])],
        "method": [StrOptions({"s-norm", "as-norm"})],
        "top_n": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, scorer, *, method="as-norm", top_n=100):
        self.scorer = scorer
        self.method = method
        self.top_n = top_n

    def _fit(self, X, y):
        if self.method == "as-norm" and self.top_n > len(X):
            raise ScoreValueError(
                f"top_n={self.top_n} exceeds the {len(X)} background rows of the "
                "cohort; pass a smaller top_n or more background embeddings."
            )
        self.scorer_ = clone(self.scorer).fit(X, y)
        self.cohort_ = X

    def _statistics(self, cohort_scores):
        """Mean and standard deviation of each row's cohort scores."""
        if self.method == "as-norm":
            top = cohort_scores.shape[1] - self.top_n
            cohort_scores = np.partition(cohort_scores, top, axis=1)[:, top:]
        std = cohort_scores.std(axis=1)
        return cohort_scores.mean(axis=1), np.where(std > 0, std, 1.0)

    def _score_matrix(self, enrol, test, enrol_groups):
        raw = self.scorer_.score_matrix(enrol, test, enrol_groups=enrol_groups)
        mean_e, std_e = self._statistics(
            self.scorer_.score_matrix(enrol, self.cohort_, enrol_groups=enrol_groups)
        )
        mean_t, std_t = self._statistics(
            self.scorer_.score_matrix(self.cohort_, test).T
        )
        return 0.5 * (
            (raw - mean_e[:, None]) / std_e[:, None]
            + (raw - mean_t[None, :]) / std_t[None, :]
        )
