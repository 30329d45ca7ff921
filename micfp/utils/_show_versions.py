"""Report the versions of micfp, Python and the packages it uses."""

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

_DEPENDENCIES = (
    "numpy",
    "scipy",
    "PyWavelets",
    "scikit-learn",
    "skorch",
    "torch",
    "joblib",
    "matplotlib",
    "librosa",
    "scikit-image",
    "dask",
    "distributed",
)


def _versions():
    from .._version import __version__

    info = {
        "micfp": __version__,
        "python": sys.version.replace("\n", " "),
        "machine": platform.platform(),
    }
    for name in _DEPENDENCIES:
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            info[name] = None
    return info


def show_versions():
    """Print the versions of micfp, Python and micfp's dependencies.

    Reads installed package metadata only: nothing is imported, so the call is
    fast and does not load PyTorch. Paste its output into bug reports.

    Examples
    --------
    >>> import micfp
    >>> micfp.show_versions()  # doctest: +SKIP
    micfp: 0.1.0
    ...
    """
    width = max(len(name) for name in _versions())
    for name, value in _versions().items():
        print(f"{name:>{width}}: {value}")
