"""The ``spikey`` command line.

Exit status: 0 success; 2 usage or configuration error (one paragraph on stderr, no traceback);
1 failure inside a run; 141 when the reader of stdout went away (``spikey ... | head``), quietly.
Plugins add subcommands through the ``spikey_register_commands`` hook.
"""

from __future__ import annotations

import argparse
import functools
import numbers
import os
import shutil
import sys
import tempfile
import tomllib
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from spikey_core import catalogue
from spikey_core.errors import (
    ConfigError,
    PluginConflictError,
    PluginError,
    SpikeyError,
    UnknownNameError,
    did_you_mean,
)
from spikey_core.experiment import Experiment, FileExperiment
from spikey_core.plugins import get_registry, load_registry
from spikey_core.registry import KINDS, Registry
from spikey_core.spec import override
from spikey_core.version import __version__

USAGE_ERROR = 2
RUN_FAILURE = 1
#: 128 + SIGPIPE, what a shell reports for a Unix tool whose reader went away.
BROKEN_PIPE = 141
#: 128 + SIGINT.
INTERRUPTED = 130


class UsageError(SpikeyError, ValueError):
    """Wrong command-line usage."""


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- plugins / parts / describe ------------------------------------------------------------------
def cmd_plugins(args: argparse.Namespace, registry: Registry) -> int:
    for broken in registry.broken:
        print(f"{broken.provider.plugin} ({broken.provider.distribution} {broken.provider.version})")
        print(f"  BROKEN, not loaded: {broken.error}")
    for provider in registry.providers:
        print(f"{provider.plugin} ({provider.distribution} {provider.version})")
        by_kind: dict[str, list[str]] = {}
        for entry in registry.by_provider(provider):
            by_kind.setdefault(entry.kind, []).append(entry.name)
        commands = [c.name for c in registry.commands.values() if c.provider == provider]
        if commands:
            by_kind["commands"] = commands
        if not by_kind:
            print("  (registers nothing)")
        for kind, names in by_kind.items():
            print(f"  {kind}: {', '.join(names)}")
    return 0


def check_kind(kind: str) -> str:
    """``kind`` if it is a registry kind, else a usage error with a did-you-mean."""
    if kind not in KINDS:
        raise UsageError(f"no kind named {kind!r}{did_you_mean(kind, KINDS)} (kinds: {', '.join(KINDS)})")
    return kind


def _description_width(rows: Sequence[Sequence[str]]) -> int | None:
    """Room left for the description column on an interactive terminal; None (no cut) otherwise."""
    if not sys.stdout.isatty():
        return None
    columns = shutil.get_terminal_size().columns
    used = sum(max(len(row[i]) for row in rows) + 2 for i in (0, 1, 3))
    return max(columns - used, 30)


def cmd_parts(args: argparse.Namespace, registry: Registry) -> int:
    kinds = [check_kind(args.kind)] if args.kind else list(KINDS)
    rows = []
    for kind in kinds:
        for entry in registry.entries(kind):
            rows.append([kind, entry.name, catalogue.summary(entry.obj), entry.provider.distribution])
    if not rows:
        print(f"no {args.kind or 'part'}s installed")
        return 0
    width = _description_width(rows)
    for row in rows:
        row[2] = catalogue.fit(row[2], width)
    print(_table(rows, ("kind", "name", "description", "from")))
    return 0


def cmd_describe(args: argparse.Namespace, registry: Registry) -> int:
    check_kind(args.kind)
    print(catalogue.describe_entry(registry, args.kind, args.name))
    obj = registry.get(args.kind, args.name)
    if isinstance(obj, type) and issubclass(obj, Experiment):
        print("\nspecification:")
        print(_indent(_to_toml(obj.load_spec())))
    return 0


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _to_toml(spec: Mapping[str, Any]) -> str:
    lines = [f"{k} = {_toml_value(v)}" for k, v in spec.items() if not isinstance(v, (Mapping, list))]
    for key, value in spec.items():
        if isinstance(value, Mapping):
            lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            for item in value:
                lines += ["", f"[[{key}]]"] + [f"{k} = {_toml_value(v)}" for k, v in item.items()]
        elif isinstance(value, list):
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines).strip()


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return repr(value) if isinstance(value, (int, float)) else f'"{value!r}"'


