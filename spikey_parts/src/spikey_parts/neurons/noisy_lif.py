"""Leaky integrate-and-fire neurons with Gaussian membrane noise (exploration that keeps the membrane)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param

from spikey_parts.neurons.lif import LIF, LIFConfig


@attrs.frozen(kw_only=True)
class NoisyLIFConfig(LIFConfig):
    noise_std: float = param(
        tunable=True,
        default=1.0,
        check=Real(ge=0),
        doc="standard deviation of the Gaussian noise added to V at every network step, mV, >= 0",
    )
    noise_targets: str = param(
        default="all",
        check=OneOf(("all", "outputs")),
        doc='which body neurons get the noise: "all" or only the "outputs" (the last n_outputs)',
    )


class NoisyLIF(LIF):
    """:class:`~spikey_parts.neurons.lif.LIF` with a Gaussian membrane noise current.

    One step, for a neuron that is not refractory (``a = exp(-dt/tau_m)``, ``xi ~ N(0, 1)`` per
    neuron and step from the part's generator):

    .. math:: V \\leftarrow V_{\\text{rest}} + (V' - V_{\\text{rest}})\\, a + I + \\sigma\\, \\xi,

    with ``sigma = noise_std`` for the neurons named by ``noise_targets`` and 0 for the others.
    Unlike the spontaneous spikes of ``neuron`` (``prob_rand_fire``), which fire and reset the
    membrane, this noise only jitters the potential: the input keeps integrating and a neuron
    fires only by crossing the threshold, so it explores around what its input drives (the
    escape-noise picture of stochastic neurons). Refractory neurons stay held at ``v_reset``.
    ``N`` normal numbers are drawn per step (none when ``noise_std == 0``).
    """

    Config = NoisyLIFConfig

    def __init__(self, config: NoisyLIFConfig, ctx: Any):
        super().__init__(config, ctx)
        self._gauss = np.zeros(ctx.n_neurons, dtype=np.float64)
        self._drive = np.zeros(ctx.n_neurons, dtype=np.float64)
        self._noise_scale = np.ones(ctx.n_neurons, dtype=np.float64)
        if config.noise_targets == "outputs":
            self._noise_scale[: ctx.n_neurons - ctx.n_outputs] = 0.0

    def integrate(self, current: np.ndarray) -> None:
        """As ``lif``, with ``sigma xi`` added to the step's input (so after the leak, before the
        refractory hold, which keeps refractory neurons at ``v_reset``)."""
        if self.noise_std > 0.0:
            self.rng.standard_normal(out=self._gauss)
            np.multiply(self._gauss, self._noise_scale, out=self._gauss)
            np.multiply(self._gauss, self.noise_std, out=self._gauss)
            np.add(current, self._gauss, out=self._drive)
            current = self._drive
        super().integrate(current)
