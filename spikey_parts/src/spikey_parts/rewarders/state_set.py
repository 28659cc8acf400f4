"""Reward for being in one of a set of rewarded states (classical conditioning)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, param

from spikey_core import GameError
from spikey_parts.rewarders.base import RewardConfig, RewarderBase


@attrs.frozen(kw_only=True)
class StateSetConfig(RewardConfig):
    rewarded_states: Any = param(
        check=ArrayLike(ndim=(1, 2)),
        doc=(
            "the states that earn reward_mult: a list of numbers ([0, 3, 6, 9]) "
            "or of equal-length tuples ([[0, 1], [1, 0]])"
        ),
    )


def state_key(state: Any) -> Hashable:
    """A hashable key for a state: arrays and lists become tuples, numpy scalars Python numbers.

    Bools compare equal to 0/1, so ``(True, False)`` matches ``[1, 0]``.
    """
    if isinstance(state, np.ndarray):
        return state.item() if state.ndim == 0 else state_key(state.tolist())
    if isinstance(state, (list, tuple)):
        return tuple(state_key(element) for element in state)
    if isinstance(state, np.generic):
        return state.item()
    return state


class StateSet(RewarderBase):
    """``+reward_mult`` when the state is in ``rewarded_states``, ``-punish_mult`` otherwise.

    The action is ignored: the reward depends on the state alone (Izhikevich 2007 classical
    conditioning). Unlike the original Spikey, which returned ``punish_mult`` un-negated, the
    punishment is ``-punish_mult`` like every other built-in rewarder; the default
    ``punish_mult = 0`` makes other states neutral.
    """

    Config = StateSetConfig

    def __init__(self, config: StateSetConfig, ctx: Any):
        super().__init__(config, ctx)
        self.rewarded = frozenset(state_key(state) for state in config.rewarded_states)

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        key = state_key(state)
        try:
            rewarded = key in self.rewarded
        except TypeError:
            raise GameError(
                f"rewarder StateSet: state {state!r} is not hashable; give states as numbers or tuples"
            ) from None
        return self.reward_mult if rewarded else -self.punish_mult
