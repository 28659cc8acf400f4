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
from spikey_core.kernels import Kernel, copy_into, jitable, put_where

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


@jitable
def threshold_fire(state: tuple, params: tuple, noise: np.ndarray, out: np.ndarray) -> None:
    """Threshold test, refractory gate and spike delay of one step (the kernel of ``fire``).

    Parameters
    ----------
    state : tuple
        ``(potentials, refractory_left, holding, crossed, pending, head, flags, lucky, kick)``
        as on :class:`ThresholdNeuronBase` (``head`` int64 (1,), ``flags`` bool (1,): whether
        a refractory period was ever used; ``lucky`` bool (N,), ``kick`` float64 (N,) scratch).
    params : tuple
        ``(threshold, reset_value, keep, rest, refractory_steps, mode, probability, kick_scale)``
        from :meth:`ThresholdNeuronBase.kernel_params`.
    noise : ndarray, float64, shape (k,)
        This step's uniform numbers: none for ``mode`` 0 or ``probability == 0``, ``N`` for
        mode 1 (spontaneous spikes), ``2 N`` for mode 2 (potential kicks, then their sizes).
    out : ndarray, bool, shape (N,)
        Receives the spikes emitted at this step.

    Notes
    -----
    Crossing test ``c_k`` by ``mode``: 0 ``V_k >= theta``; 1 ``V_k >= theta or u_k < p``;
    2 first ``V_k += s xi_k [u_k < p]`` (``xi = noise[N:]``), then ``V_k >= theta``. A neuron
    holding at its reset value cannot cross; a crossing starts ``R`` refractory integrations and
    enters the delay ring, whose slot ``head`` is emitted now.
    """
    potentials, refractory_left, holding, crossed, pending, head, flags, lucky, kick = state
    threshold, reset_value, keep, rest, refractory_steps, mode, probability, kick_scale = params
    n = potentials.shape[0]
    if mode == 2 and probability > 0.0:
        np.less(noise[:n], probability, lucky)
        np.multiply(noise[n:], kick_scale, kick)
        np.multiply(kick, lucky, kick)
        np.add(potentials, kick, potentials)
    np.greater_equal(potentials, threshold, crossed)
    if mode == 1 and probability > 0.0:
        np.less(noise[:n], probability, lucky)
        np.logical_or(crossed, lucky, crossed)
    if refractory_steps > 0:
        flags[0] = True
    if flags[0]:
        np.greater(crossed, holding, crossed)  # crossed and not refractory
        put_where(refractory_left, refractory_steps, crossed)
    length = pending.shape[0]
    if length == 1:
        copy_into(out, crossed)
        return
    position = head[0]
    # Slot head + d = head - 1 (mod d + 1) was emitted last step: free for this step's crossings.
    copy_into(pending[(position - 1) % length], crossed)
    head[0] = (position + 1) % length
    copy_into(out, pending[position])


@jitable
def threshold_integrate(state: tuple, params: tuple, current: np.ndarray) -> None:
    """End of a step (the kernel of ``integrate``): reset, leak, input, refractory hold.

    .. math:: V \\leftarrow V_r + \\kappa (V' - V_r) + I

    with ``V' = reset_value`` for neurons that crossed, ``kappa = keep`` and ``V_r = rest``;
    refractory neurons are then held at ``reset_value``. ``state`` and ``params`` as in
    :func:`threshold_fire`; ``current`` float (N,).
    """
    potentials, refractory_left, holding, crossed, pending, head, flags, lucky, kick = state
    threshold, reset_value, keep, rest, refractory_steps, mode, probability, kick_scale = params
    put_where(potentials, reset_value, crossed)
    np.multiply(potentials, keep, potentials)
    if rest != 0.0:
        np.add(potentials, rest * (1.0 - keep), potentials)
    np.add(potentials, current, potentials)
    if not flags[0]:
        return
    np.greater(refractory_left, 0, holding)
    put_where(potentials, reset_value, holding)
    np.subtract(refractory_left, holding, refractory_left)


