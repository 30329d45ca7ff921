"""Loading a folder of audio files into :class:`Recordings`."""

import os
import re
import warnings
from collections import Counter
from numbers import Integral
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.io import wavfile
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import AudioError, AudioFileError, DegradedResultWarning
from ..utils import progress
from ._formats import EXTENSIONS, INSTALL, sniff
from ._recordings import Recordings
from ._wav import _check_float_dtype, _read_file

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


def _sniffs_as_audio(entry):
    try:
        with open(entry, "rb") as f:
            fmt, _ = sniff(f)
    except OSError:
        return False
    return fmt is not None


class _Selection:
    """Which files of a folder are read, and why the others are not."""

    def __init__(self, extensions):
        self.extensions = extensions
        self.passed = []  # (path, reason) of files that are not read

    def is_audio(self, entry):
        """Whether ``entry`` is read; note it in ``passed`` if not."""
        # a broken link or a special file with an audio name is reported
        # when it is read, not passed over
        if entry.is_dir():
            return False
        suffix = entry.suffix.lower()
        if self.extensions is not None:
            if suffix in self.extensions:
                return True
            self.passed.append(
                (
                    str(entry),
                    f"its extension {suffix or '(none)'!r} is not among "
                    f"extensions={sorted(self.extensions)}",
                )
            )
            return False
        if suffix in EXTENSIONS or _sniffs_as_audio(entry):
            return True
        self.passed.append((str(entry), "it is not audio of a format micfp reads"))
        return False

    def audio_files(self, folder):
        return [e for e in _visible_entries(folder) if self.is_audio(e)]


def _scan_device_folders(root, selection):
    """List ``(device, name, path)`` from ``root/<device>/<name>.<ext>``."""
    entries = _visible_entries(root)
    if not entries:
        raise AudioFileError(
            f"Folder {str(root)!r} is empty; expected one folder per device "
            "holding audio files."
        )
    loose = sorted(e.name for e in entries if selection.is_audio(e))
    if loose:
        raise AudioFileError(
            f"Folder {str(root)!r} holds audio files directly ({_listing(loose)}) "
            "but no pattern was given: put each device's files in a folder named "
            "after the device, or pass pattern= with a named group 'device'."
        )
    folders = [e for e in entries if e.is_dir()]
    if not folders:
        raise AudioFileError(
            f"Folder {str(root)!r} has no device folders and no audio file; "
            "expected root/<device>/<recording>.wav (or .flac, .m4a, ...)."
        )
    found = []
    for folder in folders:
        files = selection.audio_files(folder)
        if not files:
            raise AudioFileError(
                f"Device folder {str(folder)!r} holds no audio file"
                f"{_what_else(folder, selection)} (sub-folders are not "
                "searched); remove the folder or add its recordings."
            )
        found.extend((folder.name, f.stem, f) for f in files)
    return found


def _what_else(folder, selection):
    """Describe the files of ``folder`` that are not read, for a message."""
    suffixes = Counter(
        Path(p).suffix.lower() or "(none)"
        for p, _ in selection.passed
        if Path(p).parent == folder
    )
    if not suffixes:
        return ""
    kinds = ", ".join(f"{n} {s}" for s, n in sorted(suffixes.items()))
    wanted = (
        f"extensions={sorted(selection.extensions)}"
        if selection.extensions is not None
        else f"the audio formats micfp reads ({', '.join(_FORMAT_NAMES)})"
    )
    return f" of {wanted}; it holds {kinds} file(s)"


_FORMAT_NAMES = sorted(set(EXTENSIONS.values()))


def _scan_pattern(root, pattern, selection):
    """List ``(device, name, path)`` of files matching ``pattern``, and the others."""
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
    files = selection.audio_files(root)
    if not files:
        raise AudioFileError(
            f"Folder {str(root)!r} holds no audio file{_what_else(root, selection)}."
        )
    found, missed = [], []
    for f in files:
        match = regex.fullmatch(f.name)
        if match is None or match.group("device") is None:
            missed.append(f)
            continue
        name = f.stem
        if "recording" in regex.groupindex and match.group("recording") is not None:
            name = match.group("recording")
        found.append((match.group("device"), name, f))
    return regex, found, missed


def _check_unmatched(root, regex, found, missed, unmatched):
    """Raise for files that do not match the pattern, or return them as skipped."""
    if not missed:
        return []
    names = sorted((f.name for f in missed), key=_natural_key)
    message = (
        f"{len(missed)} audio file(s) in {str(root)!r} do not match pattern "
        f"{regex.pattern!r}: {_listing(names)}"
    )
    if unmatched == "raise" or not found:
        raise AudioFileError(
            message + ". Fix the pattern or the file names, or pass "
            "unmatched='warn' to skip them."
        )
    reason = f"its name does not match pattern {regex.pattern!r}"
    return [(str(f), reason) for f in missed]


