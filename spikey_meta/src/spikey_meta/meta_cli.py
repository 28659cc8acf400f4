"""The ``spikey series`` and ``spikey evolve`` commands.

Both read one TOML file (paths inside it are relative to the file)::

    # --- spikey series SPEC.toml -----------------------------------------------------------
    experiment = "florian-rate-xor"      # a registered experiment name or an experiment TOML path;
                                         # or an [experiment] table holding a whole specification
    [series]
    n_repeats = 3                        # runs per configuration (default 1)
    seed = 0                             # series seed (default 0); run (c, r) gets child(seed, c, r)
    # what to vary (neither: one control configuration). Values are lists, or range tables
    # {start = 2, stop = 10, step = 2} (numpy.arange; step defaults to 1).
    [series.grid]                        # cartesian product of the axes
    "neuron.firing_threshold" = [8, 16, 32]
    learning_rate = { start = 0.01, stop = 0.05, step = 0.02 }
    [series.zip]                         # lock-step lists of equal length; with a grid, the
    "network.n_neurons" = [10, 20]       # zipped group is one more grid axis
    "network.n_outputs" = [2, 4]

    # --- spikey evolve SPEC.toml -----------------------------------------------------------
    experiment = "spikey05-rate-xor"     # needed by metagame "evolve_network"
    [metagame]
    type = "evolve_network"              # or "meta_nqueens" (with n_queens = 1..8)
    fitness = "eval_accuracy"            # a results key, or "package.module:function" taking
                                         # (network, game, results, info) -> float
    aggregator = "mean"                  # mean, median, min or max over the runs
    n_reruns = 2                         # runs per static configuration
    win_fitness = 1.0                    # stop once an agent reaches it (optional)
    [metagame.static_updates]            # optional: grid / zip tables as in [series]
    grid = { "game.preset" = ["XOR", "OR"] }
    [population]                         # PopulationConfig fields
    n_agents = 20                        # or a per-epoch list, e.g. [20, 10, 10]
    n_epoch = 10
    seed = 0
    mutation_rate = 0.5                  # random_rate, survivor_rate, crossover_rate,
                                         # mutate_eligible_pct, max_age, n_storing
    [constraints]                        # the genotype: key = values list or range table
    "neuron.firing_threshold" = [8, 16, 32]            # one of these
    learning_rate = { low = 0.001, high = 0.1 }        # uniform float in [low, high)
    "network.processing_time" = { start = 5, stop = 30, step = 5 }   # one of the arange

    # --- spikey tune SPEC.toml -------------------------------------------------------------
    experiment = "spikey05-rate-xor"     # experiment, [metagame] fitness keys and [constraints]:
    [metagame]                           # exactly as for evolve (type defaults to evolve_network)
    fitness = "eval_accuracy"
    [tuner]                              # Tuner options (all optional)
    n_trials = 20
    sampler = "tpe"                      # tpe, random or grid
    pruner = "median"                    # median (per-episode returns) or none
    direction = "maximize"               # or minimize
    seed = 0
    batch_size = 4                       # trials run in parallel; results never depend on it
    n_startup_trials = 5                 # TPE random start and MedianPruner startup
    n_warmup_steps = 0                   # episodes never pruned
    storage = "sqlite:///study.db"       # default: sqlite study.db in --out (relative to the file)
    study_name = "spikey-tune"
    [constraints]                        # as for evolve; also { low = 1e-4, high = 1e-1, log = true }

Options: ``--backend`` (serial, multiprocessing, ray; default multiprocessing), ``--address
HOST:PORT`` (with ``--backend ray``: join that running cluster), ``--workers``,
``--engine`` (numpy, numba or auto: sets ``network.engine`` of every run),
``--out`` (log folder; default ``spikey-runs/<file stem>``), ``--resume`` (series: skip runs
already logged; evolve: continue from the checkpoint; tune: continue the stored study),
``--debug`` (tracebacks). Exit status 0
success, 1 when runs failed, 2 on configuration errors (one paragraph, no traceback).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spikey_core.cli import (
    UsageError,
    add_allow_imports,
    add_engine_option,
    prepare_out_folder,
    progress_bar,
)
from spikey_core.errors import ConfigError, SpikeyError, UnknownNameError, did_you_mean
from spikey_core.registry import Registry, registry_or_loaded
from spikey_core.spec import OPT_IN, import_object, load_toml, override, trust_imports

USAGE_ERROR = 2
RUN_FAILURE = 1
#: The CSV tables ``spikey series`` and ``spikey evolve`` write into their log folder.
SERIES_TABLE = "series-summary.csv"
EVOLVE_TABLE = "epochs.csv"

SERIES_HELP = "run an experiment over a grid / list of settings, repeated, on any backend"
EVOLVE_HELP = "evolve settings with the genetic algorithm (Population) on any backend"
TUNE_HELP = "search settings with Optuna (TPE, random or grid; median pruning) on any backend"


# -- arguments --------------------------------------------------------------------------------
def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="the TOML file describing the run (see 'spikey describe' docs)")
    parser.add_argument(
        "--backend", default="multiprocessing", help="serial, multiprocessing (default) or ray"
    )
    parser.add_argument("--workers", type=int, help="worker processes (default: the number of CPUs)")
    parser.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="with --backend ray: join the running Ray cluster whose head is at HOST:PORT",
    )
    parser.add_argument("--out", help="log folder (default: spikey-runs/<spec file stem>)")
    add_allow_imports(parser)
    parser.add_argument("--debug", action="store_true", help="print tracebacks of failures")
    add_engine_option(parser)


def setup_series(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument(
        "--resume", action="store_true", help="skip the runs of this series already logged in --out"
    )


def setup_evolve(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="start again in --out, dropping its checkpoint and the epoch logs that checkpoint lists",
    )


def setup_tune(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--resume", action="store_true", help="continue the study in the Optuna storage")


# -- reading the file -------------------------------------------------------------------------
TOP_KEYS = {
    "series": ("experiment", "series", "name", "description"),
    "evolve": ("experiment", "metagame", "population", "constraints", "name", "description"),
    "tune": ("experiment", "metagame", "tuner", "constraints", "name", "description"),
}
TUNER_KEYS = (
    "n_trials",
    "sampler",
    "pruner",
    "direction",
    "seed",
    "batch_size",
    "n_startup_trials",
    "n_warmup_steps",
    "storage",
    "study_name",
)


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], address: str) -> None:
    problems = [
        f"{address}.{key}: unknown setting"
        f"{did_you_mean(key, allowed) or ' (settings: ' + ', '.join(allowed) + ')'}"
        for key in table
        if key not in allowed
    ]
    if problems:
        raise ConfigError(problems)


def _experiment(
    data: Mapping[str, Any],
    base: Path,
    required: bool = True,
    allow_imports: bool = False,
    registry: Registry | None = None,
) -> Any:
    from spikey_core.cli import find_experiment

    experiment = data.get("experiment")
    if experiment is None:
        if required:
            raise ConfigError(
                "$.experiment: required: a registered experiment name, a TOML path, or an [experiment] table"
            )
        return None
    if isinstance(experiment, Mapping):
        return trust_imports(experiment) if allow_imports else dict(experiment)
    if not isinstance(experiment, str):
        raise ConfigError(f"$.experiment: must be a name, a path or a table (got {experiment!r})")
    names = registry_or_loaded(registry).names("experiment")
    if experiment not in names:
        path = base / experiment
        if path.suffix == ".toml" or path.exists():
            experiment = str(path)
    found = find_experiment(experiment, registry_or_loaded(registry), allow_imports=allow_imports)
    return found.make_loop(registry=registry)


def _with_engine(experiment: Any, engine: str | None, registry: Registry | None = None) -> Any:
    """``experiment`` (a loop or a specification) with ``network.engine`` set, when ``--engine`` was given."""
    if engine is None or experiment is None:
        return experiment
    if isinstance(experiment, Mapping):
        return override(experiment, "network.engine", engine, registry=registry)
    return experiment.with_overrides({"network.engine": engine})


def _values(value: Any, address: str) -> Any:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping) and set(value) in ({"start", "stop"}, {"start", "stop", "step"}):
        return (value["start"], value["stop"], value.get("step", 1))
    raise ConfigError(
        f"{address}: must be a list of values or a range table {{start, stop, step}} (got {value!r})"
    )


def series_params(table: Mapping[str, Any], address: str) -> Any:
    """The Series specification of a ``[series]``-like table's ``grid`` / ``zip`` sub-tables."""
    from spikey_meta.series import Grid

    grid, zipped = table.get("grid"), table.get("zip")
    for name, sub in (("grid", grid), ("zip", zipped)):
        if sub is not None and (not isinstance(sub, Mapping) or not sub):
            raise ConfigError(f"{address}.{name}: must be a table of key = values (got {sub!r})")
    group = [(k, _values(v, f"{address}.zip.{k}")) for k, v in (zipped or {}).items()]
    axes = {k: _values(v, f"{address}.grid.{k}") for k, v in (grid or {}).items()}
    if not axes:
        return group or None
    return Grid(*([group] if group else []), axes)


