"""Confusion matrix of device predictions."""

from sklearn.metrics import ConfusionMatrixDisplay

from ._base import _check_1d, _check_same_length, _get_axes


def plot_confusion_matrix(
    y_true,
    y_pred,
    *,
    labels=None,
    normalize=None,
    ax=None,
    cmap="Blues",
    values_format=None,
    colorbar=True,
):
    """Plot the confusion matrix of true against predicted devices.

    A thin layer over
    :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_predictions` that
    checks its inputs and draws into ``ax``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True device of each clip or recording.
    y_pred : array-like of shape (n_samples,)
        Predicted device of each clip or recording.
    labels : array-like of shape (n_classes,), default=None
        Devices to show and their order. By default, every device that
        appears in ``y_true`` or ``y_pred``, sorted.
    normalize : {"true", "pred", "all"}, default=None
        Normalize counts over the true devices (rows), the predicted devices
        (columns) or all cells. ``None`` shows raw counts.
    ax : matplotlib Axes, default=None
        Axes to draw on. A new figure is created when None.
    cmap : str or matplotlib Colormap, default="Blues"
        Colour map of the cells.
    values_format : str, default=None
        Format of the numbers written in the cells, such as ``".2f"``. By
        default ``"d"`` for counts and ``".2g"`` otherwise.
    colorbar : bool, default=True
        Whether to add a colour bar.

    Returns
    -------
    display : :class:`~sklearn.metrics.ConfusionMatrixDisplay`
        Holds ``confusion_matrix``, the image ``im_``, the cell texts
        ``text_``, ``ax_`` and ``figure_``.

    See Also
    --------
    sklearn.metrics.confusion_matrix : The matrix without the plot.
    plot_tsne : A map of the features, coloured by device.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import plot_confusion_matrix
    >>> display = plot_confusion_matrix(["a", "a", "b"], ["a", "b", "b"])
    >>> display.confusion_matrix.tolist()
    [[1, 1], [0, 1]]
    >>> plt.close(display.figure_)
    """
    y_true = _check_1d(y_true, "y_true", numeric=False)
    y_pred = _check_1d(y_pred, "y_pred", numeric=False)
    _check_same_length(y_true, y_pred, ("y_true", "y_pred"))
    _, ax = _get_axes(ax)
    return ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=labels,
        normalize=normalize,
        ax=ax,
        cmap=cmap,
        values_format=values_format,
        colorbar=colorbar,
    )
