"""Linear ramp of a network parameter from a start to a stop value, then hold."""

from __future__ import annotations

import attrs
from spikey_core.config import Integer, Real, param

from spikey_parts.modifiers.base import ScheduleBase, ScheduleConfig


@attrs.frozen(kw_only=True)
class LinearDecayConfig(ScheduleConfig):
    step_stop: int = param(tunable=True, check=Integer(ge=1), doc="game steps the ramp takes, >= 1")
    value_stop: float = param(
        tunable=True, check=Real(), doc="value reached after step_stop game steps and held afterwards"
    )


class LinearDecay(ScheduleBase):
    """At game step ``k`` of an episode (``k = 0, 1, ...``):

    .. math:: v_k = v_{start} + (v_{stop} - v_{start}) \\, \\min(k, k_{stop}) / k_{stop}

    ``reset()`` restarts the ramp at ``value_start``, so every episode follows the same
    schedule (the original Spikey kept drifting across episodes).
    """

    Config = LinearDecayConfig

    def value_at(self, step: int) -> float:
        fraction = min(step, self.step_stop) / self.step_stop
        return self.value_start + (self.value_stop - self.value_start) * fraction