def _fitness_getter(value: Any, allow_imports: bool = False) -> Any:
    address = "$.metagame.fitness"
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{address}: required: a results key or 'module:function' (got {value!r})")
    if ":" not in value:
        return value
    if not allow_imports:
        raise ConfigError(
            f"{address}: {value!r} is an import path; importing it would run that module's code. "
            f"Use a results key of the experiment, or if you trust this file, {OPT_IN}"
        )
    function = import_object(value, address)
    problem = _fitness_problem(function)
    if problem:
        raise ConfigError(f"{address}: {value!r} {problem}")
    return function


def _fitness_problem(function: Any) -> str | None:
    """Why ``function`` cannot be a fitness function ``f(network, game, results, info) -> float``."""
    import inspect

    if not inspect.isfunction(function):
        return f"is a {type(function).__name__}, not a Python function f(network, game, results, info)"
    try:
        inspect.signature(function).bind(None, None, None, None)
    except TypeError:
        return "does not take the four arguments (network, game, results, info)"
    return None


def make_metagame(
    data: Mapping[str, Any],
    base: Path,
    engine: str | None = None,
    *,
    allow_imports: bool = False,
    registry: Registry | None = None,
) -> Any:
    """The meta-game an ``evolve`` file describes (``[metagame]`` plus ``[constraints]``); its
    experiment's names are looked up in ``registry`` (default: the loaded one)."""
    from spikey_meta.metagames import METAGAMES, EvolveNetwork, MetaNQueens

    table = dict(data.get("metagame") or {})
    kind = table.pop("type", None)
    if kind not in METAGAMES:
        raise ConfigError(
            f"$.metagame.type: must be one of {', '.join(METAGAMES)} (got {kind!r})"
            f"{did_you_mean(str(kind), METAGAMES)}"
        )
    if kind == "meta_nqueens":
        _check_keys(table, ("n_queens",), "$.metagame")
        return MetaNQueens(**table)
    _check_keys(table, ("fitness", "aggregator", "n_reruns", "win_fitness", "static_updates"), "$.metagame")
    constraints = data.get("constraints")
    if not isinstance(constraints, Mapping) or not constraints:
        raise ConfigError(
            "$.constraints: required for evolve_network: the settings to evolve, key = values or range"
        )
    static = table.get("static_updates") or {}
    _check_keys(static, ("grid", "zip"), "$.metagame.static_updates")
    experiment = _experiment(data, base, allow_imports=allow_imports, registry=registry)
    return EvolveNetwork(
        _with_engine(experiment, engine, registry),
        dict(constraints),
        fitness_getter=_fitness_getter(table.get("fitness"), allow_imports),
        static_updates=series_params(static, "$.metagame.static_updates"),
        n_reruns=table.get("n_reruns", 2),
        fitness_aggregator=table.get("aggregator", "mean"),
        win_fitness=table.get("win_fitness"),
        registry=registry,
    )


