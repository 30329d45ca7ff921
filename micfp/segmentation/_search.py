"""Change-point search: peaks of a change curve, thresholds for a false-alarm rate."""

import numpy as np
from scipy.ndimage import maximum_filter1d

# Share of the null peaks above which the exponential tail is fitted.
_TAIL_QUANTILE = 0.8


def pick_peaks(curve, threshold, min_distance):
    """Return the indices of the local maxima of ``curve`` at or above ``threshold``.

    A peak must be the largest value within ``min_distance`` points on each
    side; of a plateau of equal maxima, the first point is kept.

    Parameters
    ----------
    curve : ndarray of shape (n,)
    threshold : float
    min_distance : int
        Points on each side of a peak that no other peak may occupy.

    Returns
    -------
    peaks : ndarray of int
    """
    if curve.size == 0:
        return np.empty(0, dtype=int)
    local = maximum_filter1d(curve, size=2 * min_distance + 1, mode="constant")
    candidates = np.flatnonzero((curve >= local) & (curve >= threshold))
    if candidates.size < 2:
        return candidates
    keep = np.ones(candidates.size, dtype=bool)
    keep[1:] = np.diff(candidates) > min_distance
    return candidates[keep]


def tail_threshold(peaks, hours, rate):
    """Threshold that null peaks exceed ``rate`` times an hour.

    The peaks above their 80th percentile are modelled by an exponential
    tail (peaks over threshold with a generalized Pareto shape of zero), so a
    rate lower than one in the hours observed is extrapolated rather than
    read off the largest peak.

    Parameters
    ----------
    peaks : ndarray of shape (n_peaks,)
        Heights of the peaks of change curves on unedited recordings.
    hours : float
        Duration those recordings add up to, in hours.
    rate : float
        Target number of exceedances an hour.

    Returns
    -------
    threshold : float
    """
    if peaks.size == 0:
        return 0.0
    u = float(np.quantile(peaks, _TAIL_QUANTILE))
    excess = peaks[peaks > u] - u
    if excess.size == 0:
        return float(peaks.max())
    scale = max(float(excess.mean()), np.finfo(float).tiny)
    rate_u = excess.size / hours
    return u + scale * max(0.0, float(np.log(rate_u / rate)))
