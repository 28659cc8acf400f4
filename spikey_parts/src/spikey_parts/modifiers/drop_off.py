"""A network parameter that switches from one value to another after a number of game steps."""

from __future__ import annotations

from typing import Any

import attrs
from spikey_core.config import Integer, Real, param

from spikey_parts.modifiers.base import ScheduleBase, ScheduleConfig


@attrs.frozen(kw_only=True)
class DropOffConfig(ScheduleConfig):
    step_stop: int = param(check=Integer(ge=0), doc="game steps per episode that use value_start, >= 0")
    value_end: float = param(check=Real(), doc="value from game step step_stop of each episode on")


class DropOff(ScheduleBase):
    """At game step ``k`` of an episode: ``value_start`` if ``k < step_stop`` else ``value_end``.

    So exactly ``step_stop`` game steps use ``value_start`` (the original Spikey switched one step
    early); ``reset()`` restores ``value_start``.
    """

    Config = DropOffConfig

    def __init__(self, config: DropOffConfig, ctx: Any):
        super().__init__(config, ctx)
        self.step_stop = config.step_stop
        self.value_end = float(config.value_end)

    def value_at(self, step: int) -> float:
        return self.value_start if step < self.step_stop else self.value_end
