"""Reading audio files into recordings.

:func:`read_audio` and :func:`write_audio` read and write single WAV files;
:func:`load_recordings` reads a folder of WAV files, labelled with their
devices, into a :class:`Recordings` container.
"""

from ._loader import load_recordings
from ._recordings import Recordings
from ._wav import read_audio, write_audio

__all__ = ["Recordings", "load_recordings", "read_audio", "write_audio"]
