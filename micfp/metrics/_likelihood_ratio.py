"""Metrics of likelihood ratios: Cllr and its parts, devPAV, misleading rates.

All functions take ``(y_true, llr)``: labels 1 for H1 (same source) and 0 for
H2 (different sources), and log likelihood ratios in the base ``base``
(10 by default, lir's convention). Costs are in bits.
"""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..utils import (
    check_binary_scores,
    pav_llr,
    pool_adjacent_violators,
    probability_to_llr,
)
from ..utils._docstring import Substitution

_COMMON_PARAMS = {
    "y_true": ["array-like"],
    "llr": ["array-like"],
    "base": [Interval(Real, 1, None, closed="neither")],
}


_Y_TRUE = """
y_true : array-like of shape (n_trials,)
    1 where H1 (same source) is true, 0 where H2 (different sources) is.
"""
_TRIALS = f"""
{_Y_TRUE.strip()}
llr : array-like of shape (n_trials,)
    Log likelihood ratios in base ``base``.
"""
_RAISES = """
Raises
------
micfp.exceptions.CalibrationError
    For a single class, labels other than 0 and 1, NaN in ``llr``, or
    ``-inf`` under H1 or ``+inf`` under H2.
"""


def _to_log10(y_true, llr, base, misleading_infinity="raise"):
    y_true, llr = check_binary_scores(
        y_true, llr, misleading_infinity=misleading_infinity
    )
    return y_true, llr * np.log10(base)


def _cllr_log10(y_true, llr):
    ln_lr = llr * np.log(10)
    cost_h1 = np.logaddexp(0.0, -ln_lr[y_true == 1]).mean()
    cost_h2 = np.logaddexp(0.0, ln_lr[y_true == 0]).mean()
    return float((cost_h1 + cost_h2) / (2 * np.log(2)))


@validate_params(_COMMON_PARAMS, prefer_skip_nested_validation=True)
@Substitution(y_true=_Y_TRUE, raises=_RAISES)
def cllr(y_true, llr, *, base=10):
    """Log-likelihood-ratio cost Cllr, in bits.

    ``Cllr = (mean_H1 log2(1 + 1/LR) + mean_H2 log2(1 + LR)) / 2``
    (Brümmer and du Preez, 2006): 0 for a perfect system, 1 for one that
    always reports LR = 1. Both propositions weigh the same, whatever the
    numbers of trials. Infinite log LRs of the right sign cost nothing; a
    misleading one (``-inf`` under H1, ``+inf`` under H2) would cost
    infinitely much and is refused as the sign of a broken system.

    Parameters
    ----------
    {y_true}
    llr : array-like of shape (n_trials,)
        Log likelihood ratios in base ``base``; NaN and misleading infinities
        are refused.
    base : float, default=10
        Base of the logarithm of ``llr`` (10, lir's convention; ``np.e`` for
        natural-log scores). Greater than 1.

    Returns
    -------
    cllr : float
        The cost in bits, 0 or more.

    {raises}

    See Also
    --------
    cllr_min : Cllr after the best monotone recalibration (discrimination).
    cllr_cal : The part of Cllr lost to calibration.

    References
    ----------
    N. Brümmer and J. du Preez, "Application-independent evaluation of speaker
    detection", Computer Speech and Language 20(2-3):230-275, 2006.

    Examples
    --------
    >>> from micfp.metrics import cllr
    >>> cllr([1, 0], [0.0, 0.0])
    1.0
    >>> round(cllr([1, 1, 0, 0], [2.0, 1.0, -1.0, -2.0]), 4)
    0.0759
    """
    y_true, llr = _to_log10(y_true, llr, base)
    return _cllr_log10(y_true, llr)


@validate_params(_COMMON_PARAMS, prefer_skip_nested_validation=True)
@Substitution(y_true=_Y_TRUE, raises=_RAISES)
def cllr_min(y_true, llr, *, base=10):
    """Minimum Cllr: Cllr after the optimal monotone recalibration, in bits.

    The log LRs are recalibrated by prior-balanced isotonic regression (the
    pool-adjacent-violators algorithm, PAV) fitted on these same trials; what
    remains measures discrimination alone. On few trials it is optimistic.

    Parameters
    ----------
    {y_true}
    llr : array-like of shape (n_trials,)
        Log likelihood ratios (or any scores, higher = H1) in base ``base``;
        only their order matters.
    base : float, default=10
        Base of the logarithm of ``llr``. Greater than 1.

    Returns
    -------
    cllr_min : float
        The cost in bits, between 0 and 1.

    {raises}

    See Also
    --------
    cllr : Cllr of the log LRs as they are.

    Examples
    --------
    >>> from micfp.metrics import cllr_min
    >>> cllr_min([1, 1, 0, 0], [5.0, 1.0, -1.0, -7.0])
    0.0
    >>> cllr_min([1, 0], [0.0, 0.0])
    1.0
    """
    y_true, llr = _to_log10(y_true, llr, base)
    return _cllr_log10(y_true, pav_llr(llr, y_true))


