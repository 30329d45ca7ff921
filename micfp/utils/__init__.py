"""Utilities: estimator discovery and environment report."""

from ._show_versions import show_versions
from .discovery import all_estimators

__all__ = ["all_estimators", "show_versions"]
