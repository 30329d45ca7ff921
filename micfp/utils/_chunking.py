"""Row chunks of a batch, sized from scikit-learn's ``working_memory``.

Transforms process their rows a chunk at a time, which bounds their temporary
memory, and hand the chunks to joblib workers. A chunk holds as many rows as
fit in ``sklearn.get_config()["working_memory"]`` MiB (the setting that
``sklearn.config_context(working_memory=...)`` changes) given the working
memory a row needs, as ``sklearn.utils.get_chunk_n_rows`` computes it. The
chunks depend on the rows and that setting alone, never on the number of
workers, so that results whose rounding depends on the size of a batch (float32
matrix products) are the same whatever ``n_jobs`` is.
"""

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn import get_config

from ._progress import progress

__all__ = ["chunk_slices", "map_row_chunks"]


def chunk_slices(n_rows, row_bytes):
    """Split ``range(n_rows)`` into consecutive slices that fit the working memory.

    Parameters
    ----------
    n_rows : int
        Number of rows.
    row_bytes : int
        Working memory one row needs, in bytes.

    Returns
    -------
    slices : list of slice
        Each holds ``working_memory * 2 ** 20 // row_bytes`` rows (at least
        one), the last one the rest.
    """
    budget = get_config()["working_memory"] * 2**20
    rows = max(1, int(budget // max(row_bytes, 1)))
    return [slice(start, min(start + rows, n_rows)) for start in range(0, n_rows, rows)]


def map_row_chunks(
    func, X, *, n_jobs=None, row_bytes=None, out=None, verbose=0, desc=""
):
    """Apply ``func`` to row chunks of ``X`` through joblib and stack the results.

    Parameters
    ----------
    func : callable
        Maps an array of rows to an array with as many rows.
    X : ndarray of shape (n_rows, ...)
        Input rows.
    n_jobs : int or None, default=None
        joblib's ``n_jobs``; threads are preferred, as NumPy, SciPy and
        PyWavelets release the GIL in their inner loops.
    row_bytes : int, optional
        Working memory ``func`` needs per row, which sets the chunk size;
        defaults to the bytes of one input row.
    out : ndarray of shape (n_rows, ...), optional
        Output, filled in place; allocated from the first chunk's result when
        not given.
    verbose : int, default=0
        Report progress over the chunks (see :func:`~micfp.utils.progress`)
        when positive.
    desc : str, default=""
        What the chunks are for, shown beside the progress.

    Returns
    -------
    out : ndarray of shape (n_rows, ...)
        The results of the chunks, in order.
    """
    if row_bytes is None:
        row_bytes = X[:1].nbytes
    slices = chunk_slices(X.shape[0], row_bytes)
    if effective_n_jobs(n_jobs) == 1 or len(slices) == 1:
        results = (func(X[sl]) for sl in slices)
    else:
        results = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(func)(X[sl]) for sl in slices
        )
    chunks = zip(slices, results, strict=True)
    for sl, result in progress(
        chunks, verbose=verbose, total=len(slices), desc=desc, unit="chunk"
    ):
        if out is None:
            out = np.empty((X.shape[0], *result.shape[1:]), dtype=result.dtype)
        out[sl] = result
    return out
