"""Plugin discovery and loading.

Discovery is lazy (nothing runs at import), deterministic (the core's built-in plugin first, then
entry points of group ``spikey`` sorted by name) and injectable (tests pass their own entry points
and plugin objects). Two environment variables control it:

``SPIKEY_DISABLE_PLUGIN_AUTOLOAD``
    When set to a non-empty value other than ``0``, no entry point is loaded; only the built-in
    plugin and plugins passed explicitly are used.
``SPIKEY_BLOCK_PLUGINS``
    Comma-separated entry-point names that are skipped (e.g. ``example,broken``).
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pluggy

from spikey_core import hookspecs
from spikey_core import plugin as core_plugin
from spikey_core import registry as registry_module
from spikey_core.errors import ConfigError, PluginConflictError, PluginError, did_you_mean
from spikey_core.hookspecs import hookimpl
from spikey_core.registry import BrokenPlugin, Provider, Registry

GROUP = "spikey"
AUTOLOAD_ENV = "SPIKEY_DISABLE_PLUGIN_AUTOLOAD"
BLOCK_ENV = "SPIKEY_BLOCK_PLUGINS"
__all__ = ["discover_entry_points", "get_registry", "hookimpl", "load_registry", "set_registry"]

_HOOK_ORDER = ("spikey_register_parts", "spikey_register_commands")


def _hook_names() -> list[str]:
    return [name for name in dir(hookspecs) if name.startswith("spikey_")]


def _core_provider() -> Provider:
    return Provider("core", "spikey-core", _version("spikey-core"))


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _entry_point_provider(entry_point: Any) -> Provider:
    dist = getattr(entry_point, "dist", None)
    name = getattr(dist, "name", None) or "unknown"
    version = getattr(dist, "version", None) or "unknown"
    return Provider(entry_point.name, name, version)


def _blocked(env: Mapping[str, str]) -> set[str]:
    return {name.strip() for name in env.get(BLOCK_ENV, "").split(",") if name.strip()}


def _autoload(env: Mapping[str, str]) -> bool:
    return env.get(AUTOLOAD_ENV, "") in ("", "0")


def discover_entry_points() -> list[Any]:
    """Installed entry points of group ``spikey``, sorted by name."""
    return sorted(metadata.entry_points(group=GROUP), key=lambda ep: ep.name)


def _load_entry_point(entry_point: Any, provider: Provider) -> Any:
    try:
        return entry_point.load()
    except Exception as error:  # a broken plugin may fail with anything; report it, named
        raise PluginError(
            f"{provider} failed to import {getattr(entry_point, 'value', '?')!r}: "
            f"{type(error).__name__}: {error}. Fix or uninstall '{provider.distribution}', or skip "
            f"it with {BLOCK_ENV}={provider.plugin}"
        ) from error


def _register(manager: pluggy.PluginManager, plugin: Any, provider: Provider) -> None:
    try:
        manager.register(plugin, name=provider.plugin)
    except pluggy.PluginValidationError as error:
        raise PluginError(
            f"{provider} has an invalid hook implementation: {error}. Hook arguments must be named "
            f"as in spikey_core.hookspecs; skip the plugin with {BLOCK_ENV}={provider.plugin}"
        ) from error
    except ValueError as error:  # pluggy: same name or same object registered twice
        raise PluginError(
            f"{provider} could not be registered: {error}; entry-point names must be unique"
        ) from error
    unknown = [
        impl
        for name in dir(plugin)
        if name.startswith("spikey_") and name not in _hook_names()
        for impl in [getattr(plugin, name)]
        if callable(impl)
    ]
    for impl in unknown:
        hook = impl.__name__
        raise PluginError(
            f"{provider} implements {hook!r}, which is not a Spikey hook"
            f"{did_you_mean(hook, _hook_names()) or ''}; hooks are {', '.join(_hook_names())}"
        )


def load_registry(
    *,
    entry_points: Iterable[Any] | None = None,
    plugins: Iterable[tuple[str, Any]] = (),
    env: Mapping[str, str] | None = None,
    skip_broken: bool = False,
) -> Registry:
    """Load every plugin and return a fresh :class:`Registry`.

    Parameters
    ----------
    entry_points : iterable, optional
        Entry points to load instead of the installed ones (objects with ``name``, ``value``,
        ``load()`` and optionally ``dist``); sorted by name before loading.
    plugins : iterable of (name, object)
        Plugin objects registered directly, after the entry points (useful in tests).
    env : mapping, optional
        Environment to read the opt-out variables from (default ``os.environ``).
    skip_broken : bool
        Instead of raising, leave out every plugin that fails (nothing it registered is kept) and
        list it in ``registry.broken``; ``spikey --help``, ``--version`` and ``spikey plugins``
        use this to keep working, and report the broken plugins.

    Raises
    ------
    PluginError
        A plugin fails to import, implements a hook that does not exist, has bad hook arguments,
        or raises inside a hook; the message names the plugin, its distribution and version, the
        cause, and how to block it.
    PluginConflictError
        Two plugins register the same ``(kind, name)``.
    """
    env = os.environ if env is None else env
    manager = pluggy.PluginManager(GROUP)
    manager.add_hookspecs(hookspecs)
    ordered: list[tuple[Any, Provider]] = [(core_plugin, _core_provider())]
    if entry_points is None:
        entry_points = discover_entry_points() if _autoload(env) else []
    blocked = _blocked(env)
    registry = Registry()
    for entry_point in sorted(entry_points, key=lambda ep: ep.name):
        if entry_point.name in blocked:
            continue
        provider = _entry_point_provider(entry_point)
        with _guard(registry, provider, skip_broken):
            ordered.append((_load_entry_point(entry_point, provider), provider))
    for name, plugin in plugins:
        if name not in blocked:
            ordered.append((plugin, Provider(name, "(in process)", "-")))
    usable = []
    for plugin, provider in ordered:
        with _guard(registry, provider, skip_broken):
            _register(manager, plugin, provider)
            usable.append(provider)

    impls = {hook: _impls_by_plugin(manager, hook) for hook in _HOOK_ORDER}
    for hook in _HOOK_ORDER:
        for provider in usable:
            if any(b.provider == provider for b in registry.broken):
                continue
            if hook == _HOOK_ORDER[0]:
                registry._set_provider(provider)
            registry._provider = provider
            impl = impls[hook].get(provider.plugin)
            if impl is not None:
                _call_hook(registry, impl, hook, provider, skip_broken)
    return registry


@contextmanager
def _guard(registry: Registry, provider: Provider, skip_broken: bool) -> Iterator[None]:
    """Raise a failing plugin's error, or with ``skip_broken`` record it in ``registry.broken``."""
    try:
        yield
    except (PluginError, PluginConflictError, ConfigError) as error:
        if not skip_broken:
            raise
        registry.broken.append(BrokenPlugin(provider, str(error)))


