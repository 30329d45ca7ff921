"""Detection metrics of verification trials: EER, minimum and actual DCF.

Conventions, fixed for all of them:

- ``(y_true, y_score)`` order, as in :mod:`sklearn.metrics`; ``y_true`` marks
  target trials (same device) with ``pos_label``.
- Higher scores mean "same device": a trial is accepted when its score is at
  least the threshold.
- A miss is a rejected target trial (false rejection, false negative), a false
  alarm an accepted non-target trial (false acceptance, false positive).
- Log-likelihood ratios are base 10.
"""

from numbers import Real

import numpy as np
from sklearn.metrics import roc_curve
from sklearn.utils._param_validation import Interval, validate_params

from ..exceptions import ScoreValueError
from ..utils._docstring import Substitution

_PROBABILITY = Interval(Real, 0, 1, closed="neither")
_POSITIVE = Interval(Real, 0, None, closed="neither")


def _as_1d(values, name):
    try:
        values = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise ScoreValueError(f"{name} cannot be read as an array: {exc}") from exc
    if values.ndim != 1:
        raise ScoreValueError(
            f"{name} must be 1-D, one value per trial; got shape {values.shape}."
        )
    return values


def check_trial_scores(y_true, y_score, *, pos_label=None, score_name="y_score"):
    """Validate trial labels and scores for a detection metric.

    Parameters
    ----------
    y_true : array-like of shape (n_trials,)
        Trial labels of two classes.
    y_score : array-like of shape (n_trials,)
        Finite scores, higher for targets.
    pos_label : int, float, bool or str, default=None
        Label of target trials. ``None`` accepts labels in {0, 1}, {-1, 1} or
        booleans, with 1 (True) for targets.
    score_name : str, default="y_score"
        Name of the score argument in error messages.

    Returns
    -------
    is_target : ndarray of bool of shape (n_trials,)
    scores : ndarray of float64 of shape (n_trials,)

    Raises
    ------
    ScoreValueError
        Naming the argument: arrays not 1-D or of different lengths,
        non-numeric, NaN or infinite scores, labels of one class or of more
        than two, or a ``pos_label`` not among the labels.
    """
    y_true = _as_1d(y_true, "y_true")
    scores = _as_1d(y_score, score_name)
    if len(y_true) != len(scores):
        raise ScoreValueError(
            f"y_true and {score_name} must have the same length; got "
            f"{len(y_true)} and {len(scores)}."
        )
    if scores.dtype.kind not in "biuf":
        raise ScoreValueError(
            f"{score_name} must hold real numbers; got dtype {scores.dtype}."
        )
    scores = scores.astype(np.float64)
    if not np.isfinite(scores).all():
        raise ScoreValueError(
            f"{score_name} contains NaN or infinite values at "
            f"{np.flatnonzero(~np.isfinite(scores))[:5].tolist()} (first indices);"
            " every trial needs a finite score."
        )
    labels = np.unique(y_true)
    if len(labels) != 2:
        raise ScoreValueError(
            f"y_true must hold two classes (target and non-target trials); got "
            f"{len(labels)}: {labels[:5].tolist()}."
        )
    if pos_label is None:
        if (
            not (set(labels.tolist()) <= {0, 1} or set(labels.tolist()) <= {-1, 1})
            or labels.dtype.kind not in "biuf"
        ):
            raise ScoreValueError(
                f"pos_label must be given when y_true is not in {{0, 1}}, "
                f"{{-1, 1}} or boolean; got labels {labels.tolist()}."
            )
        pos_label = 1
    elif pos_label not in labels.tolist():
        raise ScoreValueError(
            f"pos_label={pos_label!r} is not among the labels of y_true "
            f"{labels.tolist()}."
        )
    return y_true == pos_label, scores


def _error_rates(is_target, scores):
    """Miss and false-alarm rates and thresholds at every operating point.

    The first point rejects everything (threshold ``inf``), the last accepts
    everything (the lowest score).
    """
    fpr, tpr, thresholds = roc_curve(is_target, scores, drop_intermediate=False)
    return 1.0 - tpr, fpr, thresholds


def _detection_cost(p_miss, p_fa, p_target, c_miss, c_fa, normalize):
    cost = c_miss * p_target * p_miss + c_fa * (1.0 - p_target) * p_fa
    if normalize:
        cost = cost / min(c_miss * p_target, c_fa * (1.0 - p_target))
    return cost


_COSTS_DOC = """
p_target : float, default=0.01
    Prior probability of a target trial, in (0, 1).
c_miss, c_fa : float, default=1.0
    Costs of a miss and of a false alarm, positive.
normalize : bool, default=True
    Divide by ``min(c_miss * p_target, c_fa * (1 - p_target))``.
"""
_RAISES_DOC = """
Raises
------
ScoreValueError
    For trials of one class, NaN or infinite scores, or arguments of
    different lengths.
"""

_TRIALS = {
    "y_true": ["array-like"],
    "y_score": ["array-like"],
    "pos_label": [int, float, bool, str, None],
}
_COSTS = {
    "p_target": [_PROBABILITY],
    "c_miss": [_POSITIVE],
    "c_fa": [_POSITIVE],
    "normalize": ["boolean"],
}


