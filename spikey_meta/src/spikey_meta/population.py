"""Population: a genetic algorithm over a meta-game's genotypes, with caching, checkpoints and resume.

One epoch evaluates every agent (a genotype) with ``metagame.get_fitness(genotype, seed)`` on a
backend, then breeds the next generation from the agents sorted by fitness (higher is better):

* ``random_rate`` share: new random genotypes;
* ``survivor_rate`` share: the best agents, copied with their age + 1;
* ``mutation_rate`` share: copies of agents drawn (with replacement) from the best
  ``mutate_eligible_pct`` of the pool, with ONE randomly chosen key re-sampled (age 0);
* ``crossover_rate`` share: pairs of pool agents; the keys are shuffled, a switch position is
  drawn, and each child takes the keys before it from the other parent, the rest from its own;
* any shortfall: mutants of random pool members (a new random agent when the pool is empty).

The four shares are normalised to sum to 1. Agents aged ``max_age`` or more leave the breeding
pool. Every draw comes from the population's own generator (``seeding.generator(seed,
"population")``), never from numpy's global state.

Fitness is cached (``n_storing`` genotypes, least recently used dropped first) in the parent
process: each genotype is looked up before anything is dispatched, duplicates within an epoch are
evaluated once, and the results workers send back are stored, so the cache works on every
backend. A genotype is always evaluated with the same seed (derived from the population seed and
the genotype), so caching never changes a result.

With ``log_folder``: one JSON-lines log file per epoch, ``epoch-0007.jsonl``, written atomically
once the epoch is evaluated, with one run-log record per agent evaluation (results: ``epoch``,
``agent``, ``fitness``, ``age``, ``cached``, ``ok`` and every genotype key; info: ``genotype``,
``population_id``; :class:`~spikey_meta.reader.Reader` reads each record as one run), a
``~SUMMARY.json`` when the population terminates,
and ``~CHECKPOINT.ckpt`` (JSON) rewritten atomically after every epoch. ``Population(...,
resume=True)`` continues from it with the same random streams, so an interrupted run (crash,
Ctrl-C) ends exactly as an uninterrupted one would; a checkpoint written by a population with
other settings is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import tempfile
import traceback
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from spikey_core.config import AnyOf, ArrayLike, Integer, Real, param
from spikey_core.config import from_dict as config_from_dict
from spikey_core.config import to_dict as config_to_dict
from spikey_core.errors import ConfigError
from spikey_core.registry import Registry

from spikey_core import seeding
from spikey_meta.backends import check_backend, make_backend, map_jobs
from spikey_meta.runlogs import RunLogger, document, plain
from spikey_meta.summaries import FAILED_FITNESS, epoch_summary, orderable

CHECKPOINT_NAME = "~CHECKPOINT.ckpt"  # JSON text; not ".json", so log readers skip it
CHECKPOINT_FORMAT = "spikey-population-checkpoint/1"


# -- constraints ----------------------------------------------------------------------------------
@attrs.frozen
class Choice:
    """A key drawn uniformly from a list of values."""

    values: tuple

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(len(self.values)))]


@attrs.frozen
class Uniform:
    """A key drawn uniformly from ``[low, high)`` (a float)."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> Any:
        return float(rng.uniform(self.low, self.high))


@attrs.frozen
class LogUniform(Uniform):
    """A key drawn log-uniformly from ``[low, high)``, ``0 < low < high`` (a float)."""

    def sample(self, rng: np.random.Generator) -> Any:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))


def check_constraints(constraints: Mapping[str, Any]) -> dict[str, Choice | Uniform]:
    """Validate genotype constraints and turn them into samplers.

    Forms per key::

        [v1, v2, ...]                       one of these values
        (low, high)  or  {low=, high=}      a float uniform in [low, high), low < high
        {low=, high=, log=true}             a float log-uniform in [low, high), 0 < low < high
        (start, stop, step) or {start=, stop=, step=}   one of numpy.arange(start, stop, step)

    Raises
    ------
    ConfigError
        Every problem at once: no keys, an empty list, an inverted or empty range, non-numbers.
    """
    if not isinstance(constraints, Mapping) or not constraints:
        raise ConfigError(
            "genotype_constraints: must be a non-empty table of {key: values or range} "
            f"(got {constraints!r})"
        )
    problems, samplers = [], {}
    for key, spec in constraints.items():
        try:
            samplers[str(key)] = _sampler(spec)
        except ValueError as error:
            problems.append(f"$.constraints.{key}: {error} (got {spec!r})")
    if problems:
        raise ConfigError(problems)
    return samplers


