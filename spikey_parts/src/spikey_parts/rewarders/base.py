"""Shared machinery of the rewarders (not a registered part): reward and punishment sizes.

Sign convention of every built-in rewarder: a good outcome earns ``+reward_mult``, a bad one
``-punish_mult``. Both settings are magnitudes (``punish_mult >= 0``).
"""

from __future__ import annotations

from typing import Any

import attrs
from spikey_core.config import CallableCheck, Real, param

from spikey_core import Part


@attrs.frozen(kw_only=True)
class RewardConfig:
    reward_mult: float = param(
        tunable=True, default=1.0, check=Real(), doc="reward for a good outcome (reward units)"
    )
    punish_mult: float = param(
        tunable=True,
        default=0.0,
        check=Real(ge=0),
        doc="size of the punishment for a bad outcome, >= 0; the reward is -punish_mult",
    )


def expected_value_param() -> Any:
    """The ``expected_value`` field: usually supplied by the game (``network_params``)."""
    return param(
        check=CallableCheck(),
        doc="function state -> correct action; games such as Logic supply it, so it is rarely set by hand",
    )


class RewarderBase(Part):
    """Base of the rewarders: ``reward_mult`` and ``punish_mult`` are runtime-tunable attributes."""
