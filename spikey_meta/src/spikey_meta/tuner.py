"""Tuner: hyperparameter search with Optuna over the settings of an experiment.

The search space, the fitness and the experiment are those of ``spikey evolve``: an
:class:`~spikey_meta.metagames.EvolveNetwork` (its constraints, ``fitness``, ``aggregator``,
``n_reruns`` and ``static_updates``) describes what a trial runs and how it is scored; Optuna
chooses the settings. Constraint forms map to Optuna distributions: a list of values ->
categorical, ``{low, high}`` -> uniform float, ``{low, high, log = true}`` -> log-uniform float,
``{start, stop, step}`` -> categorical over the ``numpy.arange`` values.

Determinism. Trials are asked in batches of ``batch_size`` (independent of the backend and of
the number of workers), evaluated in parallel, and told in trial order; the sampler of batch
``b`` is seeded with ``integer_seed(seed, "sampler", b)`` and trial ``n`` runs with seeds
derived from ``integer_seed(seed, "trial", n)``. So the same seed gives the same trials on every
backend, and a resumed study continues exactly as an uninterrupted one would.

Pruning (``pruner = "median"``): the intermediate value of a trial at step ``k`` is the return
(sum of the rewards the network received, or of the game's rewards when the network has no
rewarder) of its ``k``-th episode, counted across its runs. At the start of every episode the
worker asks Optuna's :class:`~optuna.pruners.MedianPruner` whether the trial's last value is
worse than the median of the completed trials of earlier batches at the same step, and stops the
trial if so (state PRUNED). The earlier batches are fixed when a batch starts, so pruning is as
deterministic as the rest.

Persistence. The study lives in an Optuna storage, by default ``sqlite:///<log folder>/study.db``
(each tell is committed, so the study survives ``kill -9``). ``resume=True`` loads the study,
re-runs the trials that were interrupted (same settings, same seeds) and goes on to
``n_trials``. Every run of every trial is logged like a Series run (one JSON log; results carry
the settings, ``trial`` and ``seed``), and a ``~SUMMARY.json`` lists every trial.
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from spikey_core.errors import ConfigError
from spikey_core.registry import Registry
from spikey_core.seeding import integer_seed
from spikey_core.spec import instantiate

from spikey_core import Callback
from spikey_meta.backends import check_backend, make_backend, map_jobs
from spikey_meta.metagames.evolve_network import EvolveNetwork
from spikey_meta.population import Choice, LogUniform, check_constraints
from spikey_meta.runlogs import RunLogger, plain
from spikey_meta.series import run_job

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "none")
DIRECTIONS = ("maximize", "minimize")
STUDY_FILE = "study.db"


def require_optuna() -> Any:
    """The optuna module, or a ConfigError with the install command."""
    try:
        import optuna
    except ImportError:
        raise ConfigError("tune: needs Optuna; pip install 'spikey-meta[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def distributions(constraints: Mapping[str, Any]) -> dict[str, Any]:
    """Optuna distributions of evolve-style constraints (see the module docstring)."""
    optuna = require_optuna()
    result = {}
    for key, sampler in check_constraints(constraints).items():
        if isinstance(sampler, Choice):
            result[key] = optuna.distributions.CategoricalDistribution(sampler.values)
        else:
            result[key] = optuna.distributions.FloatDistribution(
                sampler.low, sampler.high, log=isinstance(sampler, LogUniform)
            )
    return result


@attrs.frozen
class TrialOutcome:
    """What a worker sends back for one trial."""

    number: int
    state: str  # "complete", "pruned" or "fail"
    value: float | None
    intermediate: tuple[float, ...]
    documents: tuple[Any, ...]
    error: dict[str, str] | None = None
    seconds: float = 0.0


class _PruneTrial(Exception):
    """Raised inside a run to stop a trial the pruner rejected."""


class MedianJudge:
    """Optuna's MedianPruner over the completed trials of earlier batches (picklable snapshot)."""

    def __init__(
        self, direction: str, history: list[tuple[float, dict[int, float]]], *, startup: int, warmup: int
    ):
        self.direction, self.history, self.startup, self.warmup = direction, history, startup, warmup
        self._trial: Any = None

    def start(self) -> None:
        optuna = require_optuna()
        study = optuna.create_study(
            direction=self.direction,
            pruner=optuna.pruners.MedianPruner(n_startup_trials=self.startup, n_warmup_steps=self.warmup),
        )
        for value, intermediate in self.history:
            study.add_trial(
                optuna.trial.create_trial(
                    value=value, intermediate_values=intermediate, params={}, distributions={}
                )
            )
        self._trial = study.ask()

    def should_prune(self, step: int, value: float) -> bool:
        self._trial.report(value, step)
        return bool(self._trial.should_prune())


