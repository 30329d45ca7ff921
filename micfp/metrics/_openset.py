"""Open-set identification metrics."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ..exceptions import ScoreValueError
from ._verification import check_trial_scores


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "y_score": ["array-like"],
        "unknown_label": [int, float, str],
    },
    prefer_skip_nested_validation=True,
)
def oscr(y_true, y_pred, y_score, *, unknown_label=-1):
    """Area under the open-set classification rate curve (OSCR).

    At a threshold ``t`` on the known-ness ``y_score``, the correct
    classification rate is the fraction of rows of known devices accepted
    (score at least ``t``) and assigned their device, and the false-positive
    rate the fraction of rows of unknown devices accepted. OSCR is the area
    under the first as a function of the second, over every threshold, after
    Dhamija et al. [1]_: 1 for a perfect system, at most the closed-set
    accuracy, half of it for a known-ness that does not tell known devices
    from unknown ones.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True device, ``unknown_label`` for rows of unknown devices.
    y_pred : array-like of shape (n_samples,)
        Closed-set prediction (a known device) of each row.
    y_score : array-like of shape (n_samples,)
        Known-ness, higher for "a known device".
    unknown_label : int, float or str, default=-1
        Label of rows of unknown devices in ``y_true``.

    Returns
    -------
    area : float
        In [0, 1].

    Raises
    ------
    ScoreValueError
        If arguments differ in length, scores are not finite, or ``y_true``
        lacks known or unknown rows.

    References
    ----------
    .. [1] A. R. Dhamija, M. Günther, T. E. Boult, "Reducing network
       agnostophobia", NeurIPS 2018.

    Examples
    --------
    >>> from micfp.metrics import oscr
    >>> y_true = [0, 1, 1, -1, -1]
    >>> y_pred = [0, 1, 0, 1, 0]
    >>> y_score = [0.9, 0.8, 0.7, 0.6, 0.2]
    >>> round(oscr(y_true, y_pred, y_score), 4)
    0.6667
    """
    y_true = np.asarray(y_true)
    is_unknown = y_true == unknown_label
    _, scores = check_trial_scores(is_unknown, y_score)
    y_pred = np.asarray(y_pred)
    if y_pred.shape != y_true.shape:
        raise ScoreValueError(
            f"y_pred must have the shape of y_true {y_true.shape}; got {y_pred.shape}."
        )
    correct = (y_pred == y_true) & ~is_unknown
    order = np.argsort(-scores, kind="stable")
    ends = np.r_[np.flatnonzero(np.diff(scores[order])), len(scores) - 1]
    ccr = np.r_[0.0, np.cumsum(correct[order])[ends] / np.sum(~is_unknown)]
    fpr = np.r_[0.0, np.cumsum(is_unknown[order])[ends] / np.sum(is_unknown)]
    return float(np.trapezoid(ccr, fpr))
