"""Share of the output activity in each group of output neurons (a probability vector)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, param

from spikey_core import Part
from spikey_parts.readouts.base import group_sizes, group_starts


@attrs.frozen(kw_only=True)
class PopulationVectorConfig:
    n_actions: int = param(
        check=Integer(ge=1), doc="number of actions = contiguous output groups, in [1, n_outputs]"
    )


class PopulationVector(Part):
    """Normalised group activity.

    With ``c_g`` the number of spikes (of either polarity) of group ``g``'s ``n_g`` outputs
    during the game step, the group rate is ``c_g / n_g`` and the action is

    .. math:: v_g = \\frac{c_g / n_g}{\\sum_h c_h / n_h}, \\qquad v_g = 1 / G \\text{ if no output spiked.}

    Outputs are split into contiguous groups whose sizes differ by at most one, so no output is
    ignored when ``n_outputs`` is not a multiple of ``n_actions``; dividing by the group size
    keeps a group with one more neuron from winning by size alone. With equal groups this is
    the plain spike count share.

    Returns
    -------
    ndarray, float64, shape (n_actions,)
        Non-negative, sums to 1. A new array each call.
    """

    Config = PopulationVectorConfig

    def __init__(self, config: PopulationVectorConfig, ctx: Any):
        super().__init__(config, ctx)
        self._starts = group_starts(ctx.n_outputs, config.n_actions, type(self).__name__)
        self._inverse_sizes = 1.0 / group_sizes(self._starts, ctx.n_outputs)

    def group_rates(self, spikes: np.ndarray) -> np.ndarray:
        """Spikes per output neuron in each group during the game step: float64 (n_actions,)."""
        return np.add.reduceat(np.count_nonzero(spikes, axis=0), self._starts) * self._inverse_sizes

    def __call__(self, spikes: np.ndarray, polarities: np.ndarray) -> np.ndarray:
        rates = self.group_rates(spikes)
        total = rates.sum()
        if total == 0:
            return np.full(rates.shape, 1.0 / rates.size)
        return rates / total
