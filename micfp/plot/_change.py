"""The change curve of a recording and its boundaries, over a spectrogram."""

import numpy as np
import scipy.signal

from ._base import (
    BaseDisplay,
    _check_1d,
    _check_same_length,
    _draw_doc,
    _plot_doc,
)

# Columns of the spectrogram drawn, at most: one an analysis hop of a
# long recording would be far more than a figure shows.
_MAX_COLUMNS = 2000


def _spectrogram(recording, sr, n_fft):
    """Return (times, frequencies, power in dB) with at most 2000 columns."""
    x = _check_1d(recording, "recording")
    n_fft = min(n_fft, len(x))
    hop = max(n_fft // 2, -(-len(x) // _MAX_COLUMNS))
    # Frames of n_fft samples every ``hop``; a long hop skips samples, which a
    # picture of an hour can afford.
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    window = scipy.signal.get_window("hann", n_fft)
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    power_db = 10.0 * np.log10(np.maximum(power / np.sum(window**2), 1e-20)).T
    times = (np.arange(len(frames)) * hop + n_fft / 2) / sr
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    return times, freqs, power_db


class ChangeCurveDisplay(BaseDisplay):
    """Change curve and boundaries of a recording, drawn over its spectrogram.

    Build it with :meth:`from_estimator` (a fitted
    :class:`~micfp.segmentation.DeviceChangeDetector` and a recording) or
    :meth:`from_predictions` (a curve computed before); or pass the values
    and call :meth:`plot`. The spectrogram fills the axes, the curve is drawn
    on a second y-axis at the right, with the threshold as a dotted line;
    detected boundaries are dashed vertical lines, true ones (when given)
    solid.

    Parameters
    ----------
    times : array-like of shape (n_candidates,)
        Candidate boundary times in seconds.
    curve : array-like of shape (n_candidates,)
        Change curve at those times (higher = change here).
    boundary_times : array-like of shape (n_boundaries,) or None, default=None
        Detected boundaries in seconds.
    threshold : float or None, default=None
        Height above which a peak of the curve is a boundary.
    true_boundary_times : array-like or None, default=None
        True boundaries in seconds, when known.
    spectrogram : tuple of (times, frequencies, power_db) or None, default=None
        Spectrogram to draw under the curve: frame times in seconds,
        frequencies in Hz and power in dB of shape (n_frequencies, n_frames).

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the spectrogram (time on x).
    curve_ax_ : matplotlib Axes
        Twin axes of the curve.
    figure_ : matplotlib Figure
        Figure holding the axes.
    line_ : matplotlib Line2D
        The curve.
    boundary_lines_ : list of matplotlib Line2D
        One vertical line per detected boundary.
    true_lines_ : list of matplotlib Line2D
        One vertical line per true boundary.
    image_ : matplotlib QuadMesh or None
        The spectrogram.

    See Also
    --------
    micfp.segmentation.DeviceChangeDetector : Computes the curve.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import ChangeCurveDisplay
    >>> display = ChangeCurveDisplay(
    ...     [1.0, 1.5, 2.0, 2.5], [0.2, 3.0, 0.4, 0.1], boundary_times=[1.5],
    ...     threshold=1.0,
    ... ).plot()
    >>> len(display.boundary_lines_), display.image_ is None
    (1, True)
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        times,
        curve,
        *,
        boundary_times=None,
        threshold=None,
        true_boundary_times=None,
        spectrogram=None,
    ):
        self.times = times
        self.curve = curve
        self.boundary_times = boundary_times
        self.threshold = threshold
        self.true_boundary_times = true_boundary_times
        self.spectrogram = spectrogram

    @classmethod
    @_draw_doc
    def from_estimator(
        cls, detector, recording, *, true_boundary_times=None, n_fft=1024, ax=None
    ):
        """Compute the curve and boundaries of a recording with a fitted detector.

        Parameters
        ----------
        detector : DeviceChangeDetector
            A fitted detector.
        recording : array-like of shape (n_samples,)
            One recording at ``detector.sr``.
        true_boundary_times : array-like or None, default=None
            True boundaries in seconds, drawn when given.
        n_fft : int, default=1024
            Samples per frame of the spectrogram.
        {ax}

        {drawn}

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from micfp.datasets import make_spliced
        >>> from micfp.plot import ChangeCurveDisplay
        >>> from micfp.segmentation import DeviceChangeDetector
        >>> train, _ = make_spliced(
        ...     3, sr=8000, n_splices=0, segment_duration=8.0, random_state=0
        ... )
        >>> detector = DeviceChangeDetector(sr=8000).fit(train)
        >>> test, truth = make_spliced(
        ...     1, sr=8000, n_splices=1, segment_duration=8.0, random_state=1
        ... )
        >>> display = ChangeCurveDisplay.from_estimator(
        ...     detector, test.signals[0], true_boundary_times=truth[0]
        ... )
        >>> len(display.true_lines_)
        1
        >>> plt.close(display.figure_)
        """
        times, curve = detector.change_curve(recording)
        return cls(
            times,
            curve,
            boundary_times=detector.predict(recording),
            threshold=detector.threshold_,
            true_boundary_times=true_boundary_times,
            spectrogram=_spectrogram(recording, detector.sr, n_fft),
        ).plot(ax=ax)

    @classmethod
    @_draw_doc
    def from_predictions(
        cls,
        times,
        curve,
        *,
        boundary_times=None,
        threshold=None,
        true_boundary_times=None,
        recording=None,
        sr=None,
        n_fft=1024,
        ax=None,
    ):
        """Draw a change curve computed before, over the recording's spectrogram.

        Parameters
        ----------
        times, curve : array-like of shape (n_candidates,)
            Candidate times in seconds and the curve there.
        boundary_times : array-like or None, default=None
            Detected boundaries in seconds.
        threshold : float or None, default=None
            Threshold of the curve.
        true_boundary_times : array-like or None, default=None
            True boundaries in seconds.
        recording : array-like of shape (n_samples,) or None, default=None
            The recording, for the spectrogram; none is drawn when None.
        sr : int or None, default=None
            Sample rate of ``recording`` in Hz; needed with it.
        n_fft : int, default=1024
            Samples per frame of the spectrogram.
        {ax}

        {drawn}

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from micfp.plot import ChangeCurveDisplay
        >>> x = np.random.default_rng(0).normal(0, 0.1, 4000)
        >>> display = ChangeCurveDisplay.from_predictions(
        ...     [0.1, 0.2, 0.3], [0.0, 2.0, 0.5], recording=x, sr=8000
        ... )
        >>> display.image_ is not None
        True
        >>> plt.close(display.figure_)
        """
        spectrogram = None
        if recording is not None:
            if sr is None:
                raise ValueError("sr is needed with recording; got sr=None.")
            spectrogram = _spectrogram(recording, sr, n_fft)
        return cls(
            times,
            curve,
            boundary_times=boundary_times,
            threshold=threshold,
            true_boundary_times=true_boundary_times,
            spectrogram=spectrogram,
        ).plot(ax=ax)

    @_plot_doc
    def plot(self, *, ax=None):
        """Draw the spectrogram, the curve and the boundaries.

        {plot}
        """
        times = np.asarray(self.times, dtype=np.float64)
        curve = np.asarray(self.curve, dtype=np.float64)
        if times.size or curve.size:
            times = _check_1d(times, "times")
            curve = _check_1d(curve, "curve")
            _check_same_length(times, curve, ("times", "curve"))
        found = (
            np.empty(0)
            if self.boundary_times is None or np.size(self.boundary_times) == 0
            else _check_1d(self.boundary_times, "boundary_times")
        )
        true = (
            np.empty(0)
            if self.true_boundary_times is None
            or np.size(self.true_boundary_times) == 0
            else _check_1d(self.true_boundary_times, "true_boundary_times")
        )
        ax = self._prepare_axes(ax)
        self.image_ = None
        if self.spectrogram is not None:
            spec_times, freqs, power_db = self.spectrogram
            self.image_ = ax.pcolormesh(
                spec_times, freqs, power_db, shading="auto", cmap="magma"
            )
            ax.set_ylabel("Frequency (Hz)")
        else:
            ax.set_yticks([])
        ax.set_xlabel("Time (s)")
        curve_ax = ax.twinx()
        (self.line_,) = curve_ax.plot(times, curve, color="tab:cyan", lw=1.2)
        if self.threshold is not None:
            curve_ax.axhline(self.threshold, color="tab:cyan", ls=":", lw=1)
        curve_ax.set_ylabel("Change curve")
        self.true_lines_ = [
            ax.axvline(t, color="tab:green", lw=1.5, label="true" if i == 0 else None)
            for i, t in enumerate(true)
        ]
        self.boundary_lines_ = [
            ax.axvline(
                t, color="white", ls="--", lw=1.2, label="detected" if i == 0 else None
            )
            for i, t in enumerate(found)
        ]
        if self.true_lines_ or self.boundary_lines_:
            ax.legend(loc="upper left")
        self.curve_ax_ = curve_ax
        return self
