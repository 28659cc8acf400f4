"""The original neuron with random potential kicks instead of spontaneous spikes."""

from __future__ import annotations

import attrs
from spikey_core.config import Real, param

from spikey_parts.neurons.neuron import Neuron, NeuronConfig


@attrs.frozen(kw_only=True)
class RandPotentialConfig(NeuronConfig):
    potential_noise_scale: float = param(
        tunable=True,
        default=1.0,
        check=Real(ge=0),
        doc="upper end of the uniform potential kick U(0, scale), >= 0 (potential units)",
    )


class RandPotential(Neuron):
    """:class:`~spikey_parts.neurons.neuron.Neuron` whose randomness perturbs the potential.

    At the start of each step (in ``fire()``), before the threshold test, every neuron
    independently receives with probability ``prob_rand_fire`` a kick

    .. math:: V_k \\leftarrow V_k + \\xi_k, \\qquad \\xi_k \\sim U(0, s),

    with ``s = potential_noise_scale``. The kick persists (it leaks away like any input). A
    neuron then crosses only through ``V_k \\ge \\theta``; there are no spontaneous spikes.
    Everything else (leak, reset to rest, refractoriness, delay) is the ``neuron`` model.

    Refractory gating: the original applied no explicit gating here and relied on its float16
    sentinel potential to keep refractory neurons silent. In this version refractory neurons are
    held at rest and gated like in ``neuron``, so a kick can never make a refractory neuron fire.
    Two blocks of ``N`` uniforms are drawn per step, only when ``prob_rand_fire > 0``.
    """

    Config = RandPotentialConfig
    CROSSING_MODE = 2

    def _randomness(self) -> tuple[float, float]:
        return self.prob_rand_fire, self.potential_noise_scale
