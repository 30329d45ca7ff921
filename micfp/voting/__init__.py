"""Recording-level decisions by voting over clips and segments."""

from ._aggregate import vote_by_group
from ._classifier import SegmentVotingClassifier

__all__ = ["SegmentVotingClassifier", "vote_by_group"]
