"""Weight, readout, rewarder and modifier parts inside a real spikey_core Network."""

from __future__ import annotations

import tomllib

import attrs
import numpy as np
import pytest
from spikey_core.config import Real
from spikey_parts.modifiers.linear_decay import LinearDecay
from spikey_parts.readouts.threshold import Threshold
from spikey_parts.rewarders.match_expected import MatchExpected
from spikey_parts.weights.manual import Manual
from toy_parts import PatternInput, ThresholdNeuron

from spikey_core import ConfigError, Network, Part, get_registry, param

# 2 inputs, 2 body neurons (neuron 1 is the output): input 0 -> neuron 0 -> neuron 1, weight 1 each
CHAIN = [[1, 0], [0, 0], [0, 1], [0, 0]]
RATE = "synapse.learning_rate"


def always_one(state):
    return 1


@attrs.frozen(kw_only=True)
class RecordingRuleConfig:
    learning_rate: float = param(default=0.5, check=Real(ge=0), doc="weight change per unit reward")


class RecordingRule(Part):
    """Adds learning_rate * reward to existing synapses; records the rate at every reward."""

    Config = RecordingRuleConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.weight = ctx.parts["weight"]
        self.learning_rate = config.learning_rate
        self.rates_seen = []

    def step(self, spikes):
        pass

    def reward(self, reward):
        if self.training:
            self.rates_seen.append(self.learning_rate)
            self.weight.matrix += self.learning_rate * reward
            self.weight.clip()


class XorGame:
    """Only offers expected_value, the way the Logic games do."""

    def network_params(self):
        return {"expected_value": always_one}


def chain_network(**overrides):
    spec = dict(
        n_inputs=2,
        n_neurons=2,
        n_outputs=1,
        processing_time=3,
        reward_mode="tick",
        seed=0,
        input=PatternInput,
        neuron=ThresholdNeuron,
        weight={"type": Manual, "matrix": CHAIN, "max_weight": 2.0},
        synapse=RecordingRule,
        readout={"type": Threshold, "action_threshold": 0.3},
        rewarder={"type": MatchExpected, "reward_mult": 1.0, "punish_mult": 1.0},
        modifiers=[{"type": LinearDecay, "param": RATE, "step_stop": 2, "value_stop": 0.0}],
        game=XorGame(),
    )
    spec.update(overrides)
    return Network(**spec)


def test_network_with_manual_threshold_match_expected_and_linear_decay():
    network = chain_network()
    network.reset()
    # step 0: nothing fires, V = [1, 0]; step 1: neuron 0 fires, V = [1, 1]; step 2: the output
    # fires -> output spikes [0, 0, 1], rate 1/3 >= 0.3 -> action 1 = expected -> reward +1
    action = network.tick((1, 0))
    assert action == 1
    assert network.reward((1, 0), action, (1, 0)) == 1.0
    # learning_rate 0.5 (tick 0) adds 0.5 to the two existing synapses only
    np.testing.assert_array_equal(network.weight.matrix, [[1.5, 0], [0, 0], [0, 1.5], [0, 0]])
    for _ in range(2):
        network.reward((1, 0), network.tick((1, 0)), (1, 0))
    assert network.synapse.rates_seen == [0.5, 0.25, 0.0]  # ramp 0.5 -> 0 over 2 game steps
    network.reset()
    network.reward((1, 0), network.tick((1, 0)), (1, 0))
    assert network.synapse.rates_seen[-1] == 0.5  # reset restarted the schedule
    assert network.weight.matrix.max() == 2.0 and np.count_nonzero(network.weight.matrix) == 2


def test_modifier_path_is_checked_against_the_built_network():
    bad = [{"type": LinearDecay, "param": "synapse.learning_rat", "step_stop": 2, "value_stop": 0.0}]
    with pytest.raises(ConfigError, match="did you mean 'learning_rate'"):
        chain_network(modifiers=bad)


def test_expected_value_must_come_from_the_game_or_the_spec():
    with pytest.raises(ConfigError, match=r"\$\.rewarder\.expected_value: required"):
        chain_network(game=None)


