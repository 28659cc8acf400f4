"""Parts that break their protocol are reported when the network is built, naming section and class."""

from __future__ import annotations

import numpy as np
import pytest
import toy_parts as toy

from spikey_core import ConfigError, Network


def build(**sections):
    spec = toy.toy_spec(reward_mode="tick")
    spec.pop("game"), spec.pop("loop")
    spec.update(sections)
    return Network.from_spec(spec)


def problems_of(**sections) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build(**sections)
    return caught.value.problems


class NoIntegrate(toy.ThresholdNeuron):
    integrate = None  # present but not callable: as bad as missing


class FloatSpikes(toy.ThresholdNeuron):
    def fire(self):
        return np.zeros(self.potentials.shape[0] + 1)


class HalfPolarity(toy.ThresholdNeuron):
    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.polarities = np.full(ctx.n_neurons, 0.5, dtype=ctx.dtype)


class IntMatrix(toy.ConstantWeight):
    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.matrix = self.matrix.astype(np.int64)
        self.max_weight = 0


class ListSpikesInput(toy.PatternInput):
    def fire(self):
        return list(self._spikes)


class RaisingReadout(toy.CountReadout):
    def __call__(self, spikes, polarities):
        raise IndexError("output 3 of 1")


class NoRewardSynapse(toy.CountingSynapse):
    reward = None


def test_missing_protocol_method_names_section_class_and_protocol():
    lines = problems_of(neuron={"type": NoIntegrate})
    assert lines == [
        "$.neuron: NoIntegrate lacks method 'integrate' of the neuron protocol (spikey_core.protocols.Neuron)"
    ]


def test_several_parts_are_reported_together():
    lines = problems_of(neuron={"type": NoIntegrate}, synapse={"type": NoRewardSynapse})
    assert any(line.startswith("$.neuron: NoIntegrate lacks method 'integrate'") for line in lines)
    assert any(line.startswith("$.synapse: NoRewardSynapse lacks method 'reward'") for line in lines)


def test_fire_with_wrong_shape_and_dtype():
    lines = problems_of(neuron={"type": FloatSpikes})
    assert "$.neuron: FloatSpikes.fire() result has shape (3,); expected (2,) = (n_neurons,)" in lines[0]
    assert lines[1] == "$.neuron: FloatSpikes.fire() result has dtype float64; expected bool"


def test_polarities_must_be_plus_or_minus_one():
    assert problems_of(neuron={"type": HalfPolarity}) == [
        "$.neuron: HalfPolarity.polarities must be +1 or -1 for every unit (found 0.5)"
    ]


def test_weight_values_dtype_and_bound():
    lines = problems_of(weight={"type": IntMatrix})
    assert lines == [
        "$.weight: IntMatrix.values is int64; expected a float ndarray",
        "$.weight: IntMatrix.max_weight must be a positive number (got 0)",
    ]


def test_readout_that_fails_on_silent_outputs():
    (line,) = problems_of(readout={"type": RaisingReadout})
    assert line.startswith("$.readout: RaisingReadout(spikes bool (3, 1), polarities float (1,)) raised")
    assert line.endswith("IndexError: output 3 of 1")


def test_readout_action_outside_a_discrete_game_space():
    class Space:
        n = 2
        shape = ()

        def contains(self, action):
            return action in (0, 1)

    class Game:
        action_space = Space()

    spec = toy.toy_spec(reward_mode="tick")
    spec.pop("game"), spec.pop("loop")
    # CountReadout returns the number of output spikes: 0 for silent outputs, inside the space
    Network.from_spec(spec, game=Game())

    class Always7(toy.CountReadout):
        def __call__(self, spikes, polarities):
            return 7

    with pytest.raises(ConfigError, match=r"\$\.readout: Always7 returned 7 for silent outputs"):
        Network.from_spec({**spec, "readout": {"type": Always7}}, game=Game())


def test_input_fire_is_checked_on_the_first_tick_before_any_step():
    net = build(input={"type": ListSpikesInput})
    net.reset()
    with pytest.raises(
        ConfigError, match=r"\$\.input: ListSpikesInput.fire\(\) result is list; expected a bool"
    ):
        net.tick([1, 0])
    assert net.internal_time == 0  # nothing ran
    assert net.neuron.events == ["reset"]  # the neuron was never stepped


def test_checks_do_not_disturb_the_parts_state_or_generators():
    # fire() and the readout are probed on copies: a built network equals one built without checks
    a, b = build(), build()
    a.reset(), b.reset()
    for state in ([1, 0], [1, 1], [0, 1]):
        assert a.tick(state) == b.tick(state)
    assert np.array_equal(a.spike_log, b.spike_log)
    assert a.input.updates == [[1, 0], [1, 1], [0, 1]]  # the probe's update went to a copy
