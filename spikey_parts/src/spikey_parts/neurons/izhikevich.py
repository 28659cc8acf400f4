"""Izhikevich (2003) simple-model neurons with the paper's named firing types."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, OneOf, Optional, Real, param
from spikey_core.kernels import Kernel, add_where, compiled_as, copy_into, element, jitable, put_where

from spikey_core import ConfigError, Part
from spikey_parts.common import build_polarities
from spikey_parts.neurons.base import NeuronOutputConfig

#: (a, b, c, d) of the firing types in Izhikevich (2003), Fig. 2.
PRESETS: dict[str, tuple[float, float, float, float]] = {
    "regular_spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically_bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "bursting": (0.02, 0.2, -50.0, 2.0),  # another name for chattering
    "fast_spiking": (0.1, 0.2, -65.0, 2.0),
    "low_threshold_spiking": (0.02, 0.25, -65.0, 2.0),
    "thalamo_cortical": (0.02, 0.25, -65.0, 0.05),
    "resonator": (0.1, 0.26, -65.0, 2.0),
}


@attrs.frozen(kw_only=True)
class IzhikevichConfig(NeuronOutputConfig):
    preset: Any = param(
        default="regular_spiking",
        check=Optional(OneOf(PRESETS)),
        doc="named firing type giving a, b, c, d (explicit a, b, c, d override it); none = give all four",
    )
    a: Any = param(
        tunable=True, default=None, check=Optional(Real(gt=0)), doc="recovery rate of u, 1/ms, > 0"
    )
    b: Any = param(tunable=True, default=None, check=Optional(Real()), doc="sensitivity of u to v, 1/ms")
    c: Any = param(
        tunable=True, default=None, check=Optional(Real()), doc="reset potential of v after a spike, mV"
    )
    d: Any = param(
        tunable=True, default=None, check=Optional(Real()), doc="increment of u after a spike, mV/ms"
    )
    v_peak: float = param(
        tunable=True, default=30.0, check=Real(), doc="spike cut-off: a neuron fires when v >= v_peak, mV"
    )
    v_init: float = param(
        tunable=True, default=-65.0, check=Real(), doc="starting potential v (u starts at b * v_init), mV"
    )
    substeps: int = param(
        tunable=True,
        default=2,
        check=Integer(ge=1),
        doc="Euler sub-steps of v per network step (2 = the paper's 0.5 ms at dt 1 ms)",
    )

    def __attrs_post_init__(self) -> None:
        if self.preset is None:
            missing = [name for name in "abcd" if getattr(self, name) is None]
            if missing:
                raise ConfigError(
                    "IzhikevichConfig.preset: is none, so a, b, c and d are all needed "
                    f"(missing: {', '.join(missing)}); "
                    f"or choose a preset: {', '.join(PRESETS)}"
                )

    def parameters(self) -> tuple[float, float, float, float]:
        """The effective (a, b, c, d): the preset's values, overridden by explicit ones."""
        base = PRESETS[self.preset] if self.preset is not None else (0.0, 0.0, 0.0, 0.0)
        return tuple(
            float(base[i] if value is None else value)
            for i, value in enumerate((self.a, self.b, self.c, self.d))
        )  # type: ignore[return-value]


@jitable
def izhikevich_fire(state: tuple, params: tuple, noise: np.ndarray, out: np.ndarray) -> None:
    """``out = v >= v_peak`` (bool (N,)); the kernel of :meth:`Izhikevich.fire`.

    ``state = (v, u, fired, slope)`` (float (N,), float (N,), bool (N,), float scratch (N,)),
    ``params = (a, b, c, d, v_peak, dt, substeps)``; no noise is used.
    """
    v, u, fired, slope = state
    np.greater_equal(v, params[4], fired)
    copy_into(out, fired)


@jitable
def izhikevich_integrate(state: tuple, params: tuple, current: np.ndarray) -> None:
    """Reset the neurons that fired, then one network step of ``dt`` ms with input ``current``.

    .. math::

        v \\leftarrow v + h (0.04 v^2 + 5 v + 140 - u + I) \\quad (\\text{substeps times},
        h = dt / \\text{substeps}), \\qquad u \\leftarrow u + dt\\, a (b v - u)

    after ``v <- c``, ``u <- u + d`` for the neurons that fired. ``state`` and ``params`` as in
    :func:`izhikevich_fire`; ``current`` float (N,). ``a, b, c, d`` may also be float (N,) arrays
    (one value per neuron: the ``izhikevich_network`` neuron).
    """
    v, u, fired, slope = state
    a, b, c, d, v_peak, dt, substeps = params
    izhikevich_euler(v, u, fired, slope, current, a, b, c, d, dt, substeps)


def _izhikevich_euler_loops(v, u, fired, slope, current, a, b, c, d, dt, substeps) -> None:
    # a loop per pass, each operation as in the numpy form (the inner loops vectorise)
    n = v.shape[0]
    for i in range(n):
        if fired[i]:
            v[i] = element(c, i)
            u[i] = u[i] + element(d, i)
    h = dt / substeps
    for _ in range(substeps):
        for i in range(n):
            vi = v[i]
            change = vi * 0.04
            change = change + 5.0
            change = change * vi
            change = change + 140.0
            change = change - u[i]
            change = change + current[i]
            change = change * h
            v[i] = vi + change
    for i in range(n):
        change = v[i] * element(b, i)
        change = change - u[i]
        change = change * (dt * element(a, i))
        u[i] = u[i] + change


