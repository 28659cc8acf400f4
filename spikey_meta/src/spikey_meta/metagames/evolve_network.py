"""EvolveNetwork: a meta-game whose genotype is a set of training-loop settings.

``get_fitness(genotype, seed)``: the base experiment with the genotype's settings applied
(``loop.with_overrides(genotype)``), run as a serial :class:`~spikey_meta.series.Series` over
``static_updates`` (a Series specification applied to every evaluation) ``n_reruns`` times each,
every run scored by ``fitness_getter(network, game, results, info)`` and the scores combined by
``fitness_aggregator``. The population terminates when the fitness reaches ``win_fitness``.

Everything is checked when the meta-game is made: a genotype key no part declares, a malformed
``static_updates``, an unknown aggregator.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from spikey_core.errors import ConfigError, did_you_mean
from spikey_core.registry import Registry

from spikey_meta.metagames.base import MetaGame
from spikey_meta.runlogs import plain
from spikey_meta.series import Series, as_loop

AGGREGATORS: dict[str, Callable[[Any], float]] = {
    "mean": np.mean,
    "median": np.median,
    "min": np.min,
    "max": np.max,
}


class FitnessKeyError(ConfigError, KeyError):
    """The fitness key names no entry of the experiment's results: the whole search is misconfigured,
    so it stops (``stops_search``) instead of recording every agent as failed."""

    stops_search = True

    def __str__(self) -> str:  # KeyError would quote the message
        return ConfigError.__str__(self)


class ResultKey:
    """Fitness getter reading one number from a run's ``results`` (picklable, unlike a lambda)."""

    def __init__(self, key: str):
        self.key = key

    def __call__(self, network: Any, game: Any, results: Mapping[str, Any], info: Mapping[str, Any]) -> float:
        if self.key not in results:
            raise FitnessKeyError(
                f"$.metagame.fitness: the experiment's results have no {self.key!r}"
                f"{did_you_mean(self.key, map(str, results))} (results: {', '.join(map(str, results))})"
            )
        return float(results[self.key])

    def __repr__(self) -> str:
        return f"ResultKey({self.key!r})"


