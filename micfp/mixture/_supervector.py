"""Gaussian mean supervectors of clips."""

from functools import partial
from typing import ClassVar

import numpy as np
from sklearn.base import TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..exceptions import AudioValueError
from ..utils._docstring import Substitution
from ..utils._validation import check_frames
from ._base import UBM_SECTIONS, BaseUBMEstimator
from ._map import map_adapt, statistics_function


def _frame_value_names(estimator):
    """Names of a frame's values, from 'f0_<name>' input names when present."""
    width = estimator.ubm_.means_.shape[1]
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        return [f"x{k}" for k in range(width)]
    if estimator.frame_width is None:
        return [str(n) for n in names]
    if all(str(n).startswith("f0_") for n in names[:width]):
        return [str(n)[3:] for n in names[:width]]
    return [f"x{k}" for k in range(width)]


def check_finite_result(result, name):
    """Raise when a result computed from validated frames is not finite."""
    if not np.isfinite(result).all():
        rows = np.flatnonzero(~np.isfinite(result).all(axis=1))
        raise AudioValueError(
            f"X holds frames too far from the background model of {name} for "
            f"float64 densities, in {len(rows)} row(s) (first: {rows[0]}). "
            "Scale and center the features as those the model was fitted on; "
            "frames more than about 1e8 standard deviations of a component "
            "from zero lose the precision of their densities."
        )


