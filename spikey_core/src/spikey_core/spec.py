"""Experiment specifications: the dict / TOML form that names parts by their registered names.

A specification is a mapping with these top-level sections (TOML tables)::

    name = "logic-xor"            # optional label
    seed = 0                      # optional experiment seed
    [network]                     # sizes and kernel settings (see NetworkConfig)
    [input]  [neuron]  [weight]  [synapse]  [readout]  [rewarder]
    [[modifiers]]                 # zero or more
    [game]   [loop]   [callback]
    metrics = "florian_xor"       # optional: registered metrics (a name, a table, or a list)

Each part section holds ``type`` (a registered name, or a class in Python) plus the fields of that
part's ``Config``. Every problem in a specification is collected into one
:class:`~spikey_core.errors.ConfigError` whose lines are addressed ``$.section.field``.
"""

from __future__ import annotations

import copy
import importlib
import numbers
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from spikey_core import config as cfg
from spikey_core.errors import ConfigError, did_you_mean
from spikey_core.network_config import NetworkConfig
from spikey_core.registry import Registry, registry_or_loaded

PART_SECTIONS = ("input", "neuron", "weight", "synapse", "readout", "rewarder")
SECTIONS = (
    "name",
    "description",
    "seed",
    "network",
    *PART_SECTIONS,
    "modifiers",
    "game",
    "loop",
    "callback",
    "metrics",
)


class Problems:
    """Collects ConfigError lines from several checks so they can be raised together."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    @contextmanager
    def collect(self) -> Iterator[None]:
        """Run a block, keeping its ConfigError lines instead of raising."""
        try:
            yield
        except ConfigError as error:
            self.lines.extend(error.problems)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def raise_if_any(self) -> None:
        if self.lines:
            raise ConfigError(self.lines)


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML specification file.

    Raises
    ------
    ConfigError
        The file does not exist or is not valid TOML (the message names the file and line).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder; give the path of a TOML file inside it") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        encoding = " (it looks like UTF-16)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ConfigError(
            f"{path}: not UTF-8 text{encoding}: byte {error.start} cannot be decoded; "
            "TOML files must be UTF-8, so save it again as UTF-8"
        ) from None
    if "\x00" in text:
        raise ConfigError(
            f"{path}: contains NUL bytes (UTF-16 or a binary file?); TOML files must be UTF-8 text"
        )
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def resolve(
    kind: str, section: Any, address: str, *, registry: Registry | None = None
) -> tuple[Any, dict[str, Any]]:
    """Split a section into the class it names and the remaining settings.

    Parameters
    ----------
    kind : str
        Registry kind to look the name up under.
    section : str, class or mapping
        A registered name, a class, or a mapping with a ``type`` key plus settings.
    address : str
        Where the section sits, for messages (``$.neuron``).
    registry : Registry, optional
        Where names are looked up; default: the loaded one (:func:`spikey_core.get_registry`).

    Raises
    ------
    ConfigError
        ``type`` missing, or not a registered name of ``kind`` (with a did-you-mean).
    """
    registry = registry_or_loaded(registry)
    if isinstance(section, (str, type)) or callable(section):
        type_, data = section, {}
    elif isinstance(section, Mapping):
        data = dict(section)
        if "type" not in data:
            names = ", ".join(registry.names(kind)) or "none installed"
            raise ConfigError(f"{address}.type: required: which {kind} to use (installed: {names})")
        type_ = data.pop("type")
    else:
        raise ConfigError(f"{address}: must be a {kind} name or a table with 'type' (got {section!r})")
    if isinstance(type_, str):
        if ":" in type_ and type_ not in registry.names(kind):
            raise ConfigError(untrusted_import(type_, kind, f"{address}.type", registry))
        try:
            return registry.get(kind, type_), data
        except LookupError as error:
            raise ConfigError(f"{address}.type: {error}") from None
    if callable(type_):
        return type_, data
    raise ConfigError(f"{address}.type: must be a registered {kind} name (got {type_!r})")


#: How a user opts into the import paths of one data file, for messages.
OPT_IN = "pass --allow-imports (Python: allow_imports=True, or trust_imports(spec))"


def untrusted_import(path: str, kind: str, address: str, registry: Registry | None = None) -> str:
    """The message for an import path met in data nobody opted into."""
    names = ", ".join(registry_or_loaded(registry).names(kind)) or "none installed"
    return (
        f"{address}: {path!r} is an import path, but a data file may name only registered {kind}s "
        f"(installed: {names}); to trust this file's imports, {OPT_IN}"
    )


def import_object(path: str, address: str) -> Any:
    """The object at ``"package.module:Qualified.name"``.

    Importing runs the module's code: call this only for paths the user opted into (see
    :func:`trust_imports`), never for a path read from a data file on its own authority.
    """
    module_name, _, qualname = path.partition(":")
    if not module_name or not qualname:
        raise ConfigError(f"{address}: {path!r} is not an import path of the form 'package.module:Name'")
    try:
        obj: Any = importlib.import_module(module_name)
        for attribute in qualname.split("."):
            obj = getattr(obj, attribute)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"{address}: cannot import {path!r}: {error}") from None
    except Exception as error:  # a module that fails while importing: report it, do not crash
        raise ConfigError(f"{address}: importing {path!r} failed: {type(error).__name__}: {error}") from None
    return obj


def protocol_problem(kind: str, obj: Any) -> str | None:
    """What stops ``obj`` from serving as a ``kind`` (``None`` when it can).

    Only classes qualify: a part, game, backend or loop class must define every method of its
    kind's protocol (and parts an attrs ``Config``); a callback class must subclass
    :class:`~spikey_core.Callback`. Functions and other callables never qualify, because the kernel
    would call them with arguments taken from the data file.
    """
    from spikey_core.callbacks import Callback
    from spikey_core.protocols import PROTOCOLS

    if not isinstance(obj, type):
        return f"is a {type(obj).__name__}, not a class implementing the {kind} protocol"
    if kind == "callback":
        return None if issubclass(obj, Callback) else "is not a subclass of spikey_core.Callback"
    if kind == "loop":  # make_loop then insists on a TrainingLoop subclass
        methods = ["__call__", "validate"]
    elif kind in PROTOCOLS:
        protocol = PROTOCOLS[kind]
        methods = [m for m in vars(protocol) if not m.startswith("_") and callable(getattr(protocol, m))]
        methods += ["__call__"] if "__call__" in vars(protocol) else []
    else:
        return f"cannot be given as an import path (kind {kind!r} accepts registered names only)"
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing:
        return f"does not implement the {kind} protocol (missing: {', '.join(missing)})"
    if kind in (*PART_SECTIONS, "modifier") and not cfg.is_config_class(getattr(obj, "Config", None)):
        return "has no attrs 'Config' class; every part needs one"
    return None


def import_class(path: str, kind: str, address: str) -> type:
    """Import an opted-in path and check it is a class implementing ``kind``'s protocol."""
    obj = import_object(path, address)
    problem = protocol_problem(kind, obj)
    if problem is not None:
        raise ConfigError(f"{address}: {path!r} {problem}")
    return obj