def _call_hook(registry: Registry, impl: Any, hook: str, provider: Provider, skip_broken: bool) -> None:
    """Run one plugin's hook; a failure names the plugin and leaves nothing of it registered."""
    entries, commands = dict(registry._entries), dict(registry._commands)
    replacing = set(registry._replacing)
    with _guard(registry, provider, skip_broken):
        try:
            impl(registry=registry)
        except (PluginError, PluginConflictError, ConfigError):
            raise
        except Exception as error:  # a plugin's hook may fail with anything; name its source
            raise PluginError(
                f"{provider}: its hook {hook} raised {type(error).__name__}: {error}. "
                f"Fix or uninstall '{provider.distribution}', or skip it with {BLOCK_ENV}={provider.plugin}"
            ) from error
        return
    # only reached when the failure was recorded: drop whatever the plugin registered before failing
    registry._entries, registry._commands, registry._replacing = entries, commands, replacing
    registry.providers = [p for p in registry.providers if p != provider]


def _impls_by_plugin(manager: pluggy.PluginManager, hook: str) -> dict[str, Any]:
    caller = getattr(manager.hook, hook)
    return {impl.plugin_name: impl.function for impl in caller.get_hookimpls()}


def get_registry() -> Registry:
    """The process-wide registry, loaded on first use; what every ``registry=None`` stands for."""
    return registry_module.loaded_registry()


def set_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (``None`` forces a reload on next use).

    Prefer passing a registry explicitly (``Network(..., registry=r)``, ``make_loop(spec,
    registry=r)``); this is for programs that must change what ``registry=None`` means.
    """
    registry_module.set_loaded_registry(registry)


registry_module.install_loader(load_registry)
