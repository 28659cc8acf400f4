"""The hooks a Spikey plugin can implement.

A plugin is a module (named by an entry point of group ``spikey``) holding functions decorated
with ``spikey_core.hookimpl``. Hooks are called once, when the registry is first needed; none is
ever called inside a simulation step. Call arguments are always passed by keyword.
"""

from __future__ import annotations

import pluggy

from spikey_core.registry import Registry

#: Marks the hook specifications below.
hookspec = pluggy.HookspecMarker("spikey")
#: Marks a plugin's hook implementations: ``@hookimpl def spikey_register_parts(registry): ...``.
hookimpl = pluggy.HookimplMarker("spikey")


@hookspec
def spikey_register_parts(registry: Registry) -> None:
    """Register the parts, games, experiments, callbacks, loops and backends a plugin ships.

    When: once per process, the first time anything asks for the registry (``spikey`` commands,
    building a network or game from names, :func:`spikey_core.get_registry`).

    What: call ``registry.add(kind, name, cls)`` for each thing; ``kind`` is one of
    :data:`spikey_core.registry.KINDS`. Pass ``replace=True`` to deliberately override a name
    registered by an earlier plugin (a warning is issued).

    Returns: nothing (the return value is ignored).
    """


@hookspec
def spikey_register_commands(registry: Registry) -> None:
    """Contribute subcommands to the ``spikey`` command line.

    When: once, while the registry is built (after every ``spikey_register_parts``).

    What: call ``registry.add_command(name, help=..., setup=..., run=...)``; ``setup(parser)``
    adds arguments to an ``argparse`` sub-parser and ``run(args)`` returns the exit status
    (0 success, 1 failure inside the run, 2 usage or configuration error). ``args.registry`` is
    the registry the command line runs with (``spikey_core.cli.main(argv, registry=...)``): look
    names up there, not in the process-wide one.

    Returns: nothing (the return value is ignored).
    """
