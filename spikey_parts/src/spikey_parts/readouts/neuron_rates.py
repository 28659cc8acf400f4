"""Signed firing rate of each group of output neurons (a continuous action vector)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, param

from spikey_core import Part
from spikey_parts.readouts.base import group_sizes, group_starts


@attrs.frozen(kw_only=True)
class NeuronRatesConfig:
    n_actions: int = param(
        default=0,
        check=Integer(ge=0),
        doc="number of contiguous output groups (<= n_outputs); 0 = one group per output neuron",
    )


class NeuronRates(Part):
    """Mean signed rate of each group of outputs.

    For group ``g`` with output set ``K_g``, with spikes s (P, O) and polarities p (O,):

    .. math:: a_g = \\frac{1}{P\\,|K_g|} \\sum_{t} \\sum_{k \\in K_g} s_{t k}\\, p_k \\in [-1, 1]

    Groups are contiguous with sizes differing by at most one (see
    :func:`~spikey_parts.readouts.base.group_starts`).

    Returns
    -------
    ndarray, float64, shape (n_groups,)
        A new array each call (the caller may keep it).
    """

    Config = NeuronRatesConfig

    def __init__(self, config: NeuronRatesConfig, ctx: Any):
        super().__init__(config, ctx)
        n_groups = config.n_actions or ctx.n_outputs
        self._starts = group_starts(ctx.n_outputs, n_groups, type(self).__name__)
        self._norm = 1.0 / (ctx.processing_time * group_sizes(self._starts, ctx.n_outputs))

    def __call__(self, spikes: np.ndarray, polarities: np.ndarray) -> np.ndarray:
        if self._starts.size == 0:
            return np.zeros(0)
        per_neuron = np.count_nonzero(spikes, axis=0) * polarities
        return np.add.reduceat(per_neuron, self._starts) * self._norm
