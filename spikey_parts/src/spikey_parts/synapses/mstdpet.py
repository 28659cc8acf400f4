"""Florian (2007) MSTDPET: reward-modulated STDP with a per-synapse eligibility trace."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Real, param

from spikey_core import ConfigError
from spikey_parts.synapses.base import clip_in_place
from spikey_parts.synapses.traces import TraceConfig, TraceRule


@attrs.frozen(kw_only=True)
class MSTDPETConfig(TraceConfig):
    tau_z: float = param(
        default=25.0, check=Real(gt=0), doc="time constant of the eligibility trace z, in ms, > 0"
    )


class MSTDPET(TraceRule):
    """Modulated STDP with eligibility trace (Florian 2007, "MSTDPET").

    Every synapse keeps an eligibility trace ``z_ij`` (float (U, N)); with step ``dt`` (ms):

    .. math::

        z_{ij}(t) = z_{ij}(t - \\delta t)\\,(1 - \\delta t / \\tau_z) + \\zeta_{ij}(t) / \\tau_z

        W_{ij} \\leftarrow \\mathrm{clip}\\big(W_{ij}
            + \\gamma\\, \\delta t\\, r(t)\\, z_{ij}(t), 0, W_{max}\\big)

    i.e. the forward-Euler discretisation of ``dz/dt = -z/tau_z + zeta/tau_z`` and
    ``dW/dt = gamma r z`` used for Florian's Fig. 1 (one synapse, gamma 0.2, tau_z 25 ms,
    tau+- 20 ms, A+- = +-1: the weight peaks at 0.416 and ends at 0.316). ``step`` updates the
    traces and ``z``; each ``reward(r)`` applies ``gamma dt r z`` to every existing synapse, so a
    reward that arrives up to a few ``tau_z`` after a pairing still credits it. ``reset()``
    clears ``z`` with the other traces; weights persist.

    Raises
    ------
    ConfigError
        ``tau_z`` not longer than ``dt`` (the Euler decay would not be a decay).
    """

    Config = MSTDPETConfig
    STATE = ("pre_trace", "post_trace", "eligibility")

    def __init__(self, config: MSTDPETConfig, ctx: Any):
        super().__init__(config, ctx)
        if config.tau_z <= ctx.dt:
            raise ConfigError(f"$.synapse.tau_z (MSTDPET): must be > dt = {ctx.dt} ms (got {config.tau_z})")
        self.eligibility = np.zeros((ctx.n_units, ctx.n_neurons), dtype=ctx.dtype)
        self._change = np.zeros_like(self.eligibility)
        self.z_decay = 1.0 - ctx.dt / config.tau_z
        self.inv_tau_z = 1.0 / config.tau_z  # fixed with z_decay: both derive from tau_z

    def reset(self) -> None:
        super().reset()
        self.eligibility.fill(0.0)

    def step(self, spikes: np.ndarray) -> None:
        self.update_traces(spikes)
        self.eligibility *= self.z_decay
        if self._now.size:
            post, column_change, rows, row_change = self.pairing_terms(self.inv_tau_z)
            if post.size:
                self.eligibility[:, post] += column_change[:, None]
            if rows.size:
                self.eligibility[rows] += row_change

    def reward(self, reward: float) -> None:
        if not self.training or reward == 0.0:
            return
        weight = self.weight
        np.multiply(self.eligibility, self.learning_rate * self.dt * float(reward), out=self._change)
        weight.matrix += self._change
        clip_in_place(weight.matrix, weight.max_weight)
        weight.matrix *= weight.mask
