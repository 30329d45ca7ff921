"""The layout of a model file, shared by the writer and the reader.

A model file is a zip archive:

- ``manifest.json``: a header and the model as a tree of nodes;
- ``arrays/<id>.npy``: one NumPy array per ``"array"`` node, read back with
  ``allow_pickle=False``;
- ``weights/<id>.pt``: the ``state_dict`` of a network, read back with
  ``torch.load(..., weights_only=True)``.

A node is ``null``, a boolean, an integer, a finite float or a string (the
value itself), or a JSON object whose ``"kind"`` names what it holds and
whose other keys are exactly those listed in ``NODE_KEYS``.
"""

import math
import re

import numpy as np

from ._errors import InvalidModelFileError

FORMAT = "micfp-model"
VERSION = 1
MANIFEST = "manifest.json"

NODE_KEYS = {
    "float": {"value"},
    "bytes": {"hex"},
    "slice": {"start", "stop", "step"},
    "list": {"items"},
    "tuple": {"items"},
    "set": {"items"},
    "frozenset": {"items"},
    "dict": {"items"},
    "array": {"id", "file"},
    "object_array": {"id", "shape", "items"},
    "masked_array": {"id", "data", "mask", "fill_value"},
    "scalar": {"dtype", "hex"},
    "dtype": {"value"},
    "type": {"value"},
    "random_state": {"id", "state"},
    "generator": {"id", "state"},
    "object": {"id", "class", "attributes"},
    "mapping": {"id", "class", "attributes", "items"},
    "network": {"id", "class", "attributes", "weights", "history"},
    "ref": {"id"},
}
SEQUENCE_KINDS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

# Plain dtypes only: booleans, numbers, strings, bytes, dates and durations,
# in one byte order; no Python objects, no records.
_DTYPE = re.compile(r"[<>|=][biufcSUmM]\d+(?:\[\d*\w+\])?\Z", re.ASCII)

BUILTIN_TYPES = {t.__name__: t for t in (bool, int, float, complex, str, bytes)}
NUMPY_TYPES = {
    f"numpy.{t.__name__}": t
    for t in {
        *np.sctypeDict.values(),
        np.generic,
        np.number,
        np.integer,
        np.signedinteger,
        np.unsignedinteger,
        np.inexact,
        np.floating,
        np.complexfloating,
    }
    if t is not np.object_
}
BIT_GENERATORS = {
    cls.__name__: cls
    for cls in (
        np.random.MT19937,
        np.random.PCG64,
        np.random.PCG64DXSM,
        np.random.Philox,
        np.random.SFC64,
    )
}


def dtype_string(dtype):
    """``dtype.str`` if the dtype is plain enough to store, else None."""
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        return None
    text = dtype.str
    return text if _DTYPE.match(text) else None


def parse_dtype(text, path):
    """Return the dtype written as ``text`` by :func:`dtype_string`."""
    if not isinstance(text, str) or not _DTYPE.match(text):
        raise invalid(path, f"{text!r} is not a plain dtype")
    try:
        return np.dtype(text)
    except TypeError as exc:
        raise invalid(path, f"{text!r} is not a dtype") from exc


def invalid(path, message):
    """Return the error for a manifest node at ``path`` that breaks the format."""
    return InvalidModelFileError(f"Invalid model file: {path}: {message}.")


def _is_id(value):
    return type(value) is int and value >= 0


def _check_keys(node, path):
    kind = node.get("kind")
    if kind not in NODE_KEYS:
        raise invalid(path, f"unknown kind {kind!r}")
    keys = set(node) - {"kind"}
    if keys != NODE_KEYS[kind]:
        raise invalid(
            path,
            f"{kind!r} nodes have the keys {sorted(NODE_KEYS[kind])}, "
            f"not {sorted(keys)}",
        )
    return kind


def _expect(condition, path, message):
    if not condition:
        raise invalid(path, message)


