"""Detection of device changes (splices) along a recording."""

from itertools import pairwise
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..exceptions import AudioValueError
from ..io import Recordings
from ._enf import enf_change_curve
from ._features import (
    band_matrix,
    device_space,
    frame_geometry,
    hop_statistics,
    remove_level,
    window_differences,
)
from ._search import pick_peaks, tail_threshold

_PENALTY_GRID = np.geomspace(1e-2, 1e4, 49)
# Folds of devices for the held-out curves the threshold is set on.
_N_FOLDS = 5


def _as_recording(x):
    """Check one recording: a finite 1-D floating array (float32 kept)."""
    array = np.asarray(x)
    if array.dtype.kind not in "fiu":
        raise AudioValueError(
            f"A recording must hold real numbers; got dtype {array.dtype}."
        )
    if array.ndim != 1:
        raise AudioValueError(
            f"A recording must be 1-D (mono samples); got shape {array.shape}."
        )
    if array.dtype != np.float32:
        array = array.astype(np.float64, copy=False)
    if not np.isfinite(array.sum(dtype=np.float64)):
        raise AudioValueError("A recording must be finite; it holds NaN or inf.")
    return array


class DeviceChangeDetector(BaseEstimator):
    """Find where the recording device changes along a recording.

    Every hop of a recording gets spectral statistics: per band of a
    log-frequency scale, the log of the mean power over the hop's frames (a
    Welch estimate) and the log of the least frame power (a noise floor, which
    shows the device's self-noise in the gaps of the content), less the hop's
    mean log power over the bands with ``remove_gain`` (so that a change of
    gain changes nothing). :meth:`fit` learns from unedited recordings of
    many devices a two-covariance model of these statistics: how they vary
    within a recording (read off the difference of the mean statistics of
    the ``window_duration`` before and after every hop boundary) and how the
    mean statistics differ between devices. At every hop boundary of a
    recording, the difference of the mean statistics of the windows before
    and after is scored by the Gaussian likelihood ratio of "the device
    changes here" against "it does not": a sum of squares in the coordinates
    that whiten the within-recording variation, each weighted by the share
    of device variation in it, so that what the content moves and devices
    do not is discounted. That statistic, divided by the height that
    unedited recordings exceed ``false_alarms_per_hour`` times an hour, is
    the change curve; its peaks above 1 (at least a window apart) are the
    boundaries.

    Times are seconds everywhere.

    Parameters
    ----------
    sr : int, default=44100
        Sample rate of the recordings in Hz.
    window_duration : float, default=3.0
        Seconds of audio compared on each side of a candidate boundary;
        boundaries closer together than this are not told apart.
    hop_duration : float, default=0.25
        Seconds between candidate boundaries, rounded to a whole number of
        half frames.
    frame_duration : float, default=0.025
        Length of the short-time spectra, rounded to a power of two samples.
    n_bands : int, default=64
        Number of frequency bands, uniform in log frequency from ``fmin`` to
        the Nyquist frequency (bands narrower than a bin are merged).
    fmin : float, default=50.0
        Lowest frequency analysed, in Hz.
    method : {"window", "pelt", "kernel"}, default="window"
        Search for boundaries. "window" picks the peaks of the change curve
        (vectorised, for recordings of hours). "pelt" and "kernel" run
        ``ruptures.Pelt(model="l2")`` or ``ruptures.KernelCPD(kernel="rbf")``
        on the hop statistics mapped by ``projection_``, with a penalty set
        in :meth:`fit`
        (needs ``micfp[segmentation]``; slow past an hour of audio).
    false_alarms_per_hour : float, default=1.0
        Boundaries an hour allowed on unedited recordings.
    remove_gain : bool, default=True
        Whether to subtract from every statistic of a hop the hop's mean log
        band power: gain steps and automatic gain control then leave no
        trace, and neither does a difference in sensitivity alone between
        two devices.
    shrinkage : float, default=0.01
        Weight of the identity (scaled to the mean variance) mixed into the
        within-recording covariance before it is inverted.
    enf : {50, 60} or None, default=None
        Nominal mains frequency in Hz. When set, jumps of the mains hum's
        frequency and phase (electric-network frequency) are tracked and
        fused with the device curve: each curve is divided by its own null
        threshold and the larger of the two is kept.
    n_jobs : int or None, default=None
        Recordings analysed at once in :meth:`fit`, in threads.

    Attributes
    ----------
    hop_duration_ : float
        The hop used, in seconds.
    n_context_ : int
        Hops on each side of a candidate boundary.
    whitener_ : ndarray of shape (n_features, n_features)
        Maps hop statistics to coordinates in which their variation within
        a recording is white and the devices' variation is diagonal, most
        device-like column first.
    eigenvalues_ : ndarray of shape (n_features,)
        Variance of the device means along each column of ``whitener_``, in
        units of the within-recording variance of one hop; decreasing.
    projection_ : ndarray of shape (n_features, n_features)
        ``whitener_`` with each column weighted by the square root of its
        weight in the likelihood ratio of a change between two windows.
    device_scale_ : float
        Height of the device curve (before it is divided by it) that peaks
        of unedited recordings exceed ``false_alarms_per_hour`` times an
        hour.
    threshold_ : float
        Height of the (fused) change curve above which a peak is a boundary
        (about 1 without ``enf``).
    enf_threshold_ : float
        Null threshold of the ENF curve (only with ``enf``).
    penalty_ : float
        Penalty of the ruptures search (only for "pelt" and "kernel").
    n_features_ : int
        Statistics per hop.
    fit_duration_ : float
        Seconds of unedited audio seen in :meth:`fit`.

    See Also
    --------
    micfp.datasets.make_spliced : Simulated spliced and unedited recordings.
    micfp.metrics.boundary_precision_recall_fscore : Scores the boundaries.
    micfp.plot.ChangeCurveDisplay : Draws the curve over a spectrogram.

    Notes
    -----
    A recording shorter than one hop raises
    :class:`~micfp.exceptions.AudioValueError`. A recording shorter than two
    windows has no candidate boundary: :meth:`predict` returns an empty array
    and the change curve is empty. Digital silence sits at one power floor,
    so a stretch of it gives no change inside and a change at its edges (an
    inserted silence is an edit).

    References
    ----------
    .. [1] L. Cuccovillo, S. Mann, M. Tagliasacchi and P. Aichroth, "Audio
       tampering detection via microphone classification", IEEE MMSP 2013,
       177-182.
    .. [2] D. Rodríguez, J. Apolinário and L. Biscainho, "Audio authenticity:
       detecting ENF discontinuity with high precision phase analysis", IEEE
       TIFS 5(3), 534-543, 2010.

    Examples
    --------
    >>> from micfp.datasets import make_spliced
    >>> from micfp.segmentation import DeviceChangeDetector
    >>> train, _ = make_spliced(
    ...     12, sr=16000, n_splices=0, n_devices=12,
    ...     segment_duration=(10.0, 12.0), random_state=0,
    ... )
    >>> detector = DeviceChangeDetector(sr=16000).fit(train, train.devices)
    >>> test, truth = make_spliced(
    ...     2, sr=16000, n_splices=1, segment_duration=(8.0, 10.0),
    ...     pairing="different_model", random_state=1,
    ... )
    >>> x = test.signals[1]
    >>> truth[1].round(2).tolist(), detector.predict(x).round(2).tolist()
    ([9.36], [9.48])
    >>> detector.segment_scores(x, truth[1]).round(1).tolist()
    [0.0, -112.5]
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1000, None, closed="left")],
        "window_duration": [Interval(Real, 0, None, closed="neither")],
        "hop_duration": [Interval(Real, 0, None, closed="neither")],
        "frame_duration": [Interval(Real, 0, None, closed="neither")],
        "n_bands": [Interval(Integral, 2, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "method": [StrOptions({"window", "pelt", "kernel"})],
        "false_alarms_per_hour": [Interval(Real, 0, None, closed="neither")],
        "remove_gain": ["boolean"],
        "shrinkage": [Interval(Real, 0, 1, closed="both")],
        "enf": [Options(Integral, {50, 60}), None],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sr=44100,
        window_duration=3.0,
        hop_duration=0.25,
        frame_duration=0.025,
        n_bands=64,
        fmin=50.0,
        method="window",
        false_alarms_per_hour=1.0,
        remove_gain=True,
        shrinkage=0.01,
        enf=None,
        n_jobs=None,
    ):
        self.sr = sr
        self.window_duration = window_duration
        self.hop_duration = hop_duration
        self.frame_duration = frame_duration
        self.n_bands = n_bands
        self.fmin = fmin
        self.method = method
        self.false_alarms_per_hour = false_alarms_per_hour
        self.remove_gain = remove_gain
        self.shrinkage = shrinkage
        self.enf = enf
        self.n_jobs = n_jobs

    # Shared pieces ------------------------------------------------------------

    def _signals(self, X):
        if isinstance(X, Recordings):
            if X.sr != self.sr:
                raise AudioValueError(
                    f"The recordings are at sr={X.sr} Hz but the detector was "
                    f"built for sr={self.sr}; resample them or set sr."
                )
            X = X.signals
        if isinstance(X, np.ndarray) and X.ndim == 1:
            raise AudioValueError(
                "fit takes a list of recordings (or a Recordings object); got a "
                "single 1-D array. Wrap it in a list."
            )
        signals = [_as_recording(x) for x in X]
        if not signals:
            raise AudioValueError("fit needs at least one recording; got none.")
        return signals

    def _geometry(self):
        n_fft, frame_hop, per_hop = frame_geometry(
            self.sr, self.frame_duration, self.hop_duration
        )
        if 2 * self.fmin >= self.sr / 2:
            raise ValueError(
                f"fmin must be below a quarter of sr; got fmin={self.fmin} with "
                f"sr={self.sr}."
            )
        bands = band_matrix(n_fft, self.sr, self.n_bands, self.fmin)
        hop_length = per_hop * frame_hop
        n_context = max(1, round(self.window_duration * self.sr / hop_length))
        return n_fft, frame_hop, per_hop, bands, n_context

    def _stats(self, x, geometry):
        n_fft, frame_hop, per_hop, bands, _ = geometry
        stats = hop_statistics(
            x,
            self.sr,
            n_fft=n_fft,
            frame_hop=frame_hop,
            frames_per_hop=per_hop,
            bands=bands,
        )
        if self.remove_gain:
            stats = remove_level(stats)
        return stats

    def _device_curve(self, stats, n_context, projection=None):
        projection = self.projection_ if projection is None else projection
        diff = window_differences(stats, n_context) @ projection
        return np.einsum("ij,ij->i", diff, diff) * (n_context / 2.0)

    def _enf_curve(self, x, n_hops, n_context):
        hop_length = round(self.hop_duration_ * self.sr)
        curve = enf_change_curve(
            x, self.sr, mains_hz=self.enf, hop_length=hop_length, n_hops=n_hops
        )
        # Candidate boundary i sits after i + n_context hops.
        return curve[n_context : n_hops - n_context + 1]

    def _curves(self, x):
        """Device curve and (with ``enf``) ENF curve of one recording."""
        geometry = self._geometry()
        stats = self._stats(x, geometry)
        device = self._device_curve(stats, geometry[4])
        enf = None
        if self.enf is not None:
            enf = self._enf_curve(x, len(stats), geometry[4])
        return stats, device, enf

    def _fuse(self, device, enf):
        if enf is None:
            return device / self.device_scale_
        return np.maximum(device / self.device_scale_, enf / self.enf_threshold_)

    def _times(self, indices):
        n_fft = self._geometry()[0]
        return (np.asarray(indices) + self.n_context_) * self.hop_duration_ + (
            n_fft / 4.0
        ) / self.sr

    # Fitting ------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the device space and the threshold from unedited recordings.

        Parameters
        ----------
        X : list of ndarray of shape (n_samples_i,) or Recordings
            Recordings without splices (each from one device), at ``sr``.
            Each must hold at least two windows. The more devices they come
            from, the better the directions in which devices differ are
            known.
        y : array-like of shape (n_recordings,) or None, default=None
            Device of each recording: recordings of one device are pooled
            when the differences between devices are learnt, so that what
            differs between their scenes (room, content) is not taken for
            the device. None takes every recording for a device of its own.

        Returns
        -------
        self : DeviceChangeDetector
            The fitted detector.
        """
        signals = self._signals(X)
        groups = np.arange(len(signals)) if y is None else np.asarray(y)
        if groups.shape != (len(signals),):
            raise ValueError(
                f"y must hold one device label per recording ({len(signals)}); "
                f"got shape {groups.shape}."
            )
        geometry = self._geometry()
        _, frame_hop, per_hop, _, n_context = geometry
        self.hop_duration_ = per_hop * frame_hop / self.sr
        self.n_context_ = n_context
        stats = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(self._stats)(x, geometry) for x in signals
        )
        usable = [len(s) >= 2 * n_context for s in stats]
        if not any(usable):
            raise AudioValueError(
                "fit needs recordings of at least two windows "
                f"({2 * self.window_duration:g} s); the longest holds "
                f"{max(len(x) for x in signals) / self.sr:.3g} s."
            )
        if np.unique(groups).size < 2:
            raise ValueError(
                "fit needs recordings of at least two devices to learn how "
                f"devices differ; y names one device ({groups[0]!r})."
            )
        self.whitener_, self.eigenvalues_, self.projection_ = self._device_space(
            stats, groups, n_context
        )
        self.n_features_ = self.whitener_.shape[0]
        self.fit_duration_ = float(sum(len(x) for x in signals) / self.sr)
        hours = self.fit_duration_ / 3600.0
        rate = self.false_alarms_per_hour

        device_curves = self._held_out_curves(stats, groups, n_context)
        self.device_scale_ = tail_threshold(
            self._peaks(device_curves, 0.0), hours, rate
        )
        self.device_scale_ = max(self.device_scale_, np.finfo(float).tiny)
        enf_curves = [None] * len(signals)
        if self.enf is not None:
            enf_curves = [
                self._enf_curve(x, len(s), n_context)
                for x, s in zip(signals, stats, strict=True)
            ]
            self.enf_threshold_ = max(
                tail_threshold(self._peaks(enf_curves, 0.0), hours, rate),
                np.finfo(float).tiny,
            )
        fused = [
            self._fuse(d, e) for d, e in zip(device_curves, enf_curves, strict=True)
        ]
        self.threshold_ = tail_threshold(self._peaks(fused, 0.0), hours, rate)
        if self.method != "window":
            self.penalty_ = self._fit_penalty(stats, hours, rate)
        return self

    def _device_space(self, stats, groups, n_context):
        whitener, eigenvalues = device_space(stats, groups, n_context, self.shrinkage)
        weights = n_context * eigenvalues / (1.0 + n_context * eigenvalues)
        return whitener, eigenvalues, whitener * np.sqrt(weights)

    def _held_out_curves(self, stats, groups, n_context):
        """Device curves of each recording under a space fitted without its device.

        Curves of the recordings the space was fitted on run low (the space
        has learnt their variation), so a threshold read off them would be
        exceeded more often on other devices. The devices are split in up to
        ``_N_FOLDS`` folds (one device a fold when there are fewer); with
        fewer than 3 devices the curves are in-sample.
        """
        labels, index = np.unique(groups, return_inverse=True)
        n_folds = min(_N_FOLDS, len(labels))
        fold = index % n_folds
        usable = np.array([len(s) >= 2 * n_context for s in stats])
        if len(labels) < 3 or any(not usable[fold != k].any() for k in range(n_folds)):
            return [self._device_curve(s, n_context) for s in stats]
        curves = [None] * len(stats)
        for k in range(n_folds):
            inside = np.flatnonzero(fold != k)
            _, _, projection = self._device_space(
                [stats[i] for i in inside], groups[inside], n_context
            )
            for i in np.flatnonzero(fold == k):
                curves[i] = self._device_curve(stats[i], n_context, projection)
        return curves

    def _peaks(self, curves, threshold):
        heights = [c[pick_peaks(c, threshold, self.n_context_)] for c in curves]
        return np.concatenate(heights) if heights else np.empty(0)

    def _ruptures(self, stats):
        import ruptures

        signal = stats @ self.projection_
        if self.method == "pelt":
            algo = ruptures.Pelt(model="l2", min_size=self.n_context_, jump=1)
        else:
            algo = ruptures.KernelCPD(kernel="rbf", min_size=self.n_context_)
        return algo.fit(signal)

    def _fit_penalty(self, stats, hours, rate):
        fitted = [self._ruptures(s) for s in stats if len(s) > 2 * self.n_context_]
        for penalty in _PENALTY_GRID:
            n_false = sum(len(a.predict(pen=penalty)) - 1 for a in fitted)
            if n_false / hours <= rate:
                return float(penalty)
        return float(_PENALTY_GRID[-1])

    # Prediction ---------------------------------------------------------------

    def change_curve(self, recording):
        """Change curve of a recording: higher means a change is likelier there.

        Parameters
        ----------
        recording : ndarray of shape (n_samples,)
            One recording at ``sr``.

        Returns
        -------
        times : ndarray of shape (n_candidates,)
            Candidate boundary times in seconds, one hop apart.
        curve : ndarray of shape (n_candidates,)
            The (fused) change curve in units of the null threshold scale:
            the boundaries are its peaks at or above ``threshold_``. Empty
            when the recording is shorter than two windows.
        """
        check_is_fitted(self)
        x = _as_recording(recording)
        _, device, enf = self._curves(x)
        curve = self._fuse(device, enf)
        return self._times(np.arange(len(curve))), curve

    def predict(self, recording):
        """Boundary times of a recording, in seconds.

        Parameters
        ----------
        recording : ndarray of shape (n_samples,)
            One recording at ``sr``.

        Returns
        -------
        boundary_times : ndarray of shape (n_boundaries,)
            Increasing times of the detected device changes; empty for a
            recording judged unedited or shorter than two windows.
        """
        check_is_fitted(self)
        x = _as_recording(recording)
        stats, device, enf = self._curves(x)
        if self.method == "window" or len(stats) <= 2 * self.n_context_:
            curve = self._fuse(device, enf)
            return self._times(pick_peaks(curve, self.threshold_, self.n_context_))
        ends = np.asarray(self._ruptures(stats).predict(pen=self.penalty_)[:-1])
        return self._times(ends - self.n_context_)

    def splice_score(self, recordings):
        """Recording-level score: higher means likelier spliced.

        The height of the highest point of the change curve, in units of
        ``threshold_``'s scale (0 for a recording shorter than two windows).

        Parameters
        ----------
        recordings : list of ndarray or Recordings
            Recordings at ``sr``.

        Returns
        -------
        scores : ndarray of shape (n_recordings,)
            The highest point of each recording's change curve.
        """
        check_is_fitted(self)
        signals = self._signals(recordings)
        curves = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(self.change_curve)(x) for x in signals
        )
        return np.array([c.max() if c.size else 0.0 for _, c in curves])

    def segment_scores(self, recording, boundary_times=None):
        """Same-device log10 likelihood ratio of every segment against the first.

        The mean hop statistics of each segment (a quarter window trimmed at
        each inner boundary) are compared with those of the first segment
        under the two-covariance model :meth:`fit` learnt: their difference
        is Gaussian with the within-recording covariance scaled by
        ``1 / n_a + 1 / n_b`` (hops of the two segments) if one device made
        both, plus twice the between-device covariance if two did.

        Parameters
        ----------
        recording : ndarray of shape (n_samples,)
            One recording at ``sr``.
        boundary_times : array-like of float or None, default=None
            Segment boundaries in seconds; None uses :meth:`predict`.

        Returns
        -------
        scores : ndarray of shape (n_boundaries + 1,)
            The log10 likelihood ratio of "same device as the first
            segment" against "another device of the population"; higher
            means same device. The first entry, the reference itself, is 0.
            The model's ratio, not calibrated on trials: hops are taken as
            independent beyond a window, so long segments get too large a
            magnitude.
        """
        check_is_fitted(self)
        x = _as_recording(recording)
        if boundary_times is None:
            boundary_times = self.predict(x)
        stats = self._stats(x, self._geometry())
        n_hops = len(stats)
        edges = np.round(np.asarray(boundary_times, dtype=float) / self.hop_duration_)
        edges = np.concatenate([[0], np.clip(edges, 0, n_hops), [n_hops]]).astype(int)
        trim = self.n_context_ // 4
        means, counts = [], []
        for s, (a, b) in enumerate(pairwise(edges)):
            a2 = a + (trim if s > 0 else 0)
            b2 = b - (trim if s < len(edges) - 2 else 0)
            if b2 <= a2:
                a2, b2 = a, max(b, a + 1)
            rows = stats[a2 : min(b2, n_hops)]
            means.append(rows.mean(axis=0) if len(rows) else stats[-1])
            counts.append(max(len(rows), 1))
        means, counts = np.array(means), np.array(counts, dtype=float)
        u = (means - means[0]) @ self.whitener_
        same = (1.0 / counts[0] + 1.0 / counts)[:, None]
        other = same + 2.0 * self.eigenvalues_
        terms = np.log(other / same) - u**2 * (1.0 / same - 1.0 / other)
        llr = 0.5 * terms.sum(axis=1)
        llr[0] = 0.0
        return llr / np.log(10.0)
