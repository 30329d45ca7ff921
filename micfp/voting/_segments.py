"""Cutting rows into evenly spaced segments."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def segment_starts(n_samples, segment_length, n_segments):
    """Start indices of ``n_segments`` evenly spaced segments of a row.

    The first segment starts at 0 and the last ends at the end of the row;
    segments overlap only when the row is shorter than ``n_segments``
    segments laid end to end.

    Parameters
    ----------
    n_samples : int
        Length of the row.
    segment_length : int
        Length of one segment, at most ``n_samples``.
    n_segments : int
        Number of segments.

    Returns
    -------
    starts : ndarray of shape (n_segments,)
        Start index of each segment.
    """
    return np.linspace(0, n_samples - segment_length, n_segments).round().astype(int)


def cut_segments(X, segment_length, n_segments):
    """Cut every row of ``X`` into the same evenly spaced segments.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_samples)
        Rows to cut.
    segment_length : int
        Length of one segment.
    n_segments : int
        Segments per row.

    Returns
    -------
    segments : ndarray of shape (n_rows * n_segments, segment_length)
        Segments row-major: the segments of row 0 first, then of row 1, ...
    """
    starts = segment_starts(X.shape[1], segment_length, n_segments)
    windows = sliding_window_view(X, segment_length, axis=1)
    return windows[:, starts].reshape(-1, segment_length)