# -- run ---------------------------------------------------------------------------------------------
def parse_assignment(text: str) -> tuple[str, Any]:
    """``key=value`` with ``value`` read as a TOML value (``16``, ``0.5``, ``true``, ``[1, 2]``);
    anything that is not valid TOML is taken as a plain string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--set {text!r}: expected KEY=VALUE, e.g. --set neuron.firing_threshold=16")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value


def find_experiment(name: str, registry: Registry, *, allow_imports: bool = False) -> Experiment:
    """A registered experiment by name, or a TOML file by path (trusted only with ``allow_imports``)."""
    if name in registry.names("experiment"):
        return registry.get("experiment", name)()
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        return FileExperiment(path, allow_imports=allow_imports)
    registry.get("experiment", name)  # raises UnknownNameError with suggestions
    raise AssertionError("unreachable")


#: The callback ``spikey run`` uses when an experiment has no ``[callback]`` section (when installed):
#: the standard RL signals with per-tick rates, so every run leaves a log and plots.
DEFAULT_CALLBACK = {"type": "rl", "measure_rates": True, "reduced": True}


def with_default_callback(spec: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """``spec`` with :data:`DEFAULT_CALLBACK` when it names no callback and ``rl`` is installed."""
    if "callback" in spec or DEFAULT_CALLBACK["type"] not in registry.names("callback"):
        return spec
    return {**spec, "callback": dict(DEFAULT_CALLBACK)}


def cmd_run(args: argparse.Namespace, registry: Registry) -> int:
    experiment = find_experiment(args.experiment, registry, allow_imports=args.allow_imports)
    spec = with_default_callback(experiment.load_spec(), registry)
    for assignment in args.set or ():
        key, value = parse_assignment(assignment)
        spec = override(spec, key, value, registry=registry)
    if args.engine is not None:
        spec = override(spec, "network.engine", args.engine, registry=registry)
    if args.seed is not None:
        if args.seed < 0:
            raise UsageError(f"--seed: must be a non-negative integer (got {args.seed})")
        spec["seed"] = args.seed
    loop = experiment.make_loop(spec, registry=registry)
    loop.validate()  # every configuration problem surfaces here, before anything runs or is written
    prepare_out_folder(args.out)  # a run whose results could not be written is never started
    try:
        network, game, results, info = _run_with_progress(loop)
    except SpikeyError as error:
        print(f"spikey run: the run failed: {error}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return RUN_FAILURE
    except Exception as error:  # anything inside a run is a run failure, reported as such
        print(f"spikey run: the run failed: {type(error).__name__}: {error}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return RUN_FAILURE
    _print_results(args.experiment, results)
    _write_outputs(args, loop, experiment, network, game, results, info)
    return 0


def _run_with_progress(loop: Any) -> tuple[Any, Any, dict, dict]:
    total = loop.total_steps() if hasattr(loop, "total_steps") else None
    bar = progress_bar(total, unit="step", desc="training")
    loop.progress = bar
    try:
        return loop()
    finally:
        loop.progress = None
        if bar is not None:
            bar.close()


def progress_bar(total: int | None, *, unit: str, desc: str | None = None) -> Any:
    """A tqdm bar on stderr (None without tqdm: runs still work, without a bar).

    It starts no thread: tqdm's monitor thread would make every later multiprocessing backend
    of this process start its workers with "spawn" instead of the faster "fork" (see
    :func:`spikey_meta.backends.multiprocessing.default_start_method`).
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional for the core
        return None
    interactive = sys.stderr.isatty()
    return _threadless(tqdm)(
        total=total,
        unit=unit,
        desc=desc,
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.1 if interactive else 5.0,
    )


@functools.cache
def _threadless(bar_class: type) -> type:
    return type("SpikeyProgressBar", (bar_class,), {"monitor_interval": 0})


