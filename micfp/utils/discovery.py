"""Discovery of micfp's public estimators."""

import importlib
import inspect
import pkgutil
from operator import itemgetter
from pathlib import Path

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)

_TYPE_FILTERS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
}


# The package root, found from this file: importing ``micfp`` here would make
# ``micfp`` and ``micfp.utils`` import each other.
_PACKAGE = __name__.split(".")[0]
_PACKAGE_PATH = str(Path(__file__).resolve().parents[1])


def _public_modules():
    for info in pkgutil.walk_packages([_PACKAGE_PATH], prefix=f"{_PACKAGE}."):
        parts = info.name.split(".")
        if any(part in {"tests", "conftest", "__main__"} for part in parts):
            continue
        yield importlib.import_module(info.name)


def all_estimators(type_filter=None):
    """List every public estimator of micfp.

    Walks the package, so an estimator added anywhere is found without being
    registered. Classes whose name starts with ``Base`` or ``_`` are left out.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer"}, list of them \
            or None, default=None
        Keep only estimators of these kinds. ``None`` keeps all.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name.

    Examples
    --------
    >>> from micfp.utils import all_estimators
    >>> names = [name for name, _ in all_estimators(type_filter="transformer")]
    >>> "NoiseResidual" in names
    True
    """
    if type_filter is None:
        kinds = []
    elif isinstance(type_filter, str):
        kinds = [type_filter]
    else:
        kinds = list(type_filter)
    unknown = sorted(set(kinds) - set(_TYPE_FILTERS))
    if unknown:
        raise ValueError(
            f"type_filter must be None or among {sorted(_TYPE_FILTERS)}; got {unknown}."
        )

    found = {}
    for module in _public_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("micfp.")
                and not name.startswith(("_", "Base"))
                and not inspect.isabstract(cls)
            ):
                found[name] = cls

    estimators = sorted(found.items(), key=itemgetter(0))
    if kinds:
        mixins = tuple(_TYPE_FILTERS[kind] for kind in kinds)
        estimators = [(n, c) for n, c in estimators if issubclass(c, mixins)]
    return estimators
