"""``conditioning``: output rates for rewarded against unrewarded stimuli (Izhikevich 2007)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, param

from spikey_meta.experiments.scoring import (
    CONDITIONING_FROZEN_KEYS,
    conditioning_frozen_scores,
    conditioning_scores,
    flatten_episodes,
)
from spikey_meta.metrics.florian_xor import require


@attrs.frozen(kw_only=True)
class ConditioningConfig:
    last: int = param(default=100, check=Integer(ge=1), doc="last game steps scored")


class Conditioning:
    """``eval_ratio`` frozen; ``rate_<s>`` per stimulus, ``rewarded_rate``, ``baseline_rate``, ``ratio``.

    The rewarded stimuli are the rewarder's ``rewarded_states``. The frozen score (loop setting
    ``eval_patterns``) is :func:`~spikey_meta.experiments.scoring.conditioning_frozen_scores`; the
    training score over the last ``last`` game steps needs the ``rl`` callback with
    ``measure_rates = true`` (:func:`~spikey_meta.experiments.scoring.conditioning_scores`).
    """

    Config = ConditioningConfig

    def __init__(self, *, last: int = 100) -> None:
        self.config = ConditioningConfig(last=last)

    def result_keys(self, loop: Any) -> frozenset[str] | None:
        """``rate_<s>`` for every stimulus of the game, the training and (with a frozen evaluation)
        the frozen scores; None for a game without a discrete set of stimuli."""
        from spikey_core.loops import build_game

        stimuli = game_stimuli(build_game(loop.spec["game"], registry=loop.registry))
        if stimuli is None:
            return None
        frozen = CONDITIONING_FROZEN_KEYS if getattr(loop.config, "eval_patterns", 0) else ()
        rates = (f"rate_{s}" for s in stimuli)
        return frozenset((*rates, "rewarded_rate", "baseline_rate", "ratio", *frozen))

    def frozen(self, network: Any, frozen: Any, training: Any) -> dict[str, Any]:
        """``eval_ratio``: rewarded over other stimuli's output rate, learning frozen, fresh stimuli."""
        rewarded = [int(s) for s in network.rewarder.config.rewarded_states]
        return conditioning_frozen_scores(frozen.states, frozen.rates, rewarded)

    def __call__(self, network: Any, game: Any, results: dict, info: dict) -> dict[str, Any]:
        states = flatten_episodes(require(info, "step_states", "conditioning"))
        rates = [float(r) for r in flatten_episodes(require(info, "step_outrates", "conditioning"))]
        rewarded = [int(s) for s in network.rewarder.config.rewarded_states]
        return conditioning_scores(states, rates, rewarded, last=self.config.last, stimuli=game_stimuli(game))


def game_stimuli(game: Any) -> list[int] | None:
    """Every observation of a game with a discrete observation space (gymnasium ``Discrete``), else None."""
    space = getattr(game, "observation_space", None)
    n, start = getattr(space, "n", None), getattr(space, "start", 0)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        return None
    return list(range(int(start), int(start) + int(n)))
