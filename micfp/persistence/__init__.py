"""Saving fitted models: pickle and joblib, or a format that loads safely.

Every micfp estimator pickles, so :func:`pickle.dump` and :func:`joblib.dump`
save any model. Loading a pickle runs whatever code the file asks for, though;
:func:`save_model` writes a zip of a JSON manifest, ``.npy`` arrays and
network weights that :func:`load_model` rebuilds without unpickling anything,
building only micfp estimators, scikit-learn classes and the classes a user
trusts explicitly.
"""

from ._api import get_untrusted_types, load_model, save_model
from ._errors import InvalidModelFileError, UnsupportedValueError, UntrustedTypeError

__all__ = [
    "InvalidModelFileError",
    "UnsupportedValueError",
    "UntrustedTypeError",
    "get_untrusted_types",
    "load_model",
    "save_model",
]
