"""Empirical lower and upper bounds (ELUB) of log10 likelihood ratios."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from ..utils import check_binary_scores


def _expected_utility(lr, y, thresholds, add_misleading):
    """Return the expected utility of accepting H1 when ``LR > t``, per threshold.

    ``1 - P(accept | H1) + t * P(accept | H2)``, with ``add_misleading`` H1
    trials that are never accepted and H2 trials that always are.
    """
    counts = []
    for label in (1, 0):
        sorted_lr = np.sort(lr[y == label])
        accepted = len(sorted_lr) - np.searchsorted(sorted_lr, thresholds, "right")
        if label == 0:
            accepted = accepted + add_misleading
        counts.append(accepted / (len(sorted_lr) + add_misleading))
    return 1 - counts[0] + thresholds * counts[1]


@validate_params(
    {
        "y_true": ["array-like"],
        "llr": ["array-like"],
        "add_misleading": [Interval(Integral, 0, None, closed="left")],
        "step": [Interval(Real, 0, None, closed="neither")],
        "extreme": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def elub_bounds(y_true, llr, *, add_misleading=1, step=0.01, extreme=9.0):
    """Empirical lower and upper bounds of log10 LRs (ELUB, Vergeer et al. 2016).

    An LR system should not report an LR whose use would, on its own
    validation data, lead to worse decisions than reporting LR = 1. For each
    threshold ``t`` on a grid of log10 LRs the expected utility of deciding
    for H1 when ``LR > t`` is ``1 - P(LR > t | H1) + t P(LR > t | H2)``;
    thresholds where the system's utility is worse than that of the neutral
    system (all LRs equal to 1) are unsafe. The bounds are the safe thresholds
    nearest to 0 on either side of the unsafe ones, and never lie beyond
    ``-log10(n_H1 + 1)`` and ``log10(n_H2 + 1)``. ``add_misleading`` misleading
    trials added to each proposition keep the bounds finite. This follows
    lir 1.3.1's ``elub``, which its authors derived from the paper's MATLAB
    code.

    Parameters
    ----------
    y_true : array-like of shape (n_trials,)
        1 where H1 (same source) is true, 0 where H2 (different sources) is.
    llr : array-like of shape (n_trials,)
        Log10 likelihood ratios, as a calibrator outputs them.
    add_misleading : int, default=1
        Number of misleading trials added under each proposition.
    step : float, default=0.01
        Spacing of the threshold grid, in log10 units.
    extreme : float, default=9.0
        Log10 LRs beyond ``±extreme`` (infinities included) count as
        ``±extreme``.

    Returns
    -------
    lower : float
        Lower bound in log10 units, 0 or less.
    upper : float
        Upper bound in log10 units, 0 or more.

    Raises
    ------
    micfp.exceptions.CalibrationError
        For a single class, labels other than 0 and 1, or NaN in ``llr``.

    References
    ----------
    P. Vergeer, A. van Es, A. de Jongh, I. Alberink and R. Stoel, "Numerical
    likelihood ratios outputted by LR systems are often based on
    extrapolation: When to stop extrapolating?", Science and Justice
    56:482-491, 2016.

    Examples
    --------
    With 9 trials under each proposition no bound exceeds ``log10(10) = 1``:

    >>> import numpy as np
    >>> from micfp.calibration import elub_bounds
    >>> y = np.r_[np.ones(9), np.zeros(9)]
    >>> llr = np.r_[np.full(9, 4.0), np.full(9, -4.0)]
    >>> [round(float(b), 2) for b in elub_bounds(y, llr)]
    [-1.0, 1.0]
    """
    y_true, llr = check_binary_scores(y_true, llr)
    llr = np.clip(llr, -extreme, extreme)
    n_h1 = np.count_nonzero(y_true)
    low = max(llr.min(), -np.log10(n_h1 + 1))
    high = min(llr.max(), np.log10(len(y_true) - n_h1 + 1))
    first = min(0, int(np.floor_divide(low, step)))
    last = max(0, int(np.floor_divide(high, step)) + 1)
    grid = np.linspace(first * step, last * step, last - first + 1)
    thresholds = 10**grid
    neutral = _expected_utility(np.ones_like(llr), y_true, thresholds, 0)
    system = _expected_utility(10**llr, y_true, thresholds, add_misleading)
    with np.errstate(divide="ignore", invalid="ignore"):
        unsafe = neutral / system < 1
    lower = np.max(grid[(grid <= 0) & unsafe] + step, initial=grid.min())
    upper = np.min(grid[(grid >= 0) & unsafe] - step, initial=grid.max())
    return float(min(lower, 0.0)), float(max(upper, 0.0))
