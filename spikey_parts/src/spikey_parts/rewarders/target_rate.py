"""Per-spike reward up to a target rate: Florian's (2007) reward with the growth on true patterns capped."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param

from spikey_parts.rewarders.base import RewardConfig, RewarderBase, expected_value_param


@attrs.frozen(kw_only=True)
class TargetRateConfig(RewardConfig):
    expected_value: Callable[[Any], Any] = expected_value_param()
    target_hz: float = param(
        tunable=True,
        default=40.0,
        check=Real(gt=0),
        doc="output rate (Hz) up to which spikes on a should-fire pattern are rewarded, > 0",
    )
    above_target: str = param(
        default="unrewarded",
        check=OneOf(("unrewarded", "punished")),
        doc=(
            'spikes on a should-fire pattern at or above the target rate: "unrewarded" (0) or '
            '"punished" (-reward_mult each, so the rate is regulated towards the target)'
        ),
    )
    tau_rate: float = param(
        default=50.0, check=Real(gt=0), doc="time constant of the output-rate estimate, ms, > 0"
    )


class TargetRate(RewarderBase):
    """Reward output spikes on should-fire patterns while the output is below a target rate.

    Meant for ``reward_mode = "step"``; ``action`` is the bool vector (O,) of output spikes at
    this network step, ``n`` the number that spiked. The rewarder keeps an estimate of the
    outputs' rate (Hz), an exponential filter over the steps it judged
    (``a = exp(-dt/tau_rate)``):

    .. math:: \\hat\\nu \\leftarrow a\\, \\hat\\nu + (1 - a)\\, \\frac{n}{O} \\frac{1000}{dt}

    and rewards

    .. math:: r = \\begin{cases} m_r\\, n & \\text{expected\\_value(state) true and }
                   \\hat\\nu_{\\text{before}} < \\nu^* \\\\
                   o & \\text{expected\\_value(state) true, } \\hat\\nu_{\\text{before}} \\ge \\nu^* \\\\
                   -m_p\\, n & \\text{otherwise} \\end{cases}

    with ``nu* = target_hz`` and ``o = 0`` (``above_target = "unrewarded"``) or ``o = -m_r n``
    (``"punished"``: the true patterns' rate is then regulated towards the target).
    Florian's (2007) per-spike reward (``florian``) is the case of an infinite target; there the
    expected reward keeps growing with the output rate on the true patterns, so when the output
    saturates a network can earn more by firing on every pattern than by staying silent on the
    false ones. Capping the reward at a target rate leaves the punishment of false-pattern spikes
    as the only gradient once the true patterns are answered,
    which is what a frozen XOR needs. ``reset()`` clears the estimate.
    """

    Config = TargetRateConfig

    def __init__(self, config: TargetRateConfig, ctx: Any):
        super().__init__(config, ctx)
        self.expected_value = config.expected_value
        self.n_outputs = ctx.n_outputs
        self.keep = math.exp(-ctx.dt / config.tau_rate)
        self.to_hz = 1000.0 / ctx.dt / ctx.n_outputs
        self.rate_hz = 0.0
        self.punish_overshoot = config.above_target == "punished"

    def reset(self) -> None:
        self.rate_hz = 0.0

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        n_spikes = int(np.count_nonzero(action))
        below_target = self.rate_hz < self.target_hz
        self.rate_hz = self.keep * self.rate_hz + (1.0 - self.keep) * n_spikes * self.to_hz
        if n_spikes == 0:
            return 0.0
        if not self.expected_value(state):
            return -self.punish_mult * n_spikes
        if below_target:
            return self.reward_mult * n_spikes
        return -self.reward_mult * n_spikes if self.punish_overshoot else 0.0
