"""Frequency-domain building blocks of the simulator: shaped noise, responses, STFT."""

import numpy as np
import scipy.fft as sp_fft

# Working precision of the long FFTs. Rounding errors of float32 transforms sit
# near -140 dBFS, below a 24-bit quantization step, and halve the run time.
WORK_DTYPE = np.float32


def rfft(x, n):
    """Real FFT of ``x`` zero-padded to ``n`` samples, in working precision."""
    return sp_fft.rfft(np.asarray(x, dtype=WORK_DTYPE), n, workers=-1)


def irfft(spectrum, n, n_keep):
    """Inverse of :func:`rfft`, keeping the first ``n_keep`` samples.

    The spectrum may be overwritten.
    """
    return sp_fft.irfft(spectrum, n, workers=-1, overwrite_x=True)[:n_keep]


def fast_len(n):
    """Smallest FFT-friendly length of at least ``n`` samples."""
    return sp_fft.next_fast_len(int(n), real=True)


def rms_from_rfft(spectrum, n_fft, n_signal=None):
    """Root mean square of the real signal whose ``n_fft``-point rfft is given.

    Uses Parseval's theorem, counting the bins that stand for two conjugate
    frequencies twice. The energy is averaged over ``n_signal`` samples
    (default ``n_fft``), for a signal zero-padded before the transform.
    """
    power = np.abs(spectrum) ** 2
    total = 2.0 * power.sum(dtype=np.float64) - power[0]
    if n_fft % 2 == 0:
        total -= power[-1]
    n_signal = n_fft if n_signal is None else n_signal
    return float(np.sqrt(total / (n_fft * n_signal)))


def complex_normal(rng, size):
    """Complex Gaussian values whose real and imaginary parts have unit variance."""
    complex_type = np.result_type(WORK_DTYPE, np.complex64)
    return rng.standard_normal(2 * size, dtype=WORK_DTYPE).view(complex_type)


def unit_noise_scale(magnitude, n_fft):
    """Factor that gives noise of amplitude spectrum ``magnitude`` unit RMS.

    For an ``n_fft``-point rfft filled with :func:`complex_normal` values
    times ``magnitude``, the expected power of the real signal is
    ``4 * sum(magnitude ** 2) / n_fft ** 2`` (each bin stands for two
    conjugate frequencies, each with two unit-variance parts).
    """
    return n_fft / (2.0 * np.sqrt(np.sum(np.square(magnitude, dtype=np.float64))))


def butter_highpass(freqs, corner, order):
    """Magnitude of a Butterworth-like high-pass of any (real) order."""
    ratio = corner / np.maximum(freqs, 1e-3)
    return 1.0 / np.sqrt(1.0 + ratio ** (2.0 * order))


def butter_lowpass(freqs, corner, order):
    """Magnitude of a Butterworth-like low-pass of any (real) order."""
    return 1.0 / np.sqrt(1.0 + (freqs / corner) ** (2.0 * order))


def log_bell_db(freqs, centre, gain_db, width_oct):
    """Gain in dB of a peak that is Gaussian in log-frequency (width in octaves)."""
    octaves = np.log2(np.maximum(freqs, 1e-3) / centre)
    return gain_db * np.exp(-0.5 * (octaves / width_oct) ** 2)


_DB_TO_NEPER = float(np.log(10.0) / 20.0)


def db_to_amp(db):
    """Amplitude ratio of a level in decibels."""
    return np.exp(np.asarray(db) * _DB_TO_NEPER)


# Short-time Fourier transform with a square-root periodic Hann window used
# both for analysis and synthesis: at half-frame hops the squared windows sum
# to one, so a frame-wise gain of one gives back the signal exactly.


def stft_window(n_fft):
    """Square-root periodic Hann window of ``n_fft`` samples."""
    k = np.arange(n_fft)
    return np.sqrt(0.5 - 0.5 * np.cos(2.0 * np.pi * k / n_fft)).astype(WORK_DTYPE)


def stft_n_frames(n, n_fft):
    """Return how many half-overlapping frames :func:`stft` makes of ``n`` samples."""
    hop = n_fft // 2
    return -(-n // hop) + 1


def stft(x, n_fft):
    """Frames of ``x`` (padded by half a frame on each side) and their rfft.

    Returns an array of shape (n_frames, n_fft // 2 + 1).
    """
    hop = n_fft // 2
    n_frames = stft_n_frames(len(x), n_fft)
    padded = np.zeros((n_frames + 1) * hop, dtype=WORK_DTYPE)
    padded[hop : hop + len(x)] = x
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return sp_fft.rfft(frames * stft_window(n_fft), axis=-1, workers=-1)


def istft(spectra, n_fft, n):
    """Overlap-add inverse of :func:`stft`, returning ``n`` samples.

    The spectra may be overwritten.
    """
    hop = n_fft // 2
    frames = sp_fft.irfft(spectra, n_fft, axis=-1, workers=-1, overwrite_x=True)
    frames *= stft_window(n_fft)
    out = frames[:, :hop].copy()
    out[1:] += frames[:-1, hop:]
    return out.reshape(-1)[hop : hop + n]
