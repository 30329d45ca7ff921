"""Rebuilding a model from a checked manifest, its arrays and its weights."""

import io
import zipfile

import numpy as np

from ._errors import InvalidModelFileError
from ._format import (
    BIT_GENERATORS,
    BUILTIN_TYPES,
    NON_FINITE,
    NUMPY_TYPES,
    SEQUENCE_KINDS,
    invalid,
    parse_dtype,
)
from ._trust import import_class


def _hex(text, path):
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise invalid(path, "'hex' is not hexadecimal") from exc


class Reader:
    """Decodes the nodes of a manifest that :func:`check_manifest` accepted.

    Every class the manifest names must have been checked as trusted before.

    Parameters
    ----------
    archive : zipfile.ZipFile
        The model file, open for reading.
    """

    def __init__(self, archive):
        self.archive = archive
        self._shared = {}

    def _member(self, name, path):
        try:
            return self.archive.open(name)
        except KeyError as exc:
            raise invalid(path, f"the archive holds no {name!r}") from exc

    def decode(self, node, path):
        """Return the value of ``node``, found at manifest path ``path``."""
        if type(node) is not dict:
            return node
        kind = node["kind"]
        if kind == "ref":
            if node["id"] not in self._shared:
                raise invalid(path, "refers to a value that is still being built")
            return self._shared[node["id"]]
        if kind == "float":
            if node["value"] not in NON_FINITE:
                raise invalid(path, f"{node['value']!r} is not a non-finite float")
            return NON_FINITE[node["value"]]
        if kind == "bytes":
            return _hex(node["hex"], path)
        if kind == "slice":
            return slice(
                *(
                    self.decode(node[key], f"{path}.{key}")
                    for key in ("start", "stop", "step")
                )
            )
        if kind in SEQUENCE_KINDS:
            items = [
                self.decode(item, f"{path}[{i}]")
                for i, item in enumerate(node["items"])
            ]
            try:
                return SEQUENCE_KINDS[kind](items)
            except TypeError as exc:
                raise invalid(path, f"a {kind} of unhashable items") from exc
        if kind == "dict":
            return self._dict(node, path)
        if kind == "dtype":
            return parse_dtype(node["value"], path)
        if kind == "type":
            known = BUILTIN_TYPES.get(node["value"]) or NUMPY_TYPES.get(node["value"])
            if known is None:
                raise invalid(path, f"{node['value']!r} is not a known scalar type")
            return known
        if kind == "scalar":
            return self._scalar(node, path)
        return getattr(self, f"_{kind}")(node, path)

    def _share(self, node, value):
        self._shared[node["id"]] = value
        return value

    def _dict(self, node, path, result=None):
        result = {} if result is None else result
        for i, (key, value) in enumerate(node["items"]):
            key = self.decode(key, f"{path}[{i}].key")
            try:
                dict.__setitem__(result, key, self.decode(value, f"{path}[{key!r}]"))
            except TypeError as exc:
                raise invalid(path, f"the key {key!r} is not hashable") from exc
        return result

    def _scalar(self, node, path):
        dtype = parse_dtype(node["dtype"], path)
        data = _hex(node["hex"], path)
        if len(data) != dtype.itemsize:
            raise invalid(path, f"{len(data)} bytes do not make one {dtype} value")
        if not data:  # an empty string or bytes scalar
            return dtype.type()
        return np.frombuffer(data, dtype=dtype)[0]

    def _array(self, node, path):
        with self._member(node["file"], path) as member:
            try:
                array = np.lib.format.read_array(member, allow_pickle=False)
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise invalid(
                    path, f"{node['file']!r} is not a valid array: {exc}"
                ) from exc
        return self._share(node, array)

    def _object_array(self, node, path):
        array = self._share(node, np.empty(node["shape"], dtype=object))
        flat = array.reshape(-1)
        for i, item in enumerate(node["items"]):
            flat[i] = self.decode(item, f"{path}[{i}]")
        return array

    def _masked_array(self, node, path):
        parts = {
            key: self.decode(node[key], f"{path}.{key}")
            for key in ("data", "mask", "fill_value")
        }
        if not all(isinstance(parts[key], np.ndarray) for key in ("data", "mask")):
            raise invalid(path, "the data and the mask must be arrays")
        try:
            array = np.ma.MaskedArray(**parts)
        except (TypeError, ValueError, np.ma.MaskError) as exc:
            raise invalid(path, f"not a masked array: {exc}") from exc
        return self._share(node, array)

    def _random_state(self, node, path):
        state = self.decode(node["state"], f"{path}.state")
        generator = np.random.RandomState()
        try:
            generator.set_state(state)
        except (TypeError, ValueError, KeyError) as exc:
            raise invalid(path, f"not the state of a RandomState: {exc}") from exc
        return self._share(node, generator)

    def _generator(self, node, path):
        state = self.decode(node["state"], f"{path}.state")
        bit_generator = BIT_GENERATORS.get(
            state.get("bit_generator") if isinstance(state, dict) else None
        )
        if bit_generator is None:
            raise invalid(path, "not the state of a known bit generator")
        bits = bit_generator()
        try:
            bits.state = state
        except (TypeError, ValueError, KeyError) as exc:
            raise invalid(
                path, f"not the state of a {bit_generator.__name__}: {exc}"
            ) from exc
        return self._share(node, np.random.Generator(bits))

    def _new(self, node, path):
        cls = import_class(node["class"])
        if cls is None:
            raise invalid(
                path, f"{node['class']!r} is not a class that can be imported"
            )
        try:
            obj = cls.__new__(cls)
        except TypeError as exc:
            raise invalid(
                path, f"{node['class']} cannot be built from attributes"
            ) from exc
        return self._share(node, obj)

    def _fill(self, obj, node, path):
        state = {
            name: self.decode(value, f"{path}.{name}")
            for name, value in node["attributes"].items()
        }
        try:
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            raise invalid(
                path, f"{node['class']} rejects its attributes: {exc}"
            ) from exc
        return obj

    def _object(self, node, path):
        return self._fill(self._new(node, path), node, path)

    def _mapping(self, node, path):
        obj = self._object(node, path)
        if not isinstance(obj, dict):
            raise invalid(path, f"{node['class']} is not a dict")
        return self._dict(node, path, result=obj)

    def _network(self, node, path):
        import torch

        obj = self._new(node, path)
        if not callable(getattr(obj, "set_network_state", None)):
            raise invalid(path, f"{node['class']} is not a micfp network")
        self._fill(obj, node, path)
        history = self.decode(node["history"], f"{path}.history_")
        if type(history) is not list or not all(type(r) is dict for r in history):
            raise invalid(path, "the history must be a list of dicts")
        with self._member(node["weights"], path) as member:
            data = member.read()
        try:
            weights = torch.load(
                io.BytesIO(data), map_location="cpu", weights_only=True
            )
        except Exception as exc:  # torch reports refused content in several types
            raise invalid(
                path, f"{node['weights']!r} is not a file of tensors: {exc}"
            ) from exc
        if not isinstance(weights, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor)
            for k, v in weights.items()
        ):
            raise invalid(path, f"{node['weights']!r} does not map names to tensors")
        try:
            obj.set_network_state({"weights": weights, "history": history})
        except (RuntimeError, ValueError, TypeError, AttributeError) as exc:
            raise invalid(path, f"the network cannot be rebuilt: {exc}") from exc
        return obj


def read_member(archive, name):
    """Return the bytes of member ``name``; raise if there is none."""
    try:
        return archive.read(name)
    except KeyError as exc:
        raise InvalidModelFileError(
            f"Not a micfp model file: the archive holds no {name!r}."
        ) from exc