# -- running ----------------------------------------------------------------------------------
def _progress(total: int, unit: str) -> Any:
    return progress_bar(total, unit=unit)


def _out(args: argparse.Namespace) -> Path:
    return Path(args.out) if args.out else Path("spikey-runs") / Path(args.spec).stem


def _backend(args: argparse.Namespace) -> Any:
    """The backend of ``--backend`` / ``--address``: a name, or a table joining a Ray cluster."""
    if args.address is None:
        return args.backend
    if args.backend != "ray":
        raise ConfigError(
            f"--address: joins a Ray cluster, so it needs --backend ray (got --backend {args.backend})"
        )
    return {"type": "ray", "address": args.address}


def _registry(args: argparse.Namespace) -> Registry | None:
    """The registry ``spikey`` runs with (``spikey_core.cli.main`` sets ``args.registry``)."""
    return getattr(args, "registry", None)


def _load(args: argparse.Namespace, command: str) -> tuple[dict[str, Any], Path]:
    data = load_toml(args.spec)
    _check_keys(data, TOP_KEYS[command], "$")
    return data, Path(args.spec).resolve().parent


def _guarded(command: str, body: Any, args: argparse.Namespace) -> int:
    from spikey_meta.metagames.evolve_network import FitnessKeyError

    try:
        return body(args)
    except FitnessKeyError as error:  # found before any run: name the file whose key it is
        print(f"spikey {command}: {args.spec}: {error}", file=sys.stderr)
        return USAGE_ERROR
    except (ConfigError, UnknownNameError, UsageError) as error:
        print(f"spikey {command}: {error}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        raise  # spikey's main ends quietly
    except KeyboardInterrupt:
        print(
            f"spikey {command}: interrupted; the logs so far are in {_out(args)} (rerun with --resume)",
            file=sys.stderr,
        )
        return RUN_FAILURE
    except Exception as error:  # anything raised inside the runs
        kind = "" if isinstance(error, SpikeyError) else f"{type(error).__name__}: "
        print(
            f"spikey {command}: the run failed: {kind}{str(error).splitlines()[0] if str(error) else ''}",
            file=sys.stderr,
        )
        if args.debug:
            traceback.print_exc()
        return RUN_FAILURE


def _series(args: argparse.Namespace) -> int:
    from spikey_meta.series import Series

    data, base = _load(args, "series")
    table = dict(data.get("series") or {})
    _check_keys(table, ("n_repeats", "seed", "grid", "zip"), "$.series")
    registry = _registry(args)
    experiment = _experiment(data, base, allow_imports=args.allow_imports, registry=registry)
    series = Series(
        _with_engine(experiment, args.engine, registry),
        series_params(table, "$.series"),
        n_repeats=table.get("n_repeats", 1),
        seed=table.get("seed", 0),
        backend=_backend(args),
        workers=args.workers,
        log_folder=_out(args),
        registry=registry,
    )
    prepare_out_folder(_out(args))
    bar = _progress(len(series), "run")
    try:
        runs = series.run(progress=bar, resume=args.resume)
    finally:
        bar.close()
    failed = [run for run in runs if not run.ok]
    for run in failed:
        print(
            f"spikey series: {run.label} failed: {run.error['type']}: {run.error['message']}", file=sys.stderr
        )
        if args.debug:
            print(run.error["traceback"], file=sys.stderr)
    print(
        f"{len(runs) - len(failed)} of {len(runs)} runs finished; logs in {series.log_folder} "
        f"(summary {series.summary_path.name})"
    )
    _print_series_table(series, runs)
    return RUN_FAILURE if failed else 0


def _print_series_table(series: Any, runs: list[Any]) -> None:
    """Each setting's metrics, mean ± spread over its repeats, printed and written as CSV."""
    from spikey_core.config import to_dict

    from spikey_meta import summaries

    rows = [{**run.params, **run.results} for run in runs]
    loop_settings = to_dict(series.loop.config)
    table = summaries.by_setting(rows, list(series.keys), ok=[r.ok for r in runs], exclude=loop_settings)
    path = summaries.write_csv(table, Path(series.log_folder) / SERIES_TABLE)
    spread = f"± sample s.d. over {series.n_repeats} repeats" if series.n_repeats > 1 else "one run each"
    print(f"\nmetrics per setting ({spread}):")
    print(summaries.format_table(table))
    print(f"wrote {path}")


def _evolve(args: argparse.Namespace) -> int:
    from spikey_meta.population import FAILED_FITNESS, Population

    data, base = _load(args, "evolve")
    population_table = dict(data.get("population") or {})
    registry = _registry(args)
    metagame = make_metagame(
        data, base, engine=args.engine, allow_imports=args.allow_imports, registry=registry
    )
    constraints = data.get("constraints")  # optional for meta_nqueens: narrows its board
    prepare_out_folder(_out(args), create=False)  # Population creates it once its settings are valid
    population = Population(
        metagame,
        backend=_backend(args),
        workers=args.workers,
        log_folder=_out(args),
        resume=args.resume,
        overwrite=args.overwrite,
        genotype_constraints=constraints,
        registry=registry,
        **population_table,
    )
    done = sum(h["n_agents"] for h in population.history)
    bar = _progress(sum(population.schedule), "agent")
    bar.update(done)
    try:
        result = population.run(progress=bar)
    finally:
        bar.close()
    for entry in result.history:
        for failure in entry.get("failures", ()):
            print(
                f"spikey evolve: epoch {entry['epoch']} agent {failure['agent']} {failure['genotype']} "
                f"failed: {failure['type']}: {failure['message']}",
                file=sys.stderr,
            )
    from spikey_meta import summaries

    table = summaries.epoch_table(result.history)
    print("\nfitness per epoch:")
    print(summaries.format_table(table))
    if population.log_folder is not None:
        print(f"wrote {summaries.write_csv(table, Path(population.log_folder) / EVOLVE_TABLE)}")
    print(f"best fitness {result.best_fitness:.6g} after {result.epochs} epochs: {result.best_genotype}")
    if result.n_failed:
        print(f"{result.n_failed} agent evaluation(s) failed (scored {FAILED_FITNESS}); see epoch-*.jsonl")
    print(f"logs and checkpoint in {population.log_folder}")
    return RUN_FAILURE if result.n_failed else 0


def _tune(args: argparse.Namespace) -> int:
    from spikey_meta.tuner import Tuner

    data, base = _load(args, "tune")
    metagame_table = {"type": "evolve_network", **dict(data.get("metagame") or {})}
    if metagame_table["type"] != "evolve_network":
        raise ConfigError(
            f"$.metagame.type: tune searches evolve_network only (got {metagame_table['type']!r})"
        )
    registry = _registry(args)
    metagame = make_metagame(
        {**data, "metagame": metagame_table},
        base,
        engine=args.engine,
        allow_imports=args.allow_imports,
        registry=registry,
    )
    prepare_out_folder(_out(args), create=False)  # the Tuner creates it once its settings are valid
    tuner_table = dict(data.get("tuner") or {})
    _check_keys(tuner_table, TUNER_KEYS, "$.tuner")
    storage = tuner_table.pop("storage", None)
    if (
        isinstance(storage, str)
        and storage.startswith("sqlite:///")
        and not storage.startswith("sqlite:////")
    ):
        storage = f"sqlite:///{(base / storage.removeprefix('sqlite:///')).resolve()}"  # relative to the file
    tuner = Tuner(
        metagame,
        backend=_backend(args),
        workers=args.workers,
        log_folder=_out(args),
        storage=storage,
        resume=args.resume,
        registry=registry,
        **tuner_table,
    )
    bar = _progress(tuner.n_trials, "trial")
    bar.update(len(tuner.study.trials))
    try:
        study = tuner.run(progress=bar)
    finally:
        bar.close()
    states = [t.state.name.lower() for t in study.trials]
    counts = ", ".join(f"{states.count(s)} {s}" for s in ("complete", "pruned", "fail") if s in states)
    if "complete" in states:
        print(f"best fitness {study.best_value:.6g} (trial {study.best_trial.number}): {study.best_params}")
    print(f"{len(states)} trials ({counts}); logs and study in {tuner.log_folder}")
    return 0 if "complete" in states else RUN_FAILURE


def run_series(args: argparse.Namespace) -> int:
    """Execute ``spikey series``; returns the exit status."""
    return _guarded("series", _series, args)


def run_evolve(args: argparse.Namespace) -> int:
    """Execute ``spikey evolve``; returns the exit status."""
    return _guarded("evolve", _evolve, args)


def run_tune(args: argparse.Namespace) -> int:
    """Execute ``spikey tune``; returns the exit status."""
    return _guarded("tune", _tune, args)


__all__ = [
    "make_metagame",
    "run_evolve",
    "run_series",
    "run_tune",
    "series_params",
    "setup_evolve",
    "setup_series",
    "setup_tune",
]
