"""Errors raised when a model cannot be saved or loaded safely."""


class UntrustedTypeError(ValueError):
    """A model file names classes that are not trusted.

    :func:`load_model` only builds micfp estimators, scikit-learn classes and
    the classes passed in ``trusted``. It raises this error, before importing
    or building anything, when the file names any other class. The message
    lists the names; :func:`get_untrusted_types` lists them without loading.

    Parameters
    ----------
    types : list of str
        Full names (``module.Class``) of the untrusted classes.

    Attributes
    ----------
    types : list of str
        The names given, as a list.

    Examples
    --------
    >>> from micfp.persistence import UntrustedTypeError
    >>> error = UntrustedTypeError(["os.system"])
    >>> error.types
    ['os.system']
    >>> isinstance(error, ValueError)
    True
    """

    def __init__(self, types):
        self.types = list(types)
        names = ", ".join(repr(name) for name in self.types)
        super().__init__(
            f"The model file names types that are not trusted: {names}. Nothing "
            "was imported or built. Only load files from sources you trust; if "
            "you trust these types, pass them to load_model, for example "
            f"load_model(file, trusted={self.types!r})."
        )


class InvalidModelFileError(ValueError):
    """A file that is not a valid micfp model file.

    Raised for a file that is not a zip archive or is corrupted, a manifest
    that is not valid JSON or does not follow the format, arrays that hold
    Python objects, network weights that hold anything but tensors, and
    classes that cannot be rebuilt from the state the file gives them.

    Examples
    --------
    >>> import io
    >>> from micfp.persistence import InvalidModelFileError, load_model
    >>> try:
    ...     load_model(io.BytesIO(b"not a zip archive"))
    ... except InvalidModelFileError as error:
    ...     print(error)
    Not a micfp model file: it is not a zip archive.
    """


class UnsupportedValueError(ValueError):
    """A value that the safe format cannot store.

    :func:`save_model` stores plain values, arrays, numpy scalars, dtypes,
    random generators and the attributes of trusted estimators. It raises
    this error for anything else (functions, lambdas, objects of other
    classes), naming the attribute path of the value.

    Examples
    --------
    >>> import io
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from micfp.persistence import UnsupportedValueError, save_model
    >>> try:
    ...     save_model(FunctionTransformer(func=abs), io.BytesIO())
    ... except UnsupportedValueError as error:
    ...     print(str(error)[:52])
    Cannot save model.func: it is a function (abs), and
    """
