"""Electric-network frequency (mains hum) along a recording."""

from numbers import Integral, Real

import numpy as np
import scipy.fft
import scipy.signal
from sklearn.utils._param_validation import Interval, Options, validate_params

from ..exceptions import AudioValueError

# Rate the hum is analysed at, and the band the decimation keeps.
_TARGET_RATE = 1000.0
_CUTOFF_HZ = 400.0
_BLOCK = 2**20
# Hops of the phase fits on each side of a candidate boundary.
_PHASE_CONTEXT = 8
_HOPS_PER_BLOCK = 256


def decimate_for_hum(x, sr):
    """Low-pass (8th-order Butterworth at 400 Hz) and keep every q-th sample.

    Runs block by block with the filter's state carried over, so the memory
    is that of the output plus one block.

    Returns
    -------
    y : ndarray of shape (ceil(n_samples / q),)
    rate : float
        ``sr / q``, the rate of ``y`` in Hz.
    """
    q = max(1, int(sr // _TARGET_RATE))
    rate = sr / q
    sos = scipy.signal.butter(8, min(_CUTOFF_HZ, 0.4 * rate), fs=sr, output="sos")
    zi = np.zeros((sos.shape[0], 2))
    block = (_BLOCK // q) * q
    out = []
    for start in range(0, len(x), block):
        piece = np.asarray(x[start : start + block], dtype=np.float64)
        filtered, zi = scipy.signal.sosfilt(sos, piece, zi=zi)
        out.append(filtered[::q].copy())
    return np.concatenate(out), rate


@validate_params(
    {
        "x": ["array-like"],
        "sr": [Interval(Real, 0, None, closed="neither")],
        "mains_hz": [Options(Integral, {50, 60})],
        "frame_duration": [Interval(Real, 0, None, closed="neither")],
        "hop_duration": [Interval(Real, 0, None, closed="neither")],
        "n_harmonics": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def track_enf(
    x, sr, *, mains_hz=50, frame_duration=2.0, hop_duration=0.25, n_harmonics=3
):
    """Track the mains frequency of a recording's hum over time.

    The recording is decimated to about 1 kHz; in Hann frames of
    ``frame_duration`` (zero-padded eightfold) the largest peak within
    ±0.5 Hz of each harmonic ``h * mains_hz`` is located by quadratic
    interpolation of the log magnitude, divided by ``h``, and the harmonics
    are averaged with weights equal to their peak power over the median
    power of the frame below 400 Hz.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        One recording.
    sr : int or float
        Sample rate in Hz.
    mains_hz : {50, 60}, default=50
        Nominal mains frequency in Hz.
    frame_duration : float, default=2.0
        Length of each analysis frame in seconds.
    hop_duration : float, default=0.25
        Seconds between frames.
    n_harmonics : int, default=3
        Harmonics combined (those above 400 Hz or the Nyquist frequency of
        the decimated signal are left out).

    Returns
    -------
    times : ndarray of shape (n_frames,)
        Centre of each frame in seconds.
    frequency : ndarray of shape (n_frames,)
        Mains frequency in Hz.
    snr : ndarray of shape (n_frames,)
        Weighted mean of the harmonics' peak-to-median power ratios (linear);
        a few units where there is no hum.

    Raises
    ------
    AudioValueError
        When the recording is shorter than one frame.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.segmentation import track_enf
    >>> sr = 8000
    >>> t = np.arange(20 * sr) / sr
    >>> x = 1e-2 * np.sin(2 * np.pi * 50.03 * t)
    >>> _, frequency, _ = track_enf(x, sr)
    >>> float(np.round(np.median(frequency), 2))
    50.03
    """
    y, rate = decimate_for_hum(np.asarray(x), sr)
    frame = round(frame_duration * rate)
    hop = max(1, round(hop_duration * rate))
    if len(y) < frame:
        raise AudioValueError(
            f"track_enf needs at least frame_duration={frame_duration} s of audio; "
            f"got {len(x) / sr:.3g} s."
        )
    n_fft = 8 * int(2 ** np.ceil(np.log2(frame)))
    frames = np.lib.stride_tricks.sliding_window_view(y, frame)[::hop]
    window = scipy.signal.get_window("hann", frame)
    power = np.abs(scipy.fft.rfft(frames * window, n=n_fft, axis=-1)) ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / rate)
    log_power = np.log(np.maximum(power, 1e-300))
    top = np.searchsorted(freqs, min(_CUTOFF_HZ, 0.4 * rate))
    reference = np.maximum(np.median(power[:, 1:top], axis=1), 1e-300)
    estimates, weights = [], []
    for h in range(1, n_harmonics + 1):
        centre = h * mains_hz
        if centre + 0.5 * h >= min(_CUTOFF_HZ, rate / 2 * 0.8):
            break
        lo, hi = np.searchsorted(freqs, [centre - 0.5 * h, centre + 0.5 * h])
        band = log_power[:, lo:hi]
        k = np.clip(np.argmax(band, axis=1), 1, band.shape[1] - 2)
        rows = np.arange(len(band))
        a, b, c = band[rows, k - 1], band[rows, k], band[rows, k + 1]
        denominator = a - 2 * b + c
        offset = np.where(
            denominator < 0,
            0.5 * (a - c) / np.where(denominator < 0, denominator, -1.0),
            0.0,
        )
        estimates.append(freqs[lo + k] / h + offset * (freqs[1] / h))
        weights.append(np.exp(b) / reference)
    estimates, weights = np.array(estimates), np.array(weights)
    frequency = np.sum(estimates * weights, axis=0) / np.sum(weights, axis=0)
    snr = np.sum(weights**2, axis=0) / np.sum(weights, axis=0)
    times = (np.arange(len(frames)) * hop + frame / 2) / rate
    return times, frequency, snr


def _line_ends(phase, n):
    """Least-squares lines through every run of ``n`` points, evaluated at both ends.

    Returns the fitted values one step before the run's first point and one
    step past its last (the run's outer edges at half a step are not used),
    the slopes, and the residual variances, one value per run.
    """
    t = np.arange(len(phase), dtype=np.float64)
    c = [np.concatenate([[0.0], np.cumsum(v)]) for v in (t, phase, t * phase, t * t)]
    s_t, s_p, s_tp, s_tt = (v[n:] - v[:-n] for v in c)
    s_pp = np.concatenate([[0.0], np.cumsum(phase * phase)])
    s_pp = s_pp[n:] - s_pp[:-n]
    var_t = s_tt - s_t * s_t / n
    slope = (s_tp - s_t * s_p / n) / var_t
    intercept = (s_p - slope * s_t) / n
    residual = np.maximum(s_pp - s_p * s_p / n - slope * slope * var_t, 0.0) / (n - 2)
    start = t[: len(slope)]
    return (
        intercept + slope * (start - 0.5),
        intercept + slope * (start + n - 0.5),
        slope,
        residual,
    )


def enf_change_curve(x, sr, *, mains_hz, hop_length, n_hops):
    """Discontinuity of the hum's phase at every hop boundary.

    The decimated recording is demodulated at ``mains_hz`` and summed over
    Hann-weighted frames of two hops centred on every hop, which gives the
    hum's phase once a hop. Lines are fitted to the unwrapped phase over 8
    hops on each side of a boundary; the squared wrapped gap between their
    values at the boundary, plus the squared difference of their slopes
    times the context, over the lines' residual variance, is the curve.

    Returns
    -------
    curve : ndarray of shape (n_hops + 1,)
        Value at the boundary before hop ``k``; 0 where the context does not
        fit.
    """
    y, rate = decimate_for_hum(x, sr)
    q = sr / rate
    hop = hop_length / q
    frame = max(4, round(2 * hop))
    starts = np.round(np.arange(n_hops) * hop + hop / 2 - frame / 2).astype(int)
    starts = np.clip(starts, 0, max(0, len(y) - frame))
    if len(y) < frame:
        y = np.concatenate([y, np.zeros(frame - len(y))])
    omega = 2.0 * np.pi * mains_hz / rate
    # Demodulated Hann frame: the frame's phase reference is its first sample.
    kernel = scipy.signal.get_window("hann", frame) * np.exp(
        -1j * omega * np.arange(frame)
    )
    views = np.lib.stride_tricks.sliding_window_view(y, frame)
    phasor = np.empty(n_hops, dtype=complex)
    for k0 in range(0, n_hops, _HOPS_PER_BLOCK):
        chunk = starts[k0 : k0 + _HOPS_PER_BLOCK]
        phasor[k0 : k0 + len(chunk)] = views[chunk] @ kernel
    phasor *= np.exp(-1j * omega * starts)
    phase = np.unwrap(np.angle(phasor))
    curve = np.zeros(n_hops + 1)
    m = _PHASE_CONTEXT
    if n_hops < 2 * m:
        return curve
    _, left_end, left_slope, left_var = _line_ends(phase, m)
    right_start, _, right_slope, right_var = _line_ends(phase, m)
    # Boundary k: left run [k - m, k), right run [k, k + m).
    k = np.arange(m, n_hops - m + 1)
    gap = right_start[k] - left_end[k - m]
    gap = np.angle(np.exp(1j * gap))
    slope_gap = (right_slope[k] - left_slope[k - m]) * m
    noise = left_var[k - m] + right_var[k] + 1e-6
    curve[k] = (gap**2 + slope_gap**2) / noise
    return curve
