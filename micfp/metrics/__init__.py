"""Metrics of device verification and of likelihood ratios.

Every function takes scikit-learn's ``(y_true, y_score)`` order. Likelihood
ratios are log10 by default (``base=10``) and costs are in bits.
"""

from ._likelihood_ratio import cllr, cllr_cal, cllr_min, devpav, misleading_rate

__all__ = ["cllr", "cllr_cal", "cllr_min", "devpav", "misleading_rate"]
