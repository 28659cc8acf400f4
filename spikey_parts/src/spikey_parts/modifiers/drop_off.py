"""A network parameter that switches from one value to another after a number of game steps."""

from __future__ import annotations

import attrs
from spikey_core.config import Integer, Real, param

from spikey_parts.modifiers.base import ScheduleBase, ScheduleConfig


@attrs.frozen(kw_only=True)
class DropOffConfig(ScheduleConfig):
    step_stop: int = param(
        tunable=True, check=Integer(ge=0), doc="game steps per episode that use value_start, >= 0"
    )
    value_end: float = param(
        tunable=True, check=Real(), doc="value from game step step_stop of each episode on"
    )


class DropOff(ScheduleBase):
    """At game step ``k`` of an episode: ``value_start`` if ``k < step_stop`` else ``value_end``.

    So exactly ``step_stop`` game steps use ``value_start`` (the original Spikey switched one step
    early); ``reset()`` restores ``value_start``.
    """

    Config = DropOffConfig

    def value_at(self, step: int) -> float:
        return self.value_start if step < self.step_stop else self.value_end