def _sampler(spec: Any) -> Choice | Uniform:
    if isinstance(spec, Mapping):
        if set(spec) == {"low", "high", "log"} and spec["log"] is True:
            low, high = spec["low"], spec["high"]
            if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in (low, high)):
                raise ValueError("a range holds finite numbers")
            if not 0 < low < high or not math.isfinite(high):
                raise ValueError("a log range {low, high, log = true} needs 0 < low < high")
            return LogUniform(float(low), float(high))
        if set(spec) in ({"low", "high"}, {"low", "high", "log"}) and spec.get("log", False) is False:
            spec = (spec["low"], spec["high"])
        elif set(spec) in ({"start", "stop"}, {"start", "stop", "step"}):
            spec = (spec["start"], spec["stop"], spec.get("step", 1))
        else:
            raise ValueError(
                "a range table has keys low, high[, log = true] (uniform) or start, stop[, step] (choice)"
            )
    if isinstance(spec, tuple):
        if not all(
            isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x) for x in spec
        ):
            raise ValueError("a range holds finite numbers")
        if len(spec) == 2:
            low, high = (float(x) for x in spec)
            if not low < high:
                raise ValueError("a uniform range (low, high) needs low < high")
            return Uniform(low, high)
        if len(spec) == 3:
            if spec[2] == 0:
                raise ValueError("a stepped range needs step != 0")
            values = np.arange(*spec).tolist()
            if not values:
                raise ValueError("the stepped range (start, stop, step) is empty")
            return Choice(tuple(values))
        raise ValueError("a range is (low, high) or (start, stop, step)")
    if isinstance(spec, (list, np.ndarray)):
        values = tuple(v.item() if isinstance(v, np.generic) else v for v in spec)
        if not values:
            raise ValueError("an empty list of values; give at least one")
        return Choice(values)
    raise ValueError("must be a list of values, a (low, high) range or a (start, stop, step) range")


# -- configuration --------------------------------------------------------------------------------
def _schedule_check() -> Any:
    return AnyOf(Integer(ge=1), ArrayLike(ndim=1))


def _schedule(value: Any) -> Any:
    """A list or array schedule becomes a tuple of ints (configs are immutable)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(v.item() if isinstance(v, np.generic) else v for v in value)
    return value


@attrs.frozen(kw_only=True)
class PopulationConfig:
    n_agents: Any = param(
        check=_schedule_check(),
        converter=_schedule,
        doc="agents per epoch (int), or a per-epoch list whose length is the number of epochs",
    )
    n_epoch: int = param(default=100, check=Integer(ge=1), doc="epochs when n_agents is an int")
    n_storing: int = param(
        default=1000, check=Integer(ge=0), doc="genotypes kept in the fitness cache (0: no cache)"
    )
    mutate_eligible_pct: float = param(
        default=0.5,
        check=Real(gt=0, le=1),
        doc="fraction of the best agents mutants are drawn from, in (0, 1]",
    )
    max_age: int = param(
        default=10, check=Integer(ge=1), doc="agents this old (epochs survived) leave the breeding pool"
    )
    random_rate: float = param(
        default=0.1, check=Real(ge=0), doc="share of new random agents (shares are normalised)"
    )
    survivor_rate: float = param(default=0.1, check=Real(ge=0), doc="share of best agents copied over")
    mutation_rate: float = param(default=0.5, check=Real(ge=0), doc="share of mutants")
    crossover_rate: float = param(default=0.3, check=Real(ge=0), doc="share of crossover children")
    seed: int = param(
        default=0, check=Integer(ge=0), doc="seed of the population's generator and of every evaluation"
    )

    def __attrs_post_init__(self) -> None:
        if isinstance(self.n_agents, tuple):
            bad = [
                n
                for n in self.n_agents
                if not (isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1)
            ]
            if bad or len(self.n_agents) == 0:
                raise ConfigError(
                    "PopulationConfig.n_agents: a schedule must be a non-empty list of positive integers "
                    f"(got {list(self.n_agents)!r})"
                )
        if self.random_rate + self.survivor_rate + self.mutation_rate + self.crossover_rate <= 0:
            raise ConfigError(
                "PopulationConfig: random_rate, survivor_rate, mutation_rate and crossover_rate are all 0; "
                "at least one share must be positive"
            )

    @property
    def schedule(self) -> list[int]:
        if isinstance(self.n_agents, numbers.Integral):
            return [int(self.n_agents)] * self.n_epoch
        return [int(n) for n in self.n_agents]

    @property
    def shares(self) -> tuple[float, float, float, float]:
        """(random, survivor, mutation, crossover), normalised to sum to 1."""
        rates = (self.random_rate, self.survivor_rate, self.mutation_rate, self.crossover_rate)
        total = sum(rates)
        return tuple(r / total for r in rates)  # type: ignore[return-value]


def epoch_log_stem(epoch: int) -> str:
    """The name (without ``.jsonl``) of an epoch's log file: ``epoch-0007``."""
    return f"epoch-{epoch:04d}"