@validate_params(
    {**_TRIALS, "return_threshold": ["boolean"]}, prefer_skip_nested_validation=True
)
@Substitution(raises=_RAISES_DOC)
def eer(y_true, y_score, *, pos_label=None, return_threshold=False):
    """Equal error rate: where the miss rate equals the false-alarm rate.

    The miss and false-alarm rates of all thresholds (from
    :func:`sklearn.metrics.roc_curve`) form a staircase; the EER is where the
    straight line between the last operating point with miss rate at least the
    false-alarm rate and the next one crosses the diagonal. Unlike the
    four-point average of pyannote.metrics or the closest-point value of
    speechbrain, it does not depend on whether collinear operating points are
    kept; all three agree within one step of the staircase,
    ``1 / n_targets + 1 / n_nontargets``.

    Parameters
    ----------
    y_true : array-like of shape (n_trials,)
        Trial labels: ``pos_label`` for target trials (same device), the other
        label for non-target trials.
    y_score : array-like of shape (n_trials,)
        Finite scores, higher for "same device" (similarities, log-likelihood
        ratios, ``decision_function``). Negate distances first.
    pos_label : int, float, bool or str, default=None
        Label of target trials. ``None`` accepts labels in {0, 1}, {-1, 1} or
        booleans, with 1 (True) for targets.
    return_threshold : bool, default=False
        Also return the threshold of the operating point nearest the
        crossing: accepting scores at least this value gives miss and
        false-alarm rates closest to each other.

    Returns
    -------
    eer : float
        Equal error rate, a fraction in [0, 0.5] for a system at least as good
        as chance.
    threshold : float
        Only with ``return_threshold=True``.

    {raises}

    See Also
    --------
    min_dcf : Minimum detection cost.
    sklearn.metrics.det_curve : The error rates at every threshold.
    sklearn.metrics.DetCurveDisplay : Plots them on normal-deviate axes.

    Notes
    -----
    bob.measure's functions take ``(negatives, positives)`` and speechbrain's
    ``(positive_scores, negative_scores)``; :func:`from_target_nontarget`
    turns either into the ``(y_true, y_score)`` taken here.

    Examples
    --------
    >>> from micfp.metrics import eer
    >>> y_true = [0, 0, 0, 1, 1, 1]
    >>> y_score = [0.1, 0.4, 0.6, 0.5, 0.8, 0.9]
    >>> round(eer(y_true, y_score), 4)
    0.3333
    >>> rate, threshold = eer(y_true, y_score, return_threshold=True)
    >>> float(threshold)
    0.5

    As a scorer for model selection, lower being better:

    >>> from sklearn.metrics import make_scorer
    >>> scorer = make_scorer(
    ...     eer, response_method="decision_function", greater_is_better=False
    ... )
    """
    is_target, scores = check_trial_scores(y_true, y_score, pos_label=pos_label)
    p_miss, p_fa, thresholds = _error_rates(is_target, scores)
    gap = p_miss - p_fa  # decreasing from 1 to -1 along the operating points
    after = int(np.argmax(gap < 0))
    before = after - 1
    weight = gap[before] / (gap[before] - gap[after])
    rate = float(p_fa[before] + weight * (p_fa[after] - p_fa[before]))
    if not return_threshold:
        return rate
    nearest = before if abs(gap[before]) <= abs(gap[after]) else after
    if not np.isfinite(thresholds[nearest]):
        nearest = after
    return rate, float(thresholds[nearest])


@validate_params(
    {**_TRIALS, **_COSTS, "return_threshold": ["boolean"]},
    prefer_skip_nested_validation=True,
)
@Substitution(costs=_COSTS_DOC, raises=_RAISES_DOC)
def min_dcf(
    y_true,
    y_score,
    *,
    pos_label=None,
    p_target=0.01,
    c_miss=1.0,
    c_fa=1.0,
    normalize=True,
    return_threshold=False,
):
    """Minimum detection cost over all thresholds (NIST's minDCF).

    The detection cost of a threshold is
    ``c_miss * p_target * P_miss + c_fa * (1 - p_target) * P_fa``; its minimum
    over every threshold, including rejecting and accepting every trial, is
    the cost of the best threshold chosen with hindsight. Normalised, it is
    divided by the cost of the better of those two trivial systems,
    ``min(c_miss * p_target, c_fa * (1 - p_target))``, so that 1 means no
    better than deciding without the scores: the NIST, SIDEKIT/BOSARIS
    (``fast_minDCF(..., normalize=True)``) and wespeaker convention.
    speechbrain's ``minDCF`` is the unnormalised cost (``normalize=False``),
    which never exceeds ``p_target`` with unit costs and cannot be compared
    with normalised figures.

    Parameters
    ----------
    y_true : array-like of shape (n_trials,)
        Trial labels, ``pos_label`` for target trials.
    y_score : array-like of shape (n_trials,)
        Finite scores, higher for "same device".
    pos_label : int, float, bool or str, default=None
        Label of target trials; see :func:`eer`.
    {costs}
    return_threshold : bool, default=False
        Also return the threshold reaching the minimum (``inf`` when
        rejecting every trial is best).

    Returns
    -------
    cost : float
        The minimum detection cost.
    threshold : float
        Only with ``return_threshold=True``.

    {raises}

    See Also
    --------
    act_dcf : The cost of the Bayes decisions of log-likelihood ratios.
    eer : Equal error rate.

    Examples
    --------
    >>> from micfp.metrics import min_dcf
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_score = [0.1, 0.2, 0.3, 0.7, 0.6, 0.9]
    >>> round(min_dcf(y_true, y_score, p_target=0.5), 4)
    0.25
    >>> round(min_dcf(y_true, y_score, p_target=0.5, normalize=False), 4)
    0.125
    """
    is_target, scores = check_trial_scores(y_true, y_score, pos_label=pos_label)
    p_miss, p_fa, thresholds = _error_rates(is_target, scores)
    costs = _detection_cost(p_miss, p_fa, p_target, c_miss, c_fa, normalize)
    best = int(np.argmin(costs))
    if return_threshold:
        return float(costs[best]), float(thresholds[best])
    return float(costs[best])


