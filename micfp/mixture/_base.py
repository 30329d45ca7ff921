"""What the supervector transformer and the GMM-UBM classifier share."""

import copy
import numbers
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.mixture import GaussianMixture
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_random_state

from ..exceptions import AudioValueError
from ..utils._chunking import map_row_chunks
from ..utils._threads import single_blas_thread
from ._map import REYNOLDS_2000, _check_enough_frames, split_frames

# Docstring sections of the estimators built on BaseUBMEstimator.
UBM_SECTIONS = {
    "reynolds_2000": REYNOLDS_2000,
    "ubm_fit_parameters": """
        reg_covar : float, default=1e-3
            Variance regularization of the UBM fitted here; it keeps
            components alive on frames of digital silence.
        max_iter : int, default=100
            EM iterations of the UBM fitted here.
        n_init : int, default=1
            EM restarts of the UBM fitted here.
        random_state : int, RandomState instance or None, default=None
            Seeds the UBM's initialization.
        """,
}


def posterior_bytes(n_values):
    """Working memory of a clip whose frames have ``n_values`` densities.

    Log densities, posteriors and one temporary of the same size, in float64.
    """
    return 3 * 8 * n_values


class BaseUBMEstimator(BaseEstimator):
    """Estimators of clips given as frames, around a universal background model.

    The base of :class:`GaussianSupervector` and :class:`GMMUBMClassifier`:
    it holds the parameters of the background model (UBM) and its fit, the
    split of flattened rows into frames, and the chunked map over clips.
    A subclass declares ``__init__`` with these parameters plus its own
    (calling ``super().__init__`` for the shared ones), extends
    ``_parameter_constraints``, and in ``fit`` calls
    ``self._split_frames(X)`` then ``self._fit_ubm(frames)``; per-clip work
    goes through ``self._map_clip_chunks``.
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "frame_width": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "relevance_factor": [Interval(numbers.Real, 0, None, closed="neither")],
        "ubm": [HasMethods(["fit", "predict_proba"]), None],
        "reg_covar": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        n_components=64,
        *,
        frame_width=39,
        relevance_factor=16.0,
        ubm=None,
        reg_covar=1e-3,
        max_iter=100,
        n_init=1,
        random_state=None,
        n_jobs=None,
    ):
        self.n_components = n_components
        self.frame_width = frame_width
        self.relevance_factor = relevance_factor
        self.ubm = ubm
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _split_frames(self, X):
        """Split validated rows into frames; a layout that does not fit names X."""
        width = X.shape[1] if self.frame_width is None else self.frame_width
        try:
            return split_frames(X, width)
        except ValueError as exc:
            raise AudioValueError(
                f"Invalid X for {type(self).__name__}: {exc}"
            ) from None

    def _fit_ubm(self, frames):
        """Fit or check the background model for (n_clips, n_frames, d) frames."""
        name = type(self).__name__
        ubm = self.ubm
        if ubm is None or not hasattr(ubm, "means_"):
            n_components = getattr(ubm, "n_components", self.n_components)
            try:
                _check_enough_frames(frames.shape[0] * frames.shape[1], n_components)
            except ValueError as exc:
                raise AudioValueError(f"Invalid X for {name}: {exc}") from None
        if ubm is None:
            ubm = GaussianMixture(
                n_components=self.n_components,
                covariance_type="diag",
                reg_covar=self.reg_covar,
                max_iter=self.max_iter,
                n_init=self.n_init,
                random_state=check_random_state(self.random_state),
            )
        if not isinstance(ubm, GaussianMixture) or ubm.covariance_type != "diag":
            raise ValueError(
                f"{name} needs a GaussianMixture with covariance_type='diag' as "
                f"ubm; got {ubm!r}."
            )
        if hasattr(ubm, "means_"):
            ubm = copy.deepcopy(ubm)
            if ubm.means_.shape[1] != frames.shape[-1]:
                raise ValueError(
                    f"The ubm models frames of {ubm.means_.shape[1]} values but "
                    f"the rows hold frames of {frames.shape[-1]} values "
                    f"(frame_width={self.frame_width})."
                )
            return ubm
        ubm = clone(ubm) if self.ubm is not None else ubm
        pooled = frames.reshape(-1, frames.shape[-1]).astype(np.float64, copy=False)
        try:
            return ubm.fit(pooled)
        except ValueError as exc:
            if "ill-defined empirical covariance" not in str(exc):
                raise
            raise AudioValueError(
                f"The background model of {name} could not be fitted to the "
                f"frames of X (reg_covar={self.reg_covar}): {exc} Identical "
                "frames, such as those of digital silence, need reg_covar > 0; "
                "frames far from zero compared with their spread need centering "
                "first (for example with StandardScaler(with_std=False)), as the "
                "variances are computed as E[x^2] - E[x]^2."
            ) from exc

    def _map_clip_chunks(self, func, frames, values_per_clip):
        """Apply func to chunks of clips and stack the results in order.

        The products inside a chunk are small, so BLAS runs them on one
        thread (where its threads would only wait on each other); ``n_jobs``
        spreads the chunks over threads instead, as NumPy and BLAS release
        the GIL.
        """
        with single_blas_thread():
            return map_row_chunks(
                func,
                frames,
                n_jobs=self.n_jobs,
                row_bytes=posterior_bytes(values_per_clip),
            )
