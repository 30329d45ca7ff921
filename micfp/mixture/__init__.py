"""Gaussian mixture models of feature frames: UBM, MAP adaptation, supervectors.

The universal background model (UBM) is a diagonal
:class:`sklearn.mixture.GaussianMixture` fitted on the frames of many clips;
MAP adaptation moves it towards one clip (:class:`GaussianSupervector`) or one
device (:class:`GMMUBMClassifier`).
"""

from ._gmm_ubm import GMMUBMClassifier
from ._map import (
    component_log_likelihoods,
    fit_ubm,
    map_adapt,
    split_frames,
    sufficient_statistics,
)
from ._supervector import GaussianSupervector

__all__ = [
    "GMMUBMClassifier",
    "GaussianSupervector",
    "component_log_likelihoods",
    "fit_ubm",
    "map_adapt",
    "split_frames",
    "sufficient_statistics",
]
