"""Shared machinery of the threshold neurons (not a registered part).

:class:`ThresholdNeuronBase` implements what ``neuron``, ``rand_potential`` and ``lif`` have in
common: polarities and magnitude, the threshold test, reset after a spike, the refractory hold
and the spike delay. Subclasses supply the crossing test (:meth:`_crossings`), the value a spike
resets to (:meth:`_reset_value`), the leak (:meth:`_leak`) and the refractory length in steps
(:attr:`refractory_steps`).

Timing, for a neuron whose threshold test succeeds at network step ``t`` ("crossing"), with a
refractory period of ``R`` steps and a spike delay of ``d`` steps:

* the spike is emitted by ``fire()`` at step ``t + d`` (``d = 0``: at ``t`` itself);
* the crossing resets the potential: ``integrate()`` of step ``t`` starts from the reset value;
* the input of the ``R`` integrations ``t, ..., t + R - 1`` is discarded and the potential is held
  at the reset value; integration resumes at step ``t + R``;
* the neuron cannot cross at steps ``t + 1, ..., t + R`` (spontaneous spikes included).

Under a constant supra-threshold drive a neuron therefore crosses every ``(R + 1)``-th step.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, param

from spikey_core import Part
from spikey_parts.common import (
    build_polarities,
    explicit_polarities_param,
    magnitude_param,
    pct_inhibitory_param,
)


@attrs.frozen(kw_only=True)
class NeuronOutputConfig:
    """Fields every neuron model shares: what its spikes deliver (sign and size)."""

    neuron_pct_inhibitory: float = pct_inhibitory_param("neurons")
    polarities: Any = explicit_polarities_param("neuron_pct_inhibitory")
    magnitude: float = magnitude_param()


def spike_delay_param() -> Any:
    """The ``spike_delay`` config field."""
    return param(
        default=0, check=Integer(ge=0), doc="steps between the threshold crossing and the emitted spike, >= 0"
    )


def leak_toward(potentials: np.ndarray, rest: float, keep: float) -> None:
    """``V <- rest + keep * (V - rest)`` in place (one or two ufunc calls)."""
    np.multiply(potentials, keep, out=potentials)
    if rest != 0.0:
        np.add(potentials, rest * (1.0 - keep), out=potentials)


class ThresholdNeuronBase(Part):
    """Base of neurons that fire when the potential reaches a threshold.

    Attributes
    ----------
    potentials : ndarray, ctx.dtype, shape (N,)
        Membrane potentials.
    refractory_left : ndarray, int64, shape (N,)
        Upcoming integrations whose input is discarded (0 = not refractory).
    holding : ndarray, bool, shape (N,)
        Held at the reset value during the last integration; such a neuron cannot cross.
    pending : ndarray, bool, shape (spike_delay + 1, N)
        Ring buffer of crossings waiting to be emitted; row ``head`` (int) is emitted next.
    crossed : ndarray, bool, shape (N,)
        Crossings of the current step (reset by the following ``integrate``).
    polarities : ndarray, ctx.dtype, shape (N,)
        +1 or -1 per neuron.
    magnitude : float
        Amplitude of one emitted spike.
    """

    STATE = ("potentials", "refractory_left", "holding", "pending")

    def __init__(self, config: Any, ctx: Any):
        super().__init__(config, ctx)
        n = ctx.n_neurons
        self.n_neurons = n
        self.polarities = build_polarities(
            config.polarities, config.neuron_pct_inhibitory, n, self.rng, ctx.dtype, "$.neuron.polarities"
        )
        self.potentials = np.zeros(n, dtype=ctx.dtype)
        self.refractory_left = np.zeros(n, dtype=np.int64)
        self.holding = np.zeros(n, dtype=bool)
        self.crossed = np.zeros(n, dtype=bool)
        self.pending = np.zeros((int(config.spike_delay) + 1, n), dtype=bool)
        self.head = 0
        # False until a refractory period > 0 is first used: lets R = 0 skip the refractory ufuncs.
        self._refractory_used = False

    @property
    def spike_delay(self) -> int:
        """Steps between a crossing and its emitted spike (fixed at construction)."""
        return self.pending.shape[0] - 1

    # -- what subclasses define --------------------------------------------------------------
    @property
    def refractory_steps(self) -> int:  # pragma: no cover - abstract
        """Refractory period in network steps."""
        raise NotImplementedError

    def _initial_potential(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reset_value(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _crossings(self, out: np.ndarray) -> None:  # pragma: no cover - abstract
        """Write the ungated threshold test of this step into ``out`` (bool (N,))."""
        raise NotImplementedError

    def _leak(self, potentials: np.ndarray) -> None:  # pragma: no cover - abstract
        """Apply one step of leak to ``potentials`` in place."""
        raise NotImplementedError

    # -- the protocol ------------------------------------------------------------------------
    def reset(self) -> None:
        """Potentials to their starting value; refractoriness and pending spikes cleared."""
        self.potentials.fill(self._initial_potential())
        self.refractory_left.fill(0)
        self.holding.fill(False)
        self.crossed.fill(False)
        self.pending.fill(False)
        self.head = 0
        self._refractory_used = False

    def state_dict(self) -> dict[str, Any]:
        """The arrays of ``STATE`` plus the ring position ``head`` and the generator state."""
        state = super().state_dict()
        state["head"] = self.head
        return state

    def load_state_dict(self, state: Any) -> None:
        super().load_state_dict(state)
        self.head = int(state.get("head", 0))
        self._refractory_used = bool(self.refractory_left.any() or self.holding.any())

    def fire(self) -> np.ndarray:
        """Spikes emitted at this step (crossings of ``spike_delay`` steps ago): bool (N,)."""
        crossed = self.crossed
        self._crossings(crossed)
        refractory_steps = self.refractory_steps
        if refractory_steps > 0:
            self._refractory_used = True
        if self._refractory_used:
            np.greater(crossed, self.holding, out=crossed)  # crossed and not refractory
            np.copyto(self.refractory_left, refractory_steps, where=crossed)
        ring = self.pending
        length = ring.shape[0]
        if length == 1:
            return crossed
        head = self.head
        # Slot head + d = head - 1 (mod d + 1) was emitted last step: free for this step's crossings.
        ring[(head - 1) % length] = crossed
        self.head = (head + 1) % length
        return ring[head]

    def integrate(self, current: np.ndarray) -> None:
        """Reset crossed neurons, leak, add ``current`` (float (N,)), hold refractory neurons."""
        potentials = self.potentials
        reset_value = self._reset_value()
        np.copyto(potentials, reset_value, where=self.crossed)
        self._leak(potentials)
        np.add(potentials, current, out=potentials)
        if not self._refractory_used:
            return
        holding = self.holding
        np.greater(self.refractory_left, 0, out=holding)
        np.copyto(potentials, reset_value, where=holding)
        np.subtract(self.refractory_left, holding, out=self.refractory_left)
