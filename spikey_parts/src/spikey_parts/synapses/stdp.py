"""Unsupervised pair-based STDP with exponential traces."""

from __future__ import annotations

import attrs
import numpy as np
from spikey_core.kernels import Kernel, jitable, weight_update

from spikey_parts.synapses.base import no_learning
from spikey_parts.synapses.traces import (
    TRACE_METHODS,
    TraceConfig,
    TraceRule,
    trace_pairing_terms,
    trace_update,
)


@attrs.frozen(kw_only=True)
class STDPConfig(TraceConfig):
    """Trace settings; ``learning_rate`` is the weight change per unit of trace."""


@jitable
def stdp_step(state, params, weight_state, weight_params, spikes) -> None:
    """Traces, then ``W <- clip(W + eta zeta, 0, W_max)`` on the touched rows and columns (one clip).

    ``state``, ``params`` as in :func:`~spikey_parts.synapses.traces.trace_update`.
    """
    trace_update(state, params, spikes)
    apply_pairing(state, params, weight_state, weight_params, params[5])


@jitable
def apply_pairing(state, params, weight_state, weight_params, scale: float) -> None:
    """``W <- clip(W + scale * zeta)`` on the columns and rows of the units that spiked now, one clip."""
    if state[6].any():
        columns, column_change, rows, row_change, row_scale = trace_pairing_terms(state, params, scale)
        weight_update(weight_state, weight_params, columns, column_change, rows, row_change, row_scale)


class STDP(TraceRule):
    """Spike-timing-dependent plasticity, all-to-all pairs, additive, no reward.

    At every network step (see :class:`~spikey_parts.synapses.traces.TraceRule` for the traces):

    .. math:: W_{ij} \\leftarrow \\mathrm{clip}\\big(W_{ij} + \\eta\\, \\zeta_{ij}, 0, W_{max}\\big)

    so a presynaptic spike ``dt`` ms before a postsynaptic one adds ``eta A+ exp(-dt/tau+)``
    and the reverse order adds ``eta A- exp(-dt/tau-)``. Only the rows and columns of units that
    spiked are touched; absent synapses never change. ``reward`` is ignored, so the rule learns
    in any reward mode (including ``"none"``) while training.
    """

    Config = STDPConfig
    KERNEL = Kernel(functions={"step": stdp_step, "reward": no_learning}, methods=TRACE_METHODS)

    def step(self, spikes: np.ndarray) -> None:
        self.learn(stdp_step, spikes)
