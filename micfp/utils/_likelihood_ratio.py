"""Checks and the pool-adjacent-violators fit shared by LR metrics and calibrators."""

import numpy as np
from sklearn.isotonic import isotonic_regression

from ..exceptions import CalibrationError


def check_binary_scores(y, scores, *, scores_name="llr", misleading_infinity="allow"):
    """Check labels (1 = H1, 0 = H2) and scores for likelihood-ratio work.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels, 1 for H1 (same source) and 0 for H2 (different sources);
        booleans are accepted. Both classes must occur.
    scores : array-like of shape (n_samples,) or (n_samples, 1)
        Scores or log likelihood ratios. NaN is refused; infinities are
        allowed.
    scores_name : str, default="llr"
        Name of ``scores`` in error messages.
    misleading_infinity : {"allow", "raise"}, default="allow"
        With ``"raise"``, ``-inf`` under H1 or ``+inf`` under H2 raise.

    Returns
    -------
    y : ndarray of shape (n_samples,), dtype int
        The labels as 0 and 1.
    scores : ndarray of shape (n_samples,), dtype float64
        The scores as a 1-D array.

    Raises
    ------
    CalibrationError
        For labels other than 0 and 1, a single class, NaN scores, lengths
        that differ, and (with ``"raise"``) misleading infinities.

    Examples
    --------
    >>> from micfp.utils import check_binary_scores
    >>> y, s = check_binary_scores([1, 0], [[2.0], [-1.0]], scores_name="scores")
    >>> y.tolist(), s.tolist()
    ([1, 0], [2.0, -1.0])
    """
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim != 1:
        raise CalibrationError(
            f"{scores_name} must be 1-D or one column; got shape {scores.shape}."
        )
    try:
        scores = scores.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise CalibrationError(
            f"{scores_name} must hold numbers; got dtype {scores.dtype}."
        ) from exc
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(scores):
        raise CalibrationError(
            f"y must be 1-D with one label per score; got shape {y.shape} "
            f"for {len(scores)} {scores_name} values."
        )
    values = np.unique(y)
    if not np.isin(values, [0, 1]).all():
        raise CalibrationError(
            "y must hold 0 (H2, different sources) and 1 (H1, same source); "
            f"got values {values.tolist()[:10]}."
        )
    y = y.astype(int)
    if len(values) < 2:
        raise CalibrationError(
            f"y holds only one class ({values.tolist()}); "
            "both H1 (1) and H2 (0) are needed."
        )
    n_nan = int(np.isnan(scores).sum())
    if n_nan:
        raise CalibrationError(f"{scores_name} holds {n_nan} NaN value(s).")
    if misleading_infinity == "raise":
        wrong_h1 = int(np.count_nonzero(np.isneginf(scores) & (y == 1)))
        wrong_h2 = int(np.count_nonzero(np.isposinf(scores) & (y == 0)))
        if wrong_h1 or wrong_h2:
            raise CalibrationError(
                f"{scores_name} holds misleading infinities: {wrong_h1} -inf under "
                f"H1 and {wrong_h2} +inf under H2; no finite calibration fits them."
            )
    return y, scores


def pool_adjacent_violators(scores, y):
    """Fit a prior-balanced isotonic regression of labels on scores (PAV).

    The weights give both classes the same total weight, so that the fitted
    values are posterior probabilities of H1 at even prior odds: their log odds
    are likelihood ratios. Tied scores are pooled; infinite scores are allowed
    and only ordered.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        Scores without NaN (see :func:`check_binary_scores`).
    y : ndarray of shape (n_samples,)
        Labels, 1 for H1 and 0 for H2, both present.

    Returns
    -------
    knots : ndarray of shape (n_unique,)
        The distinct scores in increasing order.
    probabilities : ndarray of shape (n_unique,)
        The non-decreasing fitted probability of H1 at each knot.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.utils import pool_adjacent_violators
    >>> knots, p = pool_adjacent_violators(np.array([0.0, 1, 2, 3]),
    ...                                    np.array([0, 1, 0, 1]))
    >>> knots.tolist(), p.tolist()
    ([0.0, 1.0, 2.0, 3.0], [0.0, 0.5, 0.5, 1.0])
    """
    # Counts of trials at each distinct score from two sorts (of all scores
    # and of the H1 ones): no permutation of the trials is needed.
    ordered = np.sort(scores)
    distinct = np.empty(len(ordered), dtype=bool)
    distinct[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=distinct[1:])
    knots = ordered[distinct]
    n_at = np.diff(np.r_[np.flatnonzero(distinct), len(ordered)])
    h1 = np.sort(scores[y == 1])
    h1_at = np.diff(np.searchsorted(h1, knots, side="right"), prepend=0)
    # Each H1 trial weighs n_H2 / n and each H2 trial n_H1 / n.
    positive = h1_at * ((len(y) - len(h1)) / len(y))
    total = positive + (n_at - h1_at) * (len(h1) / len(y))
    probabilities = isotonic_regression(positive / total, sample_weight=total)
    return knots, probabilities


def probability_to_llr(probability):
    """Return ``log10(p / (1 - p))``: ``±inf`` at 1 and 0, without warnings.

    Parameters
    ----------
    probability : array-like
        Probabilities of H1 at even prior odds, between 0 and 1.

    Returns
    -------
    llr : ndarray
        Log10 likelihood ratios, of the shape of ``probability``.

    Examples
    --------
    >>> from micfp.utils import probability_to_llr
    >>> probability_to_llr([0.5, 10 / 11, 1.0]).round(12).tolist()
    [0.0, 1.0, inf]
    """
    probability = np.asarray(probability, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.log10(probability) - np.log10(1 - probability)


def pav_llr(scores, y):
    """Return the log10 LRs of prior-balanced PAV fitted and applied to the trials.

    The best monotone recalibration of ``scores`` on these same trials, as
    used by Cllr_min and devPAV; infinite where a block holds one class only.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        Scores or log LRs without NaN (see :func:`check_binary_scores`).
    y : ndarray of shape (n_samples,)
        Labels, 1 for H1 and 0 for H2, both present.

    Returns
    -------
    llr : ndarray of shape (n_samples,)
        Log10 likelihood ratios after PAV.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.utils import pav_llr
    >>> pav_llr(np.array([0.0, 1, 2, 3]), np.array([0, 1, 0, 1])).tolist()
    [-inf, 0.0, 0.0, inf]
    """
    knots, probabilities = pool_adjacent_violators(scores, y)
    return probability_to_llr(probabilities[np.searchsorted(knots, scores)])
