"""Series: run one experiment over many settings (and repeats) on any backend.

Specification forms (``experiment_params``); a *key* is any setting ``loop.with_overrides``
accepts (``"neuron.firing_threshold"``, or a bare field name declared by exactly one part)::

    None                                   one control configuration (no overrides)
    ("key", stop)                          range(0, stop), like numpy.arange
    ("key", start, stop[, step])           numpy.arange(start, stop, step), as Python numbers
    ("key", (start, stop[, step]))         the same range, given as one tuple
    ("key", [v1, v2, ...])                 each value (a numpy array: each element)
    ("key", iterable_or_generator)         each value the iterable yields (consumed once, up front)
    [spec, spec, ...]                      several single specs in lock-step (zip); equal lengths
    {"a": values, "b": values}             grid: the cartesian product (values in any form above)
    Grid(spec_or_zip, ..., **{"a": values})  the same grid, members may be zipped groups

Every configuration runs ``n_repeats`` times; run ``(c, r)`` gets the seed
``integer_seed(series_seed, c, r)``, so parallel runs are independent and every backend gives the
same results. Every configuration is validated (built once, nothing run) before the first run
starts, so a key no part declares or an invalid value fails at once with a ConfigError.

A run that raises does not stop the series: its :class:`Run` carries ``error`` (type, message,
traceback text), its log and the summary record the failure, and the other runs finish.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import numbers
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from spikey_core.errors import ConfigError
from spikey_core.loops import TrainingLoop
from spikey_core.registry import Registry, registry_or_loaded
from spikey_core.seeding import as_seed_sequence, integer_seed

from spikey_core import make_loop
from spikey_meta.backends import check_backend, make_backend, map_jobs
from spikey_meta.runlogs import RunLogger, plain


# -- specification --------------------------------------------------------------------------------
class Grid:
    """The cartesian product of several specifications.

    Parameters
    ----------
    *members
        Single specs ``("key", values...)``, zipped groups ``[spec, spec]`` or mappings
        ``{"key": values}``; each contributes one axis of the product.
    **axes
        ``key=values`` axes (for keys that are valid Python names).

    Examples
    --------
    >>> Grid(("neuron.firing_threshold", [8, 16]), learning_rate=[0.01, 0.1]).expand()[1]
    [(8, 0.01), (8, 0.1), (16, 0.01), (16, 0.1)]
    """

    def __init__(self, *members: Any, **axes: Any):
        self.members = list(members) + ([axes] if axes else [])
        if not self.members:
            raise ConfigError("Grid: needs at least one axis, e.g. Grid(('key', [1, 2]))")

    def expand(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """``(keys, value tuples)`` of every combination, the last axis varying fastest."""
        parts = []
        for member in self.members:
            if isinstance(member, Mapping):
                parts += [_single((key, values)) for key, values in member.items()]
            else:
                parts.append(_parse(member))
        keys = tuple(key for part_keys, _ in parts for key in part_keys)
        combos = [
            tuple(v for values in combo for v in values)
            for combo in itertools.product(*(rows for _, rows in parts))
        ]
        _check_keys(keys)
        return keys, combos

    def __repr__(self) -> str:
        return f"Grid({', '.join(repr(m) for m in self.members)})"


def expand(experiment_params: Any) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """``(keys, [value tuple per configuration])`` of any specification form (module docstring).

    Raises
    ------
    ConfigError
        Malformed specification, empty value list, zipped lists of different lengths, repeated keys.
    """
    keys, rows = _parse(experiment_params)
    _check_keys(keys)
    return keys, rows


def _parse(spec: Any) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    if spec is None:
        return (), [()]
    if isinstance(spec, Grid):
        return spec.expand()
    if isinstance(spec, Mapping):
        return Grid(spec).expand()
    if isinstance(spec, list):
        return _zip(spec)
    if isinstance(spec, tuple):
        return _single(spec)
    raise ConfigError(
        "series: a specification is None, ('key', values), a list of those (zip), a dict or Grid "
        f"(product); got {spec!r}"
    )


def _zip(specs: list) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    if not specs:
        raise ConfigError("series: an empty list of specifications; use None for one control run")
    parsed = [_single(s) if isinstance(s, tuple) else _parse(s) for s in specs]
    lengths = {len(rows) for _, rows in parsed}
    if len(lengths) > 1:
        detail = ", ".join(f"{'/'.join(keys)}: {len(rows)}" for keys, rows in parsed)
        raise ConfigError(f"series: zipped specifications must have equal lengths (got {detail})")
    keys = tuple(k for part_keys, _ in parsed for k in part_keys)
    combos = zip(*(rows for _, rows in parsed), strict=True)
    rows = [tuple(v for row in combo for v in row) for combo in combos]
    return keys, rows


def _single(spec: tuple) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    if len(spec) < 2 or not isinstance(spec[0], str):
        raise ConfigError(
            f"series: a single specification is ('key', values...) with a string key (got {spec!r})"
        )
    key, rest = spec[0], spec[1:]
    if all(_is_number(x) for x in rest):
        if len(rest) > 3:
            raise ConfigError(f"series {key!r}: a range is (key, start, stop[, step]) (got {spec!r})")
        values = _arange(key, rest)
    elif len(rest) == 1:
        values = _values(key, rest[0])
    else:
        raise ConfigError(
            f"series {key!r}: expected (key, values) or (key, start, stop[, step]) (got {spec!r})"
        )
    if not values:
        raise ConfigError(f"series {key!r}: no values to run (got {spec!r})")
    return (key,), [(v,) for v in values]


def _values(key: str, values: Any) -> list[Any]:
    if isinstance(values, tuple) and values and all(_is_number(x) for x in values):
        return _arange(key, values)
    if isinstance(values, np.ndarray):
        return values.tolist() if values.ndim == 1 else [_python(v) for v in values]
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        hint = " (call it to get an iterable)" if callable(values) else ""
        raise ConfigError(
            f"series {key!r}: values must be a list, tuple range, array or iterable{hint} (got {values!r})"
        )
    return [_python(v) for v in values]


def _arange(key: str, bounds: Sequence[Any]) -> list[Any]:
    if len(bounds) > 3 or (len(bounds) == 3 and bounds[2] == 0):
        raise ConfigError(
            f"series {key!r}: a range is (start, stop[, step]) with step != 0 (got {tuple(bounds)!r})"
        )
    return np.arange(*bounds).tolist()  # .tolist() gives Python int/float, which int settings accept


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _check_keys(keys: tuple[str, ...]) -> None:
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ConfigError(f"series: key(s) {', '.join(repeated)} appear in more than one axis")
    if "seed" in keys:
        raise ConfigError(
            "series: 'seed' cannot be varied; every run already gets its own seed "
            "(use n_repeats and Series(seed=...))"
        )


# -- experiment -----------------------------------------------------------------------------------
def as_loop(experiment: Any, registry: Registry | None = None) -> TrainingLoop:
    """A training loop from a loop, a specification mapping, an Experiment, or a name / TOML path.

    ``registry`` looks up the names (experiment, parts, loop type); default: a given loop's own,
    else the loaded one. A loop bound to another registry is rebound to ``registry``.
    """
    if isinstance(experiment, TrainingLoop):
        if registry is None or experiment.registry is registry:
            return experiment
        return experiment.with_registry(registry)
    if isinstance(experiment, Mapping):
        return make_loop(experiment, registry=registry)
    if isinstance(experiment, (str, Path)):
        from spikey_core.cli import find_experiment

        found = find_experiment(str(experiment), registry_or_loaded(registry))
        return found.make_loop(registry=registry)
    if hasattr(experiment, "make_loop"):
        instance = experiment() if isinstance(experiment, type) else experiment
        return instance.make_loop() if registry is None else instance.make_loop(registry=registry)
    raise ConfigError(
        "series: experiment must be a training loop, a specification, or a name/TOML path "
        f"(got {experiment!r})"
    )


# -- runs -----------------------------------------------------------------------------------------
@attrs.define
class Run:
    """One finished (or failed) run of a series.

    ``network, game, results, info = run`` works like a loop's return value; ``network`` and
    ``game`` are None unless the series kept objects (``keep_objects=True``), and always for a
    failed run. ``error`` is None for a run that finished, else ``{"type", "message",
    "traceback"}``.
    """

    index: int
    config_index: int
    repeat: int
    params: dict[str, Any]
    seed: int
    results: dict[str, Any] = attrs.field(factory=dict)
    info: dict[str, Any] = attrs.field(factory=dict)
    error: dict[str, str] | None = None
    seconds: float = 0.0
    log: str | None = None
    network: Any = None
    game: Any = None
    series_id: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def label(self) -> str:
        """``run 3 (configuration 1, repeat 0, {...})``: how errors name this run."""
        return f"run {self.index} (configuration {self.config_index}, repeat {self.repeat}, {self.params})"

    def __iter__(self) -> Any:
        return iter((self.network, self.game, self.results, self.info))


def error_record(error: BaseException) -> dict[str, str]:
    """``{"type", "message", "traceback"}`` of an exception, for logs and summaries."""
    text = getattr(error, "__spikey_traceback__", None) or "".join(traceback.format_exception(error))
    return {"type": type(error).__name__, "message": str(error), "traceback": text}


def run_job(loop: TrainingLoop, run: Run, make_document: bool, keep_objects: bool) -> tuple[Run, Any]:
    """Worker side of a series: run one loop, never raise; returns the run and its log document."""
    from spikey_meta.runlogs import document

    started = time.perf_counter()
    network = game = None
    try:
        network, game, results, info = loop()
        run.results, run.info = dict(results), dict(info)
    except Exception as error:  # a failing run is data, not the end of the series
        run.error = error_record(error)
        run.results = {"ok": False, "error_type": run.error["type"], "error_message": run.error["message"]}
        run.info = {"error": run.error}
    run.seconds = time.perf_counter() - started
    tags = {**run.params, "seed": run.seed, "series_id": run.series_id, "run_index": run.index}
    for key, value in tags.items():
        run.results.setdefault(key, value)
    doc = document(network, game, run.results, run.info, registry=loop.registry) if make_document else None
    if keep_objects:
        run.network, run.game = network, game
    return run, doc


class Series:
    """Run an experiment over a specification of settings, ``n_repeats`` times each.

    Parameters
    ----------
    experiment : TrainingLoop, mapping, str or Experiment
        The base experiment (a loop, a specification dict, a registered experiment name or a
        TOML path).
    experiment_params : specification
        What to vary; see the module docstring (None: one control configuration).
    n_repeats : int
        Runs per configuration, each with its own seed.
    seed : int or None
        The series seed; replaces the experiment's own seed. None draws fresh entropy (recorded
        in the summary).
    backend : str or backend
        ``"multiprocessing"`` (default), ``"serial"``, ``"ray"``, any registered name, or an
        instance (which the caller closes).
    workers : int, optional
        Worker processes for a backend created here.
    log_folder : path, optional
        When given: one JSON log per run (``YYYY-MM-DD-HH-MM-<id>.json``) and a ``~SUMMARY.json``
        listing every run with its settings, seed and outcome.
    keep_objects : bool
        Also return each run's network and game (they are pickled back from worker processes).
    validate : bool
        Build every configuration once before running (default); callers that validated the
        same settings already may skip it.
    registry : Registry, optional
        Where the experiment's names, its parts and the backend are looked up; default: a given
        loop's own registry, else the loaded one (:func:`spikey_core.get_registry`). Every run
        uses it, in worker processes too: the loops carry it to the workers (a registry pickles
        with its entries by reference, so its classes must be importable there; its CLI commands
        stay behind).

    Raises
    ------
    ConfigError
        Malformed specification, a key no part declares, an invalid value, an unknown backend:
        all before anything runs.

    Examples
    --------
    >>> runs = Series(spec, ("neuron.firing_threshold", [8, 16]), n_repeats=3).run()  # doctest: +SKIP
    >>> [run.results["total_reward"] for run in runs]                                  # doctest: +SKIP
    """

    def __init__(
        self,
        experiment: Any,
        experiment_params: Any = None,
        *,
        n_repeats: int = 1,
        seed: int | None = 0,
        backend: Any = "multiprocessing",
        workers: int | None = None,
        log_folder: str | Path | None = None,
        keep_objects: bool = False,
        validate: bool = True,
        registry: Registry | None = None,
    ):
        if not isinstance(n_repeats, numbers.Integral) or isinstance(n_repeats, bool) or n_repeats < 1:
            raise ConfigError(f"series n_repeats: must be a positive integer (got {n_repeats!r})")
        self.loop = as_loop(experiment, registry)
        #: Where names are looked up (None: the loaded one).
        self.registry = self.loop.registry
        self.experiment_params = experiment_params
        self.keys, self.values = expand(experiment_params)
        self.n_repeats = int(n_repeats)
        self.seed_sequence = as_seed_sequence(seed)
        self.backend, self.workers = backend, workers
        self.log_folder = None if log_folder is None else Path(log_folder)
        self.keep_objects = keep_objects
        self.loops = [self._configured(values, validate) for values in self.values]
        check_backend(backend, workers=workers, registry=self.registry)  # unknown or missing: fails now

    @property
    def configurations(self) -> list[dict[str, Any]]:
        """``{key: value}`` of every configuration, in run order."""
        return [dict(zip(self.keys, values, strict=True)) for values in self.values]

    def _configured(self, values: tuple[Any, ...], validate: bool) -> TrainingLoop:
        loop = self.loop.with_overrides(dict(zip(self.keys, values, strict=True)))
        if validate:
            loop.validate()
        return loop

    def jobs(self) -> list[tuple[TrainingLoop, Run]]:
        """``(loop, Run)`` of every run: configuration-major, repeats inner, each with its seed."""
        jobs = []
        series_id = self.series_id
        for c, (loop, params) in enumerate(zip(self.loops, self.configurations, strict=True)):
            for r in range(self.n_repeats):
                seed = integer_seed(self.seed_sequence, c, r)
                run = Run(
                    index=len(jobs), config_index=c, repeat=r, params=params, seed=seed, series_id=series_id
                )
                jobs.append((loop.with_overrides({"seed": seed}), run))
        return jobs

    def __len__(self) -> int:
        return len(self.values) * self.n_repeats

    def __iter__(self) -> Any:
        """The configured, seeded loop of every run, in run order (call one to run it here)."""
        return (loop for loop, _ in self.jobs())

    @property
    def series_id(self) -> str:
        """A digest of experiment, configurations, repeats and seed: the identity resume relies on."""
        data = [
            plain(self.loop.spec),
            list(self.keys),
            plain(self.values),
            self.n_repeats,
            self.seed_sequence.entropy,
        ]
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=repr).encode("utf-8")).hexdigest()[:16]

    def run(self, progress: Any = None, *, resume: bool = False) -> list[Run]:
        """Run every configuration ``n_repeats`` times; returns the runs in order.

        Parameters
        ----------
        progress : object with ``update(n)``, optional
            Advanced once per finished run (e.g. a tqdm bar).
        resume : bool
            With a log folder: runs of this same series already logged there successfully are
            read back instead of run again (failed runs are retried).
        """
        logging = self.log_folder is not None
        every = self.jobs()
        runs: list[Run | None] = [None] * len(every)
        for index, run in (self._logged_runs(every) if resume and logging else {}).items():
            runs[index] = run
        todo = [i for i, run in enumerate(runs) if run is None]
        if progress is not None:
            progress.update(len(every) - len(todo))
        logger = RunLogger(self.log_folder) if logging else None
        names = logger.reserve(len(todo)) if logger is not None else []

        def finished(k: int, outcome: tuple[Run, Any]) -> None:
            run, doc = outcome
            if logger is not None:
                run.log = str(logger.write(doc, names[k]))
            runs[todo[k]] = run

        jobs = [(every[i][0], every[i][1], logging, self.keep_objects) for i in todo]
        backend, owned = make_backend(self.backend, workers=self.workers, registry=self.registry)
        try:
            _map_isolated(backend, jobs, progress, finished)
        finally:
            if owned:
                backend.close()
        if logger is not None:
            self._summarize(logger, runs)
        return runs  # type: ignore[return-value]

    def _logged_runs(self, every: list[tuple[TrainingLoop, Run]]) -> dict[int, Run]:
        """Successful runs of this series already logged in the folder, by run index."""
        from spikey_meta.logs import read_log

        found: dict[int, Run] = {}
        series_id = self.series_id
        for path in sorted(self.log_folder.glob("*.json")) if self.log_folder.exists() else []:
            if "~SUMMARY" in path.name:
                continue
            try:
                doc = read_log(path)
            except (OSError, ValueError):
                continue
            results = doc.get("results") or {}
            index = results.get("run_index")
            if (
                results.get("series_id") != series_id
                or results.get("ok") is False
                or not isinstance(index, int)
            ):
                continue
            if 0 <= index < len(every):
                run = attrs.evolve(
                    every[index][1], results=results, info=doc.get("info") or {}, log=str(path)
                )
                found[index] = run
        return found

    def _summarize(self, logger: RunLogger, runs: list[Run]) -> None:
        self.summary_path = logger.summarize(
            results={
                "kind": "series",
                "series_id": self.series_id,
                "n_runs": len(runs),
                "n_failed": sum(not r.ok for r in runs),
                "n_configurations": len(self.values),
                "n_repeats": self.n_repeats,
                "seed_entropy": self.seed_sequence.entropy,
            },
            info={
                "runs": [Path(r.log).name for r in runs],
                "experiment": plain(self.loop.spec),
                "experiment_params": repr(
                    self.experiment_params
                ),  # as written; configurations has the values
                "keys": list(self.keys),
                "configurations": plain(self.configurations),
                "table": [
                    {
                        "log": Path(r.log).name,
                        "config_index": r.config_index,
                        "repeat": r.repeat,
                        "seed": r.seed,
                        "params": plain(r.params),
                        "ok": r.ok,
                        "error": r.error,
                        "seconds": r.seconds,
                    }
                    for r in runs
                ],
            },
        )


def _map_isolated(backend: Any, jobs: list[tuple], progress: Any, on_result: Any) -> None:
    """Map ``run_job``; a worker process that dies becomes a failed run instead of a lost series."""
    from spikey_meta.backends.multiprocessing import WorkerDiedError
    from spikey_meta.runlogs import document

    try:
        map_jobs(backend, run_job, jobs, progress, on_result)
    except WorkerDiedError as died:
        for index, error in sorted(died.deaths.items()):
            run = jobs[index][1]
            run.error = error_record(error)
            run.results = {
                **run.params,
                "seed": run.seed,
                "ok": False,
                "error_type": run.error["type"],
                "error_message": run.error["message"],
            }
            run.info = {"error": run.error}
            on_result(index, (run, document(None, None, run.results, run.info) if jobs[index][2] else None))
            if progress is not None:
                progress.update(1)


__all__ = ["Grid", "Run", "Series", "as_loop", "error_record", "expand", "run_job"]
