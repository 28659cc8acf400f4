"""Izhikevich network neurons: excitatory and inhibitory populations with random thalamic input."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, OneOf, Optional, Real, param
from spikey_core.kernels import Kernel, compiled_as, copy_into, jitable

from spikey_core import ConfigError, Part
from spikey_parts.common import build_polarities
from spikey_parts.neurons.base import NeuronOutputConfig
from spikey_parts.neurons.izhikevich import PRESETS, izhikevich_integrate


@attrs.frozen(kw_only=True)
class IzhikevichNetworkConfig(NeuronOutputConfig):
    excitatory: str = param(
        default="regular_spiking", check=OneOf(PRESETS), doc="firing type (a, b, c, d) of excitatory neurons"
    )
    inhibitory: str = param(
        default="fast_spiking", check=OneOf(PRESETS), doc="firing type (a, b, c, d) of inhibitory neurons"
    )
    inhibitory_last: Any = param(
        default=None,
        check=Optional(Integer(ge=0)),
        doc="the last n neurons are inhibitory, the others excitatory (overrides neuron_pct_inhibitory)",
    )
    noise: float = param(
        tunable=True,
        default=13.0,
        check=Real(ge=0),
        doc="thalamic input: each step every neuron gets noise * (U(0, 1) - 0.5) added to its current",
    )
    v_peak: float = param(tunable=True, default=30.0, check=Real(), doc="a neuron fires when v >= v_peak, mV")
    v_init: float = param(tunable=True, default=-65.0, check=Real(), doc="starting v (u starts at b v), mV")
    substeps: int = param(
        tunable=True, default=2, check=Integer(ge=1), doc="Euler sub-steps of v per step (2 = 0.5 ms at 1 ms)"
    )


def _threshold_loops(v, v_peak, fired, out, noise, thalamic) -> None:
    for i in range(v.shape[0]):
        fired[i] = out[i] = v[i] >= v_peak
    for i in range(noise.shape[0]):
        thalamic[i] = noise[i]


@compiled_as(_threshold_loops)
def threshold_and_keep(v, v_peak, fired, out, noise, thalamic) -> None:
    """``fired = out = v >= v_peak``; ``thalamic = noise`` unless ``noise`` is empty."""
    np.greater_equal(v, v_peak, fired)
    copy_into(out, fired)
    if noise.size:
        copy_into(thalamic, noise)


def _drive_loops(thalamic, width, current, drive) -> None:
    for i in range(drive.shape[0]):
        value = thalamic[i] - 0.5
        value = value * width
        drive[i] = value + current[i]


@compiled_as(_drive_loops)
def thalamic_drive(thalamic, width, current, drive) -> None:
    """``drive = (thalamic - 0.5) * width + current`` (float (N,)), in this order."""
    np.subtract(thalamic, 0.5, drive)
    np.multiply(drive, width, drive)
    np.add(drive, current, drive)


@jitable
def izhikevich_network_fire(state: tuple, params: tuple, noise: np.ndarray, out: np.ndarray) -> None:
    """``out = v >= v_peak`` (bool (N,)); keeps the step's uniform numbers for the integration.

    ``state = (v, u, fired, slope, thalamic, drive)`` (float (N,) but ``fired`` bool (N,));
    ``params = (a, b, c, d, v_peak, dt, substeps, noise)`` with ``a, b, c, d`` float (N,);
    ``noise``: this step's ``N`` numbers ``U(0, 1)`` (or none: the part's own ``integrate``
    draws them into ``thalamic`` itself).
    """
    threshold_and_keep(state[0], params[4], state[2], out, noise, state[4])


@jitable
def izhikevich_network_integrate(state: tuple, params: tuple, current: np.ndarray) -> None:
    """``I = current + noise (U - 0.5)``, then :func:`~spikey_parts.neurons.izhikevich.izhikevich_integrate`.

    ``U`` = ``thalamic`` (the step's uniform numbers); ``state``, ``params`` as in
    :func:`izhikevich_network_fire`.
    """
    thalamic_drive(state[4], params[7], current, state[5])
    izhikevich_integrate(state[:4], params[:7], state[5])


class IzhikevichNetwork(Part):
    """Izhikevich (2003) neurons in the two populations of Izhikevich's network models (2003, 2007).

    Excitatory neurons (polarity +1) take the ``excitatory`` firing type, inhibitory ones (-1) the
    ``inhibitory`` one (regular and fast spiking by default: a = 0.02 / 0.1, d = 8 / 2, b = 0.2,
    c = -65). Every step each neuron also receives a random thalamic current
    ``noise * (U(0, 1) - 0.5)`` drawn from the part's generator (ModelDB 84167 ``daspnet.m``:
    ``I = 13 * (rand(N, 1) - 0.5)``). ``fire()`` reports ``v >= v_peak``; ``integrate(I)`` resets
    the neurons that fired and advances one step as in the paper's code (two 0.5 ms Euler steps
    of ``v``, one 1 ms step of ``u``): the kernel of the ``izhikevich`` neuron,
    :func:`~spikey_parts.neurons.izhikevich.izhikevich_integrate`, with per-neuron ``a, b, c, d``.

    Attributes
    ----------
    potentials : ndarray, float (N,)
        ``v``, mV.
    recovery : ndarray, float (N,)
        ``u``.
    """

    Config = IzhikevichNetworkConfig
    STATE = ("potentials", "recovery", "fired")
    KERNEL = Kernel(
        functions={"fire": izhikevich_network_fire, "integrate": izhikevich_network_integrate},
        methods=("fire", "integrate", "kernel_state", "kernel_params", "kernel_noise"),
    )

    def __init__(self, config: IzhikevichNetworkConfig, ctx: Any):
        super().__init__(config, ctx)
        n = ctx.n_neurons
        if config.inhibitory_last is not None:
            if config.inhibitory_last > n:
                raise ConfigError(
                    f"$.neuron.inhibitory_last (IzhikevichNetwork): must be <= n_neurons = {n} "
                    f"(got {config.inhibitory_last})"
                )
            self.polarities = np.ones(n, dtype=ctx.dtype)
            self.polarities[n - config.inhibitory_last :] = -1.0
        else:
            self.polarities = build_polarities(
                config.polarities, config.neuron_pct_inhibitory, n, self.rng, ctx.dtype, "$.neuron.polarities"
            )
        excitatory = self.polarities > 0
        table = np.where(excitatory[:, None], PRESETS[config.excitatory], PRESETS[config.inhibitory])
        self.params = tuple(np.ascontiguousarray(table[:, i], dtype=ctx.dtype) for i in range(4))
        self.dt = float(ctx.dt)
        self.potentials = np.zeros(n, dtype=ctx.dtype)
        self.recovery = np.zeros(n, dtype=ctx.dtype)
        self.fired = np.zeros(n, dtype=bool)
        self._drive = np.zeros(n, dtype=ctx.dtype)
        self._thalamic = np.zeros(n, dtype=ctx.dtype)
        self._slope = np.zeros(n, dtype=ctx.dtype)
        self._no_noise = np.zeros(0, dtype=np.float64)
        self.reset()

    def reset(self) -> None:
        """``v = v_init``, ``u = b v_init``, nothing fired."""
        self.potentials.fill(self.v_init)
        np.multiply(self.params[1], self.v_init, out=self.recovery)
        self.fired.fill(False)

    def fire(self) -> np.ndarray:
        izhikevich_network_fire(self.kernel_state(), self.kernel_params(), self._no_noise, self.fired)
        return self.fired

    def kernel_state(self) -> tuple:
        """The arrays the kernel changes in place: ``(v, u, fired, scratch, thalamic, drive)``."""
        return self.potentials, self.recovery, self.fired, self._slope, self._thalamic, self._drive

    def kernel_params(self) -> tuple:
        """``(a, b, c, d, v_peak, dt, substeps, noise)``: ``a, b, c, d`` float (N,), the rest scalars."""
        a, b, c, d = self.params
        return a, b, c, d, float(self.v_peak), self.dt, int(self.substeps), float(self.noise)

    def kernel_noise(self, steps: int) -> np.ndarray:
        """The ``U(0, 1)`` numbers of ``steps`` steps, float64 (steps, N), from ``self.rng``.

        The same numbers, in the same order, as ``steps`` calls of :meth:`integrate` draw.
        """
        return self.rng.random((steps, self.potentials.shape[0]))

    def integrate(self, current: np.ndarray) -> None:
        """``I = current + noise (U(0, 1) - 0.5)``, then reset the fired and advance one step."""
        self.rng.random(dtype=self._thalamic.dtype, out=self._thalamic)
        izhikevich_network_integrate(self.kernel_state(), self.kernel_params(), current)