def check_manifest(manifest):
    """Check a parsed manifest against the format.

    Returns
    -------
    classes : set of str
        Full names of the classes the manifest asks to build.

    Raises
    ------
    InvalidModelFileError
        If anything in the manifest breaks the format.
    """
    _expect(isinstance(manifest, dict), "manifest", "not a JSON object")
    _expect(manifest.get("format") == FORMAT, "manifest", "not a micfp model file")
    version = manifest.get("version")
    _expect(type(version) is int, "manifest", "no format version")
    _expect(
        version <= VERSION,
        "manifest",
        f"format version {version} is newer than this micfp reads ({VERSION}); "
        "upgrade micfp",
    )
    _expect("model" in manifest, "manifest", "no model")
    classes = set()
    defined = set()
    _check_node(manifest["model"], "model", classes, defined)
    return classes


def _check_node(node, path, classes, defined):
    if node is None or type(node) in (bool, int, str):
        return
    if type(node) is float:
        _expect(math.isfinite(node), path, "non-finite floats need a 'float' node")
        return
    _expect(type(node) is dict, path, f"a node cannot be a JSON {type(node).__name__}")
    kind = _check_keys(node, path)
    if "id" in node:
        _expect(_is_id(node["id"]), path, "'id' must be a non-negative integer")
        if kind == "ref":
            _expect(node["id"] in defined, path, "refers to no earlier node")
            return
        _expect(node["id"] not in defined, path, f"id {node['id']} is used twice")
        defined.add(node["id"])
    if "class" in node:
        _expect(isinstance(node["class"], str), path, "'class' must be a string")
        classes.add(node["class"])
    check = _CHECKS.get(kind)
    if check is not None:
        check(node, path, classes, defined)


def _check_items(node, path, classes, defined):
    items = node["items"]
    _expect(type(items) is list, path, "'items' must be a list")
    for i, item in enumerate(items):
        _check_node(item, f"{path}[{i}]", classes, defined)


def _check_dict(node, path, classes, defined):
    items = node["items"]
    _expect(type(items) is list, path, "'items' must be a list")
    for i, pair in enumerate(items):
        _expect(
            type(pair) is list and len(pair) == 2,
            f"{path}[{i}]",
            "a dict item must be a [key, value] pair",
        )
        _check_node(pair[0], f"{path}[{i}].key", classes, defined)
        _check_node(pair[1], f"{path}[{i}].value", classes, defined)


def _check_object_array(node, path, classes, defined):
    shape = node["shape"]
    _expect(
        type(shape) is list and all(_is_id(n) for n in shape),
        path,
        "'shape' must be a list of non-negative integers",
    )
    _check_items(node, path, classes, defined)
    _expect(
        len(node["items"]) == math.prod(shape),
        path,
        f"{len(node['items'])} items do not fill the shape {tuple(shape)}",
    )


def _check_masked_array(node, path, classes, defined):
    for key in ("data", "mask", "fill_value"):
        _check_node(node[key], f"{path}.{key}", classes, defined)


def _check_strings(*keys):
    def check(node, path, classes, defined):
        for key in keys:
            _expect(isinstance(node[key], str), path, f"{key!r} must be a string")

    return check


def _check_slice(node, path, classes, defined):
    for key in ("start", "stop", "step"):
        _check_node(node[key], f"{path}.{key}", classes, defined)


def _check_state(node, path, classes, defined):
    _check_node(node["state"], f"{path}.state", classes, defined)


def _check_attributes(node, path, classes, defined):
    attributes = node["attributes"]
    _expect(type(attributes) is dict, path, "'attributes' must be a JSON object")
    for name, value in attributes.items():
        _check_node(value, f"{path}.{name}", classes, defined)


def _check_mapping(node, path, classes, defined):
    _check_attributes(node, path, classes, defined)
    _check_dict(node, path, classes, defined)


def _check_network(node, path, classes, defined):
    _check_attributes(node, path, classes, defined)
    _expect(isinstance(node["weights"], str), path, "'weights' must be a string")
    _check_node(node["history"], f"{path}.history_", classes, defined)


_CHECKS = {
    "float": _check_strings("value"),
    "bytes": _check_strings("hex"),
    "slice": _check_slice,
    **dict.fromkeys(SEQUENCE_KINDS, _check_items),
    "dict": _check_dict,
    "array": _check_strings("file"),
    "object_array": _check_object_array,
    "masked_array": _check_masked_array,
    "scalar": _check_strings("dtype", "hex"),
    "dtype": _check_strings("value"),
    "type": _check_strings("value"),
    "random_state": _check_state,
    "generator": _check_state,
    "object": _check_attributes,
    "mapping": _check_mapping,
    "network": _check_network,
}
