"""Shared machinery of the learning rules (not a registered part).

* :class:`SynapseBase`: the weight object, unit polarities and train/eval handling.
* :class:`RampHistory`: the linear-ramp spike history of the windowed rules, kept
  incrementally instead of re-scanning a window of past steps every step.
* :func:`add_pairing`: a weight change on the columns and rows of the units that spiked, clipped
  once, respecting absent synapses and the weight bounds without touching the rest of the matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey_core import Part


class SynapseBase(Part):
    """Base of the learning rules.

    Attributes
    ----------
    weight : Weight part
        The network's weight object (``ctx.parts["weight"]``), changed in place.
    polarities : ndarray, float, shape (U,)
        Polarity of every unit, inputs then body neurons (``+1`` / ``-1``).
    n_inputs : int
        Rows ``0 .. n_inputs-1`` of the weight matrix are input units.
    """

    def __init__(self, config: Any, ctx: Any):
        super().__init__(config, ctx)
        self.weight = ctx.parts["weight"]
        self.n_inputs = ctx.n_inputs
        self.polarities = np.concatenate(
            [
                np.asarray(ctx.parts["input"].polarities, dtype=ctx.dtype),
                np.asarray(ctx.parts["neuron"].polarities, dtype=ctx.dtype),
            ]
        )

    def step(self, spikes: np.ndarray) -> None:
        """Spikes of the current network step (bool (U,)); the default learns nothing."""

    def reward(self, reward: float) -> None:
        """A reward signal; the default ignores it."""


def clip_in_place(values: np.ndarray, max_weight: float) -> None:
    """``values`` clipped to ``[0, max_weight]`` in place.

    Two ufunc calls: cheaper than ``np.clip``'s wrapper.
    """
    np.maximum(values, 0.0, out=values)
    np.minimum(values, max_weight, out=values)


def add_pairing(
    weight: Any,
    columns: np.ndarray,
    column_change: np.ndarray,
    rows: np.ndarray,
    row_change: np.ndarray,
) -> None:
    """One pairing update with a single clip: ``W <- clip(W + C + R, 0, W_max)`` on existing synapses.

    ``C[:, columns] = column_change[:, None]`` (the potentiation of the synapses onto the
    postsynaptic neurons that spiked) and ``R[rows, :] = row_change`` (the depression of the
    synapses out of the presynaptic units that spiked); a synapse in both gets both changes
    before it is clipped, so the result is the documented equation even when a bound binds
    (clipping after each term would not be). Only the touched rows and columns are read or
    written.

    Parameters
    ----------
    weight : Weight part
        Holds ``matrix`` (U, N), ``mask`` (U, N) and ``max_weight``.
    columns : ndarray of int, shape (k,)
        Postsynaptic body neurons whose incoming weights change by ``column_change``.
    column_change : ndarray, float, shape (U,)
        Change of each presynaptic unit's synapse onto every one of those neurons.
    rows : ndarray of int, shape (m,), unique
        Presynaptic units whose outgoing weights change by ``row_change``.
    row_change : ndarray, float, shape (m, N)
        Change of each of those units' synapses onto every body neuron.
    """
    matrix = weight.matrix
    if rows.size:
        matrix[rows] += row_change
    if columns.size:
        matrix[:, columns] += column_change[:, None]
    # clipping is idempotent, so the synapses in both a touched row and column are clipped once in effect
    if rows.size:
        values = matrix[rows]
        clip_in_place(values, weight.max_weight)
        values *= weight.mask[rows]
        matrix[rows] = values
    if columns.size:
        values = matrix[:, columns]
        clip_in_place(values, weight.max_weight)
        values *= weight.mask[:, columns]
        matrix[:, columns] = values


class RampHistory:
    """Linear-ramp weighted spike counts over the last ``lags`` steps, updated in O(U) per step.

    After ``push(s_t)`` for steps ``..., t-1``, the ramp of unit ``j`` is

    .. math:: R_j = \\sum_{d=1}^{L} (L + 1 - d)\\, s_{t-d, j}

    (the step just before now weighs ``L``, the oldest remembered step weighs 1). With the spike
    count ``A_j = \\sum_{d=1}^{L} s_{t-d, j}`` both follow exactly from the previous values:
    ``R <- R - A + L s_t`` and ``A <- A + s_t - s_{t-L}``, so no window is ever re-scanned.

    Parameters
    ----------
    n_units : int
    lags : int
        ``L >= 1``: how many past steps are remembered.
    dtype : numpy dtype
    """

    def __init__(self, n_units: int, lags: int, dtype: Any):
        self.lags = lags
        self.ramp = np.zeros(n_units, dtype=dtype)
        self.count = np.zeros(n_units, dtype=dtype)
        self.ring = np.zeros((lags, n_units), dtype=bool)
        self._scaled = np.zeros(n_units, dtype=dtype)
        self.position = np.zeros((), dtype=np.intp)

    def clear(self) -> None:
        self.ramp.fill(0.0)
        self.count.fill(0.0)
        self.ring.fill(False)
        self.position[...] = 0

    def push(self, spikes: np.ndarray) -> None:
        """Add the spikes of the step that just ended (bool (U,))."""
        self.ramp -= self.count
        np.multiply(spikes, self.lags, out=self._scaled)
        self.ramp += self._scaled
        oldest = self.ring[int(self.position)]
        self.count += spikes
        self.count -= oldest
        oldest[...] = spikes
        self.position[...] = (self.position + 1) % self.lags
