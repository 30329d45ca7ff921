"""Plots of device-identification results (needs matplotlib: ``micfp[plot]``).

matplotlib is imported when a function first draws, not at import time, and a
missing matplotlib raises an :class:`ImportError` that names the extra to
install.
"""

from ._change import ChangeCurveDisplay
from ._confusion import plot_confusion_matrix
from ._curves import plot_accuracy_vs_duration, plot_training_curve
from ._tsne import TSNEDisplay, plot_tsne

__all__ = [
    "ChangeCurveDisplay",
    "TSNEDisplay",
    "plot_accuracy_vs_duration",
    "plot_confusion_matrix",
    "plot_training_curve",
    "plot_tsne",
]
