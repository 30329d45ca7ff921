"""Blocks of rows small enough for the processor's cache.

A batched pipeline of NumPy steps (frame, window, FFT, power, reduce) makes a
temporary array at each step. On thousands of clips at once each temporary is
hundreds of MiB: every step then streams it through memory, and every fresh
allocation is faulted in page by page. Applied to blocks of a few MiB, the same
steps reuse memory that stays in cache, several times faster. Blocks split rows
only, and each row's result is computed from that row alone, so results do not
depend on the block size.

This is not the working-memory chunking of :mod:`micfp.utils._chunking`, which
bounds the memory of a whole transform and spreads chunks over workers; a
chunk's work goes through blocks inside one worker.
"""

import numpy as np

__all__ = ["BLOCK_BYTES", "apply_in_blocks"]

# Temporaries a block may hold: about the size of a core's share of cache.
BLOCK_BYTES = 2 * 2**20


def apply_in_blocks(func, x, *, row_bytes, block_bytes=BLOCK_BYTES):
    """Apply a row-wise batched function to blocks of rows and stack the results.

    Parameters
    ----------
    func : callable
        Maps signals of shape ``(n_rows, n_samples)`` to an array with
        ``n_rows`` rows, each computed from the matching input row alone.
    x : ndarray of shape (..., n_samples)
        Signals; leading axes are flattened into rows and restored.
    row_bytes : int
        Bytes of temporaries ``func`` makes for one row.
    block_bytes : int, default=BLOCK_BYTES
        Bytes of temporaries a block may make.

    Returns
    -------
    out : ndarray of shape (..., *func's output row shape)
        The results of the blocks, in order.
    """
    lead = x.shape[:-1]
    rows = x.reshape(-1, x.shape[-1])
    n_rows = rows.shape[0]
    size = max(1, int(block_bytes // max(row_bytes, 1)))
    if n_rows <= size:
        out = func(rows)
        return out.reshape(*lead, *out.shape[1:])
    out = None
    for start in range(0, n_rows, size):
        block = func(rows[start : start + size])
        if out is None:
            out = np.empty((n_rows, *block.shape[1:]), dtype=block.dtype)
        out[start : start + size] = block
    return out.reshape(*lead, *out.shape[1:])
