"""Loading a folder of WAV files into :class:`Recordings`."""

import os
import re
import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.io import wavfile
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import AudioFileError
from ._recordings import Recordings
from ._wav import _check_float_dtype, _read_wav

_MAX_LISTED = 10


def _natural_key(text):
    """Sort key that orders ``rec-2`` before ``rec-10``."""
    parts = re.split(r"(\d+)", text)
    key = tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))
    return key, text


def _listing(items):
    """Join ``items`` for an error message, shortening long lists."""
    items = [str(i) for i in items]
    shown = ", ".join(items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown += f" and {len(items) - _MAX_LISTED} more"
    return shown


def _visible(entries):
    return [e for e in entries if not e.name.startswith(".")]


def _wav_files(folder):
    return [
        e for e in _visible(folder.iterdir()) if e.is_file() and _is_wav_name(e.name)
    ]


def _is_wav_name(name):
    return name.lower().endswith(".wav")


def _scan_device_folders(root):
    """List ``(device, recording_id, path)`` from ``root/<device>/<id>.wav``."""
    entries = _visible(root.iterdir())
    if not entries:
        raise AudioFileError(
            f"Folder {str(root)!r} is empty; expected one folder per device "
            "holding .wav files."
        )
    loose = sorted(e.name for e in entries if e.is_file() and _is_wav_name(e.name))
    if loose:
        raise AudioFileError(
            f"Folder {str(root)!r} holds WAV files directly ({_listing(loose)}) "
            "but no pattern was given: put each device's files in a folder named "
            "after the device, or pass pattern= with a named group 'device'."
        )
    folders = [e for e in entries if e.is_dir()]
    if not folders:
        raise AudioFileError(
            f"Folder {str(root)!r} has no device folders and no WAV file; "
            "expected root/<device>/<recording>.wav."
        )
    found = []
    for folder in folders:
        files = _wav_files(folder)
        if not files:
            raise AudioFileError(
                f"Device folder {str(folder)!r} holds no .wav file (sub-folders "
                "are not searched); remove the folder or add its recordings."
            )
        found.extend((folder.name, f.stem, f) for f in files)
    return found


def _scan_pattern(root, pattern, unmatched):
    """List ``(device, recording_id, path)`` from file names matching ``pattern``."""
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise AudioFileError(
            f"pattern {pattern!r} is not a valid regular expression: {exc}"
        ) from exc
    if "device" not in regex.groupindex:
        raise AudioFileError(
            f"pattern {regex.pattern!r} has no named group 'device'; write it as "
            r"for example r'(?P<device>[^-]+)-(?P<recording>\d+)\.wav'."
        )
    files = _wav_files(root)
    if not files:
        raise AudioFileError(f"Folder {str(root)!r} holds no .wav file.")
    found, missed = [], []
    for f in files:
        match = regex.fullmatch(f.name)
        if match is None or match.group("device") is None:
            missed.append(f.name)
            continue
        recording = f.stem
        if "recording" in regex.groupindex and match.group("recording") is not None:
            recording = match.group("recording")
        found.append((match.group("device"), recording, f))
    if missed:
        missed.sort(key=_natural_key)
        message = (
            f"{len(missed)} WAV file(s) in {str(root)!r} do not match pattern "
            f"{regex.pattern!r}: {_listing(missed)}"
        )
        if unmatched == "raise" or not found:
            raise AudioFileError(
                message + ". Fix the pattern or the file names, or pass "
                "unmatched='warn' to skip them."
            )
        warnings.warn(message + "; they were skipped.", UserWarning, stacklevel=4)
    return found


def _check_unique(found):
    seen = {}
    for device, recording, path in found:
        seen.setdefault((device, recording), []).append(path.name)
    clashes = [
        f"device {d!r} recording {r!r}: {', '.join(sorted(names))}"
        for (d, r), names in seen.items()
        if len(names) > 1
    ]
    if clashes:
        raise AudioFileError(
            "Several files give the same device and recording; make the "
            f"pattern's 'recording' group tell them apart ({'; '.join(clashes)})."
        )


def _check_rates(rates, paths):
    by_rate = {}
    for rate, path in zip(rates, paths, strict=True):
        by_rate.setdefault(rate, []).append(path)
    if len(by_rate) > 1:
        found = "; ".join(
            f"{rate} Hz: {_listing(files)}" for rate, files in sorted(by_rate.items())
        )
        raise AudioFileError(
            f"The files have different sample rates ({found}). Pass sr= to "
            "resample every file to one rate."
        )


@validate_params(
    {
        "root": [str, os.PathLike],
        "sr": [Interval(Integral, 1, None, closed="left"), None],
        "pattern": [str, re.Pattern, None],
        "channel": [Interval(Integral, 0, None, closed="left"), None],
        "dtype": "no_validation",
        "n_jobs": [Integral, None],
        "unmatched": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_recordings(
    root,
    *,
    sr=None,
    pattern=None,
    channel=None,
    dtype=np.float32,
    n_jobs=None,
    unmatched="raise",
):
    r"""Read a folder of WAV recordings, labelled with their devices.

    Two layouts are understood:

    - without ``pattern``, one folder per device: ``root/<device>/<name>.wav``.
      The device is the folder's name and the recording id the file's stem.
    - with ``pattern``, every WAV file directly in ``root``, named so that the
      regular expression ``pattern`` matches the whole file name with a named
      group ``device`` and optionally a group ``recording`` (the recording id;
      the file's stem without it). For ``mic-3.wav`` read as device "mic",
      recording 3, use ``r"(?P<device>[^-]+)-(?P<recording>\d+)\.wav"``; to
      read the number as the device label instead, use
      ``r"[^-]+-(?P<device>\d+)\.wav"``.

    Only files whose names end in ``.wav`` (any case) are read; entries whose
    names start with a dot are ignored, and sub-folders of a device folder are
    not searched. Every other problem raises: nothing is skipped silently.

    Labels are strings, as read from the names: map them with NumPy, for
    example ``rec.devices = rec.devices.astype(int)`` for numeric names.
    Recordings are ordered by device, then recording id, both in natural
    order (``rec-2`` before ``rec-10``), so the result does not depend on the
    order in which the file system lists files.

    Parameters
    ----------
    root : str or path-like
        The folder to read.
    sr : int, default=None
        Sample rate to resample every file to, in Hz (see
        :func:`read_audio`). None requires all files to share one rate.
    pattern : str or re.Pattern, default=None
        Regular expression for file names in the flat layout, with a named
        group ``device``. None reads the one-folder-per-device layout.
    channel : int, default=None
        Channel to keep from multi-channel files, counting from 0. None
        averages the channels into one (a recording is mono).
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating-point type of the signals.
    n_jobs : int, default=None
        Number of files read in parallel with joblib. None means 1 unless in a
        :func:`joblib.parallel_config` context; -1 means all processors.
    unmatched : {"raise", "warn"}, default="raise"
        What to do with WAV files that do not match ``pattern``: raise, or
        skip them with a warning that lists them.

    Returns
    -------
    Recordings
        The signals with their ``devices`` (str), ``recording_ids`` (str),
        ``paths`` and sample rate.

    Raises
    ------
    AudioFileError
        If ``root`` is missing or not a folder, holds no WAV file, a device
        folder holds none, ``pattern`` has no ``device`` group or a file does
        not match it, two files give the same device and recording, a file
        cannot be read, or the files' sample rates differ and ``sr`` is None.
    AudioValueError
        If a file holds no samples, NaN or infinite samples, or fewer channels
        than ``channel``.

    See Also
    --------
    read_audio : Read one WAV file.
    micfp.clips.extract_clips : Cut the recordings into fixed-length clips.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from micfp.io import load_recordings, write_audio
    >>> rng = np.random.default_rng(0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ["zoom-1.wav", "zoom-2.wav", "phone-1.wav"]:
    ...         write_audio(Path(tmp) / name, 0.1 * rng.standard_normal(800), 8000)
    ...     rec = load_recordings(
    ...         tmp, pattern=r"(?P<device>[^-]+)-(?P<recording>\d+)\.wav"
    ...     )
    >>> rec
    Recordings(n_recordings=3, n_devices=2, sr=8000, total_duration=0.3s)
    >>> rec.devices.tolist(), rec.recording_ids.tolist()
    (['phone', 'zoom', 'zoom'], ['1', '1', '2'])
    """
    dtype = _check_float_dtype(dtype)
    root = Path(root)
    if not root.exists():
        raise AudioFileError(f"Folder {str(root)!r} does not exist.")
    if not root.is_dir():
        raise AudioFileError(
            f"{str(root)!r} is not a folder; read a single file with "
            "micfp.io.read_audio."
        )
    if pattern is None:
        found = _scan_device_folders(root)
    else:
        found = _scan_pattern(root, pattern, unmatched)
    _check_unique(found)
    found.sort(key=lambda item: (_natural_key(item[0]), _natural_key(item[1])))

    paths = [str(path) for _, _, path in found]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_read_wav)(path, sr=sr, mono=True, channel=channel, dtype=dtype)
        for path in paths
    )
    signals = [r[0] for r in results]
    if sr is None:
        _check_rates([r[2] for r in results], paths)
    noted = [(path, r[3]) for path, r in zip(paths, results, strict=True) if r[3]]
    if noted:
        details = "; ".join(f"{path}: {' '.join(notes)}" for path, notes in noted)
        warnings.warn(
            f"scipy skipped parts of {len(noted)} file(s) it does not understand "
            f"(the samples were read in full): {details}",
            wavfile.WavFileWarning,
            stacklevel=3,
        )
    return Recordings(
        signals=signals,
        sr=results[0][1],
        devices=np.array([device for device, _, _ in found]),
        recording_ids=np.array([recording for _, recording, _ in found]),
        paths=paths,
    )
