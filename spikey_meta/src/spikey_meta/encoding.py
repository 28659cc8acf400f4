"""Lossless JSON encoding of experiment data: arrays, numpy scalars, tuples, sets, odd keys.

Plain JSON cannot tell a tuple from a list, an int array from a float one, or say ``NaN``. Logs
therefore use a small *tagged* encoding: every value JSON cannot carry exactly becomes a one-tag
object, readable by eye and by any JSON tool::

    np.array([[1, 2]], dtype=np.int8)  ->  {"__ndarray__": [[1, 2]], "dtype": "int8", "shape": [1, 2]}
    np.float32(0.5)                    ->  {"__scalar__": 0.5, "dtype": "float32"}
    float("nan")                       ->  {"__float__": "nan"}
    (1, "a")                           ->  {"__tuple__": [1, "a"]}
    {1, 2}                             ->  {"__set__": [1, 2]}
    {(0, 1): "x"}                      ->  {"__dict__": [[{"__tuple__": [0, 1]}, "x"]]}

Mappings with only string keys (none of them starting with ``__``) stay plain JSON objects; lists
stay lists (ragged and nested ones included). :func:`decode` inverts :func:`encode` exactly for
None, bool, int, float (NaN and infinities included), str, list, tuple, set, frozenset, dict with
hashable keys of these kinds, numpy scalars and numpy arrays of bool, integer, float, complex and
str dtypes (any shape, 0-d and empty included) and masked arrays.

Objects outside that list cannot be rebuilt without importing and trusting code, so they are
stored by name: classes and functions as ``{"__callable__": "module:qualname"}`` (the form
``Network.save`` and TOML ``type`` entries use), anything else as ``{"__repr__": repr(obj)}``; both
decode to that string. :func:`encode` warns (:class:`LossyLogWarning`), naming where the value sat,
when the stored name cannot bring the object back (a ``repr``, a lambda, a local function).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

TAGS = (
    "__ndarray__",
    "__masked__",
    "__scalar__",
    "__float__",
    "__tuple__",
    "__set__",
    "__frozenset__",
    "__dict__",
    "__callable__",
    "__repr__",
)

_FLOAT_NAMES = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class LossyLogWarning(UserWarning):
    """A value was stored by name or representation and will not come back as the same object."""


# -- encoding -------------------------------------------------------------------------------------
def encode(value: Any, where: str = "$") -> Any:
    """A JSON-safe (strict JSON, no NaN literals) structure that :func:`decode` turns back into ``value``.

    Parameters
    ----------
    value : any
        The data to encode.
    where : str
        Location of ``value`` in the whole document, used in :class:`LossyLogWarning` messages.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        return _encode_array(value, where)
    if isinstance(value, np.generic):
        return _encode_numpy_scalar(value, where)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _encode_float(float(value))
    if isinstance(value, list):
        return [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]}
    if isinstance(value, (set, frozenset)):
        tag = "__set__" if isinstance(value, set) else "__frozenset__"
        return {tag: [encode(item, f"{where}{{}}") for item in _stable_order(value)]}
    if isinstance(value, Mapping):
        return _encode_mapping(value, where)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, type) or callable(value):
        name = f"{getattr(value, '__module__', '?')}:{getattr(value, '__qualname__', repr(value))}"
        if "<" in name or name.startswith("?"):  # lambdas and local functions cannot be imported back
            _warn(where, f"the callable {name} is stored by name but cannot be imported from it")
        return {"__callable__": name}
    _warn(where, f"{type(value).__name__} objects are stored by their repr()")
    return {"__repr__": repr(value)}


def _warn(where: str, what: str) -> None:
    warnings.warn(f"{where}: {what}; it will be read back as a string", LossyLogWarning, stacklevel=3)


