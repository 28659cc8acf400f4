"""Florian (2007) MSTDP: reward-modulated STDP without an eligibility trace."""

from __future__ import annotations

import attrs

from spikey_parts.synapses.stdp import apply_pairing
from spikey_parts.synapses.traces import TraceConfig, TraceRule


@attrs.frozen(kw_only=True)
class MSTDPConfig(TraceConfig):
    """Florian 2007's MSTDP settings: gamma = ``learning_rate``, A+, A-, tau+, tau-."""


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

    def step(self, spikes):
        self.update_traces(spikes)

    def reward(self, reward: float) -> None:
        if self.training and reward != 0.0 and self._now.size:
            apply_pairing(self, self.learning_rate * float(reward))
