"""The registry: ``(kind, name) -> class`` with the provenance of every entry.

Plugins fill it from their ``spikey_register_parts(registry)`` hook by calling
:meth:`Registry.add`. The kernel, the CLI and the config loader look names up with
:meth:`Registry.get`, which fails with a did-you-mean and the installed names.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from spikey_core.config import document
from spikey_core.errors import ConfigError, PluginConflictError, unknown_name

#: The kinds of thing a plugin can register; each has a consumer in the kernel, the CLI or meta.
KINDS = (
    "input",
    "neuron",
    "weight",
    "synapse",
    "readout",
    "rewarder",
    "modifier",
    "game",
    "callback",
    "backend",
    "loop",
    "experiment",
    "engine",
    "metric",
    "metagame",
)


@attrs.frozen
class Provider:
    """Who registered something: the plugin (entry-point name), its distribution and version."""

    plugin: str
    distribution: str
    version: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} ({self.distribution} {self.version})"


@attrs.frozen
class Entry:
    """One registered thing."""

    kind: str
    name: str
    obj: Any
    provider: Provider


@attrs.frozen
class Command:
    """A ``spikey`` subcommand contributed by a plugin.

    Attributes
    ----------
    name : str
        Subcommand name, e.g. ``"report"``.
    help : str
        One line shown by ``spikey --help``.
    setup : callable
        ``setup(parser)`` adds the subcommand's arguments to an ``argparse`` parser.
    run : callable
        ``run(args) -> int`` executes it and returns the exit status; ``args.registry`` is the
        registry the command line runs with.
    provider : Provider
    """

    name: str
    help: str
    setup: Callable[[Any], None]
    run: Callable[[Any], int]
    provider: Provider


_UNKNOWN = Provider("unknown", "unknown", "unknown")


@attrs.frozen
class BrokenPlugin:
    """A plugin that failed to load: who it is and the error that names the cause and the fix."""

    provider: Provider
    error: str


class Registry:
    """Registered parts, games, experiments, backends, ... and CLI commands, with provenance."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Entry] = {}
        self._commands: dict[str, Command] = {}
        self._provider: Provider = _UNKNOWN
        self._replacing: set[tuple[str, str]] = set()
        self.providers: list[Provider] = []
        #: Plugins skipped because they failed to load (only when loaded with ``skip_broken``).
        self.broken: list[BrokenPlugin] = []

    # -- filled by plugins ---------------------------------------------------------------------
    def add(self, kind: str, name: str, obj: Any, *, replace: bool = False) -> None:
        """Register ``obj`` as ``(kind, name)``.

        Parameters
        ----------
        kind : str
            One of :data:`KINDS`.
        name : str
            The name users write in configs and on the command line.
        obj : class or callable
            What the name stands for.
        replace : bool
            Deliberately override the registration of ``(kind, name)`` by another plugin (a
            warning says so). It wins whatever order the plugins load in: a plain registration
            that comes after a replacing one is ignored (with the same warning).

        Raises
        ------
        ConfigError
            Unknown kind or empty name.
        PluginConflictError
            ``(kind, name)`` registered by two plugins, neither with ``replace=True`` (or both).
        """
        if kind not in KINDS:
            raise ConfigError(
                f"{self._provider}: cannot register {name!r} under unknown kind {kind!r}; "
                f"kinds are {', '.join(KINDS)}"
            )
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{self._provider}: {kind} names must be non-empty strings (got {name!r})")
        key = (kind, name)
        previous = self._entries.get(key)
        if previous is not None:
            earlier_replaces = key in self._replacing
            if replace == earlier_replaces:
                raise PluginConflictError(self._conflict(kind, name, previous.provider, both=replace))
            if earlier_replaces:  # the replacing plugin loaded first; it keeps the name
                warnings.warn(
                    f"{previous.provider} replaces {kind} {name!r} of {self._provider}", stacklevel=2
                )
                return
            warnings.warn(f"{self._provider} replaces {kind} {name!r} of {previous.provider}", stacklevel=2)
        if replace:
            self._replacing.add(key)
        self._entries[key] = Entry(kind, name, obj, self._provider)
        document(getattr(obj, "Config", None), owner=obj)

    def _conflict(self, kind: str, name: str, previous: Provider, *, both: bool) -> str:
        """The message for two plugins claiming ``(kind, name)``: what each party can do."""
        new = self._provider
        if both:
            return (
                f"{kind} {name!r} is replaced twice (replace=True): by {previous} and by {new}; "
                f"only one plugin may replace it. Block one of them: SPIKEY_BLOCK_PLUGINS={new.plugin}"
            )
        block = f"SPIKEY_BLOCK_PLUGINS={new.plugin}"
        if previous.plugin != "core":
            block += f" (or ={previous.plugin})"
        return (
            f"{kind} {name!r} is registered twice: by {previous} and by {new}. "
            f"Plugin authors: to override the other on purpose, register with "
            f"registry.add({kind!r}, {name!r}, YourClass, replace=True); otherwise register it "
            f"under another name (e.g. '{new.plugin}_{name}'). Users: uninstall or block one, {block}"
        )

    def add_command(
        self, name: str, *, help: str, setup: Callable[[Any], None], run: Callable[[Any], int]
    ) -> None:
        """Register a ``spikey NAME`` subcommand (see :class:`Command`)."""
        previous = self._commands.get(name)
        if previous is not None:
            raise PluginConflictError(
                f"command {name!r} is registered twice: by {previous.provider} and by {self._provider}; "
                f"uninstall or block one of them (SPIKEY_BLOCK_PLUGINS={self._provider.plugin})"
            )
        self._commands[name] = Command(name, help, setup, run, self._provider)

    def _set_provider(self, provider: Provider) -> None:
        self._provider = provider
        self.providers.append(provider)

    # -- read by everyone ----------------------------------------------------------------------
    def get(self, kind: str, name: str, *, where: str = "") -> Any:
        """The object registered as ``(kind, name)``.

        Raises
        ------
        UnknownNameError
            With a did-you-mean and the list of installed names of that kind.
        """
        entry = self._entries.get((kind, name))
        if entry is None:
            raise unknown_name(kind, name, self.names(kind), where)
        return entry.obj

    def entry(self, kind: str, name: str) -> Entry:
        """The full :class:`Entry` (object and provenance) of ``(kind, name)``."""
        self.get(kind, name)
        return self._entries[(kind, name)]

    def names(self, kind: str) -> list[str]:
        """Sorted names registered under ``kind``."""
        return sorted(name for (k, name) in self._entries if k == kind)

    def name_of(self, kind: str, obj: Any) -> str | None:
        """The registered name of ``obj`` (a class) under ``kind``, if any."""
        for (k, name), entry in self._entries.items():
            if k == kind and entry.obj is obj:
                return name
        return None

    def entries(self, kind: str | None = None) -> list[Entry]:
        """Every entry (optionally of one kind), sorted by kind then name."""
        chosen = [e for e in self._entries.values() if kind is None or e.kind == kind]
        return sorted(chosen, key=lambda e: (KINDS.index(e.kind), e.name))

    def by_provider(self, provider: Provider) -> list[Entry]:
        """What one plugin registered."""
        return [e for e in self.entries() if e.provider == provider]

    @property
    def commands(self) -> dict[str, Command]:
        """Plugin-contributed CLI subcommands by name."""
        return dict(self._commands)

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)

    def __getstate__(self) -> dict[str, Any]:
        """What a pickled copy keeps; a registry travels with the runs to worker processes.

        Every entry and its provenance (classes pickle by reference: they must be importable
        where the copy is loaded); the CLI commands stay behind, since workers run jobs, not
        commands.
        """
        state = dict(self.__dict__)
        state["_commands"] = {}
        return state


# -- the loaded registry ---------------------------------------------------------------------------
# The loader lives in a later layer (spikey_core.plugins, after the built-in plugin it registers);
# it installs itself here at import, so every layer below it can default to the loaded registry
# without importing it.
_loaded: Registry | None = None
_loader: Callable[[], Registry] | None = None


def install_loader(loader: Callable[[], Registry]) -> None:
    """Set the function that loads the process-wide registry on first use (``spikey_core.plugins``)."""
    global _loader
    _loader = loader


def loaded_registry() -> Registry:
    """The process-wide registry, loaded on first use."""
    global _loaded
    if _loaded is None:
        if _loader is None:  # pragma: no cover - spikey_core/__init__ imports the loader
            raise RuntimeError("no plugin loader installed; import spikey_core first")
        _loaded = _loader()
    return _loaded


def set_loaded_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (``None``: load again on next use)."""
    global _loaded
    _loaded = registry


def registry_or_loaded(registry: Registry | None) -> Registry:
    """``registry`` itself, or the process-wide one when it is ``None``."""
    return loaded_registry() if registry is None else registry
