"""Calibration of scores to likelihood ratios, and their bounds.

Calibrators are scikit-learn transformers: ``fit(scores, y)`` with ``y`` 1
for H1 (same source) and 0 for H2 (different sources), then
``transform(scores)`` returns log10 likelihood ratios.
"""

from ._bounds import elub_bounds
from ._calibrators import (
    BaseLRCalibrator,
    IsotonicLRCalibrator,
    KDELRCalibrator,
    LogisticLRCalibrator,
)
from ._report import LRValidationReport, validation_report
from ._system import DeviceLRSystem

__all__ = [
    "BaseLRCalibrator",
    "DeviceLRSystem",
    "IsotonicLRCalibrator",
    "KDELRCalibrator",
    "LRValidationReport",
    "LogisticLRCalibrator",
    "elub_bounds",
    "validation_report",
]
