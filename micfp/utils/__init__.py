"""Utilities: estimators, environment report, progress, likelihood-ratio helpers."""

from ._likelihood_ratio import (
    check_binary_scores,
    pav_llr,
    pool_adjacent_violators,
    probability_to_llr,
)
from ._progress import progress
from ._show_versions import show_versions
from .discovery import all_estimators

__all__ = [
    "all_estimators",
    "check_binary_scores",
    "pav_llr",
    "pool_adjacent_violators",
    "probability_to_llr",
    "progress",
    "show_versions",
]
