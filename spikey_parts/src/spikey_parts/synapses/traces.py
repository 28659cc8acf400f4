"""Exponential spike traces shared by the pair-based rules ``stdp``, ``mstdp`` and ``mstdpet``."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param

from spikey_parts.synapses.base import SynapseBase


def _time_constant(what: str) -> Any:
    return param(default=20.0, check=Real(gt=0), doc=f"decay time constant of the {what} trace, in ms, > 0")


@attrs.frozen(kw_only=True)
class TraceConfig:
    """Trace settings of the pair-based rules (Florian 2007 notation)."""

    learning_rate: float = param(
        tunable=True,
        default=0.2,
        check=Real(ge=0),
        doc="gamma: weight change per unit of eligibility (and reward)",
    )
    a_plus: float = param(
        tunable=True,
        default=1.0,
        check=Real(ge=0),
        doc="A+: presynaptic trace increment per spike (potentiation), >= 0",
    )
    a_minus: float = param(
        tunable=True,
        default=-1.0,
        check=Real(le=0),
        doc="A-: postsynaptic trace increment per spike (depression), <= 0",
    )
    tau_plus: float = _time_constant("presynaptic (P+)")
    tau_minus: float = _time_constant("postsynaptic (P-)")
    plastic_targets: str = param(
        default="all",
        check=OneOf(("all", "outputs")),
        doc=(
            'which synapses learn: "all", or only those onto the "outputs" (the last n_outputs body '
            "neurons; the rest of the network keeps its initial weights)"
        ),
    )


class TraceRule(SynapseBase):
    """Per-unit traces and the pairing of the current step.

    With step length ``dt`` (ms) and spikes ``f`` of the current step:

    .. math::

        P^+_i \\leftarrow P^+_i e^{-dt/\\tau_+} + A_+ f_i, \\qquad
        P^-_j \\leftarrow P^-_j e^{-dt/\\tau_-} + A_- f_j,

        \\zeta_{ij} = p_i \\,(P^+_i f_j + P^-_j f_i)

    for every presynaptic unit ``i`` (inputs and body) and postsynaptic body neuron ``j``.
    ``P+_ij`` and ``P-_ij`` of the paper depend only on ``i`` and ``j`` (all-to-all pairing with
    additive traces), so one trace per unit holds them. ``p_i`` is the presynaptic polarity: the
    weights are magnitudes and the sign is the unit's, so the change of the signed efficacy
    ``p_i W_ij`` follows the published rule. ``reset()`` clears the traces; weights persist.
    With ``plastic_targets = "outputs"``, ``zeta_ij = 0`` for every non-output ``j``: only the
    synapses onto the output neurons learn.
    """

    Config = TraceConfig
    STATE = ("pre_trace", "post_trace")

    def __init__(self, config: Any, ctx: Any):
        super().__init__(config, ctx)
        self.dt = float(ctx.dt)
        self.pre_decay = math.exp(-self.dt / config.tau_plus)
        self.post_decay = math.exp(-self.dt / config.tau_minus)
        self.pre_trace = np.zeros(ctx.n_units, dtype=ctx.dtype)
        self.post_trace = np.zeros(ctx.n_neurons, dtype=ctx.dtype)
        self._scaled_pre = np.zeros(ctx.n_units, dtype=ctx.dtype)
        self._scaled_post = np.zeros(ctx.n_neurons, dtype=ctx.dtype)
        self._now = np.zeros(0, dtype=np.intp)
        self.plastic = np.ones(ctx.n_neurons, dtype=bool)  # the postsynaptic neurons whose inputs learn
        if config.plastic_targets == "outputs":
            self.plastic[: ctx.n_neurons - ctx.n_outputs] = False
        self._all_plastic = bool(self.plastic.all())

    def reset(self) -> None:
        self.pre_trace.fill(0.0)
        self.post_trace.fill(0.0)
        self._now = np.zeros(0, dtype=np.intp)

    def update_traces(self, spikes: np.ndarray) -> None:
        """Decay the traces and add this step's spikes; remembers who spiked."""
        n_in = self.n_inputs
        self.pre_trace *= self.pre_decay
        self.post_trace *= self.post_decay
        self._now = now = spikes.nonzero()[0]
        if now.size:
            self.pre_trace[now] += self.a_plus
            post = now[np.searchsorted(now, n_in) :] - n_in
            self.post_trace[post] += self.a_minus

    def pairing_terms(
        self, scale: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The current step's ``scale * zeta`` as (post columns, column change (U,), pre rows,
        row change (N,), row scale (R,)).

        Column ``j`` of a body neuron spiking now changes by ``scale * p * P+``; row ``i`` of a unit
        spiking now changes by ``(scale * p_i) * P-``: separable, so the weight part never needs
        an (R, N) array (see ``row_scale`` of the weight protocol).
        """
        now = self._now
        n_in = self.n_inputs
        post = now[np.searchsorted(now, n_in) :] - n_in
        np.multiply(self.pre_trace, self.polarities, out=self._scaled_pre)
        self._scaled_pre *= scale
        row_change = self.post_trace
        if not self._all_plastic:
            post = post[self.plastic[post]]
            row_change = np.multiply(self.post_trace, self.plastic, out=self._scaled_post)
        return post, self._scaled_pre, now, row_change, self.polarities[now] * scale
