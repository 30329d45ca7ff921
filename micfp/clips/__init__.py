"""Turning recordings into fixed-length clips, one clip per row.

:func:`extract_clips` returns the clips with the device label and the source
recording of each, so that train and test sets can be split by recording.
"""

from ._extract import extract_clips

__all__ = ["extract_clips"]
