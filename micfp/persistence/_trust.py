"""Which classes a model file may name, and how a name becomes a class."""

import importlib
import inspect
import re

from sklearn.base import BaseEstimator

# "package.module.Class": dotted Python identifiers, a module and a class name.
_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\Z", re.ASCII)
# Packages whose classes are trusted without being listed; micfp's classes
# must also be estimators.
_TRUSTED_PACKAGES = ("micfp", "sklearn")
# Installed test suites are code too, but no model needs them.
_TEST_MODULE_PARTS = re.compile(r"\A(?:tests?|conftest|test_\w*|\w*_tests?)\Z")


def type_name(cls):
    """Return the full name ``module.qualname`` a class is saved under."""
    return f"{cls.__module__}.{cls.__qualname__}"


def normalize_trusted(trusted):
    """Return the set of full names in ``trusted`` (None, a name, a class, or a list).

    Raises
    ------
    TypeError
        If an entry is neither a string nor a class.
    """
    if trusted is None:
        return frozenset()
    if isinstance(trusted, str) or inspect.isclass(trusted):
        trusted = [trusted]
    message = "trusted must hold classes or full class names such as "
    try:
        entries = list(trusted)
    except TypeError:
        raise TypeError(f"{message}'mypackage.MyEstimator'; got {trusted!r}.") from None
    names = set()
    for entry in entries:
        if inspect.isclass(entry):
            names.add(type_name(entry))
        elif isinstance(entry, str):
            names.add(entry)
        else:
            raise TypeError(f"{message}'mypackage.MyEstimator'; got {entry!r}.")
    return frozenset(names)


def import_class(name):
    """Return the class saved under ``name``, or None when there is none.

    ``name`` must be a class's full name as :func:`type_name` writes it: the
    module is imported and one attribute of it is looked up, which must be a
    class defined under that very name.
    """
    if not _NAME.match(name):
        return None
    module_name, _, attribute = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    cls = getattr(module, attribute, None)
    if not inspect.isclass(cls) or type_name(cls) != name:
        return None
    return cls


def _trusted_by_default(name):
    if not _NAME.match(name):
        return False
    parts = name.split(".")
    if parts[0] not in _TRUSTED_PACKAGES or any(
        _TEST_MODULE_PARTS.match(part) for part in parts[1:-1]
    ):
        return False
    cls = import_class(name)
    if cls is None:
        return False
    return parts[0] == "sklearn" or issubclass(cls, BaseEstimator)


def is_trusted(name, trusted):
    """Whether the class ``name`` may be built, given the extra ``trusted`` names.

    Names outside micfp, scikit-learn and ``trusted`` are refused without
    importing anything.
    """
    return name in trusted or _trusted_by_default(name)
