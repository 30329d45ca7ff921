"""What a file was, as read: the provenance record of one audio file."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class AudioInfo:
    """Provenance of one audio file: what it held and how it was decoded.

    Returned by :func:`micfp.io.read_audio` with ``return_info=True`` and
    kept, one per recording, in ``Recordings.provenance`` by
    :func:`micfp.io.load_recordings`. Every value describes the file as
    stored, before any channel selection, averaging or resampling.

    Parameters
    ----------
    path : str
        The file read.
    sha256 : str
        SHA-256 digest of the file's bytes, as 64 hexadecimal digits.
    size : int
        Size of the file in bytes.
    container : str
        File format found from the file's first bytes (not its name), such as
        "WAV", "FLAC", "OGG", "MP3", "M4A" or "AMR-NB".
    codec : str
        How the samples are coded: the sample format for PCM and float
        ("PCM_16", "PCM_24", "FLOAT", ...; the names of
        :func:`write_audio`), else the codec ("ULAW", "IMA_ADPCM", "VORBIS",
        "OPUS", "MPEG_LAYER_III" from libsndfile; "aac", "amr_nb", "wmav2",
        ... from FFmpeg).
    sr : int
        Sample rate of the file, in Hz.
    n_channels : int
        Number of channels in the file.
    n_frames : int
        Number of samples per channel decoded from the file.
    bit_depth : int or None
        Bits per stored sample for PCM and float samples; None for lossy
        codecs.
    bitrate : int or None
        Bits per second: the one the stream declares, else the file's size
        over its duration; None when the file holds no samples.
    decoder : str
        Library and version that decoded the samples.

    Attributes
    ----------
    duration : float
        ``n_frames / sr``, in seconds.

    Examples
    --------
    >>> from micfp.io import AudioInfo
    >>> info = AudioInfo(
    ...     path="take.wav", sha256="0" * 64, size=16044, container="WAV",
    ...     codec="PCM_16", sr=8000, n_channels=1, n_frames=8000, bit_depth=16,
    ...     bitrate=128000, decoder="micfp",
    ... )
    >>> info.duration
    1.0
    """

    path: str
    sha256: str
    size: int
    container: str
    codec: str
    sr: int
    n_channels: int
    n_frames: int
    bit_depth: int | None
    bitrate: int | None
    decoder: str

    @property
    def duration(self):
        """Duration of the file in seconds."""
        return self.n_frames / self.sr

    def to_dict(self):
        """Return the record as a dict, ``duration`` included.

        Returns
        -------
        dict
            One entry per field, plus ``duration`` in seconds.

        Examples
        --------
        >>> from micfp.io import AudioInfo
        >>> info = AudioInfo("a.flac", "0" * 64, 10, "FLAC", "PCM_16", 8000, 1,
        ...                  4000, 16, 20, "soundfile")
        >>> info.to_dict()["duration"]
        0.5
        """
        return {**asdict(self), "duration": self.duration}
