"""The saved-network format: ``PATH.json`` (configuration) plus ``PATH.npz`` (learning state).

A saved network is data, not code. Loading it never imports a module on the file's say-so: part
types must be registered names (or, with ``allow_imports=True``, classes implementing their
protocol), and a callable setting must be one Spikey already knows (a registered class, or the
default of a registered part's setting). Every array is checked against the network the
configuration builds (present, same dtype, same shape, finite) before any of it is used, so a load
either reproduces the saved state exactly or raises :class:`~spikey_core.errors.ConfigError`
naming the file and the array.
"""

from __future__ import annotations

import json
import numbers
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from spikey_core import config as cfg
from spikey_core.errors import ConfigError
from spikey_core.registry import Registry

FORMAT_NAME = "spikey-network"
FORMAT_VERSION = 1
FORMAT = f"{FORMAT_NAME}/{FORMAT_VERSION}"
DOCUMENT_KEYS = ("format", "spec", "seed", "generators", "training")


def import_path(obj: Any) -> str:
    """``module:qualname`` of a class or function."""
    return f"{obj.__module__}:{obj.__qualname__}"


def encode(value: Any) -> Any:
    """Encode config and generator values for JSON; arrays, tuples and callables are tagged."""
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, type) or callable(value):
        return {"__callable__": import_path(value)}
    return value


def known_callables(registry: Registry) -> dict[str, Any]:
    """Import path -> object for every callable a saved network may name without an opt-in:
    the classes of ``registry`` and the callable defaults of their configs."""
    known: dict[str, Any] = {}
    for entry in registry.entries():
        _remember(known, entry.obj)
        config_cls = getattr(entry.obj, "Config", None)
        if config_cls is not None and cfg.is_config_class(config_cls):
            for field in attrs.fields(config_cls):
                default = field.default
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    continue
                if callable(default):
                    _remember(known, default)
    return known


def _remember(known: dict[str, Any], obj: Any) -> None:
    if hasattr(obj, "__module__") and hasattr(obj, "__qualname__"):
        known[import_path(obj)] = obj


def decode(value: Any, where: str, *, known: Mapping[str, Any], allow_imports: bool = False) -> Any:
    """Invert :func:`encode`. ``__callable__`` tags resolve to ``known`` callables only (any
    import path with ``allow_imports``)."""
    if isinstance(value, list):
        return [decode(v, where, allow_imports=allow_imports, known=known) for v in value]
    if not isinstance(value, dict):
        return value
    try:
        if "__array__" in value:
            return np.asarray(value["__array__"], dtype=np.dtype(value["dtype"]))
        if "__tuple__" in value:
            return tuple(
                decode(v, where, allow_imports=allow_imports, known=known) for v in value["__tuple__"]
            )
    except (TypeError, ValueError, KeyError) as error:
        raise ConfigError(f"{where}: a tagged value is malformed ({type(error).__name__}: {error})") from None
    if "__callable__" in value:
        return _callable(value["__callable__"], where, allow_imports, known)
    return {k: decode(v, where, allow_imports=allow_imports, known=known) for k, v in value.items()}


def _callable(path: Any, where: str, allow_imports: bool, known: Mapping[str, Any]) -> Any:
    if isinstance(path, str) and path in known:
        return known[path]
    if not allow_imports or not isinstance(path, str):
        raise ConfigError(
            f"{where}: names the callable {path!r}, which is neither registered nor a default of a "
            "registered part; a saved network never imports code on its own. If you trust the file, "
            "load it with allow_imports=True"
        )
    from spikey_core.spec import import_object

    obj = import_object(path, where)
    if not callable(obj):
        raise ConfigError(f"{where}: {path!r} is not callable")
    return obj


