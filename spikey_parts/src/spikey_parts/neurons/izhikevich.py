"""Izhikevich (2003) simple-model neurons with the paper's named firing types."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, OneOf, Optional, Real, param

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
        self.reset()

    def reset(self) -> None:
        """``v = v_init``, ``u = b * v_init``, no spike pending."""
        self.potentials.fill(self.v_init)
        self.recovery.fill(self.b * self.v_init)
        self.fired.fill(False)

    def fire(self) -> np.ndarray:
        """Neurons with ``v >= v_peak``: bool (N,)."""
        np.greater_equal(self.potentials, self.v_peak, out=self.fired)
        return self.fired

    def integrate(self, current: np.ndarray) -> None:
        """Reset the neurons that fired, then advance ``v`` and ``u`` by ``dt`` ms with input ``current``."""
        v, u, slope = self.potentials, self.recovery, self._slope
        np.copyto(v, self.c, where=self.fired)
        np.add(u, self.d, out=u, where=self.fired)
        h = self.dt / self.substeps
        for _ in range(self.substeps):
            np.multiply(v, 0.04, out=slope)  # slope = (0.04 v + 5) v + 140 - u + I
            np.add(slope, 5.0, out=slope)
            np.multiply(slope, v, out=slope)
            np.add(slope, 140.0, out=slope)
            np.subtract(slope, u, out=slope)
            np.add(slope, current, out=slope)
            np.multiply(slope, h, out=slope)
            np.add(v, slope, out=v)
        np.multiply(v, self.b, out=slope)  # slope = dt * a * (b v - u)
        np.subtract(slope, u, out=slope)
        np.multiply(slope, self.dt * self.a, out=slope)
        np.add(u, slope, out=u)
