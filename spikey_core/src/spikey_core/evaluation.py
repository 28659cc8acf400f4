"""Frozen evaluation: what a trained network does with learning off, on patterns it never saw.

A learning result counts only when it is measured after learning, with learning frozen, on fresh
data. :func:`frozen_run` presents ``n_steps`` fresh game steps to a *copy* of the network in
``eval()`` mode, so the trained network, its generators and the training game are untouched (a
learning curve can measure during training without disturbing the training streams). The copy's
parts and the evaluation game draw from generators derived from the experiment seed and the
name of the evaluation (``child(seed, "evaluation", stream, ...)``), never from the training
streams, so the same seed gives the same evaluation in every process and on every backend.

:class:`Record` holds what happened at every game step (state, output rate, reward), for the
training phase as well as for a frozen run; experiments score records with their own metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from spikey_core import seeding
from spikey_core.callbacks import Callback
from spikey_core.result_keys import reports


@attrs.define
class Record:
    """Per-game-step signals of a phase (training or a frozen run).

    Attributes
    ----------
    states : list
        The observation each game step presented.
    rates : list of float
        The output neurons' firing rate in that game step: spikes per output neuron per network
        step (multiply by ``1000 / dt`` for Hz).
    rewards : list of float
        The reward of that game step (0 where the network has no learning signal).
    """

    states: list[Any] = attrs.field(factory=list)
    rates: list[float] = attrs.field(factory=list)
    rewards: list[float] = attrs.field(factory=list)

    def add(self, state: Any, rate: float, reward: float) -> None:
        self.states.append(state)
        self.rates.append(rate)
        self.rewards.append(reward)

    def __len__(self) -> int:
        return len(self.states)


def output_rate(network: Any) -> float:
    """Spikes per output neuron per network step in the game step that just ran."""
    log = network.spike_log
    return float(np.count_nonzero(log[:, log.shape[1] - network.n_outputs :])) / (
        log.shape[0] * network.n_outputs
    )


def frozen_copy(network: Any, seed: Any, stream: str | int) -> Any:
    """A copy of ``network`` in ``eval()`` mode whose parts draw from the evaluation generators.

    Weights and every learned parameter are kept; traces, potentials and logs start afresh
    (``reset()``); the copy reports to a plain :class:`~spikey_core.callbacks.Callback`, so the
    training callback's signals are not disturbed.
    """
    clone = network.copy()
    clone.callback = Callback()
    for slot, part in clone.parts.items():
        parts = part if slot == "modifiers" else [part]
        for i, each in enumerate(parts):
            rng = getattr(each, "rng", None)
            if isinstance(rng, np.random.Generator):
                name = f"{slot}{i}" if slot == "modifiers" else slot
                rng.bit_generator.state = seeding.generator(
                    seed, "evaluation", stream, name
                ).bit_generator.state
    clone.eval()
    clone.reset()
    return clone


def frozen_run(
    network: Any, make_game: Callable[[], Any], n_steps: int, *, seed: Any, stream: str | int = "final"
) -> Record:
    """Present ``n_steps`` fresh game steps to a frozen copy of ``network``; returns their record.

    Parameters
    ----------
    network : Network
        The trained network (not modified).
    make_game : callable
        Builds a fresh game of the experiment's kind; it is reset with a seed derived from
        ``seed`` and ``stream``, so its observations are independent of the training game's.
    n_steps : int
        Game steps to present. An episode that terminates or truncates is followed by a new one
        (the game reset and the copy reset).
    seed : int, SeedSequence or None
        The experiment seed.
    stream : str or int
        Names the evaluation: ``"final"`` for the one after training, the training step for a
        learning-curve point. Different streams draw different patterns.
    """
    clone = frozen_copy(network, seed, stream)
    game = make_game()
    observation, _ = game.reset(seed=seeding.integer_seed(seed, "evaluation", stream, "game"))
    record = Record()
    learns = clone.reward_mode != "none"
    for _ in range(n_steps):
        action = clone.tick(observation)
        next_observation, game_reward, terminated, truncated, _ = game.step(action)
        reward = 0.0
        if learns:
            given = None if clone.rewarder is not None else game_reward
            reward = clone.reward(observation, action, next_observation, given)
        record.add(observation, output_rate(clone), float(reward))
        observation = next_observation
        if terminated or truncated:
            observation, _ = game.reset()
            clone.reset()
    return record


@reports("eval_reward")
def mean_reward_metrics(network: Any, frozen: Record, training: Record) -> dict[str, Any]:
    """The default score of a frozen run: ``eval_reward``, the mean reward per game step."""
    return {"eval_reward": float(np.mean(frozen.rewards)) if len(frozen) else float("nan")}
