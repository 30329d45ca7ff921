"""What the supervector transformer and the GMM-UBM classifier share."""

import copy
import numbers

import numpy as np
from sklearn.base import clone
from sklearn.mixture import GaussianMixture
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_random_state

from ..exceptions import AudioValueError
from ..utils._chunking import map_row_chunks
from ..utils._threads import single_blas_thread
from ._map import _check_enough_frames, split_frames

UBM_CONSTRAINTS = {
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


def _frames(estimator, X):
    """Split validated rows into frames; a layout that does not fit names X."""
    width = X.shape[1] if estimator.frame_width is None else estimator.frame_width
    try:
        return split_frames(X, width)
    except ValueError as exc:
        raise AudioValueError(
            f"Invalid X for {type(estimator).__name__}: {exc}"
        ) from None


def _resolve_ubm(estimator, frames):
    """Fit or check the background model for (n_clips, n_frames, d) frames."""
    name = type(estimator).__name__
    ubm = estimator.ubm
    if ubm is None or not hasattr(ubm, "means_"):
        n_components = getattr(ubm, "n_components", estimator.n_components)
        try:
            _check_enough_frames(frames.shape[0] * frames.shape[1], n_components)
        except ValueError as exc:
            raise AudioValueError(f"Invalid X for {name}: {exc}") from None
    if ubm is None:
        ubm = GaussianMixture(
            n_components=estimator.n_components,
            covariance_type="diag",
            reg_covar=estimator.reg_covar,
            max_iter=estimator.max_iter,
            n_init=estimator.n_init,
            random_state=check_random_state(estimator.random_state),
        )
    if not isinstance(ubm, GaussianMixture) or ubm.covariance_type != "diag":
        raise ValueError(
            f"{name} needs a GaussianMixture with covariance_type='diag' as ubm; "
            f"got {ubm!r}."
        )
    if hasattr(ubm, "means_"):
        ubm = copy.deepcopy(ubm)
        if ubm.means_.shape[1] != frames.shape[-1]:
            raise ValueError(
                f"The ubm models frames of {ubm.means_.shape[1]} values but "
                f"the rows hold frames of {frames.shape[-1]} values (frame_width="
                f"{estimator.frame_width})."
            )
        return ubm
    ubm = clone(ubm) if estimator.ubm is not None else ubm
    pooled = frames.reshape(-1, frames.shape[-1]).astype(np.float64, copy=False)
    try:
        return ubm.fit(pooled)
    except ValueError as exc:
        if "ill-defined empirical covariance" not in str(exc):
            raise
        raise AudioValueError(
            f"The background model of {name} could not be fitted to the frames "
            f"of X (reg_covar={estimator.reg_covar}): {exc} Identical frames, "
            "such as those of digital silence, need reg_covar > 0; frames far "
            "from zero compared with their spread need centering first (for "
            "example with StandardScaler(with_std=False)), as the variances "
            "are computed as E[x^2] - E[x]^2."
        ) from exc


def posterior_bytes(n_values):
    """Working memory of a clip whose frames have ``n_values`` densities.

    Log densities, posteriors and one temporary of the same size, in float64.
    """
    return 3 * 8 * n_values


def _map_chunks(func, frames, values_per_clip, n_jobs):
    """Apply func to chunks of clips and stack the results in order.

    The products inside a chunk are small, so BLAS runs them on one thread
    (where its threads would only wait on each other); ``n_jobs`` spreads the
    chunks over threads instead, as NumPy and BLAS release the GIL.
    """
    with single_blas_thread():
        return map_row_chunks(
            func, frames, n_jobs=n_jobs, row_bytes=posterior_bytes(values_per_clip)
        )
