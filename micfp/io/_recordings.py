"""The container of a set of recordings with their device labels."""

from dataclasses import dataclass, field

import numpy as np


def _take(values, idx):
    return None if values is None else [values[i] for i in idx]


@dataclass(eq=False)
class Recordings:
    """A set of mono recordings at one sample rate, each labelled with its device.

    Returned by :func:`micfp.io.load_recordings` and
    :func:`micfp.datasets.make_recordings`, and turned into clips by
    :func:`micfp.clips.extract_clips`.

    Parameters
    ----------
    signals : list of ndarray of shape (n_samples_i,)
        One 1-D floating-point array per recording, values in [-1, 1].
    sr : int
        Sample rate shared by all recordings, in Hz.
    devices : array-like of shape (n_recordings,)
        Device label of each recording.
    recording_ids : array-like of int of shape (n_recordings,)
        Take number of each recording within its device, counting from 1:
        for simulated recordings the take; for loaded ones the position of
        the file among its device's audio files in natural order of their
        names (``rec-2`` before ``rec-10``), so that
        ``recordings.recording_ids <= 2`` selects the first two takes of
        every device either way. The name itself is in ``names``.
    paths : list of str or None, default=None
        Source file of each recording, or None for simulated ones.
    skipped : tuple of (str, str), default=()
        Files that :func:`~micfp.io.load_recordings` found but did not read
        (not audio, another extension, not matching the pattern, or
        unreadable with ``on_error="skip"``): one ``(path, reason)`` pair
        each. Empty when nothing was skipped; :meth:`subset` keeps it.
    names : list of str or None, default=None
        Name of each recording within its device: the file stem, or the
        ``recording`` group of the file-name pattern, for loaded recordings;
        None for simulated ones.
    provenance : list of AudioInfo or None, default=None
        What each source file was, as read (SHA-256, container, codec, sample
        rate, channels, bit depth or bitrate, duration); see
        :class:`AudioInfo`. None for simulated recordings.

    Attributes
    ----------
    durations : ndarray of shape (n_recordings,)
        Length of each recording in seconds.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.io import Recordings
    >>> rec = Recordings(
    ...     signals=[np.zeros(8000), np.zeros(4000)],
    ...     sr=8000,
    ...     devices=["a", "b"],
    ...     recording_ids=[1, 1],
    ... )
    >>> len(rec), rec.durations.tolist()
    (2, [1.0, 0.5])
    """

    signals: list
    sr: int
    devices: np.ndarray
    recording_ids: np.ndarray
    paths: list | None = field(default=None)
    skipped: tuple = field(default=())
    names: list | None = field(default=None)
    provenance: list | None = field(default=None)

    def __post_init__(self):
        self.signals = list(self.signals)
        self.devices = np.asarray(self.devices)
        self.recording_ids = np.asarray(self.recording_ids)
        n = len(self.signals)
        for name in ("devices", "recording_ids"):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"{name} must have one entry per recording ({n}); "
                    f"got {len(getattr(self, name))}."
                )
        for name in ("paths", "names", "provenance"):
            values = getattr(self, name)
            if values is None:
                continue
            values = list(values)
            if name != "provenance":
                values = [str(v) for v in values]
            if len(values) != n:
                raise ValueError(
                    f"{name} must have one entry per recording ({n}); "
                    f"got {len(values)}."
                )
            setattr(self, name, values)
        try:
            self.skipped = tuple((str(p), str(r)) for p, r in self.skipped)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"skipped must hold (path, reason) pairs; got {self.skipped!r:.200}."
            ) from exc

    def __len__(self):
        return len(self.signals)

    @property
    def durations(self):
        """Length of each recording in seconds."""
        return np.array([len(s) / self.sr for s in self.signals])

    def subset(self, indices):
        """Return the recordings at ``indices`` (integers or a boolean mask).

        Parameters
        ----------
        indices : array-like of int or bool
            Positions of the recordings to keep, or a mask over them.

        Returns
        -------
        Recordings
            A new container sharing the signal arrays (no copy).

        Examples
        --------
        >>> import numpy as np
        >>> from micfp.io import Recordings
        >>> rec = Recordings([np.zeros(4)] * 3, 4, ["a", "a", "b"], [1, 2, 1])
        >>> rec.subset(rec.recording_ids <= 1).devices.tolist()
        ['a', 'b']
        """
        idx = np.arange(len(self))[np.asarray(indices)]
        return Recordings(
            signals=[self.signals[i] for i in idx],
            sr=self.sr,
            devices=self.devices[idx],
            recording_ids=self.recording_ids[idx],
            paths=_take(self.paths, idx),
            skipped=self.skipped,
            names=_take(self.names, idx),
            provenance=_take(self.provenance, idx),
        )

    def __repr__(self):
        total = float(self.durations.sum()) if len(self) else 0.0
        skipped = f", skipped={len(self.skipped)}" if self.skipped else ""
        return (
            f"Recordings(n_recordings={len(self)}, "
            f"n_devices={len(np.unique(self.devices))}, sr={self.sr}, "
            f"total_duration={total:.1f}s{skipped})"
        )