def _scalar(value: Any) -> bool:
    return isinstance(value, (numbers.Number, str, bool)) or value is None


def _print_results(name: str, results: Mapping[str, Any]) -> None:
    rows = [(k, _fmt(v)) for k, v in results.items() if _scalar(v)]
    print(f"\n{name}: results")
    print(_table(rows, ("metric", "value")))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _write_outputs(args, loop, experiment, network, game, results, info) -> None:
    """The log and plots (when the callback can write them), then the experiment's own files."""
    out = Path(args.out)
    log = getattr(loop.callback, "log", None)
    stem = getattr(experiment, "name", None) or Path(args.experiment).stem
    if callable(log):
        log_path = Path(log(folder=out))
        print(f"wrote {log_path}")
        stem = log_path.stem
    else:
        print(
            f"spikey run: callback {type(loop.callback).__name__} writes no log; nothing recorded "
            "(install spikey-meta for the 'rl' callback)",
            file=sys.stderr,
        )
    plots = getattr(loop.callback, "write_plots", None)
    written = list(plots(out, stem)) if callable(plots) else []
    written += experiment.write_outputs(out, stem, network, game, results, info)
    for path in written:
        print(f"wrote {path}")


def add_engine_option(parser: argparse.ArgumentParser) -> None:
    """``--engine NAME``: sets ``network.engine`` of every run (``spikey run``, ``series``, ``evolve``)."""
    parser.add_argument(
        "--engine",
        help='numpy, numba or auto: what runs the network steps (default: the experiment\'s, "auto")',
    )


def add_allow_imports(parser: argparse.ArgumentParser) -> None:
    """The ``--allow-imports`` opt-in shared by every command that reads a specification file."""
    parser.add_argument(
        "--allow-imports",
        action="store_true",
        help="trust 'module:Class' import paths in the file (each must be a class implementing its "
        "section's protocol); without it a file may name registered parts only",
    )


def prepare_out_folder(folder: str | Path, option: str = "--out", *, create: bool = True) -> Path:
    """Make sure the output folder exists (or can be made) and takes files, before any run.

    Whether a folder takes files is tried, not inferred from permission bits: a superuser passes
    every ``os.access`` check, yet a read-only or virtual file system (``/sys``) still refuses.
    With ``create=False`` nothing is created: a file is created and removed in the nearest
    existing folder (the one the output folder would be made in).

    Raises
    ------
    UsageError
        ``folder`` is a file, lies below a file, or cannot be created or written to; the message
        names the option, the path and the fix.
    """
    folder = Path(folder)
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker == folder:
        raise UsageError(f"{option} {folder}: is a file, not a folder; give a folder path")
    if blocker is not None:
        raise UsageError(f"{option} {folder}: {blocker} is a file, so no folder can be made below it")
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        probe_writable(folder if create else existing)
    except OSError as error:
        _remove_made_folders(folder, existing)  # a refused command leaves nothing behind
        where = "" if create or existing == folder else f" ({existing} takes no files)"
        raise UsageError(
            f"{option} {folder}: cannot write there{where}: {error.strerror or error}; "
            "choose a folder you can write to"
        ) from None
    return folder


def _remove_made_folders(folder: Path, existing: Path) -> None:
    """Remove the empty folders ``mkdir`` made from ``existing`` down to ``folder``."""
    for made in (folder, *folder.parents):
        if made == existing:
            return
        try:
            made.rmdir()
        except OSError:
            return


def probe_writable(folder: Path) -> None:
    """Create and remove a file in ``folder``; raises the OSError that writing there gives."""
    with tempfile.TemporaryFile(dir=folder):
        pass


