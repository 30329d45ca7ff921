"""Metrics of device identification, verification and change detection."""

from ._segmentation import boundary_hausdorff, boundary_precision_recall_fscore

__all__ = ["boundary_hausdorff", "boundary_precision_recall_fscore"]