class ThresholdNeuronBase(Part):
    """Base of neurons that fire when the potential reaches a threshold.

    ``fire`` and ``integrate`` run the kernel :func:`threshold_fire` / :func:`threshold_integrate`
    (the ``KERNEL`` both engines use); subclasses choose its parameters.

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
    KERNEL = Kernel(
        functions={"fire": threshold_fire, "integrate": threshold_integrate},
        methods=(
            "fire",
            "integrate",
            "kernel_params",
            "kernel_noise",
            "noise_width",
            "_crossings",
            "_leak",
        ),
    )
    #: Crossing test of the kernel: 0 plain threshold, 1 spontaneous spikes, 2 potential kicks.
    CROSSING_MODE = 0

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
        self._head = np.zeros(1, dtype=np.int64)
        # False until a refractory period > 0 is first used: lets R = 0 skip the refractory ufuncs.
        self._flags = np.zeros(1, dtype=bool)
        self._lucky = np.zeros(n, dtype=bool)
        self._kick = np.zeros(n, dtype=np.float64)
        self._noise = np.zeros(2 * n, dtype=np.float64)
        self._emitted = np.zeros(n, dtype=bool)

    @property
    def spike_delay(self) -> int:
        """Steps between a crossing and its emitted spike (fixed at construction)."""
        return self.pending.shape[0] - 1

    @property
    def head(self) -> int:
        """Row of ``pending`` emitted at the next step."""
        return int(self._head[0])

    @head.setter
    def head(self, value: int) -> None:
        self._head[0] = value

    # -- what subclasses define --------------------------------------------------------------
    @property
    def refractory_steps(self) -> int:  # pragma: no cover - abstract
        """Refractory period in network steps."""
        raise NotImplementedError

    def _initial_potential(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reset_value(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _threshold(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _keep(self) -> tuple[float, float]:  # pragma: no cover - abstract
        """``(keep, rest)`` of the leak ``V <- rest + keep (V - rest)``."""
        raise NotImplementedError

    def _randomness(self) -> tuple[float, float]:
        """``(probability, kick_scale)`` of the crossing mode; none by default."""
        return 0.0, 0.0

    # -- kernel inputs -----------------------------------------------------------------------
    def kernel_state(self) -> tuple:
        """The arrays :func:`threshold_fire` and :func:`threshold_integrate` change in place."""
        return (
            self.potentials,
            self.refractory_left,
            self.holding,
            self.crossed,
            self.pending,
            self._head,
            self._flags,
            self._lucky,
            self._kick,
        )

    def kernel_params(self) -> tuple:
        """The kernel's parameters from the live attributes (read once per game step)."""
        keep, rest = self._keep()
        probability, kick_scale = self._randomness()
        return (
            float(self._threshold()),
            float(self._reset_value()),
            float(keep),
            float(rest),
            int(self.refractory_steps),
            int(self.CROSSING_MODE),
            float(probability),
            float(kick_scale),
        )

    def noise_width(self) -> int:
        """Uniform numbers drawn per step: ``N`` (mode 1) or ``2 N`` (mode 2) when random, else 0."""
        probability, _ = self._randomness()
        if self.CROSSING_MODE == 0 or probability <= 0.0:
            return 0
        return self.n_neurons * self.CROSSING_MODE

    def kernel_noise(self, steps: int) -> np.ndarray:
        """The uniform numbers of ``steps`` steps, float64 (steps, noise_width()), from ``self.rng``.

        The same numbers, in the same order, as ``steps`` calls of :meth:`fire`.
        """
        return self.rng.random((steps, self.noise_width()))

    # -- the protocol ------------------------------------------------------------------------
    def reset(self) -> None:
        """Potentials to their starting value; refractoriness and pending spikes cleared."""
        self.potentials.fill(self._initial_potential())
        self.refractory_left.fill(0)
        self.holding.fill(False)
        self.crossed.fill(False)
        self.pending.fill(False)
        self._head[0] = 0
        self._flags[0] = False

    def state_dict(self) -> dict[str, Any]:
        """The arrays of ``STATE`` plus the ring position ``head`` and the generator state."""
        state = super().state_dict()
        state["head"] = self.head
        return state

    def load_state_dict(self, state: Any) -> None:
        super().load_state_dict(state)
        self.head = int(state.get("head", 0))
        self._flags[0] = bool(self.refractory_left.any() or self.holding.any())

    def fire(self) -> np.ndarray:
        """Spikes emitted at this step (crossings of ``spike_delay`` steps ago): bool (N,)."""
        noise = self._noise[: self.noise_width()]
        if noise.size:
            self.rng.random(out=noise)
        threshold_fire(self.kernel_state(), self.kernel_params(), noise, self._emitted)
        return self._emitted

    def integrate(self, current: np.ndarray) -> None:
        """Reset crossed neurons, leak, add ``current`` (float (N,)), hold refractory neurons."""
        threshold_integrate(self.kernel_state(), self.kernel_params(), current)
