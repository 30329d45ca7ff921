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

from ..exceptions import AudioError, AudioFileError, DegradedResultWarning
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


def _visible_entries(folder):
    """List the entries of ``folder`` whose names do not start with a dot."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise AudioFileError(
            f"Cannot list folder {str(folder)!r}: {exc.strerror or exc}."
        ) from exc
    return [e for e in entries if not e.name.startswith(".")]


def _is_wav_entry(entry):
    # anything but a folder: a broken link or a special file named .wav is
    # reported when it is read, not passed over
    return _is_wav_name(entry.name) and not entry.is_dir()


def _wav_files(folder):
    return [e for e in _visible_entries(folder) if _is_wav_entry(e)]


def _is_wav_name(name):
    return name.lower().endswith(".wav")


def _scan_device_folders(root):
    """List ``(device, recording_id, path)`` from ``root/<device>/<id>.wav``."""
    entries = _visible_entries(root)
    if not entries:
        raise AudioFileError(
            f"Folder {str(root)!r} is empty; expected one folder per device "
            "holding .wav files."
        )
    loose = sorted(e.name for e in entries if _is_wav_entry(e))
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


def _read_or_explain(path, on_error, **kwargs):
    """Return ``(result, None)``, or ``(None, reason)`` for a skipped file."""
    try:
        return _read_wav(path, **kwargs), None
    except AudioError as exc:
        if on_error == "raise":
            raise
        return None, str(exc)


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
        "on_error": [StrOptions({"raise", "skip"})],
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
    on_error="raise",
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

    Every entry whose name ends in ``.wav`` (any case) and that is not a
    folder is read; entries whose names start with a dot are ignored, and
    sub-folders of a device folder are not searched. A file that cannot be read
    (see :func:`read_audio`) raises, or with ``on_error="skip"`` is left out
    and listed in ``Recordings.skipped``; every other problem raises.

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
    on_error : {"raise", "skip"}, default="raise"
        What to do with a file that cannot be read: a file that is not a WAV
        file micfp reads, is truncated or damaged, cannot be opened, holds no
        samples or non-finite ones, or lacks ``channel``. "raise" raises the
        file's error; "skip" leaves the file out, lists it with the reason in
        the result's ``skipped`` and warns once. If no file can be read, the
        error is raised either way.

    Returns
    -------
    Recordings
        The signals with their ``devices`` (str), ``recording_ids`` (str),
        ``paths`` and sample rate, and the ``skipped`` files with the reason
        of each.

    Raises
    ------
    AudioFileError
        If ``root`` is missing or not a folder, holds no WAV file, a device
        folder holds none, ``pattern`` has no ``device`` group or a file does
        not match it, two files give the same device and recording, a file
        cannot be read (with ``on_error="raise"``, or when no file can), or the
        files' sample rates differ and ``sr`` is None.
    AudioValueError
        If a file holds no samples, NaN or infinite samples, or fewer channels
        than ``channel`` (with ``on_error="raise"``).

    Warns
    -----
    DegradedResultWarning
        With ``on_error="skip"``, when files were skipped; the warning lists
        them.
    scipy.io.wavfile.WavFileWarning
        When parts of files were skipped that hold no samples (metadata
        chunks micfp does not use, bytes after the data); the samples were
        read in full.

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

    With ``on_error="skip"``, a file that cannot be read is left out and
    reported with the reason:

    >>> import warnings
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_audio(Path(tmp) / "zoom-1.wav", np.zeros(800), 8000)
    ...     _ = (Path(tmp) / "zoom-2.wav").write_text("not audio")
    ...     with warnings.catch_warnings():
    ...         warnings.simplefilter("ignore")
    ...         rec = load_recordings(
    ...             tmp, pattern=r"(?P<device>[^-]+)-\d+\.wav", on_error="skip"
    ...         )
    >>> len(rec), [Path(path).name for path, _ in rec.skipped]
    (1, ['zoom-2.wav'])
    >>> rec.skipped[0][1]
    "Cannot read '...zoom-2.wav' as a WAV file: it starts with b'not ', ..."
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
    outcomes = Parallel(n_jobs=n_jobs)(
        delayed(_read_or_explain)(
            path, on_error, sr=sr, mono=True, channel=channel, dtype=dtype
        )
        for path in paths
    )
    skipped = tuple(
        (path, reason)
        for path, (_, reason) in zip(paths, outcomes, strict=True)
        if reason is not None
    )
    kept = [i for i, (result, _) in enumerate(outcomes) if result is not None]
    if not kept:
        raise AudioFileError(
            f"None of the {len(paths)} WAV file(s) in {str(root)!r} could be "
            f"read: {_listing(reason for _, reason in skipped)}"
        )
    if skipped:
        warnings.warn(
            f"{len(skipped)} of {len(paths)} WAV file(s) could not be read and "
            f"were skipped (reasons in Recordings.skipped): "
            f"{_listing(path for path, _ in skipped)}",
            DegradedResultWarning,
            stacklevel=3,
        )
    results = [outcomes[i][0] for i in kept]
    paths = [paths[i] for i in kept]
    found = [found[i] for i in kept]
    if sr is None:
        _check_rates([r[2] for r in results], paths)
    noted = [(path, r[3]) for path, r in zip(paths, results, strict=True) if r[3]]
    if noted:
        details = "; ".join(f"{path}: {' '.join(notes)}" for path, notes in noted)
        warnings.warn(
            f"Parts of {len(noted)} file(s) that hold no samples were skipped "
            f"(the samples were read in full): {details}",
            wavfile.WavFileWarning,
            stacklevel=3,
        )
    return Recordings(
        signals=[r[0] for r in results],
        sr=results[0][1],
        devices=np.array([device for device, _, _ in found]),
        recording_ids=np.array([recording for _, recording, _ in found]),
        paths=paths,
        skipped=skipped,
    )
