"""Florian (2007) MSTDPET: reward-modulated STDP with a per-synapse eligibility trace."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param

from spikey_core import ConfigError
from spikey_parts.synapses.traces import TraceConfig, TraceRule


@attrs.frozen(kw_only=True)
class MSTDPETConfig(TraceConfig):
    tau_z: float = param(
        default=25.0, check=Real(gt=0), doc="time constant of the eligibility trace z, in ms, > 0"
    )
    integration: str = param(
        default="exact",
        check=OneOf(("exact", "euler")),
        doc=(
            '"exact": exponential decay of z and the exact integral of r z over each step (the '
            'solution of Florian\'s ODEs); "euler": forward Euler, z <- z (1 - dt/tau_z) (Spikey 0.5)'
        ),
    )


class MSTDPET(TraceRule):
    """Modulated STDP with eligibility trace (Florian 2007, "MSTDPET").

    Every synapse keeps an eligibility trace ``z_ij`` (in the weight's layout: float (U, N) for a
    dense weight), driven by the pairings
    ``zeta`` of :class:`~spikey_parts.synapses.traces.TraceRule` (spike trains as Dirac deltas):

    .. math::

        \\tau_z \\frac{dz_{ij}}{dt} = -z_{ij} + \\zeta_{ij}(t), \\qquad
        \\frac{dW_{ij}}{dt} = \\gamma\\, r(t)\\, z_{ij}(t),

    with ``W`` clipped to ``[0, W_max]`` on existing synapses. A pairing at step ``t`` makes
    ``z`` jump by ``zeta / tau_z``; the reward ``r`` delivered after step ``t`` holds over the
    following step ``(t, t + dt]``. Two discretisations (``integration``):

    * ``"exact"`` (default): between spikes ``z`` decays exactly and the weight change is the
      exact integral of ``r z`` over the step, so at spike times the trajectory equals the
      closed-form solution of the ODEs:

      .. math::

          W \\leftarrow \\mathrm{clip}\\big(W + \\gamma\\, r\\, \\tau_z (1 - e^{-\\delta t/\\tau_z})\\,
              z, 0, W_{max}\\big), \\qquad z \\leftarrow z\\, e^{-\\delta t/\\tau_z} + \\zeta / \\tau_z

    * ``"euler"``: forward Euler, as Spikey 0.5's Fig. 1 notebook:

      .. math::

          W \\leftarrow \\mathrm{clip}\\big(W + \\gamma\\, \\delta t\\, r\\, z, 0, W_{max}\\big), \\qquad
          z \\leftarrow z\\, (1 - \\delta t / \\tau_z) + \\zeta / \\tau_z

    Both cost the same. On Florian's Fig. 1 (one synapse, gamma 0.2, tau_z 25 ms, tau+- 20 ms,
    A+- = +-1, reward +1 before 100 ms and -1 after) the exact form peaks at 0.4196 and ends at
    0.3216, as the ODEs do; Euler with dt = 1 ms gives about 0.416 and 0.316. ``step`` updates the
    traces and ``z``; each ``reward(r)`` applies the weight change to every existing synapse, so a
    reward that arrives up to a few ``tau_z`` after a pairing still credits it. ``reset()``
    clears ``z`` with the other traces; weights persist.

    Raises
    ------
    ConfigError
        ``integration = "euler"`` with ``tau_z`` not longer than ``dt`` (the Euler decay would not
        be a decay).
    """

    Config = MSTDPETConfig
    STATE = ("pre_trace", "post_trace", "eligibility")

    def __init__(self, config: MSTDPETConfig, ctx: Any):
        super().__init__(config, ctx)
        if config.integration == "euler" and config.tau_z <= ctx.dt:
            raise ConfigError(f"$.synapse.tau_z (MSTDPET): must be > dt = {ctx.dt} ms (got {config.tau_z})")
        self.eligibility = self.weight.zeros()  # per synapse, in the weight's own layout
        self.inv_tau_z = 1.0 / config.tau_z  # fixed with z_decay: both derive from tau_z
        if config.integration == "exact":
            self.z_decay = math.exp(-ctx.dt / config.tau_z)
            self.reward_window = config.tau_z * (1.0 - self.z_decay)  # integral of e^(-s/tau_z) over a step
        else:
            self.z_decay = 1.0 - ctx.dt / config.tau_z
            self.reward_window = ctx.dt

    def reset(self) -> None:
        super().reset()
        self.eligibility.fill(0.0)

    def step(self, spikes: np.ndarray) -> None:
        self.update_traces(spikes)
        self.eligibility *= self.z_decay
        if self._now.size:
            post, column_change, rows, row_change, row_scale = self.pairing_terms(self.inv_tau_z)
            self.weight.accumulate(self.eligibility, post, column_change, rows, row_change, row_scale)

    def reward(self, reward: float) -> None:
        if not self.training or reward == 0.0:
            return
        scale = self.learning_rate * self.reward_window * float(reward)
        self.weight.add_scaled(self.eligibility, scale)
