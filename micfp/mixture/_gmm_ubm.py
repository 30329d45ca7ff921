"""Device models MAP-adapted from a universal background model."""

from typing import ClassVar

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..utils._chunking import chunk_slices
from ..utils._docstring import Substitution
from ..utils._threads import single_blas_thread
from ..utils._validation import check_frames
from ._base import UBM_SECTIONS, BaseUBMEstimator, posterior_bytes
from ._map import (
    _log_normalize,
    component_log_likelihoods,
    map_adapt,
    statistics_function,
)
from ._supervector import check_finite_result

_frames_doc = Substitution(
    frames="""
    X : array-like of shape (n_clips, n_frames * frame_width)
        Flattened frames, frame-major.
    """
)


@Substitution(**UBM_SECTIONS)
class GMMUBMClassifier(ClassifierMixin, BaseUBMEstimator):
    """Identify the device of a clip with GMMs adapted from a background model.

    `fit` trains a universal background model (UBM) on all frames, pools the
    frames of each device and MAP-adapts one mixture per device from the UBM
    (Reynolds et al. 2000). A clip's score for a device is the average over its
    frames of ``log p(x_t | device) - log p(x_t | UBM)``, a log-likelihood
    ratio that :meth:`log_likelihood_ratio` returns for every device; the
    predicted device has the highest score, and :meth:`predict_proba` is the
    softmax of the scores.

    Parameters
    ----------
    n_components : int, default=64
        Gaussians in the UBM. Ignored when `ubm` is given.
    frame_width : int or None, default=39
        Values a frame: rows are ``n_frames * frame_width`` values, frame-major,
        as ``MFCC(output="frames")`` gives them. ``None`` makes each row a
        single frame (for per-clip features such as ``MFCC(output="stats")``).
    relevance_factor : float, default=16.0
        MAP relevance factor ``r``.
    adapt : {"m", "wm", "mv", "wmv", "w", "v", "wv"}, default="m"
        Parameters adapted per device: weights (w), means (m), variances (v).
        Variances follow Reynolds' formula, with the squared UBM means.
    ubm : GaussianMixture or None, default=None
        A diagonal mixture: used as it is when fitted (for example one fitted
        on background devices with :func:`fit_ubm`), cloned and fitted on the
        training frames when not; ``None`` fits one of `n_components`.
    {ubm_fit_parameters}
    n_jobs : int or None, default=None
        Parallel jobs over chunks of clips when scoring (joblib).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Device labels.
    ubm_ : GaussianMixture
        The universal background model.
    n_iter_ : int
        EM iterations of the UBM's fit.
    weights_ : ndarray of shape (n_classes, n_components)
        Mixture weights of each device model.
    means_ : ndarray of shape (n_classes, n_components, frame_width)
        Means of each device model.
    covariances_ : ndarray of shape (n_classes, n_components, frame_width)
        Diagonal variances of each device model.
    n_features_in_ : int
        Values a row in `fit`.

    See Also
    --------
    GaussianSupervector : The adapted means of each clip as features.
    map_adapt : The adaptation formulas.

    References
    ----------
    {reynolds_2000}

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.mixture import GMMUBMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (10, 40)), rng.normal(1.5, 1, (10, 40))])
    >>> y = np.repeat(["a", "b"], 10)
    >>> clf = GMMUBMClassifier(n_components=4, frame_width=2, random_state=0)
    >>> clf.fit(X, y).score(X, y)
    1.0
    >>> clf.log_likelihood_ratio(X[:1]).shape
    (1, 2)
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseUBMEstimator._parameter_constraints,
        "adapt": [StrOptions({"w", "m", "v", "wm", "mv", "wv", "wmv"})],
    }

    def __init__(
        self,
        n_components=64,
        *,
        frame_width=39,
        relevance_factor=16.0,
        adapt="m",
        ubm=None,
        reg_covar=1e-3,
        max_iter=100,
        n_init=1,
        random_state=None,
        n_jobs=None,
    ):
        super().__init__(
            n_components,
            frame_width=frame_width,
            relevance_factor=relevance_factor,
            ubm=ubm,
            reg_covar=reg_covar,
            max_iter=max_iter,
            n_init=n_init,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        self.adapt = adapt

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the UBM and adapt one model per device.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_frames * frame_width)
            Flattened frames, frame-major.
        y : array-like of shape (n_clips,)
            Device of each clip.

        Returns
        -------
        self : GMMUBMClassifier
            The fitted classifier.
        """
        X, y = check_frames(self, X, y, reset=True)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "GMMUBMClassifier needs clips of at least 2 classes (devices); "
                f"got 1 class: {self.classes_.tolist()[0]!r}."
            )
        frames = self._split_frames(X)
        self.ubm_ = ubm = self._fit_ubm(frames)
        self.n_iter_ = ubm.n_iter_
        prior = (ubm.weights_, ubm.means_, ubm.covariances_)
        onehot = np.eye(len(self.classes_))[codes]
        n_components, width = ubm.means_.shape
        n = np.zeros((len(self.classes_), n_components))
        f = np.zeros((len(self.classes_), n_components, width))
        s = np.zeros_like(f)
        statistics = statistics_function(*prior)
        with single_blas_thread():
            row_bytes = posterior_bytes(frames.shape[1] * n_components)
            for part in chunk_slices(len(frames), row_bytes):
                n_c, f_c, s_c = statistics(frames[part])
                n += onehot[part].T @ n_c
                f += np.einsum("nk,ncd->kcd", onehot[part], f_c)
                s += np.einsum("nk,ncd->kcd", onehot[part], s_c)
        self.weights_, self.means_, self.covariances_ = map_adapt(
            n,
            f,
            s,
            *prior,
            relevance_factor=self.relevance_factor,
            adapt=self.adapt,
        )
        return self

    def _llr(self, frames):
        # Frames far from every component give NaN scores, caught with a
        # message in log_likelihood_ratio.
        with np.errstate(all="ignore"):
            return self._frame_llr(frames)

    def _frame_llr(self, frames):
        ubm = self.ubm_
        n_classes, n_components, width = self.means_.shape
        ubm_ll = _log_normalize(
            component_log_likelihoods(
                frames, ubm.weights_, ubm.means_, ubm.covariances_
            )
        )
        device = component_log_likelihoods(
            frames,
            self.weights_.reshape(-1),
            self.means_.reshape(-1, width),
            self.covariances_.reshape(-1, width),
        )
        device = device.reshape(*frames.shape[:-1], n_classes, n_components)
        device_ll = _log_normalize(device)
        return (device_ll - ubm_ll[..., np.newaxis]).mean(axis=-2)

    @_frames_doc
    def log_likelihood_ratio(self, X):
        """Average frame log-likelihood ratio of each clip for every device.

        Parameters
        ----------
        {frames}

        Returns
        -------
        scores : ndarray of shape (n_clips, n_classes)
            ``mean_t [log p(x_t | device) - log p(x_t | UBM)]``; columns follow
            `classes_`.
        """
        check_is_fitted(self)
        X = check_frames(self, X, reset=False)
        frames = self._split_frames(X)
        per_clip = frames.shape[1] * self.means_.shape[0] * self.means_.shape[1]
        scores = self._map_clip_chunks(self._llr, frames, per_clip)
        check_finite_result(scores, type(self).__name__)
        return scores

    @_frames_doc
    def decision_function(self, X):
        """Device scores of each clip.

        Parameters
        ----------
        {frames}

        Returns
        -------
        scores : ndarray of shape (n_clips, n_classes) or (n_clips,)
            :meth:`log_likelihood_ratio`; with two classes, the score of
            ``classes_[1]`` minus that of ``classes_[0]`` (positive for
            ``classes_[1]``), as scikit-learn expects of binary classifiers.
        """
        check_is_fitted(self)
        scores = self.log_likelihood_ratio(X)
        if scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    @_frames_doc
    def predict_proba(self, X):
        """Softmax of the device scores.

        Parameters
        ----------
        {frames}

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes)
            ``softmax(log_likelihood_ratio(X))``, columns following
            `classes_`. These are not calibrated probabilities.
        """
        check_is_fitted(self)
        scores = self.log_likelihood_ratio(X)
        if scores.shape[1] == 2:
            p1 = expit(scores[:, 1] - scores[:, 0])
            return np.column_stack([1.0 - p1, p1])
        return softmax(scores, axis=1)

    @_frames_doc
    def predict(self, X):
        """Device with the highest score for each clip.

        Parameters
        ----------
        {frames}

        Returns
        -------
        y : ndarray of shape (n_clips,)
            Predicted devices.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.log_likelihood_ratio(X), axis=1)]
