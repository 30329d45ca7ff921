"""Recording-level decisions by voting over clips and segments."""

from ._aggregate import clip_votes, group_labels, vote_by_group
from ._classifier import SegmentVotingClassifier

__all__ = ["SegmentVotingClassifier", "clip_votes", "group_labels", "vote_by_group"]
