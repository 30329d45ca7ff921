"""Plots of device-identification results (needs matplotlib: ``micfp[plot]``).

Every plot is a display, as in scikit-learn: a class method
(``from_estimator``, ``from_predictions``, ``from_results``...) computes what
to draw and draws it, ``plot(ax=...)`` draws it again, and ``ax_`` and
``figure_`` hold the axes and the figure. Confusion matrices use
scikit-learn's :class:`~sklearn.metrics.ConfusionMatrixDisplay`.

matplotlib is imported when a display first draws, not at import time, and a
missing matplotlib raises an :class:`ImportError` that names the extra to
install.
"""

from ._base import BaseDisplay
from ._change import ChangeCurveDisplay
from ._curves import AccuracyVsDurationDisplay, TrainingCurveDisplay
from ._lr import ECEDisplay, PAVDisplay, TippettDisplay
from ._tsne import TSNEDisplay

__all__ = [
    "AccuracyVsDurationDisplay",
    "BaseDisplay",
    "ChangeCurveDisplay",
    "ECEDisplay",
    "PAVDisplay",
    "TSNEDisplay",
    "TippettDisplay",
    "TrainingCurveDisplay",
]
