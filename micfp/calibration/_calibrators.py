"""Score-to-likelihood-ratio calibrators: logistic, isotonic (PAV) and KDE.

Each is a scikit-learn transformer: ``fit(scores, y)`` on calibration trials,
then ``transform(scores)`` returns log10 likelihood ratios.
"""

import math
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, logsumexp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import ClassifierTags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from ..exceptions import CalibrationError, DegradedResultWarning
from ..utils import pool_adjacent_violators, probability_to_llr
from ..utils._chunking import chunk_slices
from ..utils._docstring import Substitution
from ._bounds import elub_bounds

_LOG10_E = math.log10(math.e)


def _check_bounds(bounds):
    if bounds is None or isinstance(bounds, str):
        return
    try:
        lower, upper = (float(value) for value in bounds)
    except (TypeError, ValueError) as exc:
        raise CalibrationError(
            f"bounds must be None, 'elub' or a pair (lower, upper) of log10 LRs; "
            f"got {bounds!r}."
        ) from exc
    if not lower <= 0 <= upper:
        raise CalibrationError(
            f"bounds must satisfy lower <= 0 <= upper (log10 LRs); got {bounds!r}."
        )


def _check_finite_scores(X, y=None):
    """Refuse NaN and infinite scores, naming misleading infinities apart."""
    n_nan = int(np.isnan(X).sum())
    if n_nan:
        raise CalibrationError(f"X holds {n_nan} NaN score(s); scores must be finite.")
    infinite = np.isinf(X)
    if not infinite.any():
        return
    message = f"X holds {int(infinite.sum())} infinite score(s) (inf); "
    if y is not None:
        wrong = (np.isneginf(X) & (y[:, None] == 1)) | (
            np.isposinf(X) & (y[:, None] == 0)
        )
        if wrong.any():
            message += (
                f"{int(wrong.sum())} of them misleading (-inf under H1 or +inf under "
                "H2), which no calibration can fit; "
            )
    raise CalibrationError(message + "calibrators take finite scores only.")