@Substitution(**UBM_SECTIONS)
class GaussianSupervector(TransformerMixin, BaseUBMEstimator):
    """MAP-adapted GMM mean supervectors of clips given as frames.

    `fit` trains a universal background model (UBM), a diagonal
    :class:`~sklearn.mixture.GaussianMixture`, on all frames of all training
    clips (or takes one passed as `ubm`). `transform` adapts the UBM means to
    each clip's frames (Reynolds et al. 2000) and returns them concatenated:
    ``n_components * frame_width`` values a clip, component-major. All clips
    are adapted at once, with matrix products over chunks of clips.

    Parameters
    ----------
    n_components : int, default=64
        Gaussians in the UBM (64, 128 or 256 are usual; 64 suits device
        identification best in Zeng et al. 2021). Ignored when `ubm` is given.
    frame_width : int or None, default=39
        Values a frame: rows are ``n_frames * frame_width`` values, frame-major,
        as ``MFCC(output="frames")`` gives them (``MFCC.frame_width_``).
        ``None`` makes each row a single frame.
    relevance_factor : float, default=16.0
        MAP relevance factor ``r`` in ``alpha_c = n_c / (n_c + r)``.
    normalize : bool, default=False
        Scale each adapted mean by ``sqrt(w_c) / sigma_c`` (Campbell et al.
        2006), so that a linear kernel between supervectors approximates the
        KL divergence between the adapted models.
    ubm : GaussianMixture or None, default=None
        A diagonal mixture. Fitted: used as the UBM as it is (for example one
        fitted on background clips with :func:`fit_ubm`). Unfitted: a clone is
        fitted on the training frames with its own settings. ``None``: a
        mixture of `n_components` fitted on the training frames.
    {ubm_fit_parameters}
    n_jobs : int or None, default=None
        Parallel jobs over chunks of clips in `transform` (joblib).

    Attributes
    ----------
    ubm_ : GaussianMixture
        The universal background model.
    n_iter_ : int
        EM iterations of the UBM's fit.
    n_features_in_ : int
        Values a row in `fit`.
    feature_names_in_ : ndarray of str
        Column names seen in `fit`, when they were all strings.

    See Also
    --------
    GMMUBMClassifier : Scores clips against device models adapted from the UBM.
    map_adapt : The adaptation formulas.
    micfp.features.MFCC : Gives the frames.

    Notes
    -----
    Input: ``X`` holds feature frames, validated like clips (2-D, real, not
    empty) and refused with :class:`~micfp.exceptions.AudioValueError` when it
    holds NaN or infinite values, values beyond ``2 ** 256`` in magnitude
    (their squared distances overflow float64), rows that are not whole
    frames, or fewer frames than components.

    Identical frames, such as the MFCC frames of digital silence, all sit at
    one point. The background model keeps its components alive there through
    ``reg_covar``; with ``reg_covar=0`` its fit fails and ``fit`` raises
    :class:`~micfp.exceptions.AudioValueError`. The supervector of a clip of
    ``T`` identical frames ``v`` moves each component's mean towards ``v`` by
    ``alpha_c = n_c / (n_c + r)``, with ``n_c = T P(c | v)`` the component's
    share of the frames: components far from ``v`` keep their UBM mean.
    Frames so far from every component that their densities underflow in
    float64 make ``transform`` raise rather than return NaN, and frames whose
    distance from zero is some 1e8 times their spread or more (the variances
    are computed as ``E[x^2] - E[x]^2``, which then cancels) make ``fit``
    raise, with the advice to center them.

    References
    ----------
    {reynolds_2000}
    .. [2] W. M. Campbell, D. E. Sturim and D. A. Reynolds, "Support vector
       machines using GMM supervectors for speaker verification", IEEE Signal
       Processing Letters 13(5), 2006. :doi:`10.1109/LSP.2006.870086`

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.mixture import GaussianSupervector
    >>> X = np.random.default_rng(0).standard_normal((10, 20 * 3))
    >>> gsv = GaussianSupervector(n_components=4, frame_width=3, random_state=0)
    >>> gsv.fit_transform(X).shape
    (10, 12)
    >>> gsv.get_feature_names_out()[:4]
    array(['c0_x0', 'c0_x1', 'c0_x2', 'c1_x0'], dtype=object)
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseUBMEstimator._parameter_constraints,
        "normalize": ["boolean"],
    }

    def __init__(
        self,
        n_components=64,
        *,
        frame_width=39,
        relevance_factor=16.0,
        normalize=False,
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
        self.normalize = normalize

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the universal background model on all frames of `X`.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_frames * frame_width)
            Flattened frames, frame-major.
        y : None
            Ignored.

        Returns
        -------
        self : GaussianSupervector
            The fitted transformer.
        """
        X = check_frames(self, X, reset=True)
        self.ubm_ = self._fit_ubm(self._split_frames(X))
        self.n_iter_ = self.ubm_.n_iter_
        return self

    def _adapt(self, frames, statistics):
        ubm = self.ubm_
        # Frames far from every component underflow all their densities; the
        # NaN that follows is caught on the result, with a message.
        with np.errstate(all="ignore"):
            return self._adapt_means(frames, ubm, statistics)

    def _adapt_means(self, frames, ubm, statistics):
        n, f, _ = statistics(frames, second_order=False)
        _, means, _ = map_adapt(
            n,
            f,
            None,
            ubm.weights_,
            ubm.means_,
            ubm.covariances_,
            relevance_factor=self.relevance_factor,
            adapt="m",
        )
        if self.normalize:
            means *= np.sqrt(ubm.weights_)[:, np.newaxis] / np.sqrt(ubm.covariances_)
        return means.reshape(means.shape[0], -1)

    def transform(self, X):
        """Adapt the UBM means to each clip and concatenate them.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_frames * frame_width)
            Flattened frames; the number of frames may differ from `fit`'s
            only through a new transformer, as scikit-learn fixes the width.

        Returns
        -------
        supervectors : ndarray of shape (n_clips, n_components * frame_width)
            Adapted means, component-major; float32 input gives float32.
        """
        check_is_fitted(self)
        X = check_frames(self, X, reset=False)
        frames = self._split_frames(X)
        n_components = self.ubm_.means_.shape[0]
        statistics = statistics_function(
            self.ubm_.weights_, self.ubm_.means_, self.ubm_.covariances_
        )
        out = self._map_clip_chunks(
            partial(self._adapt, statistics=statistics),
            frames,
            frames.shape[1] * n_components,
        )
        with np.errstate(over="ignore"):
            cast = out.astype(X.dtype, copy=False)
        if not np.isfinite(cast).all():
            check_finite_result(out, type(self).__name__)
            raise AudioValueError(
                f"The supervectors of some rows of X exceed the largest {X.dtype} "
                "value; pass X as float64 or scale it down."
            )
        return cast

    def get_feature_names_out(self, input_features=None):
        """Names of the supervector's values.

        Parameters
        ----------
        input_features : None
            Ignored. A frame's values are named after `feature_names_in_`
            when the input columns were named ``"f0_<value>"`` (as MFCC names
            them) or when each row is one frame; ``x<k>`` otherwise.

        Returns
        -------
        names : ndarray of str
            ``"c{component}_{value}"`` for every component and frame value.
        """
        check_is_fitted(self)
        values = _frame_value_names(self)
        n_components = self.ubm_.means_.shape[0]
        return np.asarray(
            [f"c{c}_{v}" for c in range(n_components) for v in values], dtype=object
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
