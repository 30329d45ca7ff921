"""Progress of long work: a tqdm bar on a terminal, plain lines anywhere else.

Estimators and functions that take ``verbose`` report through
:func:`progress`. ``verbose=0`` (their default) reports nothing. Otherwise a
stream that is a terminal gets a tqdm bar when tqdm is installed (it comes
with skorch); any other stream (a log file, a pipe, a notebook cell's
captured output) or a terminal without tqdm gets a few plain lines, without
carriage returns or ANSI escape codes, so that logs stay readable.
"""

import sys
import time

__all__ = ["progress"]

_STEPS = 10  # plain lines: one each tenth of the work, and the last


def _is_terminal(stream):
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


def progress(iterable, *, verbose=0, total=None, desc="", unit="item", file=None):
    """Yield the items of ``iterable``, reporting progress when ``verbose``.

    Parameters
    ----------
    iterable : iterable
        The work, one item a step; progress counts an item once the caller
        has finished with it and asks for the next.
    verbose : int or bool, default=0
        0 or False reports nothing and returns ``iterable`` itself.
    total : int or None, default=None
        Number of items; ``len(iterable)`` when None and it has a length.
    desc : str, default=""
        What is being done, shown before the count ("reading files").
    unit : str, default="item"
        Name of one item ("file", "chunk", "fold"); plain lines add an "s".
    file : file-like or None, default=None
        Stream to write to; ``sys.stderr`` when None.

    Returns
    -------
    items : iterable
        The items of ``iterable``, in order.

    Examples
    --------
    >>> import io
    >>> from micfp.utils import progress
    >>> log = io.StringIO()
    >>> [x * x for x in progress(range(3), verbose=1, desc="squares", file=log)]
    [0, 1, 4]
    >>> print(log.getvalue().splitlines()[-1][:27])
    squares: 3/3 items (100 %,
    """
    if not verbose:
        return iterable
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    stream = sys.stderr if file is None else file
    if _is_terminal(stream):
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return tqdm(iterable, total=total, desc=desc, unit=unit, file=stream)
    return _plain_lines(iterable, total, desc, unit, stream)


def _plain_lines(iterable, total, desc, unit, stream):
    prefix = f"{desc}: " if desc else ""
    start = time.perf_counter()
    done, shown, last = 0, 0, 0

    def write():
        count = f"{done}/{total}" if total else f"{done}"
        share = f"{100 * done // total} %, " if total else ""
        elapsed = time.perf_counter() - start
        stream.write(f"{prefix}{count} {unit}s ({share}{elapsed:.1f} s)\n")
        stream.flush()

    for item in iterable:
        yield item
        done += 1
        if total:
            step = _STEPS * done // total
            if step == shown and done != total:
                continue
            shown = step
        elif done / 10 ** (len(str(done)) - 1) not in (1, 2, 5):
            continue  # without a total: after 1, 2, 5, 10, 20, 50, ... items
        write()
        last = done
    if done != last:
        write()
