"""Control tasks (gymnasium classic control through the gym adapter): training curves and frozen episodes.

A control result counts when it is measured with learning frozen, on episodes the training never
saw: :func:`frozen_episodes` plays ``n`` episodes with a frozen copy of the network
(:func:`spikey_core.evaluation.frozen_copy`) on a fresh environment whose episode seeds derive
from ``child(seed, "evaluation", "episodes", k)``, so the trained network and the training
streams are untouched and every backend gives the same numbers.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from spikey_core.evaluation import frozen_copy
from spikey_core.result_keys import reports
from spikey_core.seeding import integer_seed

from spikey_core import Experiment

PACKAGE = "spikey_meta.experiments"


def episode_lengths(info: dict[str, Any]) -> list[int]:
    """Game steps of every training episode, from the ``rl`` callback's per-episode ``step_states``."""
    return [len(states) for states in info.get("step_states", [])]


def frozen_episodes(
    network: Any, game_spec: dict[str, Any], seed: Any, n: int, max_steps: int, *, registry: Any = None
) -> list[int]:
    """Lengths of ``n`` episodes (at most ``max_steps`` steps) played by a frozen copy of ``network``
    (the game's name looked up in ``registry``, default: the loaded one)."""
    from spikey_core.loops import build_game

    frozen = frozen_copy(network, seed, "episodes")
    game = build_game(game_spec, registry=registry)
    lengths = []
    for k in range(n):
        observation, _ = game.reset(seed=integer_seed(seed, "evaluation", "episodes", k))
        frozen.reset()
        steps = 0
        for steps in range(1, max_steps + 1):  # noqa: B007 - the count is the result
            observation, _, terminated, truncated, _ = game.step(frozen.tick(observation))
            if terminated or truncated:
                break
        lengths.append(steps)
    game.close()
    return lengths


class CartpoleBalance(Experiment):
    """Spiking actor-critic on gymnasium's CartPole-v1 (see the TOML file for the model)."""

    description = "spiking actor-critic (mstdpet + TD critic) on gymnasium CartPole-v1 via the gym adapter"
    toml: ClassVar[tuple[str, str]] = (PACKAGE, "cartpole-balance.toml")

    @reports("train_episodes", "train_mean_length_last10")
    def metrics(self, network: Any, game: Any, results: dict, info: dict) -> dict[str, Any]:
        """Training-time episode lengths (learning on: labelled ``train_``)."""
        lengths = episode_lengths(info)
        tail = lengths[-10:] or [0]
        return {"train_episodes": len(lengths), "train_mean_length_last10": float(np.mean(tail))}


class MountainCarFields(Experiment):
    """MountainCar-v0 with gaussian_fields inputs (runs end to end; no learning target)."""

    description = "MountainCar-v0 through the gym adapter with gaussian_fields inputs (no target)"
    toml: ClassVar[tuple[str, str]] = (PACKAGE, "mountaincar-fields.toml")

    @reports("train_episodes", "train_mean_length")
    def metrics(self, network: Any, game: Any, results: dict, info: dict) -> dict[str, Any]:
        lengths = episode_lengths(info)
        return {"train_episodes": len(lengths), "train_mean_length": float(np.mean(lengths or [0]))}
