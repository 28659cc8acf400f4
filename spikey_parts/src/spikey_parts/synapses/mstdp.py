"""Florian (2007) MSTDP: reward-modulated STDP without an eligibility trace."""

from __future__ import annotations

import attrs
from spikey_core.kernels import Kernel, jitable

from spikey_parts.synapses.stdp import apply_pairing
from spikey_parts.synapses.traces import TRACE_METHODS, TraceConfig, TraceRule, trace_update


@attrs.frozen(kw_only=True)
class MSTDPConfig(TraceConfig):
    """Florian 2007's MSTDP settings: gamma = ``learning_rate``, A+, A-, tau+, tau-."""


@jitable
def mstdp_step(state, params, weight_state, weight_params, spikes) -> None:
    """Update the traces with the spikes of this step (no weight change without a reward)."""
    trace_update(state, params, spikes)


@jitable
def mstdp_reward(state, params, weight_state, weight_params, reward) -> None:
    """``W <- clip(W + gamma r zeta(t))`` on the rows and columns of this step's spikes, one clip."""
    if reward != 0.0:
        apply_pairing(state, params, weight_state, weight_params, params[5] * reward)


class MSTDP(TraceRule):
    """Modulated STDP (Florian 2007, Neural Computation 19(6), eq. 4.x, "MSTDP").

    .. math:: W_{ij}(t + \\delta t) = W_{ij}(t) + \\gamma\\, r(t + \\delta t)\\, \\zeta_{ij}(t)

    with the traces and ``zeta`` of :class:`~spikey_parts.synapses.traces.TraceRule`. ``step``
    updates the traces with the spikes of step ``t``; the following ``reward(r)`` applies
    ``gamma r zeta(t)`` (clipped to ``[0, max_weight]``, existing synapses only). Only pairings
    that happen at the step a reward follows can change weights: with one reward per game step
    (``"tick"`` mode) that is the tick's last step, so the rule is meant for the ``"step"``
    reward mode.
    """

    Config = MSTDPConfig

    KERNEL = Kernel(functions={"step": mstdp_step, "reward": mstdp_reward}, methods=TRACE_METHODS)

    def step(self, spikes):
        self.learn(mstdp_step, spikes)

    def reward(self, reward: float) -> None:
        if self.training:
            self.learn(mstdp_reward, float(reward))
