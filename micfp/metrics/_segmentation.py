"""Scores of boundaries found along recordings, with tolerances in seconds."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params


def _as_recordings(times, name):
    """Return a list of 1-D arrays of times from one array or a list of them."""
    try:
        flat = np.asarray(times, dtype=np.float64)
    except (TypeError, ValueError):
        flat = None
    if flat is not None and flat.ndim == 1:
        lists = [flat]
    else:
        lists = [np.asarray(t, dtype=np.float64) for t in times]
    for t in lists:
        if t.ndim != 1 or not np.all(np.isfinite(t)):
            raise ValueError(
                f"{name} must hold 1-D arrays of finite times in seconds; got "
                f"an array of shape {t.shape}."
            )
    return lists


def _pair(true_times, pred_times):
    true_lists = _as_recordings(true_times, "true_times")
    pred_lists = _as_recordings(pred_times, "pred_times")
    if len(true_lists) != len(pred_lists):
        raise ValueError(
            "true_times and pred_times must describe the same number of "
            f"recordings; got {len(true_lists)} and {len(pred_lists)}."
        )
    return true_lists, pred_lists


def _n_matched(true, pred, tolerance):
    """Pairs matched closest first, each boundary at most once, within ``tolerance``."""
    if true.size == 0 or pred.size == 0:
        return 0
    distance = np.abs(true[:, None] - pred[None, :])
    rows, cols = np.nonzero(distance <= tolerance)
    order = np.argsort(distance[rows, cols], kind="stable")
    used_true, used_pred = set(), set()
    for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if i not in used_true and j not in used_pred:
            used_true.add(i)
            used_pred.add(j)
    return len(used_true)


@validate_params(
    {
        "true_times": ["array-like"],
        "pred_times": ["array-like"],
        "tolerance": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def boundary_precision_recall_fscore(true_times, pred_times, *, tolerance=1.0):
    """Precision, recall and F1 of detected boundaries within a tolerance.

    A detected boundary is correct when it lies within ``tolerance`` seconds
    of a true one. Pairs are matched closest first, each boundary at most
    once, as in pyannote.metrics' ``SegmentationPrecision`` and
    ``SegmentationRecall``; where no two boundaries compete for one match,
    this is also ruptures' ``precision_recall``. Over several recordings the
    matches and the counts are added up before the ratios are taken.

    Parameters
    ----------
    true_times : array-like of shape (n_true,) or list of them
        True boundary times in seconds, of one recording or of each.
    pred_times : array-like of shape (n_pred,) or list of them
        Detected boundary times in seconds, in the same layout.
    tolerance : float, default=1.0
        Largest distance in seconds between a detection and its true
        boundary.

    Returns
    -------
    precision : float
        Matched detections over detections; 1.0 when nothing is detected.
    recall : float
        Matched true boundaries over true boundaries; 1.0 when there are
        none.
    fscore : float
        Harmonic mean of the two; 0.0 when both are 0.

    See Also
    --------
    boundary_hausdorff : The worst distance instead of a count.

    Examples
    --------
    >>> from micfp.metrics import boundary_precision_recall_fscore
    >>> boundary_precision_recall_fscore([10.0, 20.0], [10.4, 13.0], tolerance=0.5)
    (0.5, 0.5, 0.5)
    >>> boundary_precision_recall_fscore([[10.0], []], [[10.2], [5.0]])
    (0.5, 1.0, 0.6666666666666666)
    """
    true_lists, pred_lists = _pair(true_times, pred_times)
    matched = sum(
        _n_matched(t, p, tolerance) for t, p in zip(true_lists, pred_lists, strict=True)
    )
    n_true = sum(t.size for t in true_lists)
    n_pred = sum(p.size for p in pred_lists)
    precision = matched / n_pred if n_pred else 1.0
    recall = matched / n_true if n_true else 1.0
    total = precision + recall
    fscore = 2 * precision * recall / total if total else 0.0
    return float(precision), float(recall), float(fscore)


@validate_params(
    {"true_times": ["array-like"], "pred_times": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def boundary_hausdorff(true_times, pred_times):
    """Hausdorff distance between true and detected boundaries, in seconds.

    The largest distance from a boundary of either set to the nearest one
    of the other, as ruptures' ``hausdorff`` in samples.

    Parameters
    ----------
    true_times : array-like of shape (n_true,)
        True boundary times in seconds.
    pred_times : array-like of shape (n_pred,)
        Detected boundary times in seconds.

    Returns
    -------
    distance : float
        0.0 when both are empty, ``inf`` when only one is.

    Examples
    --------
    >>> from micfp.metrics import boundary_hausdorff
    >>> boundary_hausdorff([10.0, 20.0], [10.5, 19.0, 30.0])
    10.0
    """
    (true,), (pred,) = _pair([true_times], [pred_times])
    if true.size == 0 and pred.size == 0:
        return 0.0
    if true.size == 0 or pred.size == 0:
        return float("inf")
    distance = np.abs(true[:, None] - pred[None, :])
    return float(max(distance.min(axis=0).max(), distance.min(axis=1).max()))