def read_document(json_path: Path) -> dict[str, Any]:
    """The configuration document, checked for its format and keys."""
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{json_path}: no such file (a saved network is PATH.json plus PATH.npz)") from None
    except IsADirectoryError:
        raise ConfigError(f"{json_path}: is a folder, not a saved network") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{json_path}: cannot read the saved network: {error}") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{json_path}: not a saved Spikey network: not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{json_path}: not a saved Spikey network: the document is not a JSON object")
    _check_format(document.get("format"), json_path)
    missing = [key for key in DOCUMENT_KEYS if key not in document]
    if missing:
        raise ConfigError(f"{json_path}: saved network incomplete: missing {', '.join(missing)}")
    seed = document["seed"]
    if not (isinstance(seed, dict) and "entropy" in seed and isinstance(seed.get("spawn_key"), list)):
        raise ConfigError(f"{json_path}: seed: must be a table with 'entropy' and a 'spawn_key' list")
    for key, kind in (("spec", dict), ("generators", dict), ("training", bool)):
        if not isinstance(document[key], kind):
            raise ConfigError(
                f"{json_path}: {key}: must be a JSON {kind.__name__} (got {type(document[key]).__name__})"
            )
    return document


def _check_format(tag: Any, json_path: Path) -> None:
    name, _, version = str(tag).partition("/")
    if name != FORMAT_NAME or not version.isdigit():
        raise ConfigError(f"{json_path}: not a saved Spikey network (format {tag!r}, expected {FORMAT!r})")
    if int(version) > FORMAT_VERSION:
        raise ConfigError(
            f"{json_path}: saved by a newer Spikey (format version {version}; this version reads up to "
            f"{FORMAT_VERSION}); upgrade Spikey to load it"
        )
    if int(version) < FORMAT_VERSION:
        raise ConfigError(f"{json_path}: format version {version} is not supported (reads {FORMAT_VERSION})")


def read_arrays(npz_path: Path) -> dict[str, np.ndarray]:
    """Every array of the state file (no pickles: object arrays are refused)."""
    try:
        # our own handle: numpy leaves its file open when the content is not an archive
        with open(npz_path, "rb") as handle, np.load(handle, allow_pickle=False) as arrays:
            return {key: arrays[key] for key in arrays.files}
    except FileNotFoundError:
        raise ConfigError(f"{npz_path}: no such file (a saved network is PATH.json plus PATH.npz)") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as error:
        raise ConfigError(
            f"{npz_path}: cannot read the saved state: {type(error).__name__}: {error}"
        ) from None


def check_arrays(expected: Mapping[str, Any], arrays: Mapping[str, np.ndarray], npz_path: Path) -> None:
    """Every expected array is present with the same dtype and shape and only finite numbers;
    nothing unexpected is there."""
    problems = []
    for key, value in expected.items():
        want = np.asarray(value)
        if key not in arrays:
            problems.append(f"{npz_path}: array {key!r} missing")
            continue
        got = arrays[key]
        if got.dtype != want.dtype:
            problems.append(f"{npz_path}: array {key!r}: dtype {got.dtype}, expected {want.dtype}")
        elif got.shape != want.shape:
            problems.append(f"{npz_path}: array {key!r}: shape {got.shape}, expected {want.shape}")
        elif got.dtype.kind in "fc" and not np.all(np.isfinite(got)):
            problems.append(f"{npz_path}: array {key!r}: contains NaN or inf")
    for key in sorted(set(arrays) - set(expected)):
        problems.append(f"{npz_path}: array {key!r} is not part of this network's state")
    if problems:
        raise ConfigError(problems)


def check_generators(expected: Mapping[str, Any], saved: Any, json_path: Path) -> None:
    """The saved generator states name the same generators and bit generators as the network's."""
    if set(saved) != set(expected):
        missing, extra = sorted(set(expected) - set(saved)), sorted(set(saved) - set(expected))
        raise ConfigError(
            f"{json_path}: generators: missing {missing or 'none'}, unexpected {extra or 'none'}"
        )
    for key, state in saved.items():
        want = expected[key].get("bit_generator") if isinstance(expected[key], Mapping) else None
        if not isinstance(state, Mapping) or state.get("bit_generator") != want:
            raise ConfigError(f"{json_path}: generators.{key}: not a {want} generator state")