# -- agents and cache -----------------------------------------------------------------------------
@attrs.define
class Agent:
    genotype: dict[str, Any]
    age: int = 0


def genotype_key(genotype: Mapping[str, Any]) -> str:
    """Canonical text of a genotype (sorted keys): the cache key and the evaluation seed's name."""
    return json.dumps(plain(dict(genotype)), sort_keys=True, separators=(",", ":"))


def genotype_distance(a: Mapping[str, Any], b: Mapping[str, Any], keys: Any = None) -> float:
    """Euclidean distance between two genotypes over ``keys`` (default: every key of ``a``).

    Numeric values contribute their difference; any other value contributes 0 when equal and 1
    when not, so genotypes of values lists (strings, presets) have a distance too.

    Examples
    --------
    >>> genotype_distance({"x": 0, "y": 0, "s": "a"}, {"x": 3, "y": 4, "s": "a"})
    5.0
    """
    total = 0.0
    for key in a if keys is None else keys:
        x, y = a[key], b[key]
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (x, y))
        total += (float(x) - float(y)) ** 2 if numeric else float(x != y)
    return math.sqrt(total)


class GenotypeCache:
    """genotype -> (fitness, terminate), keeping the ``size`` most recently used genotypes."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self.hits = 0

    def get(self, key: str) -> tuple[float, bool] | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return value

    def put(self, key: str, value: tuple[float, bool]) -> None:
        if self.size == 0:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def to_list(self) -> list:
        return [[key, fitness, terminate] for key, (fitness, terminate) in self._entries.items()]

    @classmethod
    def from_list(cls, size: int, items: list, hits: int = 0) -> GenotypeCache:
        cache = cls(size)
        for key, fitness, terminate in items:
            cache._entries[key] = (float(fitness), bool(terminate))
        cache.hits = hits
        return cache


def evaluate_genotype(
    metagame: Any, genotype: dict[str, Any], seed: int
) -> tuple[float, bool, dict[str, str] | None]:
    """Worker side of an epoch: ``metagame.get_fitness(genotype, seed)`` as ``(float, bool, None)``.

    An evaluation that raises is not fatal to the search: it comes back as
    ``(FAILED_FITNESS, False, {"type", "message", "traceback"})``, the same on every backend.
    """
    try:
        fitness, terminate = metagame.get_fitness(dict(genotype), seed)
        return float(fitness), bool(terminate), None
    except Exception as error:
        record = _error_record(error)
        if getattr(error, "stops_search", False):  # misconfigured search, not a failing agent
            record["stops_search"] = str(error)
        return FAILED_FITNESS, False, record


def _error_record(error: BaseException) -> dict[str, str]:
    text = "".join(traceback.format_exception(error))
    return {"type": type(error).__name__, "message": str(error).split("\n")[0], "traceback": text}


def _map_agents(backend: Any, jobs: list[tuple], progress: Any) -> list[tuple[float, bool, Any]]:
    """Evaluate ``jobs``; a job whose worker process died is retried once, then recorded failed."""
    from spikey_meta.backends.multiprocessing import WorkerDiedError

    try:
        return list(map_jobs(backend, evaluate_genotype, jobs, progress))
    except WorkerDiedError as died:
        outcomes = list(died.results)
        for index in sorted(died.deaths):
            outcomes[index] = _retry_once(backend, jobs[index], died.deaths[index])
            if progress is not None:
                progress.update(1)
        return outcomes
    except Exception as error:  # a backend that cannot say which job's worker was lost (e.g. Ray)
        return [_retry_once(backend, job, error) for job in jobs]


def _retry_once(backend: Any, job: tuple, first: BaseException) -> tuple[float, bool, Any]:
    """One more evaluation of a job whose worker was lost; a second loss records it as failed."""
    try:
        (outcome,) = map_jobs(backend, evaluate_genotype, [job])
        return outcome
    except Exception as again:
        record = _error_record(again)
        record["message"] = f"worker lost twice ({type(first).__name__}, then {record['message']})"
        return FAILED_FITNESS, False, record


# -- breeding -------------------------------------------------------------------------------------
class Breeder:
    """The genetic operators over a set of constraints, drawing from one generator."""

    def __init__(self, constraints: Mapping[str, Choice | Uniform], rng: np.random.Generator):
        self.constraints = dict(constraints)
        self.keys = list(self.constraints)
        self.rng = rng

    def random(self) -> Agent:
        return Agent({key: sampler.sample(self.rng) for key, sampler in self.constraints.items()})

    def mutate(self, parent: Agent) -> Agent:
        """A copy of ``parent`` with one random key re-sampled; age 0."""
        genotype = dict(parent.genotype)
        key = self.keys[int(self.rng.integers(len(self.keys)))]
        genotype[key] = self.constraints[key].sample(self.rng)
        return Agent(genotype)

    def crossover(self, a: Agent, b: Agent) -> tuple[Agent, Agent]:
        """Two children: keys (in shuffled order) before a switch position come from the other parent."""
        order = [self.keys[i] for i in self.rng.permutation(len(self.keys))]
        switch = int(self.rng.integers(1, len(order))) if len(order) > 1 else 1
        first = {k: (b.genotype[k] if i < switch else a.genotype[k]) for i, k in enumerate(order)}
        second = {k: (a.genotype[k] if i < switch else b.genotype[k]) for i, k in enumerate(order)}
        return Agent({k: first[k] for k in self.keys}), Agent({k: second[k] for k in self.keys})

    def next_generation(
        self, agents: list[Agent], fitness: list[float], n: int, config: PopulationConfig
    ) -> list[Agent]:
        """The ``n`` agents of the next epoch (see the module docstring for the recipe)."""
        ranked = sorted(range(len(agents)), key=lambda i: -orderable(fitness[i]))
        pool = [agents[i] for i in ranked if agents[i].age < config.max_age]
        random_share, survivor_share, mutation_share, crossover_share = config.shares
        new = [self.random() for _ in range(int(n * random_share))]
        new += [Agent(dict(a.genotype), a.age + 1) for a in pool[: int(n * survivor_share)]]
        if pool:
            eligible = pool[: max(1, int(config.mutate_eligible_pct * len(pool)))]
            new += [
                self.mutate(eligible[int(self.rng.integers(len(eligible)))])
                for _ in range(int(n * mutation_share))
            ]
            for _ in range(int(n * crossover_share) // 2):
                i, j = self.rng.choice(len(pool), size=2, replace=len(pool) < 2)
                new += self.crossover(pool[int(i)], pool[int(j)])
        while len(new) < n:
            new.append(self.mutate(pool[int(self.rng.integers(len(pool)))]) if pool else self.random())
        return new[:n]


# -- results --------------------------------------------------------------------------------------
@attrs.define
class PopulationResult:
    best_genotype: dict[str, Any]
    best_fitness: float
    epochs: int
    terminated: bool
    history: list[dict[str, Any]]
    log_folder: str | None = None

    @property
    def n_failed(self) -> int:
        """Agent evaluations that failed (recorded with the worst fitness), over every epoch."""
        return sum(int(h.get("n_failed", 0)) for h in self.history)


class Population:
    """A genetic algorithm over a meta-game (see the module docstring).

    Parameters
    ----------
    metagame : MetaGame
        Provides ``genotype_constraints`` (or ``GENOTYPE_CONSTRAINTS``), ``get_fitness`` and
        ``describe``.
    backend : str or backend
        Where evaluations run (default ``"multiprocessing"``); an instance is closed by its owner.
    workers : int, optional
        Worker processes for a backend created here.
    log_folder : path, optional
        One JSON-lines log per epoch (a record per agent), a summary and the per-epoch checkpoint.
    resume : bool
        Continue from ``log_folder``'s checkpoint (a fresh start when there is none).
    genotype_constraints : mapping, optional
        Overrides the meta-game's constraints.
    registry : Registry, optional
        Where the backend name is looked up; default: the meta-game's ``registry`` (an
        :class:`~spikey_meta.metagames.EvolveNetwork` looks its experiment up there and carries it
        to the worker processes), else the loaded one.
    **config
        :class:`PopulationConfig` fields (``n_agents``, ``n_epoch``, rates, ``seed``, ...).

    Raises
    ------
    ConfigError
        Bad constraints or config, an unknown backend, a checkpoint from another population, or
        a folder holding a checkpoint without ``resume`` — before any evaluation.

    Examples
    --------
    >>> population = Population(MetaNQueens(), n_agents=100, log_folder="queens")  # doctest: +SKIP
    >>> result = population.run()                                                 # doctest: +SKIP
    >>> result.best_fitness, result.best_genotype                                 # doctest: +SKIP

    Step by step, as in the original (close the backend yourself, or use ``with``)::

        with Population(MetaNQueens(), n_agents=100) as population:
            while not population.terminated:
                population.update(population.evaluate())
    """

    def __init__(
        self,
        metagame: Any,
        *,
        backend: Any = "multiprocessing",
        workers: int | None = None,
        log_folder: str | Path | None = None,
        resume: bool = False,
        overwrite: bool = False,
        genotype_constraints: Mapping[str, Any] | None = None,
        registry: Registry | None = None,
        **config: Any,
    ):
        self.metagame = metagame
        self.registry = registry if registry is not None else getattr(metagame, "registry", None)
        raw = genotype_constraints if genotype_constraints is not None else _constraints_of(metagame)
        self.constraints = check_constraints(raw)
        self._raw_constraints = plain(dict(raw))
        self.config = config_from_dict(PopulationConfig, config, address="$.population")
        self.schedule = self.config.schedule
        self.fingerprint = self._fingerprint()
        self.rng = seeding.generator(self.config.seed, "population")
        self.breeder = Breeder(self.constraints, self.rng)
        self.cache = GenotypeCache(self.config.n_storing)
        self.epoch = 0
        self.terminated = False
        self.history: list[dict[str, Any]] = []
        self.log_names: list[str] = []
        self.log_folder = None if log_folder is None else Path(log_folder)
        self._logger: RunLogger | None = None
        self._backend_spec, self._workers = backend, workers
        self._backend: Any = None
        self._owns_backend = False
        check_backend(backend, workers=workers, registry=self.registry)  # unknown or missing: fails now
        self.agents = [self.breeder.random() for _ in range(self.schedule[0])]
        if resume and overwrite:
            raise ConfigError("population: resume and overwrite exclude each other; choose one")
        if self.log_folder is not None:
            self._open_folder(resume, overwrite)
        elif resume:
            raise ConfigError("population: resume=True needs the log_folder that holds the checkpoint")

    # -- set-up ----------------------------------------------------------------------------------
    def _fingerprint(self) -> str:
        config = config_to_dict(self.config)
        config["n_agents"] = plain(self.config.n_agents)
        describe = getattr(self.metagame, "describe", None)
        data = {
            "config": config,
            "constraints": self._raw_constraints,
            "metagame": plain(describe() if callable(describe) else repr(self.metagame)),
        }
        text = json.dumps(data, sort_keys=True, default=repr)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def checkpoint_path(self) -> Path | None:
        return None if self.log_folder is None else self.log_folder / CHECKPOINT_NAME

    def _open_folder(self, resume: bool, overwrite: bool = False) -> None:
        path = self.checkpoint_path
        if path.exists() and overwrite:
            self._remove_previous(path)
        elif path.exists():
            state = self._read_checkpoint(path)
            same = state["fingerprint"] == self.fingerprint
            if not state["history"] and not state["log_names"] and not (resume and same):
                pass  # a search that stopped before finishing an epoch: nothing to keep, start afresh
            elif not resume:
                kind = "this same search" if same else "a search with other settings"
                fix = "pass resume=True (--resume) to continue it, " if same else ""
                raise ConfigError(
                    f"population log folder {self.log_folder} holds a checkpoint of {kind} (epoch "
                    f"{state['epoch']}); {fix}pass overwrite=True (--overwrite) to start again there, "
                    "or choose another folder"
                )
            elif not same:
                raise ConfigError(
                    f"{path}: the checkpoint belongs to a population with other settings (meta-game, "
                    "constraints or population config differ); resume with the original settings, pass "
                    "overwrite=True (--overwrite) to start again there, or choose another folder"
                )
            else:
                self._restore(state)
                self._discard_unfinished_epoch_logs()
        self.log_folder.mkdir(parents=True, exist_ok=True)
        self._logger = RunLogger(self.log_folder)
        self.checkpoint()

    # -- checkpoint ------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything needed to continue: agents, cache, epoch, generator state, history."""
        return {
            "format": CHECKPOINT_FORMAT,
            "fingerprint": self.fingerprint,
            "epoch": self.epoch,
            "terminated": self.terminated,
            "agents": [{"genotype": plain(a.genotype), "age": a.age} for a in self.agents],
            "cache": self.cache.to_list(),
            "cache_hits": self.cache.hits,
            "rng_state": self.rng.bit_generator.state,
            "history": plain(self.history),
            "log_names": self.log_names,
        }

    def checkpoint(self) -> Path | None:
        """Atomically rewrite ``~CHECKPOINT.ckpt`` in the log folder (no-op without one)."""
        path = self.checkpoint_path
        if path is None:
            return None
        fd, temp = tempfile.mkstemp(prefix=".checkpoint.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.state(), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        finally:
            Path(temp).unlink(missing_ok=True)
        return path

    def _read_checkpoint(self, path: Path) -> dict[str, Any]:
        """The checkpoint's document, checked for every key a resume reads."""
        fix = "pass overwrite=True (--overwrite) to start again there, or choose another folder"
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConfigError(f"{path}: cannot read the population checkpoint ({error}); {fix}") from None
        if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
            raise ConfigError(f"{path}: not a population checkpoint ({CHECKPOINT_FORMAT}); {fix}")
        kinds = {
            "fingerprint": str,
            "epoch": int,
            "terminated": bool,
            "agents": list,
            "cache": list,
            "rng_state": dict,
            "history": list,
            "log_names": list,
        }
        missing = [key for key in kinds if key not in state]
        wrong = [key for key, kind in kinds.items() if key in state and not isinstance(state[key], kind)]
        if missing or wrong:
            what = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"of the wrong type: {', '.join(wrong)}" if wrong else "",
                )
                if part
            )
            raise ConfigError(f"{path}: the population checkpoint is incomplete ({what}); {fix}")
        return state

    def _remove_previous(self, path: Path) -> None:
        """``overwrite``: drop the old checkpoint and the agent logs it lists (nothing else)."""
        try:
            names = json.loads(path.read_text(encoding="utf-8")).get("log_names") or []
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            names = []
        for name in names:
            if isinstance(name, str) and Path(name).name == name:
                (self.log_folder / name).unlink(missing_ok=True)
        path.unlink()

    def _restore(self, state: Mapping[str, Any]) -> None:
        try:
            agents = [Agent(dict(a["genotype"]), a["age"]) for a in state["agents"]]
            cache = GenotypeCache.from_list(self.config.n_storing, state["cache"], state.get("cache_hits", 0))
            self.rng.bit_generator.state = state["rng_state"]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ConfigError(
                f"{self.checkpoint_path}: the population checkpoint is damaged ({type(error).__name__}: "
                f"{error}); pass overwrite=True (--overwrite) to start again there, or choose another folder"
            ) from None
        self.epoch = state["epoch"]
        self.terminated = state["terminated"]
        self.agents, self.cache = agents, cache
        self.history = state["history"]
        self.log_names = list(state["log_names"])

    def _discard_unfinished_epoch_logs(self) -> None:
        """Remove logs of this population that the checkpoint does not list.

        They belong to an epoch that was interrupted between logging and checkpointing; the
        resumed run evaluates that epoch again and logs it afresh. Epoch files (``.jsonl``) and
        the per-agent ``.json`` logs of earlier versions are both recognised by the
        ``population_id`` in their records.
        """
        listed = set(self.log_names)
        for path in [*self.log_folder.glob("*.json"), *self.log_folder.glob("*.jsonl")]:
            if path.name in listed or "~SUMMARY" in path.name or path.name.startswith("."):
                continue
            if _population_id_of(path) == self.fingerprint[:16]:
                path.unlink()

    # -- backend ---------------------------------------------------------------------------------
    def _get_backend(self) -> Any:
        if self._backend is None:
            self._backend, self._owns_backend = make_backend(
                self._backend_spec, workers=self._workers, registry=self.registry
            )
        return self._backend

    def close(self) -> None:
        """Release the backend's workers (when this population created them)."""
        if self._backend is not None and self._owns_backend:
            self._backend.close()
        self._backend = None

    def __enter__(self) -> Population:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- one epoch -------------------------------------------------------------------------------
    def evaluation_seed(self, genotype: Mapping[str, Any]) -> int:
        return seeding.integer_seed(self.config.seed, "fitness", genotype_key(genotype))

    def evaluate(self, progress: Any = None) -> list[float]:
        """Fitness of every current agent (cache first, then the backend); logs each agent."""
        keys = [genotype_key(a.genotype) for a in self.agents]
        known: dict[str, tuple[float, bool]] = {}
        cached = [False] * len(keys)
        for i, key in enumerate(keys):
            hit = known.get(key) or self.cache.get(key)
            if hit is not None:
                known[key], cached[i] = hit, True
        todo = list(dict.fromkeys(k for k in keys if k not in known))
        first = {key: keys.index(key) for key in todo}
        jobs = [
            (
                self.metagame,
                self.agents[first[k]].genotype,
                self.evaluation_seed(self.agents[first[k]].genotype),
            )
            for k in todo
        ]
        if progress is not None:
            progress.update(len(keys) - len(todo))
        outcomes = _map_agents(self._get_backend(), jobs, progress)
        fatal = next((e["stops_search"] for _, _, e in outcomes if e and "stops_search" in e), None)
        if fatal is not None:
            raise ConfigError(f"{fatal}; the search stopped before logging epoch {self.epoch}")
        errors: dict[str, dict[str, str]] = {}
        for key, (value, terminate, error) in zip(todo, outcomes, strict=True):
            known[key] = (value, terminate)
            if error is None:
                self.cache.put(key, (value, terminate))  # a failure is tried again, never cached
            else:
                errors[key] = error
        fitness = [known[k][0] for k in keys]
        if any(known[k][1] for k in keys):
            self.terminated = True
        self._record(fitness, cached, [errors.get(k) for k in keys])
        return fitness

    def _record(self, fitness: list[float], cached: list[bool], errors: list[Any] | None = None) -> None:
        errors = errors or [None] * len(fitness)
        best = max(range(len(fitness)), key=lambda i: orderable(fitness[i]))
        self.history.append(
            {
                **epoch_summary(self.epoch, fitness, [e is None for e in errors], cached),
                "best_genotype": plain(self.agents[best].genotype),
                "failures": [
                    {
                        "agent": i,
                        "genotype": plain(self.agents[i].genotype),
                        "type": e["type"],
                        "message": e["message"],
                    }
                    for i, e in enumerate(errors)
                    if e is not None
                ],
            }
        )
        if self._logger is None:
            return
        documents = []
        for i, (agent, value) in enumerate(zip(self.agents, fitness, strict=True)):
            results = {
                "epoch": self.epoch,
                "agent": i,
                "fitness": value,
                "age": agent.age,
                "cached": cached[i],
                "ok": errors[i] is None,
            }
            results.update({k: v for k, v in agent.genotype.items() if k not in results})
            info = {"genotype": agent.genotype, "population_id": self.fingerprint[:16]}
            if errors[i] is not None:
                results.update(error_type=errors[i]["type"], error_message=errors[i]["message"])
                info["error"] = errors[i]
            documents.append(document(results=results, info=info))
        path = self._logger.write_records(documents, epoch_log_stem(self.epoch))
        self.log_names.append(path.name)

    def update(self, fitness: list[float]) -> None:
        """Breed the next generation (unless terminated), advance the epoch, checkpoint."""
        self.epoch += 1
        if not self.terminated and self.epoch >= len(self.schedule):
            self.terminated = True
        if not self.terminated:
            self.agents = self.breeder.next_generation(
                self.agents, fitness, self.schedule[self.epoch], self.config
            )
        self.checkpoint()

    # -- whole run -------------------------------------------------------------------------------
    def run(
        self,
        progress: Any = None,
        *,
        max_epochs: int | None = None,
        on_epoch: Callable[[Population], None] | None = None,
    ) -> PopulationResult:
        """Evaluate and breed until terminated (or ``max_epochs`` more epochs); then close the backend.

        ``on_epoch(population)`` is called after each epoch's checkpoint.
        """
        done = 0
        try:
            while not self.terminated and (max_epochs is None or done < max_epochs):
                fitness = self.evaluate(progress)
                self.update(fitness)
                done += 1
                if on_epoch is not None:
                    on_epoch(self)
        finally:
            self.close()
        result = self.result()
        if self._logger is not None and self.terminated:
            self._logger.summarize(
                results={
                    "kind": "population",
                    "epochs": result.epochs,
                    "best_fitness": result.best_fitness,
                    "terminated": result.terminated,
                    "cache_hits": self.cache.hits,
                    "n_failed": result.n_failed,
                },
                info={
                    "population_config": plain(config_to_dict(self.config)),
                    "genotype_constraints": self._raw_constraints,
                    "metagame": plain(self.metagame.describe())
                    if hasattr(self.metagame, "describe")
                    else repr(self.metagame),
                    "best_genotype": result.best_genotype,
                    "history": self.history,
                    "agent_logs": self.log_names,
                },
            )
        return result

    def result(self) -> PopulationResult:
        if not self.history:
            return PopulationResult({}, -math.inf, 0, self.terminated, [], _str(self.log_folder))
        best = max(self.history, key=lambda h: orderable(h["best_fitness"]))
        return PopulationResult(
            dict(best["best_genotype"]),
            best["best_fitness"],
            len(self.history),
            self.terminated,
            list(self.history),
            _str(self.log_folder),
        )


def _population_id_of(path: Path) -> str | None:
    """The ``population_id`` of the (first) run in a log file; None for other or unreadable files."""
    from spikey_meta.logs import read_log, read_records

    try:
        documents = [doc for _, doc in read_records(path)[0]] if path.suffix == ".jsonl" else [read_log(path)]
    except (OSError, ValueError):
        return None
    info = (documents[0].get("info") or {}) if documents else {}
    return info.get("population_id")


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _constraints_of(metagame: Any) -> Any:
    constraints = getattr(metagame, "genotype_constraints", None)
    if constraints is None:
        constraints = getattr(metagame, "GENOTYPE_CONSTRAINTS", None)
    if constraints is None:
        raise ConfigError(f"population: {metagame!r} has no genotype_constraints / GENOTYPE_CONSTRAINTS")
    return constraints


__all__ = [
    "Agent",
    "Breeder",
    "Choice",
    "GenotypeCache",
    "Population",
    "PopulationConfig",
    "PopulationResult",
    "LogUniform",
    "Uniform",
    "check_constraints",
    "evaluate_genotype",
    "genotype_distance",
    "genotype_key",
]
