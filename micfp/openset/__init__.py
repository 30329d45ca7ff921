"""Open-set identification: a known device, or none of them."""

from ._classifier import OpenSetClassifier

__all__ = ["OpenSetClassifier"]
