"""Per-hop spectral statistics of a long recording, computed block by block."""

import numpy as np
import scipy.fft
import scipy.signal

from ..exceptions import AudioValueError

# Power floor of the log spectra: below a 24-bit step, so digital silence
# sits at one value and every real noise floor lies above it.
POWER_FLOOR = 1e-15
# Frames framed and transformed at a time (bounds the working memory).
_FRAMES_PER_BLOCK = 4096


def frame_geometry(sr, frame_duration, hop_duration):
    """Return the samples a frame, the samples between frames and frames a hop.

    Frames overlap by half; a hop is a whole number of frame hops, so the
    hop actually used is ``frames_per_hop * frame_hop / sr`` seconds.
    """
    n_fft = max(16, int(2 ** np.round(np.log2(frame_duration * sr))))
    frame_hop = n_fft // 2
    frames_per_hop = max(1, round(hop_duration * sr / frame_hop))
    return n_fft, frame_hop, frames_per_hop


def band_matrix(n_fft, sr, n_bands, fmin):
    """Sum matrix of shape (n_fft // 2 + 1, n_bands): bands uniform in log frequency.

    Every band holds at least one bin: bands narrower than a bin at low
    frequencies are merged upwards.
    """
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = np.geomspace(max(fmin, freqs[1]), sr / 2.0, n_bands + 1)
    index = np.clip(np.searchsorted(edges, freqs, side="right") - 1, 0, n_bands - 1)
    index[freqs < edges[0]] = -1
    used = np.unique(index[index >= 0])
    matrix = np.zeros((len(freqs), len(used)), dtype=np.float32)
    for column, band in enumerate(used):
        matrix[index == band, column] = 1.0
    matrix /= matrix.sum(axis=0)
    return matrix


