"""Florian (2007) MSTDPET: reward-modulated STDP with a per-synapse eligibility trace."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param
from spikey_core.kernels import Kernel, jitable, weight_accumulate, weight_add_scaled

from spikey_core import ConfigError
from spikey_parts.synapses.traces import (
    TRACE_METHODS,
    TraceConfig,
    TraceRule,
    trace_pairing_terms,
    trace_update,
)


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


@jitable
def mstdpet_step(state, params, weight_state, weight_params, spikes) -> None:
    """Traces, then ``z <- z_decay z + zeta / tau_z`` on the rows and columns of this step's spikes.

    ``state`` = the trace state of :func:`~spikey_parts.synapses.traces.trace_update` plus
    ``(eligibility,)`` in the weight's layout; ``params`` = the trace parameters plus
    ``(z_decay, 1 / tau_z, reward_window)``.
    """
    trace_update(state, params, spikes)
    eligibility = state[7]
    np.multiply(eligibility, params[7], eligibility)
    if state[6].any():
        columns, column_change, rows, row_change, row_scale = trace_pairing_terms(state, params, params[8])
        weight_accumulate(
            weight_state, weight_params, eligibility, columns, column_change, rows, row_change, row_scale
        )


@jitable
def mstdpet_reward(state, params, weight_state, weight_params, reward) -> None:
    """``W <- clip(W + gamma w r z, 0, W_max)`` on every existing synapse (``w = reward_window``)."""
    if reward != 0.0:
        weight_add_scaled(weight_state, weight_params, state[7], params[5] * params[9] * reward)


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
    KERNEL = Kernel(functions={"step": mstdpet_step, "reward": mstdpet_reward}, methods=TRACE_METHODS)

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

    def kernel_state(self) -> tuple:
        """The trace state plus ``(eligibility,)``."""
        return (*super().kernel_state(), self.eligibility)

    def kernel_params(self) -> tuple:
        """The trace parameters plus ``(z_decay, 1 / tau_z, reward_window)``."""
        return (
            *super().kernel_params(),
            float(self.z_decay),
            float(self.inv_tau_z),
            float(self.reward_window),
        )

    def step(self, spikes: np.ndarray) -> None:
        self.learn(mstdpet_step, spikes)

    def reward(self, reward: float) -> None:
        if self.training:
            self.learn(mstdpet_reward, float(reward))
