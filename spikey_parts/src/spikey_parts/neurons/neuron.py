"""The original Spikey neuron: leaky threshold unit with refractoriness, random firing and delay."""

from __future__ import annotations

from typing import Any

import attrs
from spikey_core.config import Integer, Real, param, probability

from spikey_parts.neurons.base import NeuronOutputConfig, ThresholdNeuronBase, spike_delay_param


@attrs.frozen(kw_only=True)
class NeuronConfig(NeuronOutputConfig):
    firing_threshold: float = param(
        tunable=True,
        default=16.0,
        check=Real(),
        doc="potential at or above which a neuron fires (potential units)",
    )
    potential_decay: float = param(
        tunable=True,
        default=0.05,
        check=probability(),
        doc="fraction of (V - resting_mv) lost per step, in [0, 1]",
    )
    resting_mv: float = param(
        tunable=True,
        default=0.0,
        check=Real(),
        doc="resting potential: start, leak target and post-spike reset (potential units)",
    )
    refractory_period: int = param(
        tunable=True,
        default=0,
        check=Integer(ge=0),
        doc="steps after a spike during which input is discarded and V held at rest, >= 0",
    )
    prob_rand_fire: float = param(
        tunable=True,
        default=0.0,
        check=probability(),
        doc="per-step probability of a spontaneous spike, in [0, 1]",
    )
    spike_delay: int = spike_delay_param()


class Neuron(ThresholdNeuronBase):
    """Leaky threshold neuron, the model of the original Spikey.

    State per neuron: potential ``V`` (``ctx.dtype``, shape (N,)), starting at ``resting_mv``.
    At network step ``t``:

    ``fire()``: neuron ``k`` crosses when

    .. math:: V_k \\ge \\theta \\quad\\text{or}\\quad u_k < p_{\\text{rand}}, \\qquad u_k \\sim U(0, 1),

    unless it is refractory; the spike is emitted ``spike_delay`` steps later (uniform numbers are
    drawn only when ``prob_rand_fire > 0``).

    ``integrate(I)``: with rest ``V_r`` and decay ``\\lambda`` (``potential_decay``)

    .. math:: V \\leftarrow V_r + (1 - \\lambda)(V' - V_r) + I,

    where ``V' = V_r`` for a neuron that crossed at this step (reset to rest) and ``V' = V``
    otherwise. Refractoriness (``R = refractory_period``): after a crossing at ``t`` the input of
    integrations ``t .. t+R-1`` is discarded and ``V`` held at ``V_r``; the neuron cannot cross
    at ``t+1 .. t+R``. Under constant supra-threshold drive it fires every ``(R+1)``-th step.
    Unlike the original (which wrote a -65499 float16 sentinel into ``V``), the held value is
    the resting potential, so ``potentials`` always stay meaningful.

    ``firing_threshold``, ``potential_decay``, ``resting_mv``, ``refractory_period``,
    ``prob_rand_fire`` and ``magnitude`` are instance attributes read at every step, so
    modifiers can schedule them. See :mod:`spikey_parts.neurons.base` for the delay timing.
    """

    Config = NeuronConfig
    CROSSING_MODE = 1

    def __init__(self, config: NeuronConfig, ctx: Any):
        super().__init__(config, ctx)
        self.reset()

    @property
    def refractory_steps(self) -> int:
        return self.refractory_period

    def _initial_potential(self) -> float:
        return self.resting_mv

    def _reset_value(self) -> float:
        return self.resting_mv

    def _threshold(self) -> float:
        return self.firing_threshold

    def _keep(self) -> tuple[float, float]:
        return 1.0 - self.potential_decay, self.resting_mv

    def _randomness(self) -> tuple[float, float]:
        return self.prob_rand_fire, 0.0
