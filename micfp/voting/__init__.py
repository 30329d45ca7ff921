"""Recording-level decisions by voting over clips."""

from ._aggregate import vote_by_group

__all__ = ["vote_by_group"]