class EpisodeReturns:
    """Callback around the experiment's own: records episode returns, asks the judge to prune.

    Every event goes to the experiment's callback (``results`` and ``info`` are its own).
    """

    def __init__(self, section: Any, registry: Any, judge: MedianJudge | None):
        self.section, self.registry, self.judge = section, registry, judge
        self.inner: Any = None
        self.returns: list[float] = []
        self.pruned = False
        self._episode: float | None = None
        self._rewarded = False

    def __getattr__(self, name: str) -> Any:
        inner = self.__dict__.get("inner")
        if inner is None:
            raise AttributeError(name)
        return getattr(inner, name)

    def reset(self, **params: Any) -> None:
        if self.pruned:
            raise _PruneTrial()
        if self.section is None:
            self.inner = Callback()
        else:
            self.inner = instantiate("callback", self.section, "$.callback", registry=self.registry)
        self._episode = None
        self.inner.reset(**params)

    def _close_episode(self) -> None:
        if self._episode is None:
            return
        self.returns.append(self._episode)
        self._episode = None
        if self.judge is not None and self.judge.should_prune(len(self.returns) - 1, self.returns[-1]):
            self.pruned = True
            raise _PruneTrial()

    def game_reset(self, **event: Any) -> None:
        self._close_episode()
        self._episode, self._rewarded = 0.0, False
        self.inner.game_reset(**event)

    def game_step(self, **event: Any) -> None:
        if not self._rewarded and self._episode is not None:
            self._episode += float(event["reward"])
        self.inner.game_step(**event)

    def network_reward(self, **event: Any) -> None:
        if self._episode is not None:
            if not self._rewarded:  # the network is rewarded: its rewards, not the game's, count
                self._episode, self._rewarded = 0.0, True
            self._episode += float(event["reward"])
        self.inner.network_reward(**event)

    def training_end(self) -> None:
        self._close_episode()
        self.inner.training_end()


def run_trial(
    metagame: EvolveNetwork, number: int, params: dict[str, Any], seed: int, judge: MedianJudge | None
) -> TrialOutcome:
    """Worker side: every run of one trial (the evolve fitness), logged like a Series."""
    started = time.perf_counter()
    if judge is not None:
        judge.start()
    reporter: EpisodeReturns | None = None

    def instrument(loop: Any) -> Any:
        nonlocal reporter
        reporter = EpisodeReturns(loop.spec.get("callback"), loop.registry, judge)
        instrumented = type(loop)(loop.spec, callback=reporter, registry=loop.registry)
        instrumented.metrics = loop.metrics
        return instrumented

    series = metagame._series(params, seed, validate=False, wrap=instrument)
    assert reporter is not None
    documents, scores, error = [], [], None
    for job_loop, run in series.jobs():
        run.params = {**run.params, **params, "trial": number}
        run, doc = run_job(job_loop, run, True, True)
        documents.append(doc)
        if reporter.pruned:
            break
        if not run.ok:
            error = run.error
            break
        scores.append(float(metagame.fitness_getter(*run)))
    intermediate = tuple(reporter.returns)
    seconds = time.perf_counter() - started
    if reporter.pruned:
        return TrialOutcome(number, "pruned", None, intermediate, tuple(documents), None, seconds)
    if error is not None or not scores:
        return TrialOutcome(number, "fail", None, intermediate, tuple(documents), error, seconds)
    value = metagame.aggregate(scores)
    state = "complete" if math.isfinite(value) else "fail"
    return TrialOutcome(number, state, value, intermediate, tuple(documents), None, seconds)


