"""Recording-device identification from the traces a microphone leaves in audio.

micfp turns recordings into fixed-length clips, extracts device traces from them
(wavelet noise residuals, spectra, cepstra, supervectors) with scikit-learn
transformers, and classifies the device with scikit-learn-compatible estimators.

Subpackages are imported on first use, so ``import micfp`` stays light: PyTorch
is only loaded by :mod:`micfp.neural`.
"""

import importlib

from ._version import __version__

_SUBMODULES = [
    "baselines",
    "calibration",
    "clips",
    "datasets",
    "denoise",
    "exceptions",
    "features",
    "io",
    "metrics",
    "mixture",
    "model_selection",
    "neural",
    "openset",
    "persistence",
    "plot",
    "utils",
    "verification",
    "voting",
]

__all__ = [*_SUBMODULES, "__version__", "show_versions"]


def __getattr__(name):
    if name == "show_versions":
        from .utils._show_versions import show_versions

        return show_versions
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