@compiled_as(_izhikevich_euler_loops)
def izhikevich_euler(v, u, fired, slope, current, a, b, c, d, dt, substeps) -> None:
    """The arithmetic of :func:`izhikevich_integrate`, in place; ``slope`` float (N,) scratch.

    Vectorised here; compiled kernels run it as one loop over the neurons with the same
    operations in the same order (so the same bits).
    """
    put_where(v, c, fired)
    add_where(u, d, fired)
    h = dt / substeps
    for _ in range(substeps):
        np.multiply(v, 0.04, slope)  # slope = (0.04 v + 5) v + 140 - u + I
        np.add(slope, 5.0, slope)
        np.multiply(slope, v, slope)
        np.add(slope, 140.0, slope)
        np.subtract(slope, u, slope)
        np.add(slope, current, slope)
        np.multiply(slope, h, slope)
        np.add(v, slope, v)
    np.multiply(v, b, slope)  # slope = dt * a * (b v - u)
    np.subtract(slope, u, slope)
    np.multiply(slope, dt * a, slope)
    np.add(u, slope, u)


class Izhikevich(Part):
    """Izhikevich (2003) neurons: quadratic membrane potential ``v`` with recovery ``u``.

    .. math::

        \\frac{dv}{dt} = 0.04 v^2 + 5 v + 140 - u + I, \\qquad
        \\frac{du}{dt} = a (b v - u), \\qquad
        v \\ge v_{\\text{peak}} \\Rightarrow v \\leftarrow c,\\ u \\leftarrow u + d,

    with ``v`` in mV and ``t`` in ms. ``fire()`` reports ``v >= v_peak``. ``integrate(I)`` first
    resets the neurons that fired, then advances one network step of ``dt = ctx.dt`` ms as in the
    paper's code: ``substeps`` forward-Euler steps of ``h = dt / substeps`` for ``v`` (with ``u``
    and ``I`` held), then one Euler step of ``dt`` for ``u`` with the new ``v``:

    .. math::

        v \\leftarrow v + h (0.04 v^2 + 5 v + 140 - u + I) \\quad (\\text{substeps times}), \\qquad
        u \\leftarrow u + dt\\, a (b v - u).

    ``current`` is the input ``I`` of the equation (the model's dimensionless current units),
    held constant over the step. No refractory period: the reset and ``u`` provide it.

    Attributes
    ----------
    potentials : ndarray, ctx.dtype, shape (N,)
        ``v``, mV.
    recovery : ndarray, ctx.dtype, shape (N,)
        ``u``.
    a, b, c, d : float
        Effective model parameters (runtime-tunable).
    """

    Config = IzhikevichConfig
    STATE = ("potentials", "recovery")
    KERNEL = Kernel(
        functions={"fire": izhikevich_fire, "integrate": izhikevich_integrate},
        methods=("fire", "integrate", "kernel_params", "kernel_noise"),
    )

    def __init__(self, config: IzhikevichConfig, ctx: Any):
        super().__init__(config, ctx)
        n = ctx.n_neurons
        self.polarities = build_polarities(
            config.polarities, config.neuron_pct_inhibitory, n, self.rng, ctx.dtype, "$.neuron.polarities"
        )
        self.a, self.b, self.c, self.d = config.parameters()  # the preset's values unless given
        self.dt = float(ctx.dt)
        self.potentials = np.zeros(n, dtype=ctx.dtype)
        self.recovery = np.zeros(n, dtype=ctx.dtype)
        self.fired = np.zeros(n, dtype=bool)
        self._slope = np.zeros(n, dtype=ctx.dtype)
        self._no_noise = np.zeros(0)
        self.reset()

    def reset(self) -> None:
        """``v = v_init``, ``u = b * v_init``, no spike pending."""
        self.potentials.fill(self.v_init)
        self.recovery.fill(self.b * self.v_init)
        self.fired.fill(False)

    def kernel_state(self) -> tuple:
        """The arrays the kernel changes in place: ``(v, u, fired, scratch)``."""
        return self.potentials, self.recovery, self.fired, self._slope

    def kernel_params(self) -> tuple:
        """``(a, b, c, d, v_peak, dt, substeps)`` from the live attributes."""
        return (
            float(self.a),
            float(self.b),
            float(self.c),
            float(self.d),
            float(self.v_peak),
            float(self.dt),
            int(self.substeps),
        )

    def kernel_noise(self, steps: int) -> np.ndarray:
        """No randomness: float64 (steps, 0)."""
        return np.zeros((steps, 0))

    def fire(self) -> np.ndarray:
        """Neurons with ``v >= v_peak``: bool (N,)."""
        izhikevich_fire(self.kernel_state(), self.kernel_params(), self._no_noise, self.fired)
        return self.fired

    def integrate(self, current: np.ndarray) -> None:
        """Reset the neurons that fired, then advance ``v`` and ``u`` by ``dt`` ms with input ``current``."""
        izhikevich_integrate(self.kernel_state(), self.kernel_params(), current)