def _choice(value: Any, options: tuple[str, ...], address: str) -> str:
    if value not in options:
        raise ConfigError(f"{address}: must be one of {', '.join(options)} (got {value!r})")
    return value


def _positive_int(value: Any, address: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{address}: must be a positive integer (got {value!r})")
    return int(value)


class Tuner:
    """Optuna search over the settings of an experiment, on any Spikey backend.

    Parameters
    ----------
    metagame : EvolveNetwork
        Experiment, search space (its constraints) and fitness, exactly as ``spikey evolve``.
    n_trials : int
        Trials in the study (a resumed study counts the ones it has).
    sampler : {"tpe", "random", "grid"}
        TPE (default), random search, or every combination of the values (lists / stepped ranges
        only) in ``itertools.product`` order, once each.
    pruner : {"median", "none"}
        Median pruning on per-episode returns (see the module docstring), or none.
    direction : {"maximize", "minimize"}
        Of the fitness.
    seed : int
        Seeds the samplers and every trial's runs.
    batch_size : int
        Trials asked (and run in parallel) at once; results do not depend on the backend.
    n_startup_trials, n_warmup_steps : int
        MedianPruner settings: trials completed before pruning starts, episodes never pruned.
    backend, workers
        As for Series: ``"multiprocessing"`` (default), ``"serial"``, ``"ray"`` or an instance.
    log_folder : path, optional
        Logs of every run and the summary; holds the default SQLite storage.
    storage : str, optional
        Optuna storage URL; default ``sqlite:///<log_folder>/study.db`` (in memory without a folder).
    study_name : str
        Name of the study in the storage.
    resume : bool
        Continue a study already in the storage; without it an existing study is an error.
    registry : Registry, optional
        Where the backend name is looked up; default: the meta-game's (its experiment's) registry,
        else the loaded one. The trials' runs use the meta-game's registry, in workers too.

    Raises
    ------
    ConfigError
        Bad options, a grid sampler over a continuous range, a study that exists without
        ``resume`` (or is missing with it), an unknown backend: before any trial runs.
    """

    def __init__(
        self,
        metagame: EvolveNetwork,
        *,
        n_trials: int = 20,
        sampler: str = "tpe",
        pruner: str = "median",
        direction: str = "maximize",
        seed: int = 0,
        batch_size: int = 4,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        backend: Any = "multiprocessing",
        workers: int | None = None,
        log_folder: str | Path | None = None,
        storage: str | None = None,
        study_name: str = "spikey-tune",
        resume: bool = False,
        registry: Registry | None = None,
    ):
        self.optuna = require_optuna()
        if not isinstance(metagame, EvolveNetwork):
            raise ConfigError(f"tune: needs an evolve_network meta-game (got {type(metagame).__name__})")
        self.metagame = metagame
        self.registry = registry if registry is not None else metagame.registry
        self.n_trials = _positive_int(n_trials, "$.tuner.n_trials")
        self.batch_size = _positive_int(batch_size, "$.tuner.batch_size")
        self.sampler = _choice(sampler, SAMPLERS, "$.tuner.sampler")
        self.pruner = _choice(pruner, PRUNERS, "$.tuner.pruner")
        self.direction = _choice(direction, DIRECTIONS, "$.tuner.direction")
        if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
            raise ConfigError(f"$.tuner.seed: must be a non-negative integer (got {seed!r})")
        self.seed = int(seed)
        self.n_startup_trials = int(n_startup_trials)
        self.n_warmup_steps = int(n_warmup_steps)
        self.distributions = distributions(metagame.constraints)
        if self.sampler == "grid":
            self._check_grid()
        self.backend, self.workers = backend, workers
        check_backend(backend, workers=workers, registry=self.registry)
        self.log_folder = None if log_folder is None else Path(log_folder)
        if storage is None and self.log_folder is not None:
            self.log_folder.mkdir(parents=True, exist_ok=True)
            storage = f"sqlite:///{(self.log_folder / STUDY_FILE).resolve()}"
        self.storage, self.study_name = storage, study_name
        self.study = self._open_study(resume)

    def _check_grid(self) -> None:
        continuous = [k for k, d in self.distributions.items() if not hasattr(d, "choices")]
        if continuous:
            raise ConfigError(
                f"$.tuner.sampler: 'grid' needs lists or stepped ranges; {', '.join(continuous)} "
                "is a continuous range (use tpe or random, or give a list)"
            )

    def _open_study(self, resume: bool) -> Any:
        optuna = self.optuna
        existing = []
        if self.storage is not None:
            existing = [s.study_name for s in optuna.get_all_study_summaries(self.storage)]
        exists = self.study_name in existing
        if exists and not resume:
            raise ConfigError(
                f"tune: study {self.study_name!r} already exists in {self.storage}; "
                "pass --resume to continue it, or choose another --out"
            )
        if resume and not exists:
            raise ConfigError(f"tune: nothing to resume: no study {self.study_name!r} in {self.storage}")
        study = optuna.create_study(
            storage=self.storage, study_name=self.study_name, direction=self.direction, load_if_exists=resume
        )
        if study.direction.name.lower() != self.direction:
            raise ConfigError(
                f"tune: the stored study maximises/minimises differently ({study.direction.name})"
            )
        return study

    # -- sampling ----------------------------------------------------------------------------------
    def _sampler(self, batch: int) -> Any:
        samplers = self.optuna.samplers
        seed = integer_seed(self.seed, "sampler", batch) % 2**32
        if self.sampler in ("random", "grid"):  # grid trials are enqueued with fixed settings
            return samplers.RandomSampler(seed=seed)
        return samplers.TPESampler(seed=seed, n_startup_trials=self.n_startup_trials)

    def trial_seed(self, number: int) -> int:
        """The seed of trial ``number``'s runs (its reruns derive theirs from it)."""
        return integer_seed(self.seed, "trial", number)

    def _judge(self, batch_start: int) -> MedianJudge | None:
        """The pruner of a batch: it sees the completed trials of the batches before it only."""
        if self.pruner == "none":
            return None
        TrialState = self.optuna.trial.TrialState
        history = [
            (t.value, dict(t.intermediate_values))
            for t in self.study.get_trials(states=(TrialState.COMPLETE,))
            if t.number < batch_start
        ]
        return MedianJudge(self.direction, history, startup=self.n_startup_trials, warmup=self.n_warmup_steps)

    def grid(self) -> list[dict[str, Any]]:
        """Every combination of the (categorical) settings, in the order the grid sampler runs them."""
        keys = list(self.distributions)
        values = [self.distributions[k].choices for k in keys]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]

    def _grid_done(self) -> bool:
        return self.sampler == "grid" and len(self.study.trials) >= len(self.grid())

    def _ask(self) -> Any:
        if self.sampler == "grid":
            self.study.enqueue_trial(self.grid()[len(self.study.trials)])
        return self.study.ask(self.distributions)

    def _resume_batch(self, batch: int) -> list[tuple[int, dict]]:
        """The interrupted batch's trials to run, with the settings an uninterrupted study gives them.

        A kill can land while a batch is being asked, leaving a trial with some or none of its
        settings drawn and the batch's later trials not asked. The batch's sampler is made again
        and moved on by drawing once more, in the original order, every setting already stored
        (the stored value is kept); the missing settings and trials are then drawn as they would
        have been.
        """
        TrialState = self.optuna.trial.TrialState
        start = batch * self.batch_size
        sampler = self.study.sampler = self._sampler(batch)
        asked = []
        for frozen in [t for t in self.study.get_trials(deepcopy=False) if t.number >= start]:
            unfinished = frozen.state in (TrialState.RUNNING, TrialState.WAITING)
            trial = self.optuna.trial.Trial(self.study, frozen._trial_id) if unfinished else None
            for name, distribution in self.distributions.items():
                if name in frozen.params:
                    sampler.sample_independent(self.study, frozen, name, distribution)
                elif trial is not None:
                    trial._suggest(name, distribution)  # what Study.ask does for fixed distributions
            if trial is not None:
                asked.append((frozen.number, dict(trial.params)))
        for _ in range(min(start + self.batch_size, self.n_trials) - len(self.study.trials)):
            if self._grid_done():
                break
            trial = self._ask()
            asked.append((trial.number, dict(trial.params)))
        return asked

    # -- running -----------------------------------------------------------------------------------
    def run(self, progress: Any = None) -> Any:
        """Run the study to ``n_trials``; returns it (``study.best_params``, ``study.trials``)."""
        TrialState = self.optuna.trial.TrialState
        backend, owned = make_backend(self.backend, workers=self.workers, registry=self.registry)
        logger = RunLogger(self.log_folder) if self.log_folder is not None else None
        try:
            unfinished = [t for t in self.study.get_trials(states=(TrialState.RUNNING, TrialState.WAITING))]
            if unfinished:  # interrupted: the same settings and seeds again
                asked = self._resume_batch(unfinished[0].number // self.batch_size)
                self._run_batch(backend, logger, asked, progress)
            while len(self.study.trials) < self.n_trials and not self._grid_done():
                batch = len(self.study.trials) // self.batch_size
                self.study.sampler = self._sampler(batch)
                size = min(self.batch_size, self.n_trials - len(self.study.trials))
                asked = []
                for _ in range(size):
                    if self._grid_done():
                        break
                    trial = self._ask()
                    asked.append((trial.number, dict(trial.params)))
                self._run_batch(backend, logger, asked, progress)
        finally:
            if owned:
                backend.close()
        if logger is not None:
            self._summarize(logger)
        return self.study

    def _run_batch(self, backend: Any, logger: Any, asked: list[tuple[int, dict]], progress: Any) -> None:
        judge = self._judge(min(number for number, _ in asked) // self.batch_size * self.batch_size)
        jobs = [(self.metagame, number, params, self.trial_seed(number), judge) for number, params in asked]
        outcomes = map_jobs(backend, run_trial, jobs, progress=progress)
        for outcome in sorted(outcomes, key=lambda o: o.number):
            self._tell(outcome)
            if logger is not None:
                for doc in outcome.documents:
                    logger.write(doc)

    def _tell(self, outcome: TrialOutcome) -> None:
        TrialState = self.optuna.trial.TrialState
        frozen = self.study.get_trials(deepcopy=False)[outcome.number]
        trial = self.optuna.trial.Trial(self.study, frozen._trial_id)
        for step, value in enumerate(outcome.intermediate):
            trial.report(value, step)
        trial.set_user_attr("seconds", outcome.seconds)
        if outcome.error is not None:
            trial.set_user_attr("error", f"{outcome.error['type']}: {outcome.error['message']}")
        if outcome.state == "complete":
            self.study.tell(outcome.number, outcome.value)
        elif outcome.state == "pruned":
            self.study.tell(outcome.number, state=TrialState.PRUNED)
        else:
            self.study.tell(outcome.number, state=TrialState.FAIL)

    def _summarize(self, logger: RunLogger) -> None:
        trials = [
            {
                "number": t.number,
                "state": t.state.name.lower(),
                "value": t.value,
                "params": plain(t.params),
                "seed": self.trial_seed(t.number),
                "episodes": len(t.intermediate_values),
                "error": t.user_attrs.get("error"),
            }
            for t in self.study.trials
        ]
        done = [t for t in trials if t["state"] == "complete"]
        results: dict[str, Any] = {
            "n_trials": len(trials),
            "n_complete": len(done),
            "n_pruned": sum(t["state"] == "pruned" for t in trials),
            "n_failed": sum(t["state"] == "fail" for t in trials),
            "sampler": self.sampler,
            "pruner": self.pruner,
            "seed": self.seed,
            "study_name": self.study_name,
        }
        if done:
            results.update(best_value=self.study.best_value, best_trial=self.study.best_trial.number)
        logger.summarize(
            results=results,
            info={"trials": trials, "best_params": plain(self.study.best_params) if done else None},
        )


__all__ = ["Tuner", "TrialOutcome", "distributions", "run_trial"]