def _quiet_broken_pipe() -> int:
    """stdout was closed by the reader (``spikey ... | head``): stop quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail again
    except (OSError, ValueError):
        pass
    return BROKEN_PIPE


# -- entry point -----------------------------------------------------------------------------------
def version_text(registry: Registry | None) -> str:
    """``spikey --version``: the core's version, then every plugin distribution's."""
    lines = [f"spikey {__version__}"]
    if registry is not None:
        for provider in registry.providers:
            if provider.plugin != "core":
                lines.append(f"  plugin {provider.plugin}: {provider.distribution} {provider.version}")
        for broken in registry.broken:
            p = broken.provider
            lines.append(f"  plugin {p.plugin}: {p.distribution} {p.version} (BROKEN: see 'spikey plugins')")
    return "\n".join(lines)


def build_parser(registry: Registry | None) -> argparse.ArgumentParser:
    broken = registry.broken if registry is not None else []
    epilog = None
    if broken:
        names = ", ".join(b.provider.plugin for b in broken)
        epilog = f"broken plugins not loaded: {names} (details: spikey plugins)"
    parser = argparse.ArgumentParser(
        prog="spikey",
        description="Spikey: spiking networks that learn by reward.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps --version one line per plugin
    )
    parser.add_argument("--version", action="version", version=version_text(registry))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    sub.add_parser("plugins", help="list installed plugins and what each registers")
    parts = sub.add_parser("parts", help="list registered parts, games, experiments, ...")
    parts.add_argument("kind", nargs="?", help=f"one of: {', '.join(KINDS)}")
    describe = sub.add_parser("describe", help="show a part's settings with docs and defaults")
    describe.add_argument("kind", help=f"one of: {', '.join(KINDS)}")
    describe.add_argument("name", help="its registered name")
    run = sub.add_parser("run", help="run an experiment (registered name or TOML file)")
    run.add_argument("experiment", help="registered experiment name or path to a TOML file")
    run.add_argument("--seed", type=int, help="experiment seed (non-negative integer)")
    run.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a setting, e.g. neuron.firing_threshold=16",
    )
    run.add_argument(
        "--out", default="spikey-runs", help="folder for the log and plots (default: spikey-runs)"
    )
    add_engine_option(run)
    add_allow_imports(run)
    run.add_argument("--debug", action="store_true", help="print the traceback when a run fails")
    if registry is not None:
        for command in registry.commands.values():
            command.setup(sub.add_parser(command.name, help=command.help))
    return parser


BUILTIN = {"plugins": cmd_plugins, "parts": cmd_parts, "describe": cmd_describe, "run": cmd_run}


#: Commands that still work, on the plugins that load, when an installed plugin is broken.
WORKS_WITH_BROKEN_PLUGINS = ("plugins",)


def main(argv: Sequence[str] | None = None, *, registry: Registry | None = None) -> int:
    """Run the command line; returns the exit status. ``registry`` defaults to the loaded one.

    A plugin's command receives it as ``args.registry``.

    A broken plugin does not stop ``--help``, ``--version`` and ``spikey plugins`` (which report
    it); every other command exits 2 with the plugin's error, which says how to block it.
    """
    load_error: SpikeyError | None = None
    if registry is None:
        try:
            registry = get_registry()
        except (PluginError, PluginConflictError, ConfigError) as error:
            load_error = error
            registry = load_registry(skip_broken=True)
    parser = build_parser(registry)
    args = parser.parse_args(argv)  # argparse exits 2 with a usage message on bad usage
    if load_error is not None and args.command not in WORKS_WITH_BROKEN_PLUGINS:
        print(f"spikey: cannot load plugins: {load_error}", file=sys.stderr)
        return USAGE_ERROR
    try:
        if args.command in BUILTIN:
            status = BUILTIN[args.command](args, registry)
        else:
            args.registry = registry  # the plugin's command looks its names up where main() does
            status = int(registry.commands[args.command].run(args) or 0)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except (ConfigError, UnknownNameError, UsageError) as error:
        print(f"spikey {args.command}: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print(f"spikey {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as error:  # a defect, not bad input: one line, the traceback only on request
        print(
            f"spikey {args.command}: internal error: {type(error).__name__}: {error} "
            "(please report it; --debug shows the traceback where the command has it)",
            file=sys.stderr,
        )
        if getattr(args, "debug", False):
            traceback.print_exc()
        return RUN_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