class BaseLRCalibrator(TransformerMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the calibrators: checks, bounds and the transformer API.

    Each column of ``X`` holds one score per trial and is calibrated on its
    own. Subclasses implement ``_fit(X, y)`` on finite scores with labels
    0/1 and ``_llr(X)``, which returns log10 LRs of the same shape.

    Parameters
    ----------
    bounds : None, "elub" or (float, float), default=None
        Limits of the output log10 LRs (see the subclasses).

    See Also
    --------
    LogisticLRCalibrator : Logistic regression on the score.
    IsotonicLRCalibrator : Pool-adjacent-violators fit.
    KDELRCalibrator : Ratio of kernel density estimates.

    Examples
    --------
    >>> from micfp.calibration import BaseLRCalibrator, LogisticLRCalibrator
    >>> issubclass(LogisticLRCalibrator, BaseLRCalibrator)
    True
    """

    _parameter_constraints = {
        "bounds": [None, StrOptions({"elub"}), "array-like"],
    }

    def __init__(self, *, bounds=None):
        self.bounds = bounds

    @abstractmethod
    def _fit(self, X, y):
        """Fit on finite scores of shape (n_trials, n_scores) and labels 0/1."""

    @abstractmethod
    def _llr(self, X):
        """Return log10 LRs of finite scores, of the shape of ``X``."""

    def _encode_labels(self, y):
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            count = (
                "only one class"
                if len(self.classes_) == 1
                else (f"{len(self.classes_)} classes")
            )
            raise CalibrationError(
                f"y holds {count}; calibration needs exactly two, H2 (0) and H1 (1)."
            )
        return (y == self.classes_[1]).astype(int)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the calibrator on calibration trials.

        Parameters
        ----------
        X : array-like of shape (n_trials, n_scores)
            Finite scores, higher meaning H1 (same source) more likely; one
            column per score, each calibrated on its own (usually one).
        y : array-like of shape (n_trials,)
            Two classes: the greater one (1, ``True``) is H1, the other (0)
            H2 (different sources).

        Returns
        -------
        self : object
            The fitted calibrator.

        Raises
        ------
        micfp.exceptions.CalibrationError
            For fewer or more than two classes, NaN or infinite scores (named
            apart when misleading), and invalid ``bounds``.
        """
        _check_bounds(self.bounds)
        X, y = validate_data(self, X, y, ensure_all_finite=False, dtype=np.float64)
        y = self._encode_labels(y)
        _check_finite_scores(X, y)
        self._fit(X, y)
        n_scores = X.shape[1]
        if self.bounds is None:
            lower, upper = np.full(n_scores, -np.inf), np.full(n_scores, np.inf)
        elif isinstance(self.bounds, str):
            llr = self._llr(X)
            lower, upper = np.array([elub_bounds(y, column) for column in llr.T]).T
        else:
            lower, upper = (np.full(n_scores, float(b)) for b in self.bounds)
        self.lower_bound_, self.upper_bound_ = lower, upper
        return self

    def transform(self, X):
        """Return the log10 likelihood ratios of scores.

        Parameters
        ----------
        X : array-like of shape (n_trials, n_scores)
            Finite scores on the scale seen in :meth:`fit`.

        Returns
        -------
        llr : ndarray of shape (n_trials, n_scores)
            Log10 LRs, each column clipped to its
            ``[lower_bound_, upper_bound_]``.

        Raises
        ------
        micfp.exceptions.CalibrationError
            For NaN or infinite scores.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, ensure_all_finite=False, dtype=np.float64
        )
        _check_finite_scores(X)
        return np.clip(self._llr(X), self.lower_bound_, self.upper_bound_)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: ``llr_<input name>`` (log10 LRs).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; ``feature_names_in_`` or ``x0, x1, ...`` when
            None.

        Returns
        -------
        feature_names_out : ndarray of str
            One name per score column.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"llr_{name}" for name in names], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        # Labels are two propositions, H1 and H2: never more classes.
        tags.classifier_tags = ClassifierTags(multi_class=False)
        return tags


_BOUNDS_DOC = """
bounds : None, "elub" or (float, float), default=None
    Limits of the output log10 LRs: None for none, ``"elub"`` for the
    empirical bounds of :func:`elub_bounds` computed on the calibrated
    fitting trials, or a fixed pair ``(lower, upper)`` with
    ``lower <= 0 <= upper``.
"""


def _gaussian_start(h2, h1):
    """Return ``(a, b)`` of equal-variance Gaussian classes: Newton's start."""
    means = h2.mean(), h1.mean()
    variance = (np.square(h2 - means[0]).sum() + np.square(h1 - means[1]).sum()) / (
        len(h2) + len(h1)
    )
    if not variance > 0:
        return np.zeros(2)
    slope = (means[1] - means[0]) / variance
    return np.array([-slope * (means[0] + means[1]) / 2, slope])


class _BalancedLogisticLoss:
    """Prior-balanced logistic loss of ``ln LR = a + b * score``, class by class.

    Scikit-learn's objective ``sum_i w_i loss_i + b**2 / (2 C)`` with
    ``w_i = n / (2 n_class(i))``: the weight is constant within a class, so
    every sum runs over each class's scores once, without weights or labels.
    """

    def __init__(self, h2, h1, C):
        n = len(h2) + len(h1)
        # Per class: scores, their squares, weight, label and label * (count,
        # sum of scores), the part of the gradient that the label adds.
        self.classes = [
            (h2, np.square(h2), n / (2.0 * len(h2)), 0, np.zeros(2)),
            (h1, np.square(h1), n / (2.0 * len(h1)), 1, np.array([len(h1), h1.sum()])),
        ]
        self.ridge = 0.0 if np.isinf(C) else 1.0 / C

    def __call__(self, params):
        """Return the objective, its gradient and its Hessian at ``(a, b)``."""
        a, b = params
        loss = 0.5 * self.ridge * b**2
        gradient = np.array([0.0, self.ridge * b])
        hessian = np.array([[0.0, 0.0], [0.0, self.ridge]])
        for scores, squares, weight, label, target in self.classes:
            z = a + b * scores
            # H2 costs ln(1 + e^z), H1 ln(1 + e^-z): tiny near separation,
            # where the loss decides the line search.
            loss += weight * np.logaddexp(0.0, -z if label else z).sum()
            p = expit(z)
            curvature = p - p * p
            # d loss / dz is p - label.
            gradient += weight * (np.array([p.sum(), p @ scores]) - target)
            cross = curvature @ scores
            hessian += weight * np.array(
                [[curvature.sum(), cross], [cross, curvature @ squares]]
            )
        return loss, gradient, hessian


def _fit_logistic(scores, y, *, C, tol, max_iter):
    """Fit ``ln LR = a + b * score`` by prior-balanced logistic regression.

    Damped Newton steps on scikit-learn's objective (see
    :class:`_BalancedLogisticLoss`); stops when the full Newton step moves
    no parameter by more than ``tol``. Returns ``(b, a, n_iter, converged)``.
    """
    h2, h1 = scores[y == 0], scores[y == 1]
    objective = _BalancedLogisticLoss(h2, h1, C)
    params = _gaussian_start(h2, h1)
    loss, gradient, hessian = objective(params)
    for n_iter in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            return params[1], params[0], n_iter, False
        if np.max(np.abs(step)) <= tol:
            params = params - step
            return params[1], params[0], n_iter, True
        for _ in range(30):
            candidate = params - step
            evaluated = objective(candidate)
            # Near the optimum the loss only changes by rounding.
            if evaluated[0] <= loss + 1e-12 * abs(loss):
                break
            step = step / 2
        params, (loss, gradient, hessian) = candidate, evaluated
    return params[1], params[0], max_iter, False


class LogisticLRCalibrator(BaseLRCalibrator):
    """Logistic-regression calibration of scores to log10 likelihood ratios.

    Fits ``ln LR = a + b * score`` by logistic regression with class weights
    that give H1 and H2 the same total weight, so that the fitted log odds are
    likelihood ratios, not posteriors that depend on the share of H1 trials
    (Morrison 2013). The regression is unpenalised by default (``C=inf``): a
    penalty shrinks the slope and so the LRs. Output is log10 LRs; they are
    finite for finite scores and grow without limit with the score unless
    ``bounds`` are set.

    Parameters
    ----------
    C : float, default=inf
        Inverse strength of an L2 penalty on the slope, as in
        :class:`~sklearn.linear_model.LogisticRegression`; ``inf`` fits by
        maximum likelihood.
    tol : float, default=1e-10
        Newton's method stops when no parameter moves by more than ``tol``.
    max_iter : int, default=100
        Maximum number of Newton iterations; a
        :class:`~sklearn.exceptions.ConvergenceWarning` says when they run
        out, as they do with ``C=inf`` on scores that separate H1 from H2.
    {bounds}

    Attributes
    ----------
    coef_ : ndarray of shape (n_scores,)
        Slope ``b`` per score column, in natural-log units per score unit.
    intercept_ : ndarray of shape (n_scores,)
        Intercept ``a`` per score column, in natural-log units.
    n_iter_ : int
        Solver iterations, the most over the score columns.
    classes_ : ndarray of shape (2,)
        Labels seen in fit; ``classes_[1]`` is H1.
    lower_bound_, upper_bound_ : ndarray of shape (n_scores,)
        Limits applied to the output log10 LRs (``±inf`` when unbounded).
    n_features_in_ : int
        Number of score columns.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` has them.

    See Also
    --------
    IsotonicLRCalibrator : Monotone calibration without a parametric form.
    KDELRCalibrator : Ratio of kernel density estimates.

    References
    ----------
    G. S. Morrison, "Tutorial on logistic-regression calibration and fusion:
    converting a score to a likelihood ratio", Australian Journal of Forensic
    Sciences 45(2):173-197, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.calibration import LogisticLRCalibrator
    >>> rng = np.random.default_rng(0)
    >>> y = np.r_[np.ones(200), np.zeros(800)]
    >>> scores = rng.normal(2 * y, 1.0)[:, None]
    >>> calibrator = LogisticLRCalibrator().fit(scores, y)
    >>> llr = calibrator.transform([[-1.0], [1.0], [3.0]])  # log10 LRs
    >>> bool(llr[0, 0] < 0 < llr[2, 0])
    True
    """

    _parameter_constraints = {
        **BaseLRCalibrator._parameter_constraints,
        "C": [Interval(Real, 0, None, closed="right")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, C=np.inf, tol=1e-10, max_iter=100, bounds=None):
        super().__init__(bounds=bounds)
        self.C = C
        self.tol = tol
        self.max_iter = max_iter

    def _fit(self, X, y):
        fits = [
            _fit_logistic(column, y, C=self.C, tol=self.tol, max_iter=self.max_iter)
            for column in X.T
        ]
        self.coef_, self.intercept_, n_iter, converged = (
            np.array(values) for values in zip(*fits, strict=True)
        )
        self.n_iter_ = int(n_iter.max())
        if not converged.all():
            warnings.warn(
                f"logistic calibration did not converge in {self.max_iter} "
                "iterations; with C=inf this happens when the scores separate "
                "H1 from H2 (the maximum-likelihood slope is infinite): set a "
                "finite C, or use IsotonicLRCalibrator with bounds.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _llr(self, X):
        return _LOG10_E * (self.intercept_ + self.coef_ * X)


def _fit_pav(scores, y, add_misleading):
    """Return the knots and probabilities of a PAV fit, misleading trials added.

    Inside a run of equal probabilities only the ends are kept: linear
    interpolation gives the same values, on far fewer knots.
    """
    if add_misleading:
        n = add_misleading
        scores = np.r_[
            scores, np.full(n, scores.max() + 1), np.full(n, scores.min() - 1)
        ]
        y = np.r_[y, np.zeros(n, dtype=int), np.ones(n, dtype=int)]
    knots, probabilities = pool_adjacent_violators(scores, y)
    keep = np.ones(len(knots), dtype=bool)
    keep[1:-1] = (probabilities[1:-1] != probabilities[:-2]) | (
        probabilities[1:-1] != probabilities[2:]
    )
    return knots[keep], probabilities[keep]


class IsotonicLRCalibrator(BaseLRCalibrator):
    """Isotonic (PAV) calibration of scores to log10 likelihood ratios.

    The pool-adjacent-violators algorithm fits the monotone function of the
    score that best predicts H1 with both classes weighted equally; its log10
    odds are the LRs. Between fitted scores the probability is interpolated
    linearly; outside them it is held at the end value. On separable data PAV
    gives infinite LRs; ``add_misleading`` adds that many misleading trials
    beyond each end (an H2 trial one score unit above the highest score, an
    H1 trial one unit below the lowest), which keeps the LRs finite, as lir
    does. With ``add_misleading=0`` the output may hold ``±inf`` log10 LRs:
    set ``bounds`` to limit them. Output is log10 LRs.

    Parameters
    ----------
    add_misleading : int, default=1
        Misleading trials added beyond each end of the scores; 0 adds none.
    {bounds}

    Attributes
    ----------
    knots_ : list of ndarray
        Per score column, the fitted scores in increasing order (the added
        trials included) where the fitted function bends.
    probabilities_ : list of ndarray
        Per score column, the fitted probability of H1 at even prior odds at
        each knot.
    classes_ : ndarray of shape (2,)
        Labels seen in fit; ``classes_[1]`` is H1.
    lower_bound_, upper_bound_ : ndarray of shape (n_scores,)
        Limits applied to the output log10 LRs (``±inf`` when unbounded).
    n_features_in_ : int
        Number of score columns.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` has them.

    See Also
    --------
    micfp.metrics.cllr_min : Cllr after the same transform fitted on the test.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.calibration import IsotonicLRCalibrator
    >>> y = np.array([0, 0, 1, 0, 1, 1])
    >>> scores = np.arange(6.0)[:, None]
    >>> calibrator = IsotonicLRCalibrator(add_misleading=0).fit(scores, y)
    >>> calibrator.transform([[0.0], [2.5], [5.0]]).ravel().tolist()
    [-inf, 0.0, inf]
    """

    _parameter_constraints = {
        **BaseLRCalibrator._parameter_constraints,
        "add_misleading": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, *, add_misleading=1, bounds=None):
        super().__init__(bounds=bounds)
        self.add_misleading = add_misleading

    def _fit(self, X, y):
        fits = [_fit_pav(column, y, self.add_misleading) for column in X.T]
        self.knots_, self.probabilities_ = (
            list(values) for values in zip(*fits, strict=True)
        )

    def _llr(self, X):
        columns = [
            np.interp(column, knots, probabilities)
            for column, knots, probabilities in zip(
                X.T, self.knots_, self.probabilities_, strict=True
            )
        ]
        return probability_to_llr(np.stack(columns, axis=1))


def _gaussian_log_density(x, points, bandwidth):
    """Log of a Gaussian kernel density estimate on ``points``, at each ``x``."""
    out = np.empty(len(x))
    norm = np.log(len(points) * bandwidth * math.sqrt(2 * math.pi))
    for rows in chunk_slices(len(x), 16 * len(points)):
        z = (x[rows, None] - points[None, :]) / bandwidth
        out[rows] = logsumexp(-0.5 * z**2, axis=1) - norm
    return out


def _silverman_bandwidth(values):
    """Normal-reference bandwidth ``(4 / (3 n))^(1/5) * std`` of 1-D values."""
    std = np.std(values)
    if std == 0:
        warnings.warn(
            "Silverman's bandwidth is 0 for scores of one class that are all "
            "equal; a bandwidth of 1 score unit is used instead.",
            DegradedResultWarning,
            stacklevel=5,
        )
        std = 1.0
    return (4.0 / (3.0 * len(values))) ** 0.2 * std


class KDELRCalibrator(BaseLRCalibrator):
    """Kernel-density calibration of scores to log10 likelihood ratios.

    The LR of a score is the ratio of two Gaussian kernel density estimates,
    one on the H1 scores and one on the H2 scores. Far from the fitted
    scores the log ratio of two Gaussian tails is a parabola in the score:
    with unequal bandwidths it turns and can change sign (a very high score
    getting an LR below 1). Set ``bounds`` and keep test scores within the
    range of the calibration scores. Output is log10 LRs.

    Parameters
    ----------
    bandwidth : "silverman", float or (float, float), default="silverman"
        Kernel bandwidth in score units: ``"silverman"`` for Silverman's
        normal-reference rule ``(4 / (3 n))^(1/5) * std`` per class (with a
        :class:`~micfp.exceptions.DegradedResultWarning` and 1 when a class's
        scores are all equal), one value for both classes, or
        ``(h_H2, h_H1)``.
    {bounds}

    Attributes
    ----------
    bandwidths_ : ndarray of shape (n_scores, 2)
        Bandwidths used for H2 and H1, per score column.
    scores_ : list of (ndarray, ndarray)
        Per score column, the H2 and H1 calibration scores the densities
        sum over.
    classes_ : ndarray of shape (2,)
        Labels seen in fit; ``classes_[1]`` is H1.
    lower_bound_, upper_bound_ : ndarray of shape (n_scores,)
        Limits applied to the output log10 LRs (``±inf`` when unbounded).
    n_features_in_ : int
        Number of score columns.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` has them.

    References
    ----------
    B. W. Silverman, Density Estimation for Statistics and Data Analysis,
    Chapman and Hall, 1986.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.calibration import KDELRCalibrator
    >>> rng = np.random.default_rng(0)
    >>> y = np.r_[np.ones(300), np.zeros(300)]
    >>> scores = rng.normal(2 * y, 1.0)[:, None]
    >>> llr = KDELRCalibrator().fit(scores, y).transform([[1.0]])
    >>> bool(abs(llr[0, 0]) < 0.3)
    True
    """

    _parameter_constraints = {
        **BaseLRCalibrator._parameter_constraints,
        "bandwidth": [
            StrOptions({"silverman"}),
            Interval(Real, 0, None, closed="neither"),
            "array-like",
        ],
    }

    def __init__(self, *, bandwidth="silverman", bounds=None):
        super().__init__(bounds=bounds)
        self.bandwidth = bandwidth

    def _bandwidths(self, scores_h2, scores_h1):
        if isinstance(self.bandwidth, str):
            return _silverman_bandwidth(scores_h2), _silverman_bandwidth(scores_h1)
        values = np.atleast_1d(np.asarray(self.bandwidth, dtype=float))
        if values.shape not in {(1,), (2,)} or not np.all(values > 0):
            raise CalibrationError(
                "bandwidth must be 'silverman', a positive float or a pair of "
                f"positive floats (H2, H1); got {self.bandwidth!r}."
            )
        return float(values[0]), float(values[-1])

    def _fit(self, X, y):
        self.bandwidths_ = np.array(
            [self._bandwidths(column[y == 0], column[y == 1]) for column in X.T]
        )
        self.scores_ = [(column[y == 0], column[y == 1]) for column in X.T]

    def _llr(self, X):
        columns = [
            _gaussian_log_density(column, h1_scores, h1)
            - _gaussian_log_density(column, h2_scores, h2)
            for column, (h2_scores, h1_scores), (h2, h1) in zip(
                X.T, self.scores_, self.bandwidths_, strict=True
            )
        ]
        return _LOG10_E * np.stack(columns, axis=1)


for _cls in (LogisticLRCalibrator, IsotonicLRCalibrator, KDELRCalibrator):
    Substitution(bounds=_BOUNDS_DOC)(_cls)
