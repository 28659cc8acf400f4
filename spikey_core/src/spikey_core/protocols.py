"""The part protocols: what the kernel calls, when, with which shapes and dtypes.

Notation: ``N_in`` = ``n_inputs``, ``N`` = ``n_neurons`` (body: hidden + outputs), ``O`` =
``n_outputs`` (the last ``O`` body neurons), ``P`` = ``processing_time`` (network steps per game
step), ``U = N_in + N`` (rows of the weight matrix). "float" means the network dtype (float32 or
float64). Every part class has a ``Config`` attribute (a frozen attrs class) and is constructed as
``PartClass(config, ctx)`` with a :class:`~spikey_core.part.BuildContext`.

One network step ``t`` (inside ``Network.tick``), in order:

1. ``x_in = input.fire()``, ``x_body = neuron.fire()``: who spikes at ``t`` (bool);
2. ``weight.propagate(spikes, emit, I)``: the input arriving now,
   ``I[k] = sum_j W[j, k] * polarity_j * magnitude_j * spiked_j`` for synapses of delay 1 (the
   default); a synapse of delay ``d`` delivers the spikes of step ``t - d + 1``;
3. ``neuron.integrate(I)``: membrane update, spikes of ``t`` reach potentials at the end of ``t``
   (one-step synaptic delay; ``d`` steps for a synapse of delay ``d``);
4. when learning: ``synapse.step(spikes)`` with the bool vector of step ``t`` (learning sees the
   current step);
5. ``reward_mode == "step"`` only: ``r = rewarder(state, step_action, None)`` then
   ``synapse.reward(r)``.

Once per game step, before the network steps: ``input.update(state)`` then, for each modifier,
``modifier.update(network)``; after them: ``action = readout(output_spikes, output_polarities)``.
``reset()`` of every part runs at the start of each episode (``Network.reset``); the weight's
``reset`` clears input still in flight, never the weights.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Input(Protocol):
    """Encodes the game state into input spikes.

    Attributes
    ----------
    polarities : ndarray, float, shape (N_in,)
        +1 (excitatory) or -1 (inhibitory) per input unit; fixed after construction.
    magnitude : float
        Amplitude of one input spike.
    """

    polarities: np.ndarray
    magnitude: float

    # Optional: ``n_inputs_for(config, game_params) -> int | None``, a classmethod the network
    # calls when ``[network] n_inputs`` is not given, to size the input layer from the game.

    def reset(self) -> None:
        """Start of an episode."""

    def update(self, state: Any) -> None:
        """New game state; called once per game step before the ``P`` network steps."""

    def fire(self) -> np.ndarray:
        """Spikes of the current network step: bool ndarray of shape (N_in,).

        May return an internal buffer; the kernel copies it before the next call.
        """


@runtime_checkable
class Neuron(Protocol):
    """The body neurons: membrane state, firing and integration.

    Attributes
    ----------
    polarities : ndarray, float, shape (N,)
        +1 or -1 per neuron (Dale's law: the sign of every outgoing synapse).
    magnitude : float
        Amplitude of one emitted spike.
    potentials : ndarray, float, shape (N,)
        Membrane potentials (model units; mV for ``lif`` and ``izhikevich``).
    """

    polarities: np.ndarray
    magnitude: float
    potentials: np.ndarray

    def reset(self) -> None:
        """Start of an episode: potentials to rest, refractory timers and pending spikes cleared."""

    def fire(self) -> np.ndarray:
        """Spikes emitted at the current step (after any spike delay): bool ndarray (N,)."""

    def integrate(self, current: np.ndarray) -> None:
        """End of the step: leak, refractoriness, reset, then add ``current`` (float, shape (N,))."""


@runtime_checkable
class Weight(Protocol):
    """The connectivity: owns the synapses for the network's lifetime (persists across episodes).

    The weight part is the only thing that knows how synapses are stored (dense (U, N) matrix,
    compressed rows, with or without conduction delays). The kernel hands it each step's spikes
    (:meth:`propagate`); the learning rules change weights only through the update methods.
    :class:`spikey_core.weights.DenseWeight` implements the whole protocol for a dense matrix;
    subclass it to write a dense weight.

    Synapse ids: the per-synapse methods address synapses by integer ids that index
    ``values.reshape(-1)``; ids come from :meth:`synapses_from` / :meth:`synapses_into`.
    Per-synapse state of a rule (eligibility) lives in arrays from :meth:`zeros`, in the same
    layout. A rule that integrates weights lazily sets ``weight.before_read`` to a callable; the
    weight calls it with the spiking units (int) in :meth:`propagate` before reading their
    synapses, so that what is delivered is up to date.

    Optional: ``dense_delays()`` (int (U, N)) and ``synapse_delays()`` (int, one per stored
    value, indexed by synapse id) give the conduction delays; a weight with delays > 1 provides
    both (the conformance kit checks them against :meth:`propagate`), and a rule that pairs
    spikes by arrival time (``da_stdp``) reads ``synapse_delays()``.

    Attributes
    ----------
    shape : tuple (U, N)
        Logical shape: presynaptic units (inputs first) by postsynaptic body neurons.
    values : ndarray, float
        Every stored weight in the part's own layout ((U, N) dense, (S,) sparse), in
        ``[0, max_weight]``; the sign of a synapse is its presynaptic unit's polarity.
    max_weight : float
        Upper clipping bound.
    n_synapses : int
        Number of existing synapses. Absent synapses never exist (always 0, never learn); an
        existing synapse clipped to 0 stays and can grow again.
    """

    shape: tuple[int, int]
    values: np.ndarray
    max_weight: float
    n_synapses: int

    def reset(self) -> None:
        """Start of an episode: clear input still in flight (delays); weights persist."""

    def propagate(self, spikes: np.ndarray, emit: np.ndarray, out: np.ndarray) -> None:
        """Deliver step ``t``: ``spikes`` bool (U,), ``emit`` float (U,) = polarity * magnitude.

        Writes into ``out`` (float (N,)) the input arriving at the end of this step:
        ``out[k] = sum over synapses (j, k) with delay d of emit[j] * W[j, k] * spiked_j(t - d + 1)``
        (delay 1, the default: this step's spikes).
        """

    def clip(self) -> None:
        """Clip existing synapses to ``[0, max_weight]`` and keep absent ones at 0, in place."""

    def add_to_columns(self, columns: np.ndarray, change: np.ndarray) -> None:
        """``W[j, c] = clip(W[j, c] + change[j])`` for body neurons ``columns`` (int, unique), change (U,)."""

    def add_to_rows(self, rows: np.ndarray, change: np.ndarray, row_scale: np.ndarray | None = None) -> None:
        """``W[r, k] = clip(W[r, k] + b[r, k])`` for units ``rows`` (int, unique).

        The row term ``b``: ``change`` (N,) for every row, or (R, N); with ``row_scale`` (R,),
        ``b[r, k] = row_scale[r] * change[k]`` (a separable term that a sparse weight applies
        without ever forming an (R, N) array).
        """

    def update(
        self,
        columns: np.ndarray,
        column_change: np.ndarray,
        rows: np.ndarray,
        row_change: np.ndarray,
        row_scale: np.ndarray | None = None,
    ) -> None:
        """Both terms of a pairing rule, then one clip per touched synapse:

        ``W[j, k] = clip(W[j, k] + [k in columns] column_change[j] + [j in rows] b[j, k])`` with the
        row term ``b`` of :meth:`add_to_rows`.
        """

    def zeros(self, dtype: Any = None) -> np.ndarray:
        """A zero float array in the part's layout (per-synapse state of a rule)."""

    def accumulate(
        self,
        target: np.ndarray,
        columns: np.ndarray,
        column_change: np.ndarray,
        rows: np.ndarray,
        row_change: np.ndarray,
        row_scale: np.ndarray | None = None,
    ) -> None:
        """Add :meth:`update`'s two terms to ``target`` (from :meth:`zeros`), unclipped."""

    def add_scaled(self, source: np.ndarray, scale: float) -> None:
        """``W = clip(W + scale * source)`` on every existing synapse (``source`` from :meth:`zeros`)."""

    def synapses_from(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Existing synapses leaving units ``rows``: ``(ids, pre, post)`` int arrays."""

    def synapses_into(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Existing synapses onto body neurons ``columns``: ``(ids, pre, post)`` int arrays."""

    def add_at(self, ids: np.ndarray, change: np.ndarray) -> None:
        """``W[id] = clip(W[id] + change)`` for unique synapse ids."""

    def to_dense(self) -> np.ndarray:
        """The weights as a float (U, N) array (for inspection of small networks; allocates U*N)."""

    def dense_mask(self) -> np.ndarray:
        """Where synapses exist, bool (U, N) (allocates U*N)."""

    def state_dict(self) -> dict[str, Any]:
        """The weights and anything in flight, for save/load and copies."""

    def load_state_dict(self, state: Any) -> None:
        """Restore :meth:`state_dict`'s output."""


#: The methods the kernel checks for when a network is built.
WEIGHT_METHODS: tuple[str, ...] = (
    "reset",
    "propagate",
    "clip",
    "add_to_columns",
    "add_to_rows",
    "update",
    "zeros",
    "accumulate",
    "add_scaled",
    "synapses_from",
    "synapses_into",
    "add_at",
    "to_dense",
    "dense_mask",
    "state_dict",
    "load_state_dict",
)


@runtime_checkable
class Synapse(Protocol):
    """A learning rule acting on the network's weight object (``ctx.parts["weight"]``)."""

    training: bool

    def reset(self) -> None:
        """Start of an episode: clear traces and eligibility (weights persist)."""

    def step(self, spikes: np.ndarray) -> None:
        """After propagation at every network step while training; ``spikes`` bool (U,)."""

    def reward(self, reward: float) -> None:
        """Deliver a reward signal now (per game step or per network step, by reward mode)."""

    def train(self) -> None:
        """Enable learning."""

    def eval(self) -> None:
        """Freeze learning: no weight changes until ``train()``."""


@runtime_checkable
class Readout(Protocol):
    """Turns the output neurons' spikes of one game step into an action."""

    def reset(self) -> None:
        """Start of an episode."""

    def __call__(self, spikes: np.ndarray, polarities: np.ndarray) -> Any:
        """``spikes`` bool (P, O), ``polarities`` float (O,) -> action for the game."""


@runtime_checkable
class Rewarder(Protocol):
    """Judges an action: the learning signal of reward-modulated rules."""

    def reset(self) -> None:
        """Start of an episode."""

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        """Reward for ``action`` taken in ``state``; ``state_next`` is None in per-step mode."""


@runtime_checkable
class Modifier(Protocol):
    """Changes a network parameter on a schedule, once per game step."""

    def reset(self) -> None:
        """Start of an episode (restore the starting value)."""

    def update(self, network: Any) -> None:
        """Once per game step, before the network steps."""


@runtime_checkable
class Game(Protocol):
    """An environment, following gymnasium's conventions.

    Attributes
    ----------
    action_space, observation_space
        gymnasium spaces (or objects with ``contains`` and ``sample``).
    """

    action_space: Any
    observation_space: Any

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        """Start an episode -> ``(observation, info)``; ``seed`` reseeds the game's generator."""

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        """-> ``(observation, reward, terminated, truncated, info)``."""

    def close(self) -> None:
        """Release resources."""


@runtime_checkable
class Backend(Protocol):
    """Runs independent jobs, returning results in order."""

    def map(self, function: Any, jobs: list) -> list:
        """``[function(*job) for job in jobs]``, possibly in parallel, results in input order."""

    def close(self) -> None:
        """Release workers."""


#: The part slots of a network, in build order, with the kind each slot is looked up under.
SLOTS: dict[str, str] = {
    "input": "input",
    "neuron": "neuron",
    "weight": "weight",
    "synapse": "synapse",
    "readout": "readout",
    "rewarder": "rewarder",
}

PROTOCOLS: dict[str, type] = {
    "input": Input,
    "neuron": Neuron,
    "weight": Weight,
    "synapse": Synapse,
    "readout": Readout,
    "rewarder": Rewarder,
    "modifier": Modifier,
    "game": Game,
    "backend": Backend,
}