TOML = """
seed = 3
[network]
n_inputs = 2
n_neurons = 2
n_outputs = 1
processing_time = 3
reward_mode = "tick"
[weight]
type = "manual"
matrix = [[1, 0], [0, 0], [0, 1], [0, 0]]
max_weight = 2.0
[readout]
type = "threshold"
action_threshold = 0.5
output_range = [-1, 1]
[rewarder]
type = "state_set"
rewarded_states = [[1, 0]]
punish_mult = 0.5
[[modifiers]]
type = "drop_off"
param = "synapse.learning_rate"
step_stop = 1
value_end = 0.0
"""


REGISTERED = {
    ("weight", "manual"): "Manual",
    ("weight", "random"): "Random",
    ("readout", "threshold"): "Threshold",
    ("readout", "neuron_rates"): "NeuronRates",
    ("readout", "population_vector"): "PopulationVector",
    ("readout", "top_action"): "TopAction",
    ("rewarder", "match_expected"): "MatchExpected",
    ("rewarder", "florian"): "Florian",
    ("rewarder", "state_set"): "StateSet",
    ("modifier", "linear_decay"): "LinearDecay",
    ("modifier", "drop_off"): "DropOff",
}


@pytest.mark.parametrize(("kind", "name"), sorted(REGISTERED))
def test_parts_are_registered_under_their_file_names(kind, name):
    cls = get_registry().get(kind, name)
    assert cls.__name__ == REGISTERED[kind, name]
    assert cls.__module__.rsplit(".", 1)[-1] == name  # one model per file, file name = registered name


def test_registered_names_from_toml():
    spec = tomllib.loads(TOML)
    spec.update(input=PatternInput, neuron=ThresholdNeuron, synapse=RecordingRule)
    network = Network.from_spec(spec)
    registry = get_registry()
    slots = ("weight", "readout", "rewarder")
    names = {registry.name_of(slot, type(network.parts[slot])) for slot in slots}
    assert names == {"manual", "threshold", "state_set"}
    assert registry.name_of("modifier", type(network.modifiers[0])) == "drop_off"
    network.reset()
    action = network.tick((1, 0))
    assert action == -1  # output rate 1/3 < 0.5
    assert network.reward((1, 0), action, None) == 1.0  # state (1, 0) is rewarded
    network.tick((0, 1))
    assert network.reward((0, 1), -1, None) == -0.5
    assert network.synapse.rates_seen == [0.5, 0.0]  # drop_off after 1 game step


def saveable_network():
    # every part importable or registered, so Network.save / load can rebuild it
    return Network(
        n_inputs=2,
        n_neurons=4,
        n_outputs=2,
        processing_time=5,
        reward_mode="tick",
        seed=4,
        input=PatternInput,
        neuron=ThresholdNeuron,
        weight={
            "type": "random",
            "connection_probability": 0.6,
            "force_unidirectional": True,
            "max_weight": 2.0,
        },
        readout={"type": "threshold", "action_threshold": "mean"},
        rewarder={"type": "state_set", "rewarded_states": [[1, 1]]},
        modifiers=[{"type": "drop_off", "param": "neuron.magnitude", "step_stop": 2, "value_end": 0.5}],
    )


def test_copy_keeps_weights_readout_history_and_modifier_target():
    network = saveable_network()
    network.reset()
    for _ in range(3):
        network.tick((1, 1))
    clone = network.copy()
    np.testing.assert_array_equal(clone.weight.matrix, network.weight.matrix)
    np.testing.assert_array_equal(clone.readout.rate_history, network.readout.rate_history)
    clone.reset()
    # the copy's modifier restores the copy's neuron only
    assert clone.neuron.magnitude == 1.0 and network.neuron.magnitude == 0.5


def test_save_and_load_keep_weights_history_and_schedule(tmp_path):
    network = saveable_network()
    network.reset()
    for _ in range(3):
        network.tick((1, 1))
    network.save(tmp_path / "net")
    loaded = Network.load(tmp_path / "net", allow_imports=True)
    np.testing.assert_array_equal(loaded.weight.matrix, network.weight.matrix)
    np.testing.assert_array_equal(loaded.weight.mask, network.weight.mask)
    np.testing.assert_array_equal(loaded.readout.rate_history, network.readout.rate_history)
    assert int(loaded.modifiers[0].step) == 3