def hop_statistics(x, sr, *, n_fft, frame_hop, frames_per_hop, bands):
    """Log band power (mean and minimum over the frames) of every hop.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        One recording; float32 is kept, anything else is read as float64.
    sr : int
        Sample rate in Hz.
    n_fft, frame_hop, frames_per_hop : int
        From :func:`frame_geometry`.
    bands : ndarray of shape (n_fft // 2 + 1, n_bands)
        From :func:`band_matrix`.

    Returns
    -------
    stats : ndarray of shape (n_hops, 2 * n_bands), float32
        Per hop, ``log10`` of the mean band power over its frames (a Welch
        estimate), then ``log10`` of the minimum band power over its frames
        (a noise-floor estimate, strongest in the gaps of the content).
    """
    n_frames_total = (len(x) - n_fft) // frame_hop + 1
    n_hops = n_frames_total // frames_per_hop
    if n_hops < 1:
        raise AudioValueError(
            f"The recording holds {len(x)} samples ({len(x) / sr:.3g} s), "
            f"fewer than one hop of {frames_per_hop} frames of {n_fft} samples "
            f"({((frames_per_hop - 1) * frame_hop + n_fft) / sr:.3g} s)."
        )
    dtype = np.float32 if x.dtype == np.float32 else np.float64
    window = scipy.signal.get_window("hann", n_fft).astype(dtype)
    window /= np.sqrt(np.sum(window**2))
    n_bands = bands.shape[1]
    out = np.empty((n_hops, 2 * n_bands), dtype=np.float32)
    hops_per_block = max(1, _FRAMES_PER_BLOCK // frames_per_hop)
    for h0 in range(0, n_hops, hops_per_block):
        h1 = min(n_hops, h0 + hops_per_block)
        f0, f1 = h0 * frames_per_hop, h1 * frames_per_hop
        start = f0 * frame_hop
        stop = (f1 - 1) * frame_hop + n_fft
        segment = np.asarray(x[start:stop], dtype=dtype)
        frames = np.lib.stride_tricks.sliding_window_view(segment, n_fft)[::frame_hop]
        spectrum = scipy.fft.rfft(frames * window, axis=-1, workers=1)
        power = np.square(spectrum.real, dtype=np.float32)
        power += np.square(spectrum.imag, dtype=np.float32)
        del spectrum
        band_power = (power @ bands).reshape(h1 - h0, frames_per_hop, n_bands)
        del power
        mean = band_power.mean(axis=1)
        low = band_power.min(axis=1)
        np.maximum(mean, POWER_FLOOR, out=mean)
        np.maximum(low, POWER_FLOOR, out=low)
        out[h0:h1, :n_bands] = np.log10(mean)
        out[h0:h1, n_bands:] = np.log10(low)
    return out


def remove_level(stats):
    """Subtract from every statistic of a hop the hop's mean log band power.

    A gain (an editor's step, automatic gain control) adds one constant to
    every log power of a hop, the floor's included; the difference keeps the
    spectral shape and the floor's distance from the content.

    Returns
    -------
    stats : ndarray of the shape of ``stats``
    """
    n_bands = stats.shape[1] // 2
    return stats - stats[:, :n_bands].mean(axis=1, keepdims=True)


def window_differences(stats, n_context):
    """Difference of the mean statistics after and before every hop boundary.

    Parameters
    ----------
    stats : ndarray of shape (n_hops, n_features)
    n_context : int
        Hops on each side of a boundary.

    Returns
    -------
    differences : ndarray of shape (n_hops - 2 * n_context + 1, n_features)
        Row ``i`` compares hops ``[i, i + n_context)`` with
        ``[i + n_context, i + 2 * n_context)``: the boundary after
        ``i + n_context`` hops. Empty when the recording holds fewer than
        ``2 * n_context`` hops.
    """
    n_hops, n_features = stats.shape
    if n_hops < 2 * n_context:
        return np.empty((0, n_features), dtype=np.float64)
    cumulative = np.zeros((n_hops + 1, n_features), dtype=np.float64)
    np.cumsum(stats, axis=0, dtype=np.float64, out=cumulative[1:])
    sums = cumulative[n_context:] - cumulative[:-n_context]
    return (sums[n_context:] - sums[:-n_context]) / n_context


def device_space(stats, groups, n_context, shrinkage):
    """Projection of hop statistics that keeps device differences.

    A two-covariance model of the hop statistics: the long-run covariance of
    a hop about its recording's mean (``within``, read off the differences
    of the window means on each side of every hop boundary, which removes
    the slow drift of the content) and the covariance of the devices' mean
    statistics (``between``, from the group means, less the part their
    finite length explains). In the coordinates that whiten ``within`` and
    diagonalise ``between`` (eigenvalues ``lam``), the difference of two
    window means of ``n_context`` hops is N(0, I) scaled by ``2 / n_context``
    within a device and gains a variance ``2 * lam`` across a device change;
    the log likelihood ratio of a change is a sum of squares weighted by
    ``n * lam / (1 + n * lam)``, so directions where devices do not differ
    drop out.

    Parameters
    ----------
    stats : list of ndarray of shape (n_hops_i, n_features)
        Hop statistics of unedited recordings.
    groups : ndarray of shape (n_recordings,)
        Device (or recording) label of each recording; at least two labels.
    n_context : int
        Hops of a window.
    shrinkage : float
        Weight of the scaled identity mixed into ``within``.

    Returns
    -------
    whitener : ndarray of shape (n_features, n_features)
        ``within ** -1/2`` followed by the rotation that diagonalises
        ``between``: columns are directions, most device-like first.
    eigenvalues : ndarray of shape (n_features,)
        Between-device variance along each column, in units of the
        within-recording variance of one hop; decreasing, at least 0.
    """
    diffs = [window_differences(s, n_context) for s in stats]
    pooled = np.concatenate(diffs)
    n_features = pooled.shape[1]
    within = (pooled.T @ pooled) / len(pooled) * (n_context / 2.0)
    within = (1.0 - shrinkage) * within + shrinkage * np.trace(
        within
    ) / n_features * np.eye(n_features)
    values, vectors = np.linalg.eigh(within)
    values = np.maximum(values, values.max() * 1e-10)
    root = (vectors / np.sqrt(values)) @ vectors.T

    labels, index = np.unique(np.asarray(groups), return_inverse=True)
    sums = np.zeros((len(labels), n_features))
    counts = np.zeros(len(labels))
    for s, g in zip(stats, index, strict=True):
        sums[g] += s.sum(axis=0, dtype=np.float64)
        counts[g] += len(s)
    means = (sums / counts[:, None]) @ root
    centred = means - means.mean(axis=0)
    between = centred.T @ centred / (len(labels) - 1)
    lam, rotation = np.linalg.eigh(between)
    # The group means hold within-recording noise of variance 1 / n_hops.
    lam = np.maximum(lam - np.mean(1.0 / counts), 0.0)
    order = np.argsort(lam)[::-1]
    return root @ rotation[:, order], lam[order]
