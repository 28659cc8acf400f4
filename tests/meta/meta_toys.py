"""Importable helpers for the meta-analysis tests (worker processes must be able to import them).

pytest puts this folder on ``sys.path`` (``pythonpath`` in the workspace's pytest settings);
spawned workers inherit the parent's ``sys.path``, so they find it too.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import numpy as np
import toy_parts
from spikey_core.config import OneOf, Real
from spikey_meta.metagames.meta_nqueens import MetaNQueens

from spikey_core import Callback, param


class ActionCallback(Callback):
    """results: total_action, total_spikes; info["input_trace"]: the input spikes of each tick as an int."""

    def reset(self, **params):
        super().reset(**params)
        self.results["total_action"] = 0
        self.results["total_spikes"] = 0
        self.info["input_trace"] = []

    def network_tick(self, *, state, action):
        self.results["total_action"] += int(action)
        self.results["total_spikes"] += int(self.network.spike_log.sum())
        bits = self.network.spike_log[:, : self.network.config.n_inputs].ravel()
        self.info["input_trace"].append(int("".join("1" if b else "0" for b in bits), 2))


@attrs.frozen(kw_only=True)
class TroubleInputConfig:
    trouble: str = param(
        default="none", check=OneOf(["none", "raise", "exit"]), doc="what the first update does"
    )
    magnitude: float = param(default=1.0, check=Real(gt=0), doc="spike amplitude")


class TroubleInput(toy_parts.PatternInput):
    """A pattern input whose first ``update`` raises (``"raise"``) or kills the process (``"exit"``)."""

    Config = TroubleInputConfig

    def update(self, state):
        if self.config.trouble == "raise":
            raise RuntimeError("trouble input: deliberate failure")
        if self.config.trouble == "exit":
            os._exit(3)
        super().update(state)


def random_spec(**loop):
    """The toy experiment with Bernoulli inputs: each seed gives a different total_action."""
    spec = toy_parts.toy_spec()
    spec["input"] = {"type": toy_parts.BernoulliInput, "rate": 0.5}
    spec["callback"] = {"type": ActionCallback}
    spec["loop"] = {"type": "generic", "n_episodes": 1, "len_episode": 20, **loop}
    return spec


def trouble_spec():
    spec = toy_parts.toy_spec()
    spec["input"] = {"type": TroubleInput}
    spec["callback"] = {"type": ActionCallback}
    return spec


def total_spikes(network, game, results, info):
    """A fitness getter: every spike of the run."""
    return float(results["total_spikes"])


class CountingQueens(MetaNQueens):
    """MetaNQueens that appends one line per evaluation to a file (counts work across processes)."""

    def __init__(self, n_queens, counter):
        super().__init__(n_queens)
        self.counter = str(counter)

    def get_fitness(self, genotype, seed=0):
        with open(self.counter, "a") as handle:
            handle.write("x\n")
        return super().get_fitness(genotype, seed)

    def describe(self):
        return {**super().describe(), "n_queens": self.n_queens}


class FlakyQueens(MetaNQueens):
    """MetaNQueens whose evaluations raise while ``marker`` exists (a crash in the middle of a run)."""

    def __init__(self, n_queens, marker):
        super().__init__(n_queens)
        self.marker = str(marker)

    def get_fitness(self, genotype, seed=0):
        if Path(self.marker).exists():
            raise RuntimeError("flaky queens: simulated crash")
        return super().get_fitness(genotype, seed)

    def describe(self):
        return MetaNQueens.describe(self)  # same fingerprint as the plain game: the crash is not a setting


def seeded_noise(genotype, seed):
    return float(np.random.default_rng(seed).random())


def square(x):
    return x * x


def die_on_three(x):
    if x == 3:
        os._exit(7)
    return x


def fail_on_two(x):
    if x == 2:
        raise KeyError("two")
    return x


def input_spikes(network, game, results, info):
    """A fitness getter: the number of input spikes (popcount of the input trace)."""
    return float(sum(bin(tick).count("1") for tick in info["input_trace"]))


def toy_experiment_toml(n_episodes: int = 1, len_episode: int = 10, learning: bool = False) -> str:
    """The toy experiment as a TOML file names it (import paths: load it with --allow-imports).

    ``learning`` adds the toy synapse and rewarder, so the network learns from a reward.
    """
    synapse = '[synapse]\ntype = "toy_parts:CountingSynapse"\n' if learning else ""
    rewarder = '[rewarder]\ntype = "toy_parts:ConstantRewarder"\n' if learning else ""
    return (
        "seed = 0\n"
        "[network]\nn_inputs = 2\nn_neurons = 2\nn_outputs = 1\nprocessing_time = 3\n"
        '[input]\ntype = "toy_parts:BernoulliInput"\nrate = 0.5\n'
        '[neuron]\ntype = "toy_parts:ThresholdNeuron"\n'
        '[weight]\ntype = "toy_parts:ConstantWeight"\n'
        f"{synapse}"
        '[readout]\ntype = "toy_parts:CountReadout"\n'
        f"{rewarder}"
        '[game]\ntype = "toy_parts:EchoGame"\n'
        f'[loop]\ntype = "generic"\nn_episodes = {n_episodes}\nlen_episode = {len_episode}\n'
        '[callback]\ntype = "meta_toys:ActionCallback"\n'
    )
