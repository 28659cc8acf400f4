"""Engines: what runs the ``processing_time`` network steps of one game step.

An engine is a plugin kind (``registry.add("engine", name, cls)``). The network picks one when
it is built, from ``[network] engine`` (``"auto"``, the default, or a registered name):

* ``numpy`` (this module, always available) calls every part's own Python methods step by step:
  the reference kernel.
* a compiled engine (``numba``, from ``spikey-parts[fast]``) runs the same per-model kernels
  (:mod:`spikey_core.kernels`) compiled, one call per game step.

``auto`` takes the registered engine of highest ``priority`` whose :meth:`check` accepts the
network, and keeps a one-line reason (``network.engine_reason``) that the run log records.

Engine contract
---------------
``priority`` (int)
    Preference of ``auto`` (numpy: 0).
``check(network) -> str | None`` (classmethod)
    None when the engine can run this built network, else why not (one line, naming the part
    and the fix).
``engine(network)``
    Construct for a built network (after :meth:`check` accepted it).
``run(network, state)``
    The network steps of one game step, in the order of :mod:`spikey_core.protocols`: fill
    ``network.spike_log`` (and ``network.tick_rewards`` in ``"step"`` reward mode) and leave
    every part's state as the numpy engine would. ``Network.tick`` does the rest (input update,
    modifiers, readout, callbacks).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey_core.errors import ConfigError
from spikey_core.kernels import kernel_of

AUTO = "auto"


class NumpyEngine:
    """The reference engine: the parts' kernels and methods as plain Python, one network step at a time.

    What the kernels need is built once per game step, not at every network step (about a
    fifth of a small network's per-step cost went into rebuilding it):

    * inputs with a kernel write the whole game step's spikes with one ``spike_block`` call (the
      same random numbers as step-by-step ``fire()`` calls);
    * a neuron with a kernel (float64 networks) runs its kernel functions directly with the
      state and parameter tuples and the noise block (``kernel_noise``) of the game step, as the
      compiled engine does: the same functions on the same numbers as its ``fire()`` /
      ``integrate()``;
    * a learning rule with a kernel keeps its own ``step`` / ``reward`` methods, which receive
      the kernel arguments built once for the game step (:meth:`SynapseBase.hold_kernel_args
      <spikey_parts.synapses.base.SynapseBase.hold_kernel_args>`).

    So parameters changed during a game step (by per-step Python: a ``step_action`` or a
    rewarder) take effect at the next game step, as on the compiled engine; modifiers, resets
    and state loads happen between game steps and are always seen. Parts without a kernel run
    their protocol methods at every step.
    """

    priority = 0

    @classmethod
    def check(cls, network: Any) -> str | None:
        return None

    def __init__(self, network: Any):
        self.block_input = kernel_of(network.input, "input")[0] is not None
        neuron_kernel = kernel_of(network.neuron, "neuron")[0]
        # float32 parts may draw their noise in float32 step by step (a different stream)
        self.neuron_kernel = neuron_kernel if network.dtype == np.float64 else None
        rule = network.synapse
        self.hold_rule = (
            rule is not None
            and kernel_of(rule, "synapse")[0] is not None
            and callable(getattr(rule, "hold_kernel_args", None))
        )

    def run(self, network: Any, state: Any) -> None:
        synapse = network.synapse
        if not self.hold_rule:
            self._steps(network, state)
            return
        synapse.hold_kernel_args()
        try:
            self._steps(network, state)
        finally:
            synapse.release_kernel_args()

    def _steps(self, network: Any, state: Any) -> None:
        steps = network.processing_time
        learn = network.training and network.synapse is not None
        per_step = network.reward_mode == "step"
        neuron = network.neuron
        propagate, emit, current = network.weight.propagate, network._emit, network._current
        n_in, log = network.n_inputs, network.spike_log
        if self.block_input:
            network.input.spike_block(log[:, :n_in])
        else:
            fire_in = network.input.fire
        kernel = self.neuron_kernel
        if kernel is not None:
            fire, integrate = kernel.functions["fire"], kernel.functions["integrate"]
            neuron_state, neuron_params = neuron.kernel_state(), neuron.kernel_params()
            noise = neuron.kernel_noise(steps)
        else:
            fire_body, integrate_body = neuron.fire, neuron.integrate
        for t in range(steps):
            row = log[t]
            if not self.block_input:
                row[:n_in] = fire_in()
            if kernel is not None:
                fire(neuron_state, neuron_params, noise[t], row[n_in:])
            else:
                row[n_in:] = fire_body()
            network._step = t
            propagate(row, emit, current)
            if kernel is not None:
                integrate(neuron_state, neuron_params, current)
            else:
                integrate_body(current)
            if learn:
                network.synapse.step(row)
            if per_step:
                network._step_reward(state, t, learn)


def choose_engine(requested: str, network: Any, registry: Any) -> tuple[Any, str, str]:
    """The engine for a built network.

    Parameters
    ----------
    requested : str
        ``"auto"`` or a registered engine name (``[network] engine``).
    network : Network
        Built (parts constructed, buffers allocated).
    registry : Registry

    Returns
    -------
    (engine, name, reason)
        The constructed engine, its registered name and a one-line reason for the choice.

    Raises
    ------
    ConfigError
        An unknown name (with a did-you-mean), or a named engine that cannot run this network.
    """
    if requested == "numpy" and ("engine", "numpy") not in registry:
        return NumpyEngine(network), "numpy", "requested by network.engine"
    if requested != AUTO:
        cls = registry.get("engine", requested, where="$.network.engine: ")
        problem = cls.check(network)
        if problem is not None:
            raise ConfigError(
                f"$.network.engine: the {requested!r} engine cannot run this network: {problem}; "
                'set network.engine = "auto" or "numpy"'
            )
        return cls(network), requested, "requested by network.engine"
    candidates = sorted(
        ((entry.obj, entry.name) for entry in registry.entries("engine")),
        key=lambda item: (-getattr(item[0], "priority", 0), item[1]),
    )
    declined: list[str] = []
    for cls, name in candidates:
        problem = cls.check(network)
        if problem is None:
            reason = "auto: " + ("; ".join(declined) if declined else f"{name} is the preferred engine")
            if name != "numpy" and not declined:
                reason = f"auto: {name} is installed and every part has a compiled kernel"
            return cls(network), name, reason
        declined.append(f"{name} declined ({problem})")
    return NumpyEngine(network), "numpy", "auto: " + "; ".join(declined)