def _read_or_explain(path, on_error, **kwargs):
    """Return ``(result, None)``, or ``(None, reason)`` for a skipped file."""
    try:
        return _read_file(path, with_info=True, **kwargs), None
    except (AudioError, ImportError) as exc:
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


def _take_numbers(devices):
    """Return the take number of each recording: 1, 2, ... within its device."""
    counts = Counter()
    numbers = []
    for device in devices:
        counts[device] += 1
        numbers.append(counts[device])
    return np.array(numbers, dtype=np.int64)


def _none_read(root, paths, skipped):
    """Return the error raised when no file could be read."""
    missing = Counter(
        Path(path).suffix.lower() or "(none)"
        for path, reason in skipped
        if INSTALL in reason
    )
    advice = ""
    if missing:
        kinds = ", ".join(f"{n} {s}" for s, n in sorted(missing.items()))
        advice = (
            f" The {kinds} file(s) need soundfile or PyAV, micfp's optional "
            f"'formats' extra: {INSTALL}."
        )
    return AudioFileError(
        f"None of the {len(paths)} audio file(s) in {str(root)!r} could be "
        f"read:{advice} {_listing(reason for _, reason in skipped)}"
    )


def _normalise_extensions(extensions):
    if extensions is None:
        return None
    if isinstance(extensions, str):
        extensions = [extensions]
    out = set()
    for ext in extensions:
        ext = str(ext).lower()
        out.add(ext if ext.startswith(".") else "." + ext)
    return out


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
        "extensions": [list, tuple, set, str, None],
        "verbose": ["verbose"],
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
    extensions=None,
    verbose=0,
):
    r"""Read a folder of audio recordings, labelled with their devices.

    Two layouts are understood:

    - without ``pattern``, one folder per device: ``root/<device>/<name>.wav``
      (or ``.flac``, ``.m4a``, ...). The device is the folder's name and the
      recording's name the file's stem.
    - with ``pattern``, every audio file directly in ``root``, named so that
      the regular expression ``pattern`` matches the whole file name with a
      named group ``device`` and optionally a group ``recording`` (the
      recording's name; the file's stem without it). For ``mic-3.wav`` read as
      device "mic", recording "3", use
      ``r"(?P<device>[^-]+)-(?P<recording>\d+)\.wav"``; to read the number as
      the device label instead, use ``r"[^-]+-(?P<device>\d+)\.wav"``.

    Every format :func:`read_audio` reads is read: by default a file is taken
    as audio when its name ends in an audio extension (``.wav``, ``.flac``,
    ``.mp3``, ``.m4a``, ``.amr``, ... in any case) or its first bytes are of an
    audio format, whatever its name; ``extensions`` restricts the files read
    to some extensions. Nothing is left out silently: every file that is not
    read (not audio, another extension, not matching ``pattern`` with
    ``unmatched="warn"``, or unreadable with ``on_error="skip"``) is listed
    with the reason in ``Recordings.skipped`` and in one warning. Entries
    whose names start with a dot are ignored, and sub-folders of a device
    folder are not searched.

    Devices and recording names are strings, as read from the names; map
    them with NumPy, for example ``rec.devices = rec.devices.astype(int)``.
    Recordings are ordered by device, then name, both in natural order
    (``rec-2`` before ``rec-10``), so the result does not depend on the order
    in which the file system lists files; ``recording_ids`` numbers each
    device's audio files 1, 2, ... in that order (a file that could not be
    read keeps its number), as :func:`micfp.datasets.make_recordings` numbers
    its takes.

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
        What to do with audio files that do not match ``pattern``: raise, or
        skip them (listed in ``skipped``) with a warning.
    on_error : {"raise", "skip"}, default="raise"
        What to do with a file that cannot be read: one of no format micfp
        reads, truncated or damaged, one that cannot be opened, holds no
        samples or non-finite ones, lacks ``channel``, or needs soundfile or
        PyAV when they are not installed. "raise" raises the file's error;
        "skip" leaves the file out and lists it with the reason in the
        result's ``skipped``. If no file can be read, an error is raised
        either way; it names the extra that reads the files when they need
        one.
    extensions : list of str, default=None
        File extensions to read (``[".wav", ".flac"]``, any case, the dot
        optional); other files are skipped and listed. None reads every audio
        file, recognised by its extension or its first bytes.
    verbose : int, default=0
        When positive, report the files read so far on stderr: a bar on a
        terminal, a line each tenth of the files elsewhere (see
        :func:`micfp.utils.progress`).

    Returns
    -------
    Recordings
        The signals with their ``devices`` (str), ``recording_ids`` (int,
        from 1 within each device), ``names`` (str), ``paths``,
        ``provenance`` (an :class:`AudioInfo` per file: SHA-256, container,
        codec, sample rate, channels, bit depth or bitrate, duration) and
        sample rate, and the ``skipped`` files with the reason of each.

    Raises
    ------
    AudioFileError
        If ``root`` is missing or not a folder, holds no audio file, a device
        folder holds none, ``pattern`` has no ``device`` group or a file does
        not match it, two files give the same device and recording name, a
        file cannot be read (with ``on_error="raise"``, or when no file can),
        or the files' sample rates differ and ``sr`` is None.
    AudioValueError
        If a file holds no samples, NaN or infinite samples, or fewer channels
        than ``channel`` (with ``on_error="raise"``).
    ImportError
        If a file needs soundfile or PyAV and it is not installed (with
        ``on_error="raise"``); the message names the ``formats`` extra.

    Warns
    -----
    DegradedResultWarning
        When files were not read; the warning lists them, and
        ``Recordings.skipped`` gives the reason of each.
    scipy.io.wavfile.WavFileWarning
        When parts of files were skipped that hold no samples (metadata
        chunks micfp does not use, bytes after the data, audio tracks after
        the first), or a decoder gave fewer samples than a file declares.

    See Also
    --------
    read_audio : Read one audio file.
    micfp.clips.extract_clips : Cut the recordings into fixed-length clips.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from micfp.io import load_recordings, write_audio
    >>> rng = np.random.default_rng(0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ["zoom-1.wav", "zoom-2.wav", "phone-7.wav"]:
    ...         write_audio(Path(tmp) / name, 0.1 * rng.standard_normal(800), 8000)
    ...     rec = load_recordings(
    ...         tmp, pattern=r"(?P<device>[^-]+)-(?P<recording>\d+)\.wav"
    ...     )
    >>> rec
    Recordings(n_recordings=3, n_devices=2, sr=8000, total_duration=0.3s)
    >>> rec.devices.tolist(), rec.names, rec.recording_ids.tolist()
    (['phone', 'zoom', 'zoom'], ['7', '1', '2'], [1, 1, 2])
    >>> rec.provenance[0].codec, rec.provenance[0].sha256[:12]
    ('PCM_16', '...')

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
    "Cannot read '...zoom-2.wav': it starts with b'not audio', the start of no ..."
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
    selection = _Selection(_normalise_extensions(extensions))
    if pattern is None:
        found = _scan_device_folders(root, selection)
        passed = []
    else:
        regex, found, missed = _scan_pattern(root, pattern, selection)
        passed = _check_unmatched(root, regex, found, missed, unmatched)
    _check_unique(found)
    found.sort(key=lambda item: (_natural_key(item[0]), _natural_key(item[1])))
    take_numbers = _take_numbers([device for device, _, _ in found])

    paths = [str(path) for _, _, path in found]
    outcomes = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_read_or_explain)(
            path, on_error, sr=sr, mono=True, channel=channel, dtype=dtype
        )
        for path in paths
    )
    outcomes = list(
        progress(
            outcomes,
            verbose=verbose,
            total=len(paths),
            desc=f"reading {root}",
            unit="file",
        )
    )
    unread = [
        (path, reason)
        for path, (_, reason) in zip(paths, outcomes, strict=True)
        if reason is not None
    ]
    kept = [i for i, (result, _) in enumerate(outcomes) if result is not None]
    if not kept:
        raise _none_read(root, paths, unread)
    skipped = tuple(sorted(selection.passed + passed + unread))
    if skipped:
        warnings.warn(
            f"{len(skipped)} of {len(paths) + len(skipped) - len(unread)} "
            f"file(s) in {str(root)!r} were not read (reasons in "
            f"Recordings.skipped): {_listing(path for path, _ in skipped)}",
            DegradedResultWarning,
            stacklevel=3,
        )
    results = [outcomes[i][0] for i in kept]
    paths = [paths[i] for i in kept]
    if sr is None:
        _check_rates([r.file_sr for r in results], paths)
    _warn_notes(paths, results)
    return Recordings(
        signals=[r.signal for r in results],
        sr=results[0].sr,
        devices=np.array([found[i][0] for i in kept]),
        recording_ids=take_numbers[kept],
        paths=paths,
        skipped=skipped,
        names=[found[i][1] for i in kept],
        provenance=[r.info for r in results],
    )


def _warn_notes(paths, results):
    noted = [(p, r.notes) for p, r in zip(paths, results, strict=True) if r.notes]
    if noted:
        details = "; ".join(f"{path}: {' '.join(notes)}" for path, notes in noted)
        warnings.warn(
            f"Parts of {len(noted)} file(s) that hold no samples were skipped "
            f"(the samples were read in full): {details}",
            wavfile.WavFileWarning,
            stacklevel=4,
        )
