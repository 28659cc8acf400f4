"""Per-spike reward up to a target rate: Florian's (2007) reward with the growth on true patterns capped."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param
from spikey_core.kernels import Kernel, count_true, jitable

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
    max_gain: float = param(
        tunable=True,
        default=1.0,
        check=Real(ge=1),
        doc=(
            "largest factor target_hz / rate estimate by which a rewarded spike's reward grows while "
            "the output is below the target, >= 1 (1: every rewarded spike is worth reward_mult)"
        ),
    )


@jitable
def target_rate_track(rate: np.ndarray, params: tuple, n_spikes: int) -> float:
    """Update the rate estimate with this step's ``n_spikes``; returns the estimate before (Hz).

    ``rate`` float64 (1,), Hz, changed in place: ``rate <- keep rate + (1 - keep) n to_hz``;
    ``params`` as in :func:`target_rate_step_reward`.
    """
    before = rate[0]
    rate[0] = params[3] * before + (1.0 - params[3]) * n_spikes * params[4]
    return before


@jitable
def target_rate_gain(params: tuple, before: float) -> float:
    """``min(max_gain, target_hz / before)`` (``max_gain`` at ``before = 0``): a rewarded spike's factor."""
    if before * params[6] <= params[2]:
        return params[6]
    return params[2] / before


@jitable
def target_rate_value(params: tuple, n_spikes: int, expected: bool, before: float) -> float:
    """The reward of ``n_spikes >= 1`` output spikes given the rate estimate ``before`` this step
    (Hz; ``params`` as in :func:`target_rate_step_reward`)."""
    if not expected:
        return -params[1] * n_spikes
    if before < params[2]:
        return params[0] * target_rate_gain(params, before) * n_spikes
    return -params[0] * n_spikes if params[5] else 0.0


@jitable
def target_rate_step_reward(state: tuple, params: tuple, output_spikes: np.ndarray) -> float:
    """The kernel of one network step's reward.

    ``state = (rate,)``: the outputs' rate estimate, float64 (1,), Hz (updated in place);
    ``params = (reward_mult, punish_mult, target_hz, keep, to_hz, punish_overshoot, max_gain,
    expected)``
    with ``expected`` the game state's ``expected_value`` (fixed for the game step);
    ``output_spikes`` bool (O,).
    """
    n_spikes = count_true(output_spikes)
    before = target_rate_track(state[0], params, n_spikes)
    if n_spikes == 0:
        return 0.0
    return target_rate_value(params, n_spikes, params[7], before)


class TargetRate(RewarderBase):
    """Reward output spikes on should-fire patterns while the output is below a target rate.

    Meant for ``reward_mode = "step"``; ``action`` is the bool vector (O,) of output spikes at
    this network step, ``n`` the number that spiked. The rewarder keeps an estimate of the
    outputs' rate (Hz), an exponential filter over the steps it judged
    (``a = exp(-dt/tau_rate)``):

    .. math:: \\hat\\nu \\leftarrow a\\, \\hat\\nu + (1 - a)\\, \\frac{n}{O} \\frac{1000}{dt}

    and rewards

    .. math:: r = \\begin{cases} m_r\\, g\\, n & \\text{expected\\_value(state) true and }
                   \\hat\\nu_{\\text{before}} < \\nu^* \\\\
                   o & \\text{expected\\_value(state) true, } \\hat\\nu_{\\text{before}} \\ge \\nu^* \\\\
                   -m_p\\, n & \\text{otherwise} \\end{cases}

    with ``nu* = target_hz``, ``o = 0`` (``above_target = "unrewarded"``) or ``o = -m_r n``
    (``"punished"``: the true patterns' rate is then regulated towards the target) and the gain

    .. math:: g = \\min\\big(g_{max},\\ \\nu^* / \\hat\\nu_{\\text{before}}\\big)
              \\quad (g = g_{max} \\text{ when } \\hat\\nu_{\\text{before}} = 0),

    ``g_max = max_gain`` (1 by default: ``g = 1``). With ``g_max > 1`` a rewarded spike is worth
    more the further the output is below the target, so the reward rate on a true pattern grows
    roughly like the logarithm of its output rate rather than linearly: a true pattern the output
    barely answers still pulls its weights as hard as one it answers well (with ``g = 1`` the
    pull of a pattern is proportional to its rate, and a pattern that starts weakly answered tends
    to stay so).
    Florian's (2007) per-spike reward (``florian``) is the case of an infinite target; there the
    expected reward keeps growing with the output rate on the true patterns, so when the output
    saturates a network can earn more by firing on every pattern than by staying silent on the
    false ones. Capping the reward at a target rate leaves the punishment of false-pattern spikes
    as the only gradient once the true patterns are answered,
    which is what a frozen XOR needs. ``reset()`` clears the estimate.
    """

    Config = TargetRateConfig
    KERNEL = Kernel(
        functions={"step_reward": target_rate_step_reward},
        methods=("__call__", "kernel_state", "kernel_params"),
    )

    def __init__(self, config: TargetRateConfig, ctx: Any):
        super().__init__(config, ctx)
        self.expected_value = config.expected_value
        self.n_outputs = ctx.n_outputs
        self.keep = math.exp(-ctx.dt / config.tau_rate)
        self.to_hz = 1000.0 / ctx.dt / ctx.n_outputs
        self._rate = np.zeros(1, dtype=np.float64)
        self.punish_overshoot = config.above_target == "punished"

    @property
    def rate_hz(self) -> float:
        """The outputs' rate estimate, Hz."""
        return float(self._rate[0])

    @rate_hz.setter
    def rate_hz(self, value: float) -> None:
        self._rate[0] = value

    def reset(self) -> None:
        self.rate_hz = 0.0

    def kernel_state(self) -> tuple:
        """``(rate,)``: the rate estimate, float64 (1,), Hz."""
        return (self._rate,)

    def _params(self) -> tuple:
        return (
            float(self.reward_mult),
            float(self.punish_mult),
            float(self.target_hz),
            float(self.keep),
            float(self.to_hz),
            bool(self.punish_overshoot),
            float(self.max_gain),
        )

    def kernel_params(self, state: Any) -> tuple:
        """The parameters of :func:`target_rate_step_reward` for the game state ``state``."""
        return (*self._params(), bool(self.expected_value(state)))

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        params = self._params()
        n_spikes = int(np.count_nonzero(action))
        before = target_rate_track(self._rate, params, n_spikes)
        if n_spikes == 0:
            return 0.0  # nothing to judge; skips the expected_value call on most steps
        return target_rate_value(params, n_spikes, bool(self.expected_value(state)), before)
