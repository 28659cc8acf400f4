"""Leaky integrate-and-fire neurons with time constants in milliseconds."""

from __future__ import annotations

import math
from typing import Any

import attrs
from spikey_core.config import Real, param

from spikey_core import ConfigError
from spikey_parts.neurons.base import NeuronOutputConfig, ThresholdNeuronBase, spike_delay_param

#: Slack when converting a refractory time to steps, so 2.0 ms / 0.1 ms counts as 20 steps, not 21.
_STEP_ROUNDING = 1e-9


@attrs.frozen(kw_only=True)
class LIFConfig(NeuronOutputConfig):
    tau_m: float = param(tunable=True, default=20.0, check=Real(gt=0), doc="membrane time constant, ms, > 0")
    v_rest: float = param(
        tunable=True, default=-65.0, check=Real(), doc="resting potential (leak target and start), mV"
    )
    v_reset: float = param(
        tunable=True, default=-65.0, check=Real(), doc="potential after a spike and during refractoriness, mV"
    )
    v_threshold: float = param(
        tunable=True, default=-50.0, check=Real(), doc="firing threshold, mV; must exceed v_reset"
    )
    refractory_ms: float = param(
        tunable=True,
        default=2.0,
        check=Real(ge=0),
        doc="refractory time, ms, >= 0; rounded up to whole network steps of ctx.dt",
    )
    spike_delay: int = spike_delay_param()

    def __attrs_post_init__(self) -> None:
        if self.v_threshold <= self.v_reset:
            raise ConfigError(
                f"LIFConfig.v_threshold: must be > v_reset ({self.v_reset}) (got {self.v_threshold}); "
                "otherwise a neuron would fire at every step"
            )


class LIF(ThresholdNeuronBase):
    """Leaky integrate-and-fire neurons with instantaneous (delta) synapses.

    Membrane equation between inputs, in ms:

    .. math:: \\tau_m \\frac{dV}{dt} = -(V - V_{\\text{rest}}),

    integrated exactly over one network step of ``dt`` ms (``ctx.dt``). The synaptic current of a
    step is an instantaneous jump: ``current`` is read in mV and added to ``V``. One step:

    .. math:: V \\leftarrow V_{\\text{rest}} + (V' - V_{\\text{rest}})\\, e^{-dt/\\tau_m} + I,

    with ``V' = V_reset`` for a neuron that crossed at this step, else ``V' = V``. A neuron
    crosses when ``V >= v_threshold``. After a crossing it is refractory for
    ``R = ceil(refractory_ms / dt)`` steps: the input of ``R`` integrations is discarded and
    ``V`` held at ``v_reset`` (see :mod:`spikey_parts.neurons.base` for the exact timing).

    Under a constant input ``I`` per step with ``V_inf = V_rest + I / (1 - a)``, ``a =
    exp(-dt/tau_m)``, the potential after ``k`` free steps from ``V_reset`` is
    ``V_k = V_inf + (V_reset - V_inf) a^k``, so a neuron fires every ``R + k*`` steps with
    ``k* = min {k >= 1 : V_k >= v_threshold}`` (no firing when ``V_inf < v_threshold``).

    ``tau_m``, ``v_rest``, ``v_reset``, ``v_threshold``, ``refractory_ms`` and ``magnitude`` are
    instance attributes read at every step.
    """

    Config = LIFConfig

    def __init__(self, config: LIFConfig, ctx: Any):
        super().__init__(config, ctx)
        self.dt = float(ctx.dt)
        self.reset()

    @property
    def refractory_steps(self) -> int:
        return math.ceil(self.refractory_ms / self.dt - _STEP_ROUNDING)

    def _initial_potential(self) -> float:
        return self.v_rest

    def _reset_value(self) -> float:
        return self.v_reset

    def _threshold(self) -> float:
        return self.v_threshold

    def _keep(self) -> tuple[float, float]:
        return math.exp(-self.dt / self.tau_m), self.v_rest
