"""Metrics of device verification, open set, likelihood ratios and change detection.

Every metric takes scikit-learn's ``(y_true, y_score)`` order, and scores
point one way: higher means "same device" or "known device". Likelihood
ratios are log10 by default (``base=10``) and their costs are in bits.
"""

from ._likelihood_ratio import cllr, cllr_cal, cllr_min, devpav, misleading_rate
from ._openset import oscr
from ._segmentation import boundary_hausdorff, boundary_precision_recall_fscore
from ._verification import act_dcf, eer, from_target_nontarget, min_dcf

__all__ = [
    "act_dcf",
    "boundary_hausdorff",
    "boundary_precision_recall_fscore",
    "cllr",
    "cllr_cal",
    "cllr_min",
    "devpav",
    "eer",
    "from_target_nontarget",
    "min_dcf",
    "misleading_rate",
    "oscr",
]
