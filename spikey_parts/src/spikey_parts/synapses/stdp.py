"""Unsupervised pair-based STDP with exponential traces."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from spikey_parts.synapses.traces import TraceConfig, TraceRule


@attrs.frozen(kw_only=True)
class STDPConfig(TraceConfig):
    """Trace settings; ``learning_rate`` is the weight change per unit of trace."""


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

    def step(self, spikes: np.ndarray) -> None:
        self.update_traces(spikes)
        if self._now.size:
            apply_pairing(self, self.learning_rate)


def apply_pairing(rule: Any, scale: float) -> None:
    """``W <- clip(W + scale * zeta)`` on the columns and rows of the units that spiked now, one clip."""
    post, column_change, rows, row_change, row_scale = rule.pairing_terms(scale)
    rule.weight.update(post, column_change, rows, row_change, row_scale)
