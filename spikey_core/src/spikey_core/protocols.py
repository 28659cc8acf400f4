"""The part protocols: what the kernel calls, when, with which shapes and dtypes.

Notation: ``N_in`` = ``n_inputs``, ``N`` = ``n_neurons`` (body: hidden + outputs), ``O`` =
``n_outputs`` (the last ``O`` body neurons), ``P`` = ``processing_time`` (network steps per game
step), ``U = N_in + N`` (rows of the weight matrix). "float" means the network dtype (float32 or
float64). Every part class has a ``Config`` attribute (a frozen attrs class) and is constructed as
``PartClass(config, ctx)`` with a :class:`~spikey_core.part.BuildContext`.

One network step ``t`` (inside ``Network.tick``), in order:

1. ``x_in = input.fire()``, ``x_body = neuron.fire()``: who spikes at ``t`` (bool);
2. the synaptic current ``I[k] = sum_j W[j, k] * polarity_j * magnitude_j * spiked_j``;
3. ``neuron.integrate(I)``: membrane update, spikes of ``t`` reach potentials at the end of ``t``
   (one-step synaptic delay);
4. when learning: ``synapse.step(spikes)`` with the bool vector of step ``t`` (learning sees the
   current step);
5. ``reward_mode == "step"`` only: ``r = rewarder(state, step_action, None)`` then
   ``synapse.reward(r)``.

Once per game step, before the network steps: ``input.update(state)`` then, for each modifier,
``modifier.update(network)``; after them: ``action = readout(output_spikes, output_polarities)``.
``reset()`` of every part runs at the start of each episode (``Network.reset``).
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
    """The synaptic weight matrix, owned by the network for its lifetime (persists across episodes).

    Attributes
    ----------
    matrix : ndarray, float, shape (U, N)
        Non-negative weights; rows presynaptic (inputs first), columns postsynaptic body neurons.
    mask : ndarray, bool, shape (U, N)
        True where a synapse exists; absent synapses stay exactly 0 forever.
    max_weight : float
        Upper clipping bound.
    """

    matrix: np.ndarray
    mask: np.ndarray
    max_weight: float

    def clip(self) -> None:
        """Clip existing synapses to ``[0, max_weight]`` and keep absent ones at 0, in place."""


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
