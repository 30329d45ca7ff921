"""Reading audio files into recordings.

:func:`read_audio` reads one audio file (WAV with micfp's own parser; FLAC,
OGG, MP3, AIFF, M4A/AAC, AMR and more with the optional soundfile and PyAV),
:func:`write_audio` writes a WAV file, and :func:`load_recordings` reads a
folder of audio files, labelled with their devices, into a
:class:`Recordings` container with the :class:`AudioInfo` provenance of each
file.
"""

from ._info import AudioInfo
from ._loader import load_recordings
from ._recordings import Recordings
from ._wav import read_audio, write_audio

__all__ = ["AudioInfo", "Recordings", "load_recordings", "read_audio", "write_audio"]
