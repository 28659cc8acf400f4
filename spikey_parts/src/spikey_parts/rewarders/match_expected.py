"""Reward for matching the game's expected action, element by element."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from spikey_parts.rewarders.base import RewardConfig, RewarderBase, expected_value_param


@attrs.frozen(kw_only=True)
class MatchExpectedConfig(RewardConfig):
    expected_value: Callable[[Any], Any] = expected_value_param()


class MatchExpected(RewarderBase):
    """Sum over action elements of ``+reward_mult`` for a match and ``-punish_mult`` otherwise.

    .. math:: r = \\sum_i \\begin{cases} m_r & a_i = e_i \\\\ -m_p & a_i \\ne e_i \\end{cases},
              \\qquad e = \\text{expected\\_value}(\\text{state})

    ``a`` and ``e`` broadcast against each other, so a scalar expectation is compared with
    every element of a vector action (``[1, 0, 1]`` against ``1`` with ``(2, 0.5)`` gives
    ``2 - 0.5 + 2 = 3.5``).
    """

    Config = MatchExpectedConfig

    def __init__(self, config: MatchExpectedConfig, ctx: Any):
        super().__init__(config, ctx)
        self.expected_value = config.expected_value

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        matches = np.asarray(action) == np.asarray(self.expected_value(state))
        hits = int(np.count_nonzero(matches))
        return hits * self.reward_mult - (matches.size - hits) * self.punish_mult
