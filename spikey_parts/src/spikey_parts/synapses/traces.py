"""Exponential spike traces shared by the pair-based rules ``stdp``, ``mstdp`` and ``mstdpet``."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param
from spikey_core.kernels import add_at, body_units, copy_into, jitable

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
    plastic_sources: str = param(
        default="all",
        check=OneOf(("all", "inputs")),
        doc=(
            'which presynaptic units\' synapses learn: "all", or only those from the "inputs" (synapses '
            "from body neurons, e.g. fixed lateral inhibition, keep their initial weights)"
        ),
    )


@jitable
def trace_update(state: tuple, params: tuple, spikes: np.ndarray) -> None:
    """Decay the traces and add this step's spikes (the kernel of :meth:`TraceRule.update_traces`).

    .. math:: P^+ \\leftarrow P^+ e^{-dt/\\tau_+} + A_+ f, \\qquad P^- \\leftarrow P^- e^{-dt/\\tau_-} + A_- f

    ``state`` starts ``(pre_trace (U,), post_trace (N,), scaled_pre (U,), scaled_post (N,)
    scratch, source_signs (U,): p_i, or 0 for a row that does not learn, plastic bool (N,), spiked
    bool (U,))``; ``params`` starts
    ``(pre_decay, post_decay, a_plus, a_minus, n_inputs, learning_rate, all_plastic)``.
    ``spiked`` keeps a copy of ``spikes`` for the pairing terms.
    """
    pre, post, spiked = state[0], state[1], state[6]
    np.multiply(pre, params[0], pre)
    np.multiply(post, params[1], post)
    copy_into(spiked, spikes)
    now = spikes.nonzero()[0]
    if now.size:
        add_at(pre, now, params[2])
        body = body_units(now, params[4])
        add_at(post, body, params[3])


@jitable
def trace_pairing_terms(state: tuple, params: tuple, scale: float) -> tuple:
    """This step's ``scale * zeta``: ``(columns, column change (U,), rows, row change (N,), row scale (R,))``.

    Column ``j`` of a plastic body neuron spiking now changes by ``scale * p * P+``; row ``i`` of
    a unit spiking now by ``(scale * p_i) * P-`` (separable: no (R, N) array). ``state``,
    ``params`` as in :func:`trace_update`.
    """
    pre, post, scaled_pre, scaled_post, signs, plastic, spiked = state[:7]
    now = spiked.nonzero()[0]
    columns = body_units(now, params[4])
    np.multiply(pre, signs, scaled_pre)
    np.multiply(scaled_pre, scale, scaled_pre)
    row_change = post
    if not params[6]:
        columns = columns[plastic[columns]]
        np.multiply(post, plastic, scaled_post)
        row_change = scaled_post
    return columns, scaled_pre, now, row_change, signs[now] * scale


#: Methods the trace rules' kernels stand for (a subclass overriding one needs its own KERNEL).
TRACE_METHODS = ("step", "reward", "kernel_state", "kernel_params", "update_traces", "pairing_terms", "learn")


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
    synapses onto the output neurons learn. With ``plastic_sources = "inputs"``, ``zeta_ij = 0``
    for every body unit ``i``: only the synapses from the input units learn (the kernels see
    ``p_i = 0`` for the fixed rows, so every pairing term of those rows is zero).
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
        self._spiked = np.zeros(ctx.n_units, dtype=bool)
        self.plastic = np.ones(ctx.n_neurons, dtype=bool)  # the postsynaptic neurons whose inputs learn
        if config.plastic_targets == "outputs":
            self.plastic[: ctx.n_neurons - ctx.n_outputs] = False
        self._all_plastic = bool(self.plastic.all())
        #: p_i of the rows that learn, 0 for the fixed ones: the sign the pairing terms carry, (U,)
        self.source_signs = self.polarities.copy()
        if config.plastic_sources == "inputs":
            self.source_signs[ctx.n_inputs :] = 0.0

    def kernel_state(self) -> tuple:
        """``(pre_trace, post_trace, scaled_pre, scaled_post, source_signs, plastic, spiked)``."""
        return (
            self.pre_trace,
            self.post_trace,
            self._scaled_pre,
            self._scaled_post,
            self.source_signs,
            self.plastic,
            self._spiked,
        )

    def kernel_params(self) -> tuple:
        """``(pre_decay, post_decay, a_plus, a_minus, n_inputs, learning_rate, all_plastic)``."""
        return (
            float(self.pre_decay),
            float(self.post_decay),
            float(self.a_plus),
            float(self.a_minus),
            int(self.n_inputs),
            float(self.learning_rate),
            bool(self._all_plastic),
        )

    def reset(self) -> None:
        self.pre_trace.fill(0.0)
        self.post_trace.fill(0.0)
        self._spiked.fill(False)

    def update_traces(self, spikes: np.ndarray) -> None:
        """Decay the traces and add this step's spikes; remembers who spiked."""
        trace_update(self.kernel_state(), self.kernel_params(), spikes)

    def pairing_terms(
        self, scale: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """This step's ``scale * zeta`` (see :func:`trace_pairing_terms`)."""
        return trace_pairing_terms(self.kernel_state(), self.kernel_params(), scale)