@validate_params(_COMMON_PARAMS, prefer_skip_nested_validation=True)
@Substitution(trials=_TRIALS, raises=_RAISES)
def cllr_cal(y_true, llr, *, base=10):
    """Calibration loss ``Cllr - Cllr_min``, in bits.

    The part of the cost that a monotone recalibration would remove: 0 for
    log LRs that are already well calibrated on these trials.

    Parameters
    ----------
    {trials}
    base : float, default=10
        Base of the logarithm of ``llr``. Greater than 1.

    Returns
    -------
    cllr_cal : float
        The loss in bits, 0 or more.

    {raises}

    Examples
    --------
    >>> from micfp.metrics import cllr_cal
    >>> round(cllr_cal([1, 1, 0, 0], [20.0, 10.0, -10.0, -20.0]), 6)
    0.0
    >>> round(cllr_cal([1, 0], [3.0, 3.0]), 4)
    3.9843
    """
    y_true, llr = _to_log10(y_true, llr, base)
    return _cllr_log10(y_true, llr) - _cllr_log10(y_true, pav_llr(llr, y_true))


def _segment_areas(x, y):
    """Area between each segment of the curve ``(x, y)`` and the line ``y = x``."""
    width = np.diff(x)
    start = y[:-1] - x[:-1]
    end = y[1:] - x[1:]
    same_side = start * end >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = (start**2 + end**2) / (2 * np.abs(start - end))
    return width * np.where(same_side, np.abs(start + end) / 2, crossing)


@validate_params(_COMMON_PARAMS, prefer_skip_nested_validation=True)
@Substitution(trials=_TRIALS, raises=_RAISES)
def devpav(y_true, llr, *, base=10):
    """Deviation of the PAV transform from the identity, devPAV, in log10 units.

    The log10 LRs after PAV are drawn against the log10 LRs as they are,
    through the distinct values joined by straight lines; devPAV is the area
    between that curve and the line ``y = x``, divided by the range of the
    finite log10 LRs (Vergeer et al., 2021). 0 means that PAV changes nothing.
    Points where PAV gives an infinite LR are left out (infinite input LRs
    always get one), and the result is ``nan`` when every PAV value is
    infinite (separated propositions).

    Parameters
    ----------
    {trials}
    base : float, default=10
        Base of the logarithm of ``llr``; the area is measured in log10 units
        whatever the base. Greater than 1.

    Returns
    -------
    devpav : float
        Mean absolute deviation in log10 units, 0 or more, or ``nan`` as
        above.

    {raises}

    References
    ----------
    P. Vergeer, Y. van Schaik and M. Sjerps, "Measuring calibration of
    likelihood-ratio systems: A comparison of four metrics, including a new
    metric devPAV", Forensic Science International 321:110722, 2021.

    Examples
    --------
    >>> from micfp.metrics import devpav
    >>> round(devpav([0, 1, 0, 1], [-2.0, -1.0, 1.0, 2.0]), 6)
    0.5
    """
    y_true, llr = _to_log10(y_true, llr, base)
    knots, probabilities = pool_adjacent_violators(llr, y_true)
    pav = probability_to_llr(probabilities)
    finite = np.isfinite(pav)
    if not finite.any():
        return float("nan")
    x, y = knots[finite], pav[finite]
    if len(x) == 1:
        return float(abs(x[0] - y[0]))
    return float(_segment_areas(x, y).sum() / (x[-1] - x[0]))


@validate_params(
    {**_COMMON_PARAMS, "proposition": [StrOptions({"H1", "H2"})]},
    prefer_skip_nested_validation=True,
)
@Substitution(trials=_TRIALS)
def misleading_rate(y_true, llr, *, proposition="H1", base=10):
    """Rate of misleading evidence under one proposition.

    Under H1 it is the fraction of H1 trials with LR < 1 (log LR < 0); under
    H2, the fraction of H2 trials with LR > 1. An LR of exactly 1 is neutral,
    never misleading.

    Parameters
    ----------
    {trials}
    proposition : {"H1", "H2"}, default="H1"
        The proposition that is true in the trials counted.
    base : float, default=10
        Base of the logarithm of ``llr``; the sign, hence the rate, does not
        depend on it. Greater than 1.

    Returns
    -------
    rate : float
        Fraction between 0 and 1.

    Raises
    ------
    micfp.exceptions.CalibrationError
        For a single class, labels other than 0 and 1, or NaN in ``llr``
        (misleading infinities are counted, not refused).

    Examples
    --------
    >>> from micfp.metrics import misleading_rate
    >>> y, llr = [1, 1, 1, 1, 0, 0], [2.0, 1.0, 0.0, -1.0, -3.0, 0.5]
    >>> misleading_rate(y, llr, proposition="H1")
    0.25
    >>> misleading_rate(y, llr, proposition="H2")
    0.5
    """
    y_true, llr = _to_log10(y_true, llr, base, misleading_infinity="allow")
    if proposition == "H1":
        return float(np.mean(llr[y_true == 1] < 0))
    return float(np.mean(llr[y_true == 0] > 0))
