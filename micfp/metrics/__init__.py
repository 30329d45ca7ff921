"""Metrics of device verification, open-set identification and their scores.

Every metric takes scikit-learn's ``(y_true, y_score)`` order, and scores
point one way: higher means "same device" or "known device".
"""

from ._openset import oscr
from ._verification import act_dcf, eer, from_target_nontarget, min_dcf

__all__ = ["act_dcf", "eer", "from_target_nontarget", "min_dcf", "oscr"]