@validate_params(
    {
        "y_true": ["array-like"],
        "llr": ["array-like"],
        **_COSTS,
        "pos_label": _TRIALS["pos_label"],
    },
    prefer_skip_nested_validation=True,
)
@Substitution(costs=_COSTS_DOC)
def act_dcf(
    y_true, llr, *, pos_label=None, p_target=0.01, c_miss=1.0, c_fa=1.0, normalize=True
):
    """Compute the detection cost of Bayes decisions made with log10 LLRs.

    A calibrated system's log10 likelihood ratio ``llr`` accepts a trial when
    ``llr >= log10(c_fa * (1 - p_target) / (c_miss * p_target))``, the Bayes
    threshold; the actual DCF is the detection cost (see :func:`min_dcf`) of
    those decisions. Its excess over :func:`min_dcf` measures miscalibration.
    Accepting at equality follows BOSARIS's ``fast_actDCF``, which takes
    natural-log ratios: multiply them by ``log10(e)`` first.

    Parameters
    ----------
    y_true : array-like of shape (n_trials,)
        Trial labels, ``pos_label`` for target trials.
    llr : array-like of shape (n_trials,)
        Finite base-10 log-likelihood ratios of "same device" over "different
        devices".
    pos_label : int, float, bool or str, default=None
        Label of target trials; see :func:`eer`.
    {costs}

    Returns
    -------
    cost : float
        The actual detection cost.

    Raises
    ------
    ScoreValueError
        For trials of one class, NaN or infinite ratios, or arguments of
        different lengths.

    Examples
    --------
    >>> from micfp.metrics import act_dcf
    >>> y_true = [0, 0, 0, 1, 1, 1]
    >>> llr = [-3.0, -1.0, 0.5, 1.0, 2.5, 4.0]
    >>> round(act_dcf(y_true, llr, p_target=0.01), 4)
    0.3333
    """
    is_target, llr = check_trial_scores(
        y_true, llr, pos_label=pos_label, score_name="llr"
    )
    threshold = np.log10(c_fa * (1.0 - p_target) / (c_miss * p_target))
    accepted = llr >= threshold
    p_miss = np.mean(~accepted[is_target])
    p_fa = np.mean(accepted[~is_target])
    return float(_detection_cost(p_miss, p_fa, p_target, c_miss, c_fa, normalize))


@validate_params(
    {"target_scores": ["array-like"], "nontarget_scores": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def from_target_nontarget(target_scores, nontarget_scores):
    """Turn separate target and non-target scores into ``(y_true, y_score)``.

    Speaker-verification toolkits keep the scores of the two kinds of trials
    apart: speechbrain as ``(positive_scores, negative_scores)``, SIDEKIT and
    BOSARIS as ``(tar, non)``, bob.measure in the opposite order,
    ``(negatives, positives)``. This adapter builds the labels and scores that
    micfp's and scikit-learn's metrics take.

    Parameters
    ----------
    target_scores : array-like of shape (n_targets,)
        Scores of target trials (same device).
    nontarget_scores : array-like of shape (n_nontargets,)
        Scores of non-target trials.

    Returns
    -------
    y_true : ndarray of int of shape (n_targets + n_nontargets,)
        1 for target trials, then 0 for non-target trials.
    y_score : ndarray of shape (n_targets + n_nontargets,)
        The scores in the same order.

    Examples
    --------
    >>> from micfp.metrics import eer, from_target_nontarget
    >>> y_true, y_score = from_target_nontarget([0.9, 0.8], [0.1, 0.85])
    >>> y_true.tolist(), y_score.tolist()
    ([1, 1, 0, 0], [0.9, 0.8, 0.1, 0.85])
    >>> eer(y_true, y_score)
    0.5
    """
    target = _as_1d(target_scores, "target_scores")
    nontarget = _as_1d(nontarget_scores, "nontarget_scores")
    y_true = np.concatenate(
        [np.ones(len(target), dtype=int), np.zeros(len(nontarget), dtype=int)]
    )
    return y_true, np.concatenate([target, nontarget])
