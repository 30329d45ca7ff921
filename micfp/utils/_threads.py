"""Thread limits for native libraries, without re-scanning them on every call."""

import functools

from threadpoolctl import ThreadpoolController


@functools.cache
def _controller():
    # Scanning the loaded libraries takes milliseconds; do it once.
    return ThreadpoolController()


def single_blas_thread():
    """Context manager that runs BLAS on one thread.

    For loops of small matrix products, where BLAS threads would mostly wait
    on each other; parallelism then comes from workers over chunks.
    """
    return _controller().limit(limits=1, user_api="blas")