def _encode_float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"__float__": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _encode_mapping(value: Mapping, where: str) -> Any:
    plain = all(isinstance(k, str) and not k.startswith("__") for k in value)
    if plain:
        return {k: encode(v, f"{where}.{k}") for k, v in value.items()}
    return {"__dict__": [[encode(k, where), encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}


def _stable_order(items: Any) -> list:
    try:
        return sorted(items)
    except TypeError:  # mixed types: any deterministic order will do
        return sorted(items, key=repr)


def _encode_numpy_scalar(value: np.generic, where: str) -> Any:
    return {"__scalar__": _array_data(np.asarray(value), where), "dtype": _dtype_name(value.dtype)}


def _encode_array(array: np.ndarray, where: str) -> Any:
    if isinstance(array, np.ma.MaskedArray):
        data = _encode_array(np.ma.getdata(array), where)
        mask = _encode_array(np.ma.getmaskarray(array), where)
        return {"__masked__": data, "mask": mask}
    return {
        "__ndarray__": _array_data(array, where),
        "dtype": _dtype_name(array.dtype),
        "shape": list(array.shape),
    }


def _dtype_name(dtype: np.dtype) -> str:
    # ``str(dtype)`` is the readable name ("float32"); byte-order-specific or fixed-width string
    # dtypes need the exact ``dtype.str`` ("<U5", ">i4") to come back unchanged.
    name = str(dtype)
    return name if np.dtype(name) == dtype and dtype.kind not in "USV" else dtype.str


def _array_data(array: np.ndarray, where: str) -> Any:
    kind = array.dtype.kind
    if kind in "biu":
        return array.tolist()
    if kind == "f":
        return _map_nested(array.astype(np.float64).tolist(), _encode_float)
    if kind == "c":
        pairs = np.stack([array.real, array.imag], axis=-1).astype(np.float64)
        return _map_nested(pairs.tolist(), _encode_float)
    if kind == "U":
        return array.tolist()
    if kind == "S":
        return _map_nested(array.tolist(), lambda b: b.decode("latin-1"))
    if kind == "O":
        flat = [encode(item, f"{where}[{i}]") for i, item in enumerate(array.ravel().tolist())]
        return flat
    _warn(where, f"arrays of dtype {array.dtype} are stored by their repr()")
    return repr(array)


def _map_nested(data: Any, function: Any) -> Any:
    if isinstance(data, list):
        return [_map_nested(item, function) for item in data]
    return function(data)


# -- decoding -------------------------------------------------------------------------------------
def decode(data: Any) -> Any:
    """Rebuild the value :func:`encode` encoded."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    tag = next((key for key in data if key in TAGS), None)
    if tag is None:
        return {key: decode(value) for key, value in data.items()}
    payload = data[tag]
    if tag == "__ndarray__":
        return _decode_array(payload, data["dtype"], data["shape"])
    if tag == "__masked__":
        return np.ma.MaskedArray(decode(payload), mask=decode(data["mask"]))
    if tag == "__scalar__":
        return _decode_array(payload, data["dtype"], [])[()]
    if tag == "__float__":
        return _FLOAT_NAMES[payload]
    if tag == "__tuple__":
        return tuple(decode(item) for item in payload)
    if tag == "__set__":
        return {decode(item) for item in payload}
    if tag == "__frozenset__":
        return frozenset(decode(item) for item in payload)
    if tag == "__dict__":
        return {_hashable(decode(key)): decode(value) for key, value in payload}
    return payload  # __callable__ / __repr__: the stored name


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _decode_float(item: Any) -> float:
    if isinstance(item, dict):
        return _FLOAT_NAMES[item["__float__"]]
    return float(item)


def _decode_array(payload: Any, dtype_name: str, shape: list[int]) -> np.ndarray:
    dtype = np.dtype(dtype_name)
    shape = tuple(shape)
    kind = dtype.kind
    if kind == "O":
        array = np.empty(len(payload), dtype=object)
        array[:] = [decode(item) for item in payload] if payload else []
        return array.reshape(shape)
    if kind == "f":
        return np.array(_map_nested(payload, _decode_float), dtype=np.float64).astype(dtype).reshape(shape)
    if kind == "c":
        pairs = np.array(_map_nested(payload, _decode_float), dtype=np.float64).reshape((*shape, 2))
        return (pairs[..., 0] + 1j * pairs[..., 1]).astype(dtype)
    if kind == "S":
        return np.array(_map_nested(payload, lambda s: s.encode("latin-1")), dtype=dtype).reshape(shape)
    return np.array(payload, dtype=dtype).reshape(shape)


# -- readable JSON text ---------------------------------------------------------------------------
def iter_json(data: Any, indent: int = 1, _level: int = 0) -> Iterator[str]:
    """Pieces of the JSON text of ``data`` (already encoded), indented by structure.

    Lists holding only numbers, strings, booleans and nulls are written on one line, so a weight
    matrix reads as rows instead of one number per line.
    """
    import json

    pad = " " * (indent * (_level + 1))
    end_pad = " " * (indent * _level)
    if isinstance(data, dict) and data:
        if _is_flat_tag(data):
            yield json.dumps(data, allow_nan=False, separators=(", ", ": "))
            return
        yield "{\n"
        for i, (key, value) in enumerate(data.items()):
            yield f"{pad}{json.dumps(key)}: "
            yield from iter_json(value, indent, _level + 1)
            yield ",\n" if i < len(data) - 1 else "\n"
        yield end_pad + "}"
    elif isinstance(data, list) and data and not _is_leaf_list(data):
        yield "[\n"
        for i, item in enumerate(data):
            yield pad
            yield from iter_json(item, indent, _level + 1)
            yield ",\n" if i < len(data) - 1 else "\n"
        yield end_pad + "]"
    else:
        yield json.dumps(data, allow_nan=False, separators=(", ", ": "))


def _is_leaf_list(data: list) -> bool:
    return all(not isinstance(item, (dict, list)) for item in data)


def _is_flat_tag(data: dict) -> bool:
    """Small tagged values (scalars, floats, short arrays) print on one line."""
    tag = next((key for key in data if key in TAGS), None)
    if tag in ("__scalar__", "__float__", "__callable__", "__repr__"):
        return True
    if tag == "__ndarray__":
        payload = data[tag]
        return not isinstance(payload, list) or _is_leaf_list(payload)
    return False
