"""Saving and loading fitted models in micfp's safe format."""

import json
import zipfile
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from .._version import __version__
from ._errors import InvalidModelFileError, UntrustedTypeError
from ._format import FORMAT, MANIFEST, VERSION, check_manifest
from ._load import Reader, read_member
from ._save import Writer
from ._trust import is_trusted, normalize_trusted


def _versions(with_torch):
    versions = {"micfp": __version__, "numpy": np.__version__}
    packages = ["scikit-learn"] + (["torch", "skorch"] if with_torch else [])
    for package in packages:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:  # pragma: no cover - installed with micfp
            versions[package] = None
    return versions


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _open(file):
    try:
        return zipfile.ZipFile(file, mode="r")
    except zipfile.BadZipFile as exc:
        raise InvalidModelFileError(
            "Not a micfp model file: it is not a zip archive."
        ) from exc


def _read_manifest(archive):
    data = read_member(archive, MANIFEST)
    try:
        manifest = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidModelFileError(
            f"Not a micfp model file: its manifest is not valid JSON ({exc})."
        ) from exc
    try:
        classes = check_manifest(manifest)
    except RecursionError as exc:
        raise InvalidModelFileError(
            "Invalid model file: the manifest is nested too deeply."
        ) from exc
    return manifest, classes


def save_model(model, file, *, trusted=None):
    """Save a fitted (or unfitted) model in a format that loads without pickle.

    The file is a zip archive holding a JSON manifest (the classes and
    attributes of the model), one ``.npy`` file per array and, for the neural
    classifiers, the weights of the network (the ``state_dict`` of
    ``net_.module_``) in PyTorch's format. :func:`load_model` rebuilds the
    model from these parts without unpickling anything, so a model file can
    be shared with people who would not run code from its author.

    Everything in the model must be a plain value: None, bool, int, float,
    str, bytes, lists, tuples, sets and dicts of them, NumPy arrays (object
    arrays of plain values included), NumPy scalars, dtypes and scalar types,
    ``RandomState`` and ``Generator`` instances, and the attributes of micfp
    estimators and of scikit-learn classes (Pipelines, scalers, SVMs,
    Gaussian mixtures...). Functions and objects of other classes are
    refused; the message names their attribute path. Saved networks keep
    their weights and training history, not their optimizer state.

    Nothing is written when the model cannot be saved.

    Parameters
    ----------
    model : object
        The model, usually a fitted estimator or Pipeline.
    file : str, path-like or binary file object
        Where to write the archive (``.micfp`` is a good file extension).
    trusted : list of str or class, str, class or None, default=None
        Further classes whose instances may be saved (full names such as
        ``"mypackage.MyEstimator"``, or the classes). Whoever loads the file
        must trust them as well.

    Raises
    ------
    UnsupportedValueError
        If part of the model is not a value the format can store.

    See Also
    --------
    load_model : Rebuild the model.
    get_untrusted_types : Check what a file would make :func:`load_model` build.
    joblib.dump : Faster and complete, but loading it runs code.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from micfp.features import LogSpectrum
    >>> from micfp.persistence import load_model, save_model
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 256))
    >>> X[10:] = np.cumsum(X[10:], axis=1) * 0.1  # a darker "device"
    >>> y = np.repeat(["phone", "recorder"], 10)
    >>> pipe = make_pipeline(LogSpectrum(n_fft=64), LogisticRegression()).fit(X, y)
    >>> file = io.BytesIO()  # or a path such as "model.micfp"
    >>> save_model(pipe, file)
    >>> loaded = load_model(io.BytesIO(file.getvalue()))
    >>> bool((loaded.predict_proba(X) == pipe.predict_proba(X)).all())
    True
    """
    writer = Writer(normalize_trusted(trusted))
    root = writer.encode(model, "model")
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "versions": _versions(bool(writer.weights)),
        "model": root,
    }
    text = json.dumps(manifest, allow_nan=False, indent=1)
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(MANIFEST, text)
        for name, array in writer.arrays.items():
            with archive.open(name, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
        for name, data in writer.weights.items():
            archive.writestr(name, data)


def get_untrusted_types(file, *, trusted=None):
    """List the classes a model file names that are not trusted.

    Reads and checks the manifest only: nothing from the file is built, and
    no module outside micfp and scikit-learn is imported. Classes are trusted
    when they are micfp estimators, scikit-learn classes, or listed in
    ``trusted``; :func:`load_model` refuses a file for which this list is not
    empty unless the same ``trusted`` is passed to it.

    Parameters
    ----------
    file : str, path-like or binary file object
        A file written by :func:`save_model`.
    trusted : list of str or class, str, class or None, default=None
        Classes to count as trusted besides the default ones.

    Returns
    -------
    types : list of str
        Full names (``module.Class``) of the untrusted classes, sorted.

    Raises
    ------
    InvalidModelFileError
        If the file is not a valid model file.

    See Also
    --------
    load_model : Load the model once its types are trusted.

    Examples
    --------
    >>> import io
    >>> from sklearn.svm import SVC
    >>> from micfp.persistence import get_untrusted_types, save_model
    >>> file = io.BytesIO()
    >>> save_model(SVC(), file)
    >>> get_untrusted_types(file)
    []
    """
    trusted = normalize_trusted(trusted)
    with _open(file) as archive:
        _, classes = _read_manifest(archive)
    return sorted(name for name in classes if not is_trusted(name, trusted))


def load_model(file, *, trusted=None):
    """Load a model saved by :func:`save_model`, without running code from it.

    The manifest is checked first: every class it names must be a micfp
    estimator, a scikit-learn class or listed in ``trusted``, otherwise
    :class:`UntrustedTypeError` is raised before anything is imported or
    built. Arrays are read with ``allow_pickle=False`` and network weights
    with ``torch.load(..., weights_only=True)`` (PyTorch is imported only
    when the file holds a network), so an array of Python objects or a
    pickled object in place of the weights is refused, as is any file that
    breaks the format.

    Parameters
    ----------
    file : str, path-like or binary file object
        A file written by :func:`save_model`.
    trusted : list of str or class, str, class or None, default=None
        Further classes the file may name, as full names
        (``"mypackage.MyEstimator"``) or classes. Only list classes whose
        code you trust; :func:`get_untrusted_types` tells which a file needs.

    Returns
    -------
    model : object
        The model, with the same predictions, bit for bit, as the one saved.

    Raises
    ------
    UntrustedTypeError
        If the file names classes that are not trusted.
    InvalidModelFileError
        If the file is not a valid model file.

    See Also
    --------
    save_model : Write a model file.
    get_untrusted_types : The untrusted classes of a file, without loading it.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from micfp.mixture import GaussianSupervector
    >>> from micfp.persistence import load_model, save_model
    >>> X = np.random.default_rng(0).normal(size=(10, 60))
    >>> gsv = GaussianSupervector(2, frame_width=3, random_state=0).fit(X)
    >>> file = io.BytesIO()
    >>> save_model(gsv, file)
    >>> loaded = load_model(file)
    >>> np.array_equal(loaded.transform(X), gsv.transform(X))
    True
    """
    trusted = normalize_trusted(trusted)
    with _open(file) as archive:
        manifest, classes = _read_manifest(archive)
        untrusted = sorted(name for name in classes if not is_trusted(name, trusted))
        if untrusted:
            raise UntrustedTypeError(untrusted)
        try:
            return Reader(archive).decode(manifest["model"], "model")
        except (zipfile.BadZipFile, EOFError) as exc:
            raise InvalidModelFileError(
                f"Invalid model file: the archive is damaged ({exc})."
            ) from exc
        except RecursionError as exc:
            raise InvalidModelFileError(
                "Invalid model file: the model is nested too deeply."
            ) from exc
