"""Plots of device-identification results (needs matplotlib: ``micfp[plot]``).

matplotlib is imported when a function first draws, not at import time, and a
missing matplotlib raises an :class:`ImportError` that names the extra to
install.
"""

from ._confusion import plot_confusion_matrix
from ._curves import plot_accuracy_vs_duration, plot_training_curve
from ._lr import ECEDisplay, PAVDisplay, TippettDisplay
from ._tsne import TSNEDisplay, plot_tsne

__all__ = [
    "ECEDisplay",
    "PAVDisplay",
    "TSNEDisplay",
    "TippettDisplay",
    "plot_accuracy_vs_duration",
    "plot_confusion_matrix",
    "plot_training_curve",
    "plot_tsne",
]
