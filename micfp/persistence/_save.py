"""Turning a model into a manifest, arrays and network weights."""

import inspect
import io
import math
import types

import numpy as np

from ._errors import UnsupportedValueError
from ._format import (
    BIT_GENERATORS,
    BUILTIN_TYPES,
    NUMPY_TYPES,
    SEQUENCE_KINDS,
    dtype_string,
)
from ._trust import import_class, is_trusted, type_name

_FUNCTION_TYPES = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.BuiltinMethodType,
    types.LambdaType,
    np.ufunc,
)


# Fitted attributes that a network's state (``get_network_state``) replaces.
_NETWORK_ATTRIBUTES = ("net_", "history_")


def _saves_network(value, state):
    """Whether ``value`` is a fitted estimator that persists a network itself."""
    return callable(getattr(value, "get_network_state", None)) and "net_" in state


def _unsupported(path, what):
    return UnsupportedValueError(
        f"Cannot save {path}: it is {what}, and the safe format only stores "
        "None, bool, int, float, str, bytes, slices, lists, tuples, sets, "
        "dicts, NumPy arrays (masked ones too), scalars and dtypes, random "
        "generators and the attributes of micfp estimators and scikit-learn "
        "classes. Use pickle or joblib for this model, or pass a class you own "
        "in trusted=."
    )


