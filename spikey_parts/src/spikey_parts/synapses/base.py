"""Shared machinery of the learning rules (not a registered part).

* :class:`SynapseBase`: the weight object, unit polarities and train/eval handling.
* :class:`RampHistory`: the linear-ramp spike history of the windowed rules, kept
  incrementally instead of re-scanning a window of past steps every step.

The rules never index a weight matrix: they ask the weight part (``add_to_columns``,
``add_to_rows``, ``update``, ``accumulate``, ``add_scaled``; see
:class:`spikey_core.protocols.Weight`), which works for dense and sparse connectivity alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from spikey_core.kernels import WeightHandle, copy_into, jitable

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
        Units ``0 .. n_inputs-1`` are input units (presynaptic only).
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

    def learn(self, kernel_function: Any, value: Any) -> None:
        """Run one of the rule's kernel functions on this rule and its weight (the numpy engine).

        ``kernel_function(state, params, weight_state, weight_params, value)`` with ``value`` the
        spikes of a step or a reward; the weight is reached through its protocol methods
        (:class:`~spikey_core.kernels.WeightHandle`). The arguments are built at each call, or
        once per game step while the engine holds them (:meth:`hold_kernel_args`).
        """
        arguments = self._held_arguments
        if arguments is None:
            arguments = self._kernel_arguments()
        kernel_function(*arguments, value)

    #: The kernel arguments held for the current game step (None: built at every call).
    _held_arguments: tuple | None = None

    def _kernel_arguments(self) -> tuple:
        handle = self.__dict__.get("_weight_handle")
        if handle is None or handle.weight is not self.weight:
            handle = self._weight_handle = WeightHandle(self.weight)
        return self.kernel_state(), self.kernel_params(), handle, ()

    def hold_kernel_args(self) -> None:
        """Build the kernel's ``(state, params, weight)`` once for the network steps that follow.

        The numpy engine calls this before the steps of a game step and :meth:`release_kernel_args`
        after them, so :meth:`learn` does not rebuild the tuples at every step. Between the two,
        replacing a state array or changing a parameter takes effect only after the release
        (modifiers, ``reset`` and ``load_state_dict`` run between game steps).
        """
        self._held_arguments = self._kernel_arguments()

    def release_kernel_args(self) -> None:
        """Back to building the kernel arguments at every :meth:`learn` call."""
        self.__dict__.pop("_held_arguments", None)

    def step(self, spikes: np.ndarray) -> None:
        """Spikes of the current network step (bool (U,)); the default learns nothing."""

    def reward(self, reward: float) -> None:
        """A reward signal; the default ignores it."""


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

    def kernel_state(self) -> tuple:
        """``(ramp, count, ring, position (1,) view, scaled)`` for :func:`ramp_push`."""
        return self.ramp, self.count, self.ring, self.position.reshape(1), self._scaled

    def push(self, spikes: np.ndarray) -> None:
        """Add the spikes of the step that just ended (bool (U,))."""
        ramp_push(self.kernel_state(), spikes)


@jitable
def ramp_push(history: tuple, spikes: np.ndarray) -> None:
    """``R <- R - A + L s_t``, ``A <- A + s_t - s_{t-L}`` (the kernel of :meth:`RampHistory.push`)."""
    ramp, count, ring, position, scaled = history
    lags = ring.shape[0]
    np.subtract(ramp, count, ramp)
    np.multiply(spikes, lags, scaled)
    np.add(ramp, scaled, ramp)
    oldest = ring[position[0]]
    np.add(count, spikes, count)
    np.subtract(count, oldest, count)
    copy_into(oldest, spikes)
    position[0] = (position[0] + 1) % lags


@jitable
def no_learning(state: tuple, params: tuple, weight_state: Any, weight_params: tuple, value: Any) -> None:
    """The kernel of a rule that changes nothing (``step`` and ``reward`` of ``static``)."""