def _typed_sections(spec: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """``(address, kind, section)`` for every section of a specification that names a class."""
    for name in (*PART_SECTIONS, "game", "loop", "callback"):
        if name in spec:
            yield f"$.{name}", name, spec[name]
    modifiers = spec.get("modifiers")
    if isinstance(modifiers, list):
        for i, item in enumerate(modifiers):
            yield f"$.modifiers[{i}]", "modifier", item


def trust_imports(spec: Mapping[str, Any], *, registry: Registry | None = None) -> dict[str, Any]:
    """A copy of ``spec`` whose import-path ``type`` strings are replaced by the classes they name.

    This is the explicit opt-in for a data file the user trusts (``--allow-imports``): each path is
    imported and must be a class implementing its section's protocol; registered names are left
    as they are (looked up in ``registry``, default: the loaded one).

    Raises
    ------
    ConfigError
        A path cannot be imported or does not name a suitable class (every problem at once).
    """
    new = copy.deepcopy(dict(spec)) if isinstance(spec, Mapping) else spec
    if not isinstance(new, dict):
        return new
    problems = Problems()
    registry = registry_or_loaded(registry)
    for address, kind, section in _typed_sections(new):
        value: Any
        if isinstance(section, str):
            holder, value = None, section
        elif isinstance(section, dict):
            holder, value = section, section.get("type")
        else:
            continue
        if not (isinstance(value, str) and ":" in value) or value in registry.names(kind):
            continue
        with problems.collect():
            cls = import_class(value, kind, f"{address}.type")
            if holder is None:
                _replace_section(new, address, {"type": cls})
            else:
                holder["type"] = cls
    problems.raise_if_any()
    return new


def _replace_section(spec: dict[str, Any], address: str, value: Any) -> None:
    name = address[2:]
    if name.startswith("modifiers["):
        spec["modifiers"][int(name[len("modifiers[") : -1])] = value
    else:
        spec[name] = value


def build_config(
    cls: Any, data: Mapping[str, Any], address: str, fallback: Mapping[str, Any] | None = None
) -> Any:
    """Validate ``data`` against ``cls.Config``.

    Priority (the original Spikey's rule): values in ``data`` (explicit) beat the Config's defaults,
    which beat ``fallback`` (the game's ``network_params()``). So a game's value is used only for a
    field that has no default and was not given, such as a rewarder's ``expected_value``.
    """
    config_cls = getattr(cls, "Config", None)
    if config_cls is None or not cfg.is_config_class(config_cls):
        raise ConfigError(f"{address}.type: {cls!r} has no attrs 'Config' class; every part needs one")
    no_default = {f.name for f in attrs.fields(config_cls) if f.init and f.default is attrs.NOTHING}
    merged = {k: v for k, v in dict(fallback or {}).items() if k in no_default and k not in data}
    merged.update(data)
    return cfg.from_dict(config_cls, merged, address=address)


def instantiate(
    kind: str, section: Any, address: str, *, registry: Registry | None = None, **extra: Any
) -> Any:
    """Build a keyword-configured object (game, loop, callback, backend) from its section.

    The class's ``Config`` (if any) validates the settings first; the object is then created as
    ``cls(**settings, **extra)``.
    """
    cls, data = resolve(kind, section, address, registry=registry)
    if cfg.is_config_class(getattr(cls, "Config", None)):
        data = cfg.to_dict(cfg.from_dict(cls.Config, data, address=address))
    try:
        return cls(**data, **extra)
    except TypeError as error:
        raise ConfigError(f"{address}: cannot create {kind} {cls.__name__}: {error}") from None


def check_sections(spec: Mapping[str, Any], address: str = "$") -> list[str]:
    """Problems with the top-level keys of a specification (unknown sections, bad seed)."""
    if not isinstance(spec, Mapping):
        return [f"{address}: an experiment must be a table of sections (got {spec!r})"]
    lines = []
    for key in spec:
        if key not in SECTIONS:
            hint = did_you_mean(key, SECTIONS) or f" (sections: {', '.join(SECTIONS)})"
            lines.append(f"{address}.{key}: unknown section{hint}")
    seed = spec.get("seed")
    if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0):
        lines.append(f"{address}.seed: must be a non-negative integer (got {seed!r})")
    return lines


