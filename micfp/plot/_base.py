"""The base of micfp's displays, the lazy matplotlib import and input checks."""

from abc import ABCMeta, abstractmethod

import numpy as np

from ..utils._docstring import Substitution

_INSTALL_HINT = 'pip install "micfp[plot]"'

# Docstring sections of every display: the ``ax`` argument of ``plot`` and of
# the class methods that draw and what they return, the whole of a ``plot``
# that takes only ``ax``, and the attributes ``plot`` sets.
_AX_DOC = """
ax : matplotlib Axes, default=None
    Axes to draw on. A new figure is created when None.
"""
_AXES_DOC = """
ax_ : matplotlib Axes
    Axes holding the display.
figure_ : matplotlib Figure
    Figure holding ``ax_``.
"""
_PLOT_DOC = f"""
Parameters
----------
{_AX_DOC.strip()}

Returns
-------
self : object
    The display, with ``ax_``, ``figure_`` and the artists listed under
    Attributes set.
"""
_DRAWN_DOC = """
Returns
-------
display : object
    A display of the class the method is called on, drawn.
"""
_ax_parameter = Substitution(ax=_AX_DOC)
_draw_doc = Substitution(ax=_AX_DOC, drawn=_DRAWN_DOC)
_plot_doc = Substitution(plot=_PLOT_DOC)
_axes_attributes = Substitution(axes=_AXES_DOC)


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


class BaseDisplay(metaclass=ABCMeta):
    """Base class of micfp's displays, which follow scikit-learn's Display API.

    A display is built from the values it draws (its constructor), or computes
    them from a fitted estimator (``from_estimator``), from predictions
    (``from_predictions``) or from the result of an analysis
    (``from_results``); these class methods draw at once and return the
    display. :meth:`plot` draws the stored values again, on new axes or on
    ``ax``, without recomputing them. After drawing, ``ax_`` and ``figure_``
    hold the axes and the figure, beside the artists of each display.

    Subclasses implement :meth:`plot`, which starts with
    ``ax = self._prepare_axes(ax)`` and returns ``self``.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : The display micfp uses for
        confusion matrices, of the same kind.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import BaseDisplay
    >>> class PointDisplay(BaseDisplay):
    ...     def __init__(self, x, y):
    ...         self.x, self.y = x, y
    ...     def plot(self, *, ax=None):
    ...         ax = self._prepare_axes(ax)
    ...         (self.line_,) = ax.plot([self.x], [self.y], "o")
    ...         return self
    >>> display = PointDisplay(1.0, 2.0).plot()
    >>> display.ax_.lines[0] is display.line_
    True
    >>> plt.close(display.figure_)
    """

    @abstractmethod
    @_plot_doc
    def plot(self, *, ax=None):
        """Draw the display.

        {plot}
        """

    def _prepare_axes(self, ax):
        """Check ``ax`` (or create a figure), set ``ax_`` and ``figure_``; return it."""
        self.figure_, self.ax_ = _get_axes(ax)
        return self.ax_
