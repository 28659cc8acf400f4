"""The Network kernel: parts wired together, one game step at a time.

Conventions
-----------
* The weight part has the logical shape ``(n_inputs + n_neurons, n_neurons)``: rows are
  presynaptic units (inputs first, then body neurons), columns postsynaptic body neurons. Inputs
  are never postsynaptic. The weight part owns the connectivity: the kernel hands it the step's
  spikes (``weight.propagate``) and never indexes a matrix itself.
* Outputs are the last ``n_outputs`` body neurons.
* One game step (:meth:`Network.tick`) runs ``processing_time`` network steps; the step order is
  documented in :mod:`spikey_core.protocols`.
* Spikes are stored as booleans; the sign and size of what a spike delivers is
  ``polarity * magnitude`` of the presynaptic unit (Dale's law).

Reward modes
------------
``"none"``
    No learning signal; :meth:`Network.reward` is an error.
``"tick"``
    One reward per game step: ``reward(state, action, state_next)`` asks the rewarder (or takes
    the game's reward when there is no rewarder) and hands it to the learning rule.
``"step"``
    A reward at every network step: after the rule's ``step``, the rewarder judges
    ``step_action(network, state)`` (default: the output spikes of this very step) and the rule
    receives it at once. :meth:`Network.reward` then only reports the game step's total.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spikey_core import config as cfg
from spikey_core import protocol_checks as checks
from spikey_core import saved, seeding
from spikey_core.callbacks import Callback
from spikey_core.engines import choose_engine
from spikey_core.errors import ConfigError, SimulationError, SpikeyError
from spikey_core.network_config import REWARD_MODES, NetworkConfig
from spikey_core.part import BuildContext, Part
from spikey_core.protocols import Input, Modifier, Neuron, Readout, Rewarder, Synapse, Weight
from spikey_core.registry import Registry, registry_or_loaded
from spikey_core.spec import PART_SECTIONS, Problems, build_config, resolve, trust_imports
from spikey_core.weights import DENSE_ACTIVITY

__all__ = ["DENSE_ACTIVITY", "REWARD_MODES", "Network", "NetworkConfig", "default_step_action"]


def default_step_action(network: Network, state: Any) -> np.ndarray:
    """The per-step action in ``"step"`` reward mode: which outputs spiked at this step (bool (O,))."""
    return network.output_spikes


class Network:
    """A spiking network assembled from parts.

    Parameters
    ----------
    n_inputs, n_neurons, n_outputs, processing_time, reward_mode, dt, dtype
        See :class:`NetworkConfig`.
    input, neuron, weight, synapse, readout, rewarder
        Each a registered name, a part class, or a mapping ``{"type": name_or_class, **settings}``.
        ``synapse`` may be omitted (no learning); ``rewarder`` is needed unless ``reward_mode`` is
        ``"none"`` or the game supplies rewards.
    modifiers : sequence
        Modifier specs (same forms), applied once per game step in order.
    step_action : callable, optional
        ``f(network, state) -> action`` judged by the rewarder at every step in ``"step"`` mode.
    seed : int, SeedSequence or None
        Seed of every generator the parts own.
    game : object, optional
        Its ``network_params()`` values fill part settings that were not given (lowest priority).
    callback : Callback, optional
        Receives ``network_init``, ``network_reset``, ``network_tick`` and ``network_reward``.
    registry : Registry, optional
        Where part names are looked up (and, in :meth:`spec`, classes named back); default: the
        loaded one (:func:`spikey_core.get_registry`).

    Raises
    ------
    ConfigError
        Listing every problem of every section at once; nothing is built.
    """

    def __init__(
        self,
        *,
        input: Any = None,
        neuron: Any = None,
        weight: Any = None,
        readout: Any = None,
        synapse: Any = None,
        rewarder: Any = None,
        modifiers: Sequence[Any] = (),
        step_action: Callable[[Network, Any], Any] | None = None,
        seed: Any = None,
        game: Any = None,
        callback: Callback | None = None,
        registry: Registry | None = None,
        **network: Any,
    ):
        self._registry = registry
        sections = {
            "input": input,
            "neuron": neuron,
            "weight": weight,
            "synapse": synapse,
            "readout": readout,
            "rewarder": rewarder,
        }
        self._spec = {"network": dict(network), **{k: v for k, v in sections.items() if v is not None}}
        if modifiers:
            self._spec["modifiers"] = list(modifiers)
        self._build(self._spec, step_action=step_action, seed=seed, game=game, callback=callback)

    @classmethod
    def from_spec(
        cls,
        spec: Mapping[str, Any],
        *,
        seed: Any = None,
        game: Any = None,
        callback: Callback | None = None,
        step_action: Callable[[Network, Any], Any] | None = None,
        registry: Registry | None = None,
    ) -> Network:
        """Build from an experiment specification (see :mod:`spikey_core.spec`).

        Only the ``network``, part and ``modifiers`` sections are read; ``seed`` defaults to the
        specification's own ``seed``.
        """
        network = dict(spec.get("network", {}))
        parts = {name: spec[name] for name in PART_SECTIONS if name in spec}
        return cls(
            **network,
            **parts,
            modifiers=spec.get("modifiers", ()),
            seed=spec.get("seed") if seed is None else seed,
            game=game,
            callback=callback,
            step_action=step_action,
            registry=registry,
        )

    # -- construction --------------------------------------------------------------------------
    def _build(self, spec, *, step_action, seed, game, callback) -> None:
        problems = Problems()
        config = None
        game_params = dict(game.network_params()) if hasattr(game, "network_params") else {}
        resolved: dict[str, tuple[Any, Any]] = {}
        for slot in PART_SECTIONS:
            if slot not in spec:
                continue
            with problems.collect():
                part_cls, data = resolve(slot, spec[slot], f"$.{slot}", registry=self._registry)
                resolved[slot] = (part_cls, build_config(part_cls, data, f"$.{slot}", game_params))
        with problems.collect():
            sizes = _with_derived_n_inputs(spec["network"], resolved.get("input"), game_params)
            config = cfg.from_dict(NetworkConfig, sizes, address="$.network")
        for required in ("input", "neuron", "weight", "readout"):
            if required not in spec:
                problems.add(f"$.{required}: required: the network needs a {required} part")
        modifier_specs = spec.get("modifiers", ())
        if isinstance(modifier_specs, (str, Mapping)) or not isinstance(modifier_specs, Sequence):
            problems.add(f"$.modifiers: must be a list of modifier specs (got {modifier_specs!r})")
            modifier_specs = ()
        modifiers = []
        for i, item in enumerate(modifier_specs):
            with problems.collect():
                mod_cls, data = resolve("modifier", item, f"$.modifiers[{i}]", registry=self._registry)
                modifiers.append((mod_cls, build_config(mod_cls, data, f"$.modifiers[{i}]", game_params)))
        problems.raise_if_any()
        if config.reward_mode == "step" and "rewarder" not in resolved:
            raise ConfigError('$.rewarder: required when network.reward_mode is "step"')

        self.config = config
        self.n_inputs, self.n_neurons = config.n_inputs, config.n_neurons
        self.n_outputs, self.processing_time = config.n_outputs, config.processing_time
        self.reward_mode = config.reward_mode
        self.dtype = np.dtype(config.dtype)
        self.seed = seeding.as_seed_sequence(seed)
        self.callback = callback if callback is not None else Callback()
        self.step_action = step_action or default_step_action
        self.training = True
        self._configs = {slot: conf for slot, (_, conf) in resolved.items()}
        self._modifier_configs = [conf for _, conf in modifiers]

        built: dict[str, Any] = {}
        for slot, (part_cls, part_config) in resolved.items():
            built[slot] = part_cls(part_config, self._context(slot, built, game_params))
        self.input: Input = built["input"]
        self.neuron: Neuron = built["neuron"]
        self.weight: Weight = built["weight"]
        self.synapse: Synapse | None = built.get("synapse")
        self.readout: Readout = built["readout"]
        self.rewarder: Rewarder | None = built.get("rewarder")
        self.modifiers: list[Modifier] = [
            mod_cls(mod_config, self._context(f"modifier{i}", built, game_params))
            for i, (mod_cls, mod_config) in enumerate(modifiers)
        ]
        self._check_protocols(game)
        self._allocate()
        self._choose_engine()
        self.callback.network_init(network=self)

    def _choose_engine(self) -> None:
        self.engine, self.engine_name, self.engine_reason = choose_engine(
            self.config.engine, self, self.registry
        )

    def _context(self, slot: str, built: dict[str, Any], game_params: Mapping[str, Any]) -> BuildContext:
        return BuildContext(
            n_inputs=self.n_inputs,
            n_neurons=self.n_neurons,
            n_outputs=self.n_outputs,
            processing_time=self.processing_time,
            dt=self.config.dt,
            dtype=self.dtype,
            rng=seeding.generator(self.seed, "network", slot),
            parts=dict(built),
            game_params=dict(game_params),
            network=self,
        )

    def _check_protocols(self, game: Any) -> None:
        """Every part against its protocol: members, shapes, dtypes, polarities, readout actions.

        Raises
        ------
        ConfigError
            One line per problem, naming the section and the part class; nothing has run yet.
        """
        lines: list[str] = []
        slots = [(slot, slot, getattr(self, slot)) for slot in PART_SECTIONS]
        slots += [("modifier", f"modifiers[{i}]", m) for i, m in enumerate(self.modifiers)]
        conforming = set()
        for kind, slot, part in slots:
            if part is None:
                continue
            missing = checks.check_members(kind, part, f"$.{slot}")
            lines += missing
            if not missing:
                conforming.add(slot)
        body = "(n_neurons,)"
        if "input" in conforming:
            lines += checks.check_polarities(self.input, "$.input", self.n_inputs, "(n_inputs,)")
        if "neuron" in conforming:
            lines += checks.check_polarities(self.neuron, "$.neuron", self.n_neurons, "(n_neurons,)")
            lines += checks.check_array(
                self.neuron.potentials,
                "$.neuron",
                f"{type(self.neuron).__name__}.potentials",
                shape=(self.n_neurons,),
                meaning="(n_neurons,)",
                kinds="f",
                kind_name="float",
            )
            lines += checks.check_fire(self.neuron, "$.neuron", self.n_neurons, body, _reset)
        if "weight" in conforming:
            lines += checks.check_weight(
                self.weight, "$.weight", self.n_inputs + self.n_neurons, self.n_neurons
            )
        if "readout" in conforming:
            lines += checks.check_readout(
                self.readout, "$.readout", self.processing_time, self.n_outputs, game
            )
        if lines:
            raise ConfigError(lines)
        self._input_checked = "input" not in conforming

    def _check_input_fire(self, state: Any) -> None:
        """The input's ``fire()`` needs a game state, so it is checked on the first tick (on a copy)."""
        lines = checks.check_fire(
            self.input,
            "$.input",
            self.n_inputs,
            "(n_inputs,)",
            lambda probe: probe.update(state),
            report_errors=False,
        )
        if lines:
            raise ConfigError(lines)
        self._input_checked = True

    def _allocate(self) -> None:
        units = self.n_inputs + self.n_neurons
        self._log = np.zeros((self.processing_time, units), dtype=bool)
        self._current = np.zeros(self.n_neurons, dtype=self.dtype)
        self._emit = np.zeros(units, dtype=self.dtype)
        self.tick_rewards = np.zeros(self.processing_time, dtype=np.float64)
        self._step = -1
        self.internal_time = 0
        self._refresh_emit()

    def _refresh_emit(self) -> None:
        n_in = self.n_inputs
        self._emit[:n_in] = np.asarray(self.input.polarities) * self.input.magnitude
        self._emit[n_in:] = np.asarray(self.neuron.polarities) * self.neuron.magnitude

    # -- state accessors -----------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        """The registry this network resolves names with (the loaded one unless one was given)."""
        return registry_or_loaded(self._registry)

    @property
    def parts(self) -> dict[str, Any]:
        """Every part by slot (modifiers as a list)."""
        slots = {"input": self.input, "neuron": self.neuron, "weight": self.weight, "synapse": self.synapse}
        slots.update({"readout": self.readout, "rewarder": self.rewarder, "modifiers": self.modifiers})
        return slots

    @property
    def polarities(self) -> np.ndarray:
        """Sign of every unit, inputs then body: float (U,)."""
        return np.sign(self._emit)

    @property
    def spike_log(self) -> np.ndarray:
        """Spikes of the current game step: bool (processing_time, n_inputs + n_neurons).

        Rows after the last executed step still hold the previous game step's values.
        """
        return self._log

    @property
    def output_spikes(self) -> np.ndarray:
        """Which outputs spiked at the most recent network step: bool (n_outputs,)."""
        return self._log[self._step, self._log.shape[1] - self.n_outputs :]

    @property
    def step_spikes(self) -> np.ndarray:
        """Every unit's spike at the most recent network step: bool (U,)."""
        return self._log[self._step]

    # -- episode control -----------------------------------------------------------------------
    def reset(self) -> None:
        """Start an episode: every part's ``reset`` (weights persist), logs cleared."""
        parts = (self.input, self.neuron, self.weight, self.synapse, self.readout, self.rewarder)
        for part in (*parts, *self.modifiers):
            if part is not None and hasattr(part, "reset"):
                part.reset()
        self._log.fill(False)
        self.tick_rewards.fill(0.0)
        self._step = -1
        self.internal_time = 0
        self._refresh_emit()
        self.callback.network_reset()

    def train(self) -> None:
        """Enable learning in every part."""
        self._set_training(True)

    def eval(self) -> None:
        """Freeze learning: the learning rule is neither stepped nor rewarded until ``train()``."""
        self._set_training(False)

    def _set_training(self, on: bool) -> None:
        self.training = on
        for part in (
            self.input,
            self.neuron,
            self.weight,
            self.synapse,
            self.readout,
            self.rewarder,
            *self.modifiers,
        ):
            method = getattr(part, "train" if on else "eval", None)
            if callable(method):
                method()

    # -- simulation ------------------------------------------------------------------------------
    def tick(self, state: Any) -> Any:
        """Run one game step: ``processing_time`` network steps on ``state``; returns the action."""
        if not self._input_checked:
            self._check_input_fire(state)
        self.input.update(state)
        for modifier in self.modifiers:
            modifier.update(self)
        self._refresh_emit()
        if self.reward_mode == "step":
            self.tick_rewards.fill(0.0)
        self.engine.run(self, state)
        self.internal_time += self.processing_time
        self._check_finite()
        outputs = self._log[:, self._log.shape[1] - self.n_outputs :]
        action = self.readout(outputs, self.polarities[len(self._emit) - self.n_outputs :])
        self.callback.network_tick(state=state, action=action)
        return action

    def _step_reward(self, state: Any, t: int, learn: bool) -> None:
        rewarder, synapse = self.rewarder, self.synapse
        assert rewarder is not None  # guaranteed at build: "step" mode requires a rewarder
        reward = float(rewarder(state, self.step_action(self, state), None))
        self.tick_rewards[t] = reward
        if learn and synapse is not None:
            synapse.reward(reward)

    def _check_finite(self) -> None:
        # One reduction per game step instead of a check per network step: NaN/inf propagate through sums.
        if not np.isfinite(np.sum(self.neuron.potentials)):
            raise SimulationError(
                f"neuron {type(self.neuron).__name__}: non-finite membrane potential by network step "
                f"{self.internal_time}; lower the input drive or check the neuron's parameters"
            )
        if self.synapse is not None and not np.isfinite(np.sum(self.weight.values)):
            raise SimulationError(
                f"synapse {type(self.synapse).__name__}: non-finite weight by network step "
                f"{self.internal_time}; lower learning_rate or check the rule's parameters"
            )

    def reward(self, state: Any, action: Any, state_next: Any, reward: float | None = None) -> float:
        """Deliver the learning signal of one game step.

        In ``"tick"`` mode the reward (``reward`` if given, else the rewarder's verdict) is handed
        to the learning rule while training. In ``"step"`` mode rewards were already applied during
        the tick; the given ``reward`` or the tick's total is reported.

        Returns
        -------
        float
            The reward of this game step.
        """
        if self.reward_mode == "none":
            raise SpikeyError(
                "this network has reward_mode 'none'; "
                "set network.reward_mode to 'tick' or 'step' to learn from rewards"
            )
        if self.reward_mode == "step":
            value = float(self.tick_rewards.sum()) if reward is None else float(reward)
        else:
            if reward is None:
                if self.rewarder is None:
                    raise SpikeyError("reward(): no reward given and the network has no rewarder part")
                reward = self.rewarder(state, action, state_next)
            value = float(reward)
            if self.training and self.synapse is not None:
                self.synapse.reward(value)
        self.callback.network_reward(state=state, action=action, state_next=state_next, reward=value)
        return value

    # -- copies, save and load -------------------------------------------------------------------
    def __deepcopy__(self, memo: dict) -> Network:
        memo[id(self.callback)] = self.callback  # a copy reports to the same callback
        memo[id(self._registry)] = self._registry  # and resolves names with the same registry
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            setattr(clone, key, copy.deepcopy(value, memo))
        return clone

    def copy(self) -> Network:
        """An independent copy with the learned state (weights, traces, generators) kept."""
        return copy.deepcopy(self)

    def state_dict(self) -> dict[str, Any]:
        """Dynamic state of every part (the weights included), keyed ``slot/name``."""
        state: dict[str, Any] = {}
        for slot, part in self._stateful_parts():
            for key, value in part.state_dict().items():
                state[f"{slot}/{key}"] = value
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output into this network (same configuration)."""
        for slot, part in self._stateful_parts():
            prefix = f"{slot}/"
            part.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})
        self._refresh_emit()

    def _stateful_parts(self) -> list[tuple[str, Any]]:
        slots = [(s, p) for s, p in self.parts.items() if s != "modifiers"]
        slots += [(f"modifier{i}", m) for i, m in enumerate(self.modifiers)]
        return [(s, p) for s, p in slots if p is not None and hasattr(p, "state_dict")]

    def save(self, path: str | Path) -> tuple[Path, Path]:
        """Write ``PATH.json`` (configuration) and ``PATH.npz`` (learning state); returns both paths.

        Callable settings are stored by import path (``module:qualname``); see
        :mod:`spikey_core.saved` for which of them a load accepts.
        """
        path = Path(path)
        json_path, npz_path = path.with_suffix(".json"), path.with_suffix(".npz")
        arrays, rng_states = {}, {}
        for key, value in self.state_dict().items():
            if key.endswith("/rng"):
                rng_states[key] = value
            else:
                arrays[key] = np.asarray(value)
        document = {
            "format": saved.FORMAT,
            "spec": saved.encode(self.spec()),
            "seed": {"entropy": saved.encode(self.seed.entropy), "spawn_key": list(self.seed.spawn_key)},
            "generators": saved.encode(rng_states),
            "training": self.training,
        }
        json_path.write_text(json.dumps(document, indent=2))
        np.savez(npz_path, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds too narrowly
        return json_path, npz_path

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        game: Any = None,
        callback: Callback | None = None,
        registry: Registry | None = None,
        allow_imports: bool = False,
    ) -> Network:
        """Rebuild a network written by :meth:`save`, learning state included.

        Parameters
        ----------
        path : str or Path
            ``PATH`` (or ``PATH.json`` / ``PATH.npz``) as given to :meth:`save`.
        game, callback, registry
            As for :meth:`from_spec`.
        allow_imports : bool
            Trust import paths in the file (unregistered part classes, callables that are not
            defaults of registered parts). Off by default: a saved network is data.

        Raises
        ------
        ConfigError
            The files are missing, unreadable, of another or newer format, or any array is
            missing, of another dtype or shape, or not finite; the message names file and array.
        """
        path = Path(path)
        json_path, npz_path = path.with_suffix(".json"), path.with_suffix(".npz")
        document = saved.read_document(json_path)
        registry = registry_or_loaded(registry)
        known = saved.known_callables(registry)
        where = f"{json_path}: spec"
        spec = saved.decode(document["spec"], where, allow_imports=allow_imports, known=known)
        if allow_imports:
            spec = trust_imports(spec, registry=registry)
        try:
            seed = np.random.SeedSequence(
                entropy=saved.decode(document["seed"]["entropy"], f"{json_path}: seed", known=known),
                spawn_key=tuple(document["seed"]["spawn_key"]),
            )
        except (TypeError, ValueError) as error:
            raise ConfigError(f"{json_path}: seed: not a valid seed ({error})") from None
        try:
            network = cls.from_spec(spec, seed=seed, game=game, callback=callback, registry=registry)
        except ConfigError as error:
            raise ConfigError([f"{where}: {line}" for line in error.problems]) from None
        expected = network.state_dict()
        arrays = saved.read_arrays(npz_path)
        saved.check_arrays({k: v for k, v in expected.items() if not k.endswith("/rng")}, arrays, npz_path)
        generators = saved.decode(document["generators"], f"{json_path}: generators", known=known)
        saved.check_generators(
            {k: v for k, v in expected.items() if k.endswith("/rng")}, generators, json_path
        )
        try:
            network.load_state_dict({**arrays, **generators})
        except (TypeError, ValueError, KeyError) as error:
            raise ConfigError(f"{json_path}: the saved state does not fit this network: {error}") from None
        network._set_training(document["training"])
        return network

    def spec(self) -> dict[str, Any]:
        """The configuration as a specification dict (part types by registered name where possible)."""
        registry = self.registry
        spec: dict[str, Any] = {"network": cfg.to_dict(self.config)}
        for slot, conf in self._configs.items():
            part = getattr(self, slot)
            name = registry.name_of(slot, type(part)) or saved.import_path(type(part))
            spec[slot] = {"type": name, **cfg.to_dict(_live_config(part, conf))}
        if self.modifiers:
            spec["modifiers"] = [
                {
                    "type": registry.name_of("modifier", type(m)) or saved.import_path(type(m)),
                    **cfg.to_dict(_live_config(m, c)),
                }
                for m, c in zip(self.modifiers, self._modifier_configs, strict=False)
            ]
        return spec


def _with_derived_n_inputs(network: Any, input_part: Any, game_params: Mapping[str, Any]) -> Any:
    """The ``[network]`` section with ``n_inputs`` from the input part when the section omits it.

    An input class may define ``n_inputs_for(config, game_params) -> int | None`` (e.g. one unit
    per receptive field of every observation dimension); the section's own value always wins.
    """
    if not isinstance(network, Mapping) or "n_inputs" in network or input_part is None:
        return network
    part_cls, part_config = input_part
    derive = getattr(part_cls, "n_inputs_for", None)
    n_inputs = derive(part_config, game_params) if callable(derive) else None
    return network if n_inputs is None else {**network, "n_inputs": n_inputs}


def _reset(part: Any) -> None:
    part.reset()


def _live_config(part: Any, built: Any) -> Any:
    """A part's configuration at its live values (a :class:`Part` reads its tunables back)."""
    return part.config if isinstance(part, Part) else built