def _config_fields(kind: str, section: Any, registry: Registry | None, *, strict: bool = False) -> set[str]:
    """The settings a section's part declares; a section that does not resolve declares none,
    unless ``strict``, where its resolution error (unknown name, untrusted import path) is raised."""
    try:
        cls, _ = resolve(kind, section, "$", registry=registry)
    except ConfigError:
        if strict:
            raise
        return set()
    config_cls = getattr(cls, "Config", None)
    if config_cls is None or not cfg.is_config_class(config_cls):
        return set()
    fields = {f.name for f in attrs.fields(config_cls)}
    if kind == "game" and getattr(cls, "PRESETS", None):
        fields.add("preset")  # a game's section also chooses its preset (see Game.from_spec)
    return fields


def _section_kinds(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs = [(name, name) for name in PART_SECTIONS if name in spec]
    pairs += [("game", "game"), ("loop", "loop"), ("callback", "callback"), ("metrics", "metric")]
    return [(section, kind) for section, kind in pairs if section in spec]


def override(
    spec: Mapping[str, Any], key: str, value: Any, *, registry: Registry | None = None
) -> dict[str, Any]:
    """A copy of ``spec`` with one setting changed.

    ``key`` is ``section.field`` (``neuron.firing_threshold``, ``network.processing_time``) or a
    bare field name declared by exactly one section's config (``firing_threshold``).

    ``registry`` (default: the loaded one) resolves the part names of ``spec``.

    Raises
    ------
    ConfigError
        The key names no declared field, or a bare name is declared by several sections.
    """
    new = copy.deepcopy(dict(spec))
    section, _, field = key.rpartition(".")
    if not section:
        section = _owner_of(new, key, registry)
        field = key
    if section in ("seed", "name", "description"):
        raise ConfigError(f"setting {key!r}: use the top-level '{section}' directly")
    if section == "network":
        declared = {f.name for f in attrs.fields(NetworkConfig)}
    else:
        kind = dict(_section_kinds(new)).get(section)
        if kind is None:
            raise ConfigError(
                f"setting {key!r}: the experiment has no section {section!r}"
                f"{did_you_mean(section, [s for s, _ in _section_kinds(new)] + ['network'])}"
            )
        try:
            declared = _config_fields(kind, new[section], registry, strict=True)
        except ConfigError as error:
            raise ConfigError(f"setting {key!r}: {error}") from None
    if field not in declared:
        raise ConfigError(
            f"setting {key!r}: {section} declares no setting {field!r}"
            f"{did_you_mean(field, declared) or ' (settings: ' + ', '.join(sorted(declared)) + ')'}"
        )
    target = new.setdefault(section, {})
    if isinstance(target, str):
        target = new[section] = {"type": target}
    target[field] = value
    return new


def _owner_of(spec: Mapping[str, Any], field: str, registry: Registry | None) -> str:
    owners = [s for s, kind in _section_kinds(spec) if field in _config_fields(kind, spec[s], registry)]
    if field in {f.name for f in attrs.fields(NetworkConfig)}:
        owners.append("network")
    if not owners:
        every = set()
        for s, kind in _section_kinds(spec):
            every |= _config_fields(kind, spec[s], registry)
        raise ConfigError(
            f"setting {field!r}: no part of this experiment declares {field!r}{did_you_mean(field, every)}"
        )
    if len(owners) > 1:
        raise ConfigError(
            f"setting {field!r}: declared by {', '.join(owners)}; "
            f"write it as SECTION.{field}, e.g. {owners[0]}.{field}"
        )
    return owners[0]
