"""Shared helpers of micfp.plot: the lazy matplotlib import and input checks."""

import numpy as np

_INSTALL_HINT = 'pip install "micfp[plot]"'


def _import_pyplot():
    """Import ``matplotlib.pyplot`` on first use, naming the extra when missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "micfp.plot needs matplotlib, which is not installed. "
            f"Install it with: {_INSTALL_HINT}"
        ) from exc
    return plt


def _get_axes(ax):
    """Return ``(figure, ax)``, creating a figure with one axes when ``ax`` is None."""
    plt = _import_pyplot()
    if ax is None:
        return plt.subplots()
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(
            f"ax must be a matplotlib Axes or None; got {type(ax).__name__}."
        )
    return ax.figure, ax


def _check_1d(values, name, *, numeric=True):
    """Return ``values`` as a non-empty 1-D array, finite floats when ``numeric``."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {array.shape}.")
    if array.size == 0:
        raise ValueError(f"{name} is empty; at least one value is needed.")
    if not numeric:
        return array
    try:
        array = array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers; got dtype {array.dtype}.") from exc
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite everywhere; it holds NaN or inf.")
    return array


def _check_same_length(first, second, names):
    if len(first) != len(second):
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same length; "
            f"got {len(first)} and {len(second)}."
        )