class EvolveNetwork(MetaGame):
    """Evolve the settings of a training loop.

    Parameters
    ----------
    experiment : TrainingLoop, mapping, str or Experiment
        The base experiment.
    genotype_constraints : mapping
        ``{setting key: values or range}`` (forms in :func:`spikey_meta.population.check_constraints`).
    fitness_getter : callable or str
        ``f(network, game, results, info) -> float`` (a top-level function, so it pickles), or the
        name of a ``results`` entry.
    static_updates : series specification, optional
        Settings varied inside every evaluation (e.g. several tasks); None: the genotype alone.
    n_reruns : int
        Runs per static configuration, each with its own seed.
    fitness_aggregator : str or callable
        ``"mean"`` (default), ``"median"``, ``"min"``, ``"max"``, or a function of a list of scores.
    win_fitness : float, optional
        Terminate the population once an agent's fitness is at least this.
    registry : Registry, optional
        Where the experiment's names are looked up; default: a given loop's own, else the loaded
        one. It travels with the meta-game to the worker processes that evaluate agents.

    Raises
    ------
    ConfigError
        A genotype key no part of the experiment declares, bad static updates, bad options.
    """

    def __init__(
        self,
        experiment: Any,
        genotype_constraints: Mapping[str, Any],
        *,
        fitness_getter: Callable[..., float] | str,
        static_updates: Any = None,
        n_reruns: int = 2,
        fitness_aggregator: str | Callable[[Any], float] = "mean",
        win_fitness: float | None = None,
        registry: Registry | None = None,
    ):
        from spikey_meta.population import Choice, check_constraints

        self.loop = as_loop(experiment, registry)
        self.constraints = dict(genotype_constraints)
        samplers = check_constraints(self.constraints)
        if not isinstance(n_reruns, numbers.Integral) or isinstance(n_reruns, bool) or n_reruns < 1:
            raise ConfigError(f"EvolveNetwork.n_reruns: must be a positive integer (got {n_reruns!r})")
        if isinstance(fitness_aggregator, str) and fitness_aggregator not in AGGREGATORS:
            raise ConfigError(
                f"EvolveNetwork.fitness_aggregator: must be one of {', '.join(AGGREGATORS)} or a function "
                f"(got {fitness_aggregator!r})"
            )
        if not (isinstance(fitness_getter, str) or callable(fitness_getter)):
            raise ConfigError(
                f"EvolveNetwork.fitness_getter: must be a function or a results key (got {fitness_getter!r})"
            )
        if win_fitness is not None and not isinstance(win_fitness, numbers.Real):
            raise ConfigError(f"EvolveNetwork.win_fitness: must be a number (got {win_fitness!r})")
        self.fitness_getter = ResultKey(fitness_getter) if isinstance(fitness_getter, str) else fitness_getter
        self.fitness_aggregator = fitness_aggregator
        self.static_updates = static_updates
        self.n_reruns = int(n_reruns)
        self.win_fitness = win_fitness
        # one sample genotype proves every key resolves and the static updates apply, before any run
        sample = {k: (s.values[0] if isinstance(s, Choice) else s.low) for k, s in samplers.items()}
        series = self._series(sample, seed=0, validate=True)
        if isinstance(self.fitness_getter, ResultKey):
            self._check_fitness_key(self.fitness_getter.key, series, experiment)

    def _check_fitness_key(self, key: str, series: Series, experiment: Any) -> None:
        """Refuse a fitness key the experiment declares it never reports, before any run.

        An experiment whose keys are unknown (some part declares none, see
        :mod:`spikey_core.result_keys`) is checked when its first run ends instead.
        """
        declared = self.loop.result_keys()
        if declared is None:
            return
        reported = declared | set(series.keys) | {"seed", "series_id", "run_index"}  # the series tags
        if key not in reported:
            raise FitnessKeyError(
                f"$.metagame.fitness: {_experiment_name(experiment, self.loop)} reports no result {key!r}"
                f"{did_you_mean(key, sorted(reported))} (it reports: {', '.join(sorted(reported))})"
            )

    @property
    def registry(self) -> Registry | None:
        """Where the experiment's names are looked up (None: the loaded one)."""
        return self.loop.registry

    @property
    def genotype_constraints(self) -> dict[str, Any]:
        return dict(self.constraints)

    def _series(
        self, genotype: Mapping[str, Any], seed: int, validate: bool, wrap: Callable[[Any], Any] | None = None
    ) -> Series:
        """The serial Series of one evaluation; ``wrap(loop) -> loop`` may instrument the loop."""
        loop = self.loop.with_overrides(dict(genotype))
        if wrap is not None:
            loop = wrap(loop)
        return Series(
            loop,
            self.static_updates,
            n_repeats=self.n_reruns,
            seed=seed,
            backend="serial",
            keep_objects=True,
            validate=validate,
        )

    def get_fitness(self, genotype: dict[str, Any], seed: int) -> tuple[float, bool]:
        """``(aggregated score over every run, score >= win_fitness)``; a failing run raises."""
        runs = self._series(genotype, seed, validate=False).run()
        failed = [run for run in runs if not run.ok]
        if failed:
            error = failed[0].error
            raise RuntimeError(
                f"EvolveNetwork: {failed[0].label} with genotype {genotype} failed: "
                f"{error['type']}: {error['message']}\n{error['traceback']}"
            )
        fitness = self.aggregate([float(self.fitness_getter(*run)) for run in runs])
        return fitness, self.win_fitness is not None and fitness >= self.win_fitness

    def aggregate(self, scores: list[float]) -> float:
        """The fitness of an evaluation from the scores of its runs (``fitness_aggregator``)."""
        aggregate = (
            AGGREGATORS[self.fitness_aggregator]
            if isinstance(self.fitness_aggregator, str)
            else self.fitness_aggregator
        )
        return float(aggregate(scores))

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "experiment": plain(self.loop.spec),
            "static_updates": plain(self.static_updates),
            "n_reruns": self.n_reruns,
            "fitness_getter": repr(self.fitness_getter)
            if isinstance(self.fitness_getter, ResultKey)
            else plain(self.fitness_getter),
            "fitness_aggregator": plain(self.fitness_aggregator),
            "win_fitness": self.win_fitness,
        }


def _experiment_name(experiment: Any, loop: Any) -> str:
    """How an error names the experiment: its registered name or file, else its specification's name."""
    name = getattr(experiment, "path", None) or (
        experiment if isinstance(experiment, (str, Path)) else loop.spec.get("name")
    )
    return f"experiment {str(name)!r}" if name else "the experiment"


__all__ = ["AGGREGATORS", "EvolveNetwork", "FitnessKeyError", "ResultKey"]
