"""Small, fully predictable parts for exercising the kernel without the real catalogue."""

from __future__ import annotations

import types

import attrs
import numpy as np
from spikey_core.config import Integer, Real, probability
from spikey_core.weights import DenseWeight

from spikey_core import Callback, Part, hookimpl, param


@attrs.frozen(kw_only=True)
class PatternInputConfig:
    magnitude: float = param(default=1.0, check=Real(gt=0), doc="spike amplitude")


class PatternInput(Part):
    """Input unit i spikes at every step where state[i] is truthy."""

    Config = PatternInputConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.magnitude = config.magnitude
        self.polarities = np.ones(ctx.n_inputs, dtype=ctx.dtype)
        self._spikes = np.zeros(ctx.n_inputs, dtype=bool)
        self.updates = []

    def update(self, state):
        self.updates.append(state)
        self._spikes[:] = np.asarray(state, dtype=bool)

    def fire(self):
        return self._spikes


@attrs.frozen(kw_only=True)
class ThresholdNeuronConfig:
    firing_threshold: float = param(default=1.0, check=Real(gt=0), doc="fire when V >= this")
    potential_decay: float = param(default=0.0, check=probability(), doc="fraction of V lost per step")
    magnitude: float = param(default=1.0, check=Real(gt=0), doc="spike amplitude")


class ThresholdNeuron(Part):
    """Integrate-and-fire with reset to 0; records call order into ``events``."""

    Config = ThresholdNeuronConfig
    STATE = ("potentials",)

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.magnitude = config.magnitude
        self.polarities = np.ones(ctx.n_neurons, dtype=ctx.dtype)
        self.potentials = np.zeros(ctx.n_neurons, dtype=ctx.dtype)
        self._spikes = np.zeros(ctx.n_neurons, dtype=bool)
        self.events = []

    def reset(self):
        self.potentials.fill(0)
        self.events.append("reset")

    def fire(self):
        self.events.append("fire")
        np.greater_equal(self.potentials, self.config.firing_threshold, out=self._spikes)
        return self._spikes

    def integrate(self, current):
        self.events.append(("integrate", current.copy()))
        self.potentials *= 1 - self.config.potential_decay
        self.potentials[self._spikes] = 0
        self.potentials += current


@attrs.frozen(kw_only=True)
class ConstantWeightConfig:
    value: float = param(default=1.0, check=Real(ge=0), doc="every synapse's weight")
    max_weight: float = param(default=10.0, check=Real(gt=0), doc="clip bound")


class ConstantWeight(DenseWeight):
    Config = ConstantWeightConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.matrix[...] = config.value
        self.mask[...] = True


@attrs.frozen(kw_only=True)
class CountingSynapseConfig:
    learning_rate: float = param(default=0.1, check=Real(ge=0), doc="weight change per reward unit")


class CountingSynapse(Part):
    """Adds ``learning_rate * reward`` to every synapse; records steps and rewards."""

    Config = CountingSynapseConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.weight = ctx.parts["weight"]
        self.steps = []
        self.rewards = []

    def step(self, spikes):
        self.steps.append(spikes.copy())

    def reward(self, reward):
        if not self.training:
            return
        self.rewards.append(reward)
        self.weight.values[...] += self.config.learning_rate * reward
        self.weight.clip()


class CountReadout(Part):
    """Action = number of output spikes in the tick."""

    def __call__(self, spikes, polarities):
        return int(spikes.sum())


@attrs.frozen(kw_only=True)
class ConstantRewarderConfig:
    value: float = param(default=1.0, check=Real(), doc="reward returned for every action")


class ConstantRewarder(Part):
    Config = ConstantRewarderConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.calls = []

    def __call__(self, state, action, state_next):
        self.calls.append((state, np.array(action, copy=True), state_next))
        return self.config.value


@attrs.frozen(kw_only=True)
class EchoGameConfig:
    n: int = param(default=2, check=Integer(ge=1), doc="observation length")
    horizon: int = param(default=1000, check=Integer(ge=1), doc="steps before terminated")


class EchoGame:
    """Observation: all-ones vector; reward = action; terminated after ``horizon`` steps."""

    Config = EchoGameConfig

    def __init__(self, n=2, horizon=1000, callback=None):
        self.n, self.horizon, self.callback = n, horizon, callback or Callback()
        self.action_space = None
        self.observation_space = None
        self.seeds = []
        self.t = 0
        self.callback.game_init(game=self)

    def reset(self, *, seed=None, options=None):
        self.seeds.append(seed)
        self.t = 0
        obs = np.ones(self.n)
        self.callback.game_reset(observation=obs, info={})
        return obs, {}

    def step(self, action):
        self.t += 1
        obs = np.ones(self.n)
        terminated = self.t >= self.horizon
        self.callback.game_step(
            action=action,
            observation=obs,
            reward=float(action),
            terminated=terminated,
            truncated=False,
            info={},
        )
        return obs, float(action), terminated, False, {}

    def close(self):
        pass


def toy_spec(**network):
    """A complete specification using the toy parts (2 inputs, 2 neurons, 1 output)."""
    sizes = {"n_inputs": 2, "n_neurons": 2, "n_outputs": 1, "processing_time": 3}
    sizes.update(network)
    return {
        "seed": 0,
        "network": sizes,
        "input": {"type": PatternInput},
        "neuron": {"type": ThresholdNeuron},
        "weight": {"type": ConstantWeight},
        "synapse": {"type": CountingSynapse},
        "readout": {"type": CountReadout},
        "rewarder": {"type": ConstantRewarder},
        "game": {"type": EchoGame},
        "loop": {"type": "generic", "n_episodes": 2, "len_episode": 4},
    }


@attrs.frozen(kw_only=True)
class BernoulliInputConfig:
    rate: float = param(default=0.3, check=probability(), doc="spike probability per step")
    magnitude: float = param(default=1.0, check=Real(gt=0), doc="spike amplitude")


class BernoulliInput(Part):
    """Each input spikes independently with probability ``rate`` at every step (uses self.rng)."""

    Config = BernoulliInputConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.magnitude = config.magnitude
        self.polarities = np.ones(ctx.n_inputs, dtype=ctx.dtype)
        self._draw = np.zeros(ctx.n_inputs)
        self._spikes = np.zeros(ctx.n_inputs, dtype=bool)

    def update(self, state):
        pass

    def fire(self):
        self.rng.random(out=self._draw)
        np.less(self._draw, self.config.rate, out=self._spikes)
        return self._spikes


class ExplodingNeuron(ThresholdNeuron):
    """Potentials become NaN at the first integration: a run that must fail loudly."""

    def integrate(self, current):
        self.potentials[:] = np.nan


def toy_plugin():
    """A plugin object registering the toy parts under short names (for registries built in tests)."""
    module = types.SimpleNamespace()

    @hookimpl
    def spikey_register_parts(registry):
        registry.add("input", "pattern", PatternInput)
        registry.add("neuron", "threshold_neuron", ThresholdNeuron)
        registry.add("weight", "constant", ConstantWeight)
        registry.add("synapse", "counting", CountingSynapse)
        registry.add("readout", "count", CountReadout)
        registry.add("rewarder", "constant", ConstantRewarder)
        registry.add("neuron", "exploding", ExplodingNeuron)
        registry.add("game", "echo", EchoGame)

    module.spikey_register_parts = spikey_register_parts
    return module