class Writer:
    """Encodes a model into manifest nodes, collecting arrays and weights.

    Parameters
    ----------
    trusted : frozenset of str
        Further classes whose instances may be saved.
    """

    def __init__(self, trusted):
        self.trusted = trusted
        self.arrays = {}
        self.weights = {}
        self._ids = {}
        # Objects stay referenced while encoding, so that their ids stay unique.
        self._seen = []
        self._active = set()

    def _shared(self, value):
        """Return the node id of ``value``, and whether it was encoded already."""
        key = id(value)
        if key in self._ids:
            return self._ids[key], True
        self._ids[key] = len(self._seen)
        self._seen.append(value)
        return self._ids[key], False

    def encode(self, value, path):
        """Return the manifest node of ``value``, found at attribute path ``path``."""
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return (
                value
                if math.isfinite(value)
                else {"kind": "float", "value": str(value)}
            )
        if kind is bytes:
            return {"kind": "bytes", "hex": value.hex()}
        if kind is slice:
            return {
                "kind": "slice",
                **{
                    key: self.encode(getattr(value, key), f"{path}.{key}")
                    for key in ("start", "stop", "step")
                },
            }
        if kind in (list, tuple, set, frozenset, dict):
            return self._container(value, path)
        if kind is np.ndarray:
            return self._array(value, path)
        if kind is np.ma.MaskedArray:
            return self._masked_array(value, path)
        if isinstance(value, np.generic):
            return self._scalar(value, path)
        if isinstance(value, np.dtype):
            text = dtype_string(value)
            if text is None:
                raise _unsupported(path, f"the dtype {value!r}")
            return {"kind": "dtype", "value": text}
        if inspect.isclass(value):
            return self._type(value, path)
        if kind is np.random.RandomState:
            return self._generator("random_state", value, path)
        if kind is np.random.Generator:
            return self._generator("generator", value, path)
        if isinstance(value, _FUNCTION_TYPES):
            name = getattr(value, "__qualname__", None) or getattr(
                value, "__name__", repr(value)
            )
            raise _unsupported(path, f"a function ({name})")
        return self._object(value, path)

    def _container(self, value, path):
        if id(value) in self._active:
            raise _unsupported(path, "a container that holds itself")
        self._active.add(id(value))
        try:
            if type(value) is dict:
                return {"kind": "dict", "items": self._items(value, path)}
            kind = next(k for k, t in SEQUENCE_KINDS.items() if type(value) is t)
            if kind in ("set", "frozenset"):
                # A stable order, so that a model gives the same file every time.
                value = sorted(value, key=repr)
            items = [self.encode(item, f"{path}[{i}]") for i, item in enumerate(value)]
            return {"kind": kind, "items": items}
        finally:
            self._active.discard(id(value))

    def _items(self, mapping, path):
        return [
            [
                self.encode(key, f"{path}[{key!r}].key"),
                self.encode(item, f"{path}[{key!r}]"),
            ]
            for key, item in dict.items(mapping)
        ]

    def _array(self, value, path):
        node_id, seen = self._shared(value)
        if seen:
            return {"kind": "ref", "id": node_id}
        if value.dtype.hasobject and value.dtype.fields is None:
            flat = value.reshape(-1)
            items = [self.encode(item, f"{path}[{i}]") for i, item in enumerate(flat)]
            return {
                "kind": "object_array",
                "id": node_id,
                "shape": list(value.shape),
                "items": items,
            }
        if dtype_string(value.dtype) is None:
            raise _unsupported(path, f"an array of dtype {value.dtype!r}")
        name = f"arrays/{node_id}.npy"
        self.arrays[name] = value
        return {"kind": "array", "id": node_id, "file": name}

    def _masked_array(self, value, path):
        node_id, seen = self._shared(value)
        if seen:
            return {"kind": "ref", "id": node_id}
        return {
            "kind": "masked_array",
            "id": node_id,
            "data": self.encode(value.data, f"{path}.data"),
            "mask": self.encode(np.ma.getmaskarray(value), f"{path}.mask"),
            "fill_value": self.encode(value.fill_value, f"{path}.fill_value"),
        }

    def _scalar(self, value, path):
        text = dtype_string(value.dtype)
        if text is None:
            raise _unsupported(path, f"a NumPy scalar of dtype {value.dtype!r}")
        return {
            "kind": "scalar",
            "dtype": text,
            # Empty strings report itemsize 0 but give a padding byte.
            "hex": value.tobytes()[: value.dtype.itemsize].hex(),
        }

    def _type(self, value, path):
        for name, known in (*BUILTIN_TYPES.items(), *NUMPY_TYPES.items()):
            if value is known:
                return {"kind": "type", "value": name}
        raise _unsupported(path, f"the class {type_name(value)} itself")

    def _generator(self, kind, value, path):
        node_id, seen = self._shared(value)
        if seen:
            return {"kind": "ref", "id": node_id}
        if kind == "random_state":
            state = value.get_state(legacy=False)
        else:
            state = value.bit_generator.state
            if state.get("bit_generator") not in BIT_GENERATORS:
                raise _unsupported(path, "a Generator of an unknown bit generator")
        return {
            "kind": kind,
            "id": node_id,
            "state": self.encode(state, f"{path}.state"),
        }

    def _object(self, value, path):
        cls = type(value)
        name = type_name(cls)
        if not is_trusted(name, self.trusted):
            raise _unsupported(path, f"an instance of {name}, which is not trusted")
        if import_class(name) is not cls:
            raise _unsupported(
                path, f"an instance of {name}, which cannot be imported by that name"
            )
        node_id, seen = self._shared(value)
        if seen:
            return {"kind": "ref", "id": node_id}
        state = value.__getstate__()
        if state is None:
            state = {}
        if type(state) is not dict:
            raise _unsupported(
                path, f"an instance of {name}, whose state is not a dict of attributes"
            )
        node = {"kind": "object", "id": node_id, "class": name}
        if _saves_network(value, state):
            return self._network(node, value, state, path)
        if isinstance(value, list | tuple | set | frozenset):
            raise _unsupported(path, f"an instance of {name}, a subclass of a sequence")
        node["attributes"] = self._attributes(state, path)
        if isinstance(value, dict):
            # A dict subclass (scikit-learn's Bunch) keeps its content as items.
            node.update(kind="mapping", items=self._items(value, path))
        return node

    def _attributes(self, state, path):
        attributes = {}
        for key, item in state.items():
            if type(key) is not str:
                raise _unsupported(
                    f"{path}[{key!r}]", "an attribute whose name is not a str"
                )
            attributes[key] = self.encode(item, f"{path}.{key}")
        return attributes

    def _network(self, node, value, state, path):
        import torch

        state = {k: v for k, v in state.items() if k not in _NETWORK_ATTRIBUTES}
        network = value.get_network_state()
        name = f"weights/{node['id']}.pt"
        buffer = io.BytesIO()
        torch.save(network["weights"], buffer)
        self.weights[name] = buffer.getvalue()
        node.update(
            kind="network",
            attributes=self._attributes(state, path),
            weights=name,
            history=self.encode(network["history"], f"{path}.history_"),
        )
        return node
