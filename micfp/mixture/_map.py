"""Universal background models and MAP adaptation of diagonal Gaussian mixtures.

Pure functions on arrays with any leading batch axes: frames are
``(..., n_frames, n_dims)``; a mixture is ``weights (C,)``, ``means (C, d)``
and diagonal ``variances (C, d)``, as the attributes ``weights_``, ``means_``
and ``covariances_`` of a diagonal :class:`sklearn.mixture.GaussianMixture`.
"""

from functools import partial

import numpy as np
from sklearn.mixture import GaussianMixture

from ..utils._docstring import Substitution

__all__ = [
    "component_log_likelihoods",
    "fit_ubm",
    "map_adapt",
    "split_frames",
    "sufficient_statistics",
]


# The reference of the MAP adaptation of a background model.
REYNOLDS_2000 = """
.. [1] D. A. Reynolds, T. F. Quatieri and R. B. Dunn, "Speaker
   verification using adapted Gaussian mixture models", Digital Signal
   Processing 10(1-3), 2000. :doi:`10.1006/dspr.1999.0361`
"""


def split_frames(X, frame_width):
    """Reshape flattened frames, frame-major, to ``(n_clips, n_frames, width)``.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_frames * frame_width)
        Rows of frames flattened frame-major, as ``MFCC(output="frames")``
        gives them.
    frame_width : int
        Values a frame.

    Returns
    -------
    frames : ndarray of shape (n_clips, n_frames, frame_width)
        A view of `X` where possible.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.mixture import split_frames
    >>> split_frames(np.arange(12).reshape(2, 6), 3)[1]
    array([[ 6,  7,  8],
           [ 9, 10, 11]])
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] % frame_width:
        raise ValueError(
            f"Expected rows of whole frames of frame_width={frame_width} values; "
            f"got {X.shape[-1]} feature(s), which is not a multiple of "
            f"{frame_width}. Set frame_width to the values a frame of the "
            "previous step (MFCC.frame_width_)."
        )
    return X.reshape(X.shape[0], X.shape[1] // frame_width, frame_width)


def component_log_likelihoods(frames, weights, means, variances):
    """Weighted log densities of every frame under every diagonal component.

    Parameters
    ----------
    frames : ndarray of shape (..., n_frames, n_dims)
        Feature frames.
    weights : ndarray of shape (n_components,)
        Mixture weights.
    means : ndarray of shape (n_components, n_dims)
        Component means.
    variances : ndarray of shape (n_components, n_dims)
        Diagonal variances.

    Returns
    -------
    log_prob : ndarray of shape (..., n_frames, n_components)
        ``log w_c + log N(x_t | mu_c, diag(var_c))``; its ``logsumexp`` over
        the last axis is the frame log-likelihood.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.mixture import component_log_likelihoods
    >>> lp = component_log_likelihoods(
    ...     np.zeros((1, 2)), np.array([1.0]), np.zeros((1, 2)), np.ones((1, 2))
    ... )
    >>> bool(np.isclose(lp[0, 0], -np.log(2 * np.pi)))
    True
    """
    frames = np.asarray(frames, dtype=np.float64)
    center = _center(weights, means, variances)
    stacked = _powers(frames.reshape(-1, frames.shape[-1]), center)
    log_prob = stacked @ _density_coefficients(weights, means, variances, center)
    return log_prob.reshape(*frames.shape[:-1], -1)


def _center(weights, means, variances):
    """Return the point frames and means are taken relative to, or None.

    Densities depend on differences only, but their expansion in powers of
    the frame cancels terms of the order of (value / deviation) ** 2. Where
    the mixture sits further than ``_FAR`` deviations from zero, frames and
    means are centred on its mean, which keeps that cancellation small;
    elsewhere centring would cost a pass over the frames for nothing.
    """
    center = weights @ means
    spread = np.sqrt(variances.min(axis=0))
    if np.all(np.abs(center) <= _FAR * spread):
        return None
    return center


# In deviations; the expansion then loses at most about _FAR ** 2 * eps of a
# log density, 1e-10 nats.
_FAR = 1e3


def _powers(flat, center):
    """``[y ** 2, y, 1]`` with ``y = x - center`` (``x`` if None) for each row."""
    n_dims = flat.shape[1]
    stacked = np.empty((flat.shape[0], 2 * n_dims + 1))
    if center is None:
        np.multiply(flat, flat, out=stacked[:, :n_dims])
        stacked[:, n_dims:-1] = flat
    else:
        centered = flat - center
        np.multiply(centered, centered, out=stacked[:, :n_dims])
        stacked[:, n_dims:-1] = centered
    stacked[:, -1] = 1.0
    return stacked


def _density_coefficients(weights, means, variances, center, *, peak_at_zero=False):
    """Matrix (2 d + 1, C) that maps ``[y ** 2, y, 1]`` to weighted log densities.

    ``y`` is a frame minus `center` (the frame itself if None), as
    :func:`_powers` gives it.

    With ``peak_at_zero``, the largest value a component's weighted density
    can take (at its mean) is subtracted from every column, so that no
    value exceeds zero.
    """
    precisions = 1.0 / variances
    n_dims = means.shape[-1]
    peak = np.log(weights) - 0.5 * (
        n_dims * np.log(2 * np.pi) + np.log(variances).sum(axis=-1)
    )
    if center is not None:
        means = means - center
    constant = peak - 0.5 * np.einsum("cd,cd->c", means * means, precisions)
    if peak_at_zero:
        constant -= peak.max()
    return np.concatenate(
        [-0.5 * precisions, means * precisions, constant[:, np.newaxis]], axis=1
    ).T


def _log_normalize(log_prob):
    """Turn log-probabilities into posteriors in place; return the log-sums."""
    peak = log_prob.max(axis=-1, keepdims=True)
    log_prob -= peak
    np.exp(log_prob, out=log_prob)
    total = log_prob.sum(axis=-1, keepdims=True)
    log_prob /= total
    return np.log(total[..., 0]) + peak[..., 0]


def sufficient_statistics(
    frames, weights, means, variances, *, frame_weights=None, second_order=True
):
    """Zeroth, first and second order Baum-Welch statistics per batch item.

    With the posteriors ``g_tc = P(c | x_t)`` under the mixture,
    ``n_c = sum_t g_tc``, ``f_c = sum_t g_tc x_t`` and
    ``s_c = sum_t g_tc x_t ** 2`` (elementwise). Statistics add over frames,
    so those of several clips sum to those of their pooled frames.

    Parameters
    ----------
    frames : ndarray of shape (..., n_frames, n_dims)
        Feature frames of each batch item (for example each clip).
    weights, means, variances : ndarray
        The mixture, as in :func:`component_log_likelihoods`.
    frame_weights : ndarray of shape (..., n_frames) or None, default=None
        Optional weight of every frame (0 drops a frame).
    second_order : bool, default=True
        Whether to compute `s`; ``False`` returns ``None`` in its place, for
        adapting means only.

    Returns
    -------
    n : ndarray of shape (..., n_components)
        Soft frame counts.
    f : ndarray of shape (..., n_components, n_dims)
        Posterior-weighted sums of the frames.
    s : ndarray of shape (..., n_components, n_dims)
        Posterior-weighted sums of the squared frames (``None`` when
        ``second_order=False``).

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.mixture import sufficient_statistics
    >>> frames = np.array([[[0.0], [1.0], [2.0]]])
    >>> n, f, s = sufficient_statistics(
    ...     frames, np.array([1.0]), np.array([[1.0]]), np.array([[1.0]])
    ... )
    >>> n, f, s
    (array([[3.]]), array([[[3.]]]), array([[[5.]]]))
    """
    statistics = statistics_function(weights, means, variances)
    return statistics(frames, frame_weights=frame_weights, second_order=second_order)


def statistics_function(weights, means, variances):
    """:func:`sufficient_statistics` of one mixture, prepared once for many calls.

    Returns ``statistics(frames, *, frame_weights=None, second_order=True)``.
    """
    center = _center(weights, means, variances)
    coefficients = _density_coefficients(
        weights, means, variances, center, peak_at_zero=True
    )
    return partial(_statistics, coefficients=coefficients, center=center)


# Below this sum of shifted densities a frame's posteriors are recomputed
# relative to their own maximum, where exp would lose precision to underflow.
_SMALLEST_SUM = 1e-250


def _statistics(frames, *, coefficients, center, frame_weights=None, second_order=True):
    frames = np.asarray(frames, dtype=np.float64)
    lead, n_frames, n_dims = frames.shape[:-2], frames.shape[-2], frames.shape[-1]
    stacked = _powers(frames.reshape(-1, n_dims), center)
    # Values are at most 0 (coefficients peak at zero), so exp cannot
    # overflow and the usual subtraction of each frame's maximum is only
    # needed where all of a frame's densities underflow.
    post = stacked @ coefficients
    np.exp(post, out=post)
    total = post.sum(axis=-1)
    far = np.flatnonzero(total < _SMALLEST_SUM)
    if far.size:
        exact = stacked[far] @ coefficients
        exact -= exact.max(axis=-1, keepdims=True)
        post[far] = np.exp(exact)
        total[far] = post[far].sum(axis=-1)
    scale = 1.0 / total
    if frame_weights is not None:
        scale *= np.broadcast_to(frame_weights, frames.shape[:-1]).reshape(-1)
    post *= scale[:, np.newaxis]
    # One product per item gives n (column of ones), f and s at once.
    moments = stacked if second_order else stacked[:, n_dims:]
    n_items = post.shape[0] // n_frames
    stats = np.matmul(
        post.reshape(n_items, n_frames, -1).transpose(0, 2, 1),
        moments.reshape(n_items, n_frames, -1),
    )
    stats = stats.reshape(*lead, *stats.shape[1:])
    n = stats[..., -1]
    f = stats[..., -1 - n_dims : -1]
    s = stats[..., :n_dims] if second_order else None
    if center is None:
        return n, f, s
    # Back from centred frames y = x - center to the frames themselves.
    n_center = n[..., np.newaxis] * center
    if second_order:
        s = s + 2.0 * center * f + n_center * center
    return n, f + n_center, s


@Substitution(reynolds_2000=REYNOLDS_2000)
def map_adapt(
    n,
    f,
    s,
    weights,
    means,
    variances,
    *,
    relevance_factor=16.0,
    adapt="m",
    variance_floor=1e-6,
):
    """Adapt a mixture to data by maximum a posteriori estimation.

    Reynolds, Quatieri and Dunn (2000): with ``alpha_c = n_c / (n_c + r)``,

    - ``mean_c = alpha_c f_c / n_c + (1 - alpha_c) mu_c``,
    - ``w_c ∝ alpha_c n_c / T + (1 - alpha_c) w_c`` with ``T = sum_c n_c``,
      rescaled to sum to one,
    - ``var_c = alpha_c s_c / n_c + (1 - alpha_c) (var_c + mu_c ** 2)
      - mean_c ** 2``, with the *prior* (UBM) means ``mu_c`` inside the
      parentheses and the adapted mean subtracted.

    A component that sees no data keeps its prior values.

    Parameters
    ----------
    n, f, s : ndarray
        Statistics from :func:`sufficient_statistics`, shapes
        ``(..., C)``, ``(..., C, d)``, ``(..., C, d)``; `s` may be ``None``
        when variances are not adapted.
    weights, means, variances : ndarray
        The prior mixture (the UBM).
    relevance_factor : float, default=16.0
        ``r``: how many frames a component needs before its data outweigh the
        prior. SIDEKIT uses 16, bob 4, the MSR Identity Toolbox 19.
    adapt : {"m", "w", "v", "wm", "mv", "wv", "wmv"}, default="m"
        Which parameters to adapt: weights (w), means (m), variances (v).
    variance_floor : float, default=1e-6
        Lower bound of the adapted variances.

    Returns
    -------
    weights : ndarray of shape (..., C)
        Adapted weights (the prior's, broadcast, if not adapted).
    means : ndarray of shape (..., C, d)
        Adapted means.
    variances : ndarray of shape (..., C, d)
        Adapted variances.

    References
    ----------
    {reynolds_2000}

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.mixture import map_adapt
    >>> w, m, v = map_adapt(
    ...     np.array([16.0]), np.array([[32.0]]), None,
    ...     np.array([1.0]), np.array([[0.0]]), np.array([[1.0]]),
    ... )
    >>> float(m[0, 0])  # half way between the prior 0 and the data mean 2
    1.0
    """
    if not set(adapt) <= set("wmv") or not adapt:
        raise ValueError(f"adapt must combine 'w', 'm' and 'v'; got {adapt!r}.")
    n = np.asarray(n, dtype=np.float64)
    r = float(relevance_factor)
    alpha = n / (n + r)
    # alpha f / n + (1 - alpha) mu == (f + r mu) / (n + r), with no 0 / 0
    # for a component that sees no data.
    inv = (1.0 / (n + r))[..., np.newaxis]
    lead = n.shape[:-1]

    if "m" in adapt:
        new_means = f + r * means
        new_means *= inv
    else:
        new_means = np.broadcast_to(means, (*lead, *means.shape)).copy()

    if "w" in adapt:
        total = np.maximum(n.sum(axis=-1, keepdims=True), np.finfo(np.float64).tiny)
        new_weights = alpha * n / total + (1.0 - alpha) * weights
        new_weights /= new_weights.sum(axis=-1, keepdims=True)
    else:
        new_weights = np.broadcast_to(weights, n.shape).copy()

    if "v" in adapt:
        if s is None:
            raise ValueError("Adapting variances needs the second-order statistics s.")
        second = (s + r * (variances + means * means)) * inv
        new_variances = np.maximum(second - new_means * new_means, variance_floor)
    else:
        new_variances = np.broadcast_to(variances, new_means.shape).copy()
    return new_weights, new_means, new_variances


def fit_ubm(
    X,
    *,
    frame_width,
    n_components=64,
    reg_covar=1e-3,
    max_iter=100,
    n_init=1,
    random_state=None,
):
    """Fit a diagonal universal background model on the frames of clips.

    All frames of all rows are pooled and a diagonal
    :class:`~sklearn.mixture.GaussianMixture` is fitted to them in float64,
    with a covariance regularization that keeps components alive on frames
    of digital silence (which all sit at the dB floor and would otherwise
    collapse a component to zero variance).

    Use it to fit the UBM on background clips of devices other than the
    enrolled ones, then pass the result as ``ubm=`` to
    :class:`GaussianSupervector` or :class:`GMMUBMClassifier`.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_frames * frame_width)
        Flattened frames, frame-major.
    frame_width : int
        Values a frame.
    n_components : int, default=64
        Gaussians in the mixture.
    reg_covar : float, default=1e-3
        Added to the diagonal variances.
    max_iter : int, default=100
        EM iterations.
    n_init : int, default=1
        EM restarts; the best is kept.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means initialization.

    Returns
    -------
    ubm : GaussianMixture
        The fitted diagonal mixture.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.mixture import fit_ubm
    >>> X = np.random.default_rng(0).standard_normal((20, 5 * 3))
    >>> ubm = fit_ubm(X, frame_width=3, n_components=2, random_state=0)
    >>> ubm.means_.shape
    (2, 3)
    """
    frames = split_frames(np.asarray(X, dtype=np.float64), frame_width)
    frames = frames.reshape(-1, frame_width)
    _check_enough_frames(frames.shape[0], n_components)
    ubm = GaussianMixture(
        n_components=n_components,
        covariance_type="diag",
        reg_covar=reg_covar,
        max_iter=max_iter,
        n_init=n_init,
        random_state=random_state,
    )
    return ubm.fit(frames)


def _check_enough_frames(n_frames, n_components):
    if n_frames < n_components:
        raise ValueError(
            f"Fitting a background model of n_components={n_components} needs "
            f"at least {n_components} frames; got {n_frames} frame(s). Use fewer "
            "components, longer clips or more clips."
        )
