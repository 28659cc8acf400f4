"""Leaky integrate-and-fire neurons with Gaussian membrane noise (exploration that keeps the membrane)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param
from spikey_core.kernels import Kernel, copy_into, jitable

from spikey_parts.neurons.base import ThresholdNeuronBase, threshold_fire, threshold_integrate
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


@jitable
def noisy_lif_fire(state: tuple, params: tuple, noise: np.ndarray, out: np.ndarray) -> None:
    """:func:`~spikey_parts.neurons.base.threshold_fire`, keeping this step's normals for integrate.

    ``state`` = the threshold state (9 arrays) plus ``(gauss, drive, noise_scale)`` (float (N,));
    ``params`` = the threshold parameters (8) plus ``(noise_std,)``; ``noise`` the step's ``N``
    standard normal numbers (none when ``noise_std == 0``).
    """
    threshold_fire(state[:9], params[:8], noise[:0], out)
    if noise.size:
        copy_into(state[9], noise)


@jitable
def noisy_lif_integrate(state: tuple, params: tuple, current: np.ndarray) -> None:
    """``lif``'s integration with ``sigma xi`` added to the step's input (``xi`` kept by fire)."""
    if params[8] > 0.0:
        gauss, drive, noise_scale = state[9], state[10], state[11]
        np.multiply(gauss, noise_scale, gauss)
        np.multiply(gauss, params[8], gauss)
        np.add(current, gauss, drive)
        threshold_integrate(state[:9], params[:8], drive)
    else:
        threshold_integrate(state[:9], params[:8], current)


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
    KERNEL = Kernel(
        functions={"fire": noisy_lif_fire, "integrate": noisy_lif_integrate},
        methods=ThresholdNeuronBase.KERNEL.methods,
    )

    def __init__(self, config: NoisyLIFConfig, ctx: Any):
        super().__init__(config, ctx)
        self._gauss = np.zeros(ctx.n_neurons, dtype=np.float64)
        self._gauss_draw = np.zeros(ctx.n_neurons, dtype=np.float64)
        self._drive = np.zeros(ctx.n_neurons, dtype=np.float64)
        self._noise_scale = np.ones(ctx.n_neurons, dtype=np.float64)
        if config.noise_targets == "outputs":
            self._noise_scale[: ctx.n_neurons - ctx.n_outputs] = 0.0

    def kernel_state(self) -> tuple:
        """The threshold state plus ``(gauss, drive, noise_scale)``."""
        return (*super().kernel_state(), self._gauss, self._drive, self._noise_scale)

    def kernel_params(self) -> tuple:
        """The threshold parameters plus ``(noise_std,)``."""
        return (*super().kernel_params(), float(self.noise_std))

    def noise_width(self) -> int:
        """``N`` standard normal numbers per step when ``noise_std > 0``, else none."""
        return self.n_neurons if self.noise_std > 0.0 else 0

    def kernel_noise(self, steps: int) -> np.ndarray:
        """The normal numbers of ``steps`` steps, float64 (steps, noise_width()), from ``self.rng``."""
        return self.rng.standard_normal((steps, self.noise_width()))

    def fire(self) -> np.ndarray:
        """As ``lif``; also draws this step's ``N`` normal numbers (kept for :meth:`integrate`)."""
        noise = self._gauss_draw[: self.noise_width()]
        if noise.size:
            self.rng.standard_normal(out=noise)
        noisy_lif_fire(self.kernel_state(), self.kernel_params(), noise, self._emitted)
        return self._emitted

    def integrate(self, current: np.ndarray) -> None:
        """As ``lif``, with ``sigma xi`` added to the step's input (so after the leak, before the
        refractory hold, which keeps refractory neurons at ``v_reset``)."""
        noisy_lif_integrate(self.kernel_state(), self.kernel_params(), current)
