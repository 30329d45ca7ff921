"""Recognising audio formats from a file's first bytes.

Each format names the library that decodes it: micfp's own parser (PCM and
float WAV), soundfile (libsndfile) or PyAV (FFmpeg). The file's name is only
used to explain a mismatch, never to pick a decoder.
"""

import importlib
from dataclasses import dataclass

EXTRA = "formats"
INSTALL = f"pip install 'micfp[{EXTRA}]'"

# backend -> (module to import, package to install)
_PACKAGES = {"soundfile": ("soundfile", "soundfile"), "av": ("av", "av (PyAV)")}


@dataclass(frozen=True)
class Format:
    """A recognised file format and the backend that decodes it."""

    name: str
    backend: str  # "micfp", "soundfile" or "av"


# extension -> format name, for the folder scan and for messages
EXTENSIONS = {
    ".wav": "WAV",
    ".wave": "WAV",
    ".bwf": "WAV",
    ".rf64": "WAV",
    ".flac": "FLAC",
    ".ogg": "OGG",
    ".oga": "OGG",
    ".opus": "OGG",
    ".mp3": "MP3",
    ".aif": "AIFF",
    ".aiff": "AIFF",
    ".aifc": "AIFF",
    ".w64": "W64",
    ".caf": "CAF",
    ".au": "AU",
    ".snd": "AU",
    ".m4a": "M4A",
    ".m4b": "M4A",
    ".mp4": "MP4",
    ".mov": "MOV",
    ".3gp": "3GP",
    ".3g2": "3GP",
    ".aac": "AAC",
    ".amr": "AMR-NB",
    ".awb": "AMR-WB",
    ".wma": "ASF",
    ".asf": "ASF",
    ".wmv": "ASF",
    ".mka": "Matroska",
    ".mkv": "Matroska",
    ".webm": "Matroska",
    ".avi": "AVI",
}

_W64_GUID = bytes.fromhex("2e91cf11a5d628db04c10000")
_ASF_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
# first packet of an Ogg stream -> codec, and whether libsndfile decodes it
_OGG_CODECS = (
    (b"\x01vorbis", "soundfile"),
    (b"OpusHead", "soundfile"),
    (b"\x7fFLAC", "av"),
    (b"Speex   ", "av"),
)
_SIMPLE = (
    (0, b"fLaC", Format("FLAC", "soundfile")),
    (0, b"caff", Format("CAF", "soundfile")),
    (0, b".snd", Format("AU", "soundfile")),
    (0, b"#!AMR-WB\n", Format("AMR-WB", "av")),
    (0, b"#!AMR\n", Format("AMR-NB", "av")),
    (0, b"ADIF", Format("AAC", "av")),
    (0, b"\x1a\x45\xdf\xa3", Format("Matroska", "av")),
    (0, _ASF_GUID, Format("ASF", "av")),
)
HEAD_BYTES = 64


def _riff_format(head):
    if head[8:12] == b"AVI ":
        return Format("AVI", "av")
    # micfp's parser explains a RIFF file that is cut short or not WAVE
    return Format("WAV", "micfp")


def _iso_format(head):
    brand = head[8:12]
    if brand.startswith(b"3g"):
        return Format("3GP", "av")
    if brand in (b"M4A ", b"M4B "):
        return Format("M4A", "av")
    if brand == b"qt  ":
        return Format("MOV", "av")
    return Format("MP4", "av")


def _mpeg_format(head):
    # frame sync: 11 set bits; layer bits 00 mark an ADTS (AAC) header
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    if (head[1] >> 1) & 0x03 == 0:
        return Format("AAC", "av")
    return Format("MP3", "soundfile")


def _ogg_format(head):
    for marker, backend in _OGG_CODECS:
        if marker in head:
            return Format("OGG", backend)
    return Format("OGG", "av")


def _container_format(head):
    """Recognise formats whose first bytes carry a form type after a size."""
    magic = head[:4]
    if magic in (b"RIFF", b"RIFX", b"RF64"):
        return _riff_format(head)
    if magic == b"riff" and head[4:16] == _W64_GUID:
        return Format("W64", "soundfile")
    if magic == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return Format("AIFF", "soundfile")
    if head[4:8] == b"ftyp":
        return _iso_format(head)
    if magic == b"OggS":
        return _ogg_format(head)
    return None


def _skip_id3(f, head):
    """Return the first bytes after an ID3v2 tag (MP3 and FLAC may carry one)."""
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if len(head) > 5 and head[5] & 0x10 else 0
    f.seek(10 + size + footer)
    return f.read(HEAD_BYTES)


def sniff(f):
    """Return the :class:`Format` of the open binary file ``f``, or None.

    Reads the first bytes (and those after an ID3 tag); leaves ``f`` at an
    unspecified position. Also returns the first bytes, for messages.
    """
    f.seek(0)
    head = f.read(HEAD_BYTES)
    start = head
    if head[:3] == b"ID3" and len(head) >= 10:
        head = _skip_id3(f, head)
        if head[:4] == b"fLaC":
            return Format("FLAC", "soundfile"), start
        return _mpeg_format(head) or Format("MP3", "soundfile"), start
    for offset, magic, fmt in _SIMPLE:
        if head[offset : offset + len(magic)] == magic:
            return fmt, start
    return _container_format(head) or _mpeg_format(head), start


def import_backend(backend, what):
    """Import and return the module of ``backend``; name the extra if missing."""
    module, package = _PACKAGES[backend]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"Reading {what} needs the optional package {package}: install "
            f"micfp's '{EXTRA}' extra with {INSTALL}."
        ) from exc


def backend_available(backend):
    """Whether the package of ``backend`` can be imported."""
    if backend == "micfp":
        return True
    try:
        import_backend(backend, "")
    except ImportError:
        return False
    return True
