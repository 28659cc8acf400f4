"""The Network kernel with toy parts: step order, propagation, reward modes, copies, save/load."""

from __future__ import annotations

import copy
import math

import attrs
import numpy as np
import pytest
import toy_parts as toy
from spikey_core.config import Real

from spikey_core import ConfigError, Network, SimulationError, SpikeyError, param


def build(reward_mode="tick", **overrides):
    spec = toy.toy_spec(reward_mode=reward_mode)
    for key, value in overrides.items():
        spec[key] = value
    spec.pop("game"), spec.pop("loop")
    return Network.from_spec(spec)


def test_one_tick_hand_computed():
    # 2 inputs, 2 body neurons (1 output), all weights 1, threshold 1, no leak, P = 3, input (1, 0).
    # step 0: input 0 fires, V = 0 -> no body spike; I = 1 -> V = 1
    # step 1: body fires (V >= 1); I = 1 (input) + 2 (two body spikes) = 3; V reset to 0 then 3
    # step 2: body fires again; I = 3 again
    net = build()
    net.reset()
    action = net.tick([1, 0])
    assert net.spike_log.astype(int).tolist() == [[1, 0, 0, 0], [1, 0, 1, 1], [1, 0, 1, 1]]
    currents = [event[1].tolist() for event in net.neuron.events if isinstance(event, tuple)]
    assert currents == [[1.0, 1.0], [3.0, 3.0], [3.0, 3.0]]
    assert net.neuron.potentials.tolist() == [3.0, 3.0]
    assert action == 2  # the output neuron spiked at steps 1 and 2


def test_step_order_fire_then_integrate_and_learning_sees_current_step():
    net = build()
    net.reset()
    net.neuron.events.clear()
    net.tick([1, 1])
    kinds = [e if isinstance(e, str) else e[0] for e in net.neuron.events]
    assert kinds == ["fire", "integrate"] * 3
    steps = np.array(net.synapse.steps)
    assert np.array_equal(steps, net.spike_log)  # step t's learning got step t's spikes, no lag


def test_inhibitory_presynaptic_units_subtract():
    net = build()
    net.neuron.polarities[:] = [1.0, -1.0]
    net.weight.matrix[:] = 0.5
    net._refresh_emit()
    spikes = np.array([True, True, True, True])
    net.weight.propagate(spikes, net._emit, net._current)
    # 0.5 * (1 + 1 + 1 - 1) = 1.0 into each neuron
    assert net._current.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("activity", [0.02, 0.5, 1.0])
def test_sparse_and_dense_propagation_agree_with_plain_numpy(activity):
    spec = toy.toy_spec(n_inputs=40, n_neurons=60, n_outputs=2)
    spec.pop("game"), spec.pop("loop")
    net = Network.from_spec(spec)
    rng = np.random.default_rng(3)
    net.weight.matrix[:] = rng.random(net.weight.matrix.shape)
    net.neuron.polarities[:] = np.where(rng.random(60) < 0.3, -1.0, 1.0)
    net._refresh_emit()
    spikes = rng.random(100) < activity
    net.weight.propagate(spikes, net._emit, net._current)
    signs = np.concatenate([np.ones(40), net.neuron.polarities])
    expected = (spikes * signs) @ net.weight.matrix
    np.testing.assert_allclose(net._current, expected, rtol=1e-12, atol=1e-12)


def test_tick_reward_mode():
    net = build("tick")
    net.reset()
    state = [1, 0]
    action = net.tick(state)
    assert net.reward(state, action, [0, 1]) == 1.0
    assert net.rewarder.calls[0][0] == state and net.rewarder.calls[0][1] == action
    assert net.rewarder.calls[0][2] == [0, 1]
    assert net.synapse.rewards == [1.0]
    assert np.all(net.weight.matrix == 1.1)  # counting synapse: +0.1 * reward
    assert net.reward(state, action, None, reward=0.0) == 0.0  # an explicit 0 is respected
    assert net.synapse.rewards == [1.0, 0.0]


def test_step_reward_mode_judges_each_steps_own_output():
    net = build("step", rewarder={"type": toy.ConstantRewarder, "value": 0.5})
    net.reset()
    net.tick([1, 0])
    calls = net.rewarder.calls
    assert len(calls) == 3
    outputs = [call[1].tolist() for call in calls]
    assert outputs == net.spike_log[:, -1:].tolist()  # the action of step t is step t's output spike
    assert all(call[2] is None for call in calls)
    assert net.tick_rewards.tolist() == [0.5, 0.5, 0.5]
    assert net.synapse.rewards == [0.5, 0.5, 0.5]
    assert net.reward([1, 0], 1, None) == 1.5  # reports the tick's total, applies nothing more
    assert net.synapse.rewards == [0.5, 0.5, 0.5]


def test_none_reward_mode_refuses_reward():
    net = build("none")
    net.reset()
    action = net.tick([1, 1])
    with pytest.raises(SpikeyError, match="reward_mode 'none'"):
        net.reward([1, 1], action, [1, 1])


def test_eval_freezes_learning_in_every_mode():
    for mode in ("tick", "step"):
        net = build(mode)
        net.reset()
        net.eval()
        before = net.weight.matrix.copy()
        action = net.tick([1, 1])
        net.reward([1, 1], action, [1, 1])
        assert net.synapse.steps == [] and net.synapse.rewards == []
        assert np.array_equal(before, net.weight.matrix)
        net.train()
        net.tick([1, 1])
        assert len(net.synapse.steps) == 3


def test_reset_clears_episode_state_and_keeps_weights():
    net = build()
    net.reset()
    action = net.tick([1, 1])
    net.reward([1, 1], action, [1, 1])
    learned = net.weight.matrix.copy()
    net.reset()
    assert not net.spike_log.any() and net.internal_time == 0
    assert net.neuron.potentials.tolist() == [0.0, 0.0]
    assert np.array_equal(net.weight.matrix, learned)


@attrs.frozen(kw_only=True)
class _RequiredValueConfig:
    value: float = param(check=Real(), doc="no default: the game may supply it")


class _RequiredValueRewarder(toy.ConstantRewarder):
    Config = _RequiredValueConfig


def test_priority_explicit_then_defaults_then_game_params():
    class Game:
        def network_params(self):
            return {"value": 7.0, "unrelated": 1}

    spec = toy.toy_spec()
    spec.pop("game"), spec.pop("loop")
    # a field with a default keeps it: defaults beat game values
    assert Network.from_spec(spec, game=Game()).rewarder.config.value == 1.0
    # a field without a default takes the game's value
    spec["rewarder"] = {"type": _RequiredValueRewarder}
    assert Network.from_spec(spec, game=Game()).rewarder.config.value == 7.0
    # explicit values beat both
    spec["rewarder"] = {"type": _RequiredValueRewarder, "value": 2.0}
    assert Network.from_spec(spec, game=Game()).rewarder.config.value == 2.0
    spec["rewarder"] = {"type": toy.ConstantRewarder, "value": 2.0}
    assert Network.from_spec(spec, game=Game()).rewarder.config.value == 2.0
    # without the game the required field is reported
    spec["rewarder"] = {"type": _RequiredValueRewarder}
    with pytest.raises(ConfigError, match=r"\$\.rewarder\.value: required field missing"):
        Network.from_spec(spec)


def test_every_problem_is_reported_at_once(toy_registry):
    spec = {
        "network": {
            "n_inputs": 2,
            "n_neurons": 1,
            "n_outputs": 3,
            "processing_time": 0,
            "reward_mode": "steps",
        },
        "input": {"type": "patern"},
        "neuron": {"type": "threshold_neuron", "firing_treshold": 2, "potential_decay": 1.5},
        "weight": "constant",
    }
    with pytest.raises(ConfigError) as caught:
        Network.from_spec(spec, registry=toy_registry)
    lines = caught.value.problems
    assert "$.network.processing_time: must be >= 1 (got 0)" in lines
    assert any(
        line.startswith(
            "$.network.reward_mode: must be one of 'none', 'tick', 'step' (got 'steps'); did you mean 'step'?"
        )
        for line in lines
    )
    assert any(
        line.startswith("$.input.type: no input named 'patern'; did you mean 'pattern'?") for line in lines
    )
    assert "$.neuron.firing_treshold: unknown key; did you mean 'firing_threshold'?" in lines
    assert "$.neuron.potential_decay: must be <= 1 (got 1.5)" in lines
    assert "$.readout: required: the network needs a readout part" in lines
    assert len(lines) == 6


def test_outputs_more_than_neurons_is_a_config_error():
    with pytest.raises(
        ConfigError,
        match=r"\$\.network(: .*|\.)n_outputs: must be <= n_neurons \(2\) \(got 3\)",
    ):
        build(network={"n_inputs": 2, "n_neurons": 2, "n_outputs": 3, "processing_time": 3})


def test_wrong_weight_shape_is_reported():
    class Transposed(toy.ConstantWeight):
        def __init__(self, config, ctx):
            super().__init__(config, ctx)
            self.matrix = self.matrix.T.copy()

    with pytest.raises(
        ConfigError, match=r"\$\.weight: Transposed has shape \(2, 4\); the network needs \(4, 2\)"
    ):
        build(weight={"type": Transposed})


def test_non_finite_state_stops_with_the_part_named():
    net = build()
    net.reset()
    net.neuron.potentials[0] = math.nan
    with pytest.raises(
        SimulationError, match="neuron ThresholdNeuron: non-finite membrane potential by network step 3"
    ):
        net.tick([1, 1])
    net = build()
    net.reset()
    net.weight.matrix[0, 0] = math.nan
    with pytest.raises(SimulationError, match="synapse CountingSynapse: non-finite weight"):
        net.tick([0, 0])


def _noisy(seed):
    spec = toy.toy_spec(n_inputs=6, n_neurons=5, n_outputs=2, processing_time=20, reward_mode="tick")
    spec["input"] = {"type": toy.BernoulliInput, "rate": 0.3}
    spec["seed"] = seed
    spec.pop("game"), spec.pop("loop")
    return Network.from_spec(spec)


def _run(net, ticks=5):
    logs = []
    for _ in range(ticks):
        action = net.tick(None)
        net.reward(None, action, None)
        logs.append(net.spike_log.copy())
    return np.array(logs)


def test_same_seed_same_run_different_seed_different_run():
    a, b, c = _noisy(11), _noisy(11), _noisy(12)
    for net in (a, b, c):
        net.reset()
    run_a, run_b, run_c = _run(a), _run(b), _run(c)
    assert np.array_equal(run_a, run_b)
    assert not np.array_equal(run_a, run_c)


def test_copy_keeps_learned_state_and_continues_identically():
    net = _noisy(5)
    net.reset()
    _run(net, 3)
    clone = net.copy()
    assert clone.callback is net.callback
    assert np.array_equal(clone.weight.matrix, net.weight.matrix)
    assert clone.weight.matrix is not net.weight.matrix
    assert np.array_equal(_run(clone, 4), _run(net, 4))
    assert np.array_equal(copy.deepcopy(net).weight.matrix, net.weight.matrix)


def test_save_and_load_reproduce_a_continued_run_bit_for_bit(tmp_path):
    net = _noisy(9)
    net.reset()
    _run(net, 3)
    json_path, npz_path = net.save(tmp_path / "trained")
    assert json_path.exists() and npz_path.exists()
    loaded = Network.load(tmp_path / "trained", allow_imports=True)
    assert loaded.spec()["input"]["rate"] == 0.3
    assert np.array_equal(loaded.weight.matrix, net.weight.matrix)
    np.testing.assert_array_equal(loaded.neuron.potentials, net.neuron.potentials)
    assert np.array_equal(_run(loaded, 4), _run(net, 4))
    assert np.array_equal(loaded.weight.matrix, net.weight.matrix)


def test_float32_state():
    net = build(
        network={
            "n_inputs": 2,
            "n_neurons": 2,
            "n_outputs": 1,
            "processing_time": 3,
            "dtype": "float32",
            "reward_mode": "tick",
        }
    )
    net.reset()
    action = net.tick([1, 0])
    assert net.neuron.potentials.dtype == np.float32 and net._current.dtype == np.float32
    # the hand-computed tick of test_one_tick_hand_computed, in float32
    assert net.spike_log.astype(int).tolist() == [[1, 0, 0, 0], [1, 0, 1, 1], [1, 0, 1, 1]]
    assert net.neuron.potentials.tolist() == [3.0, 3.0] and action == 2


def test_registry_is_passed_explicitly_not_read_from_the_process(toy_registry):
    # The process-wide registry holds the installed plugins, which know no "threshold_neuron";
    # the injected one does, so building and naming classes back go through it alone.
    spec = build().spec()
    named = {**spec, "input": "pattern", "neuron": "threshold_neuron", "weight": "constant"}
    named.update(synapse="counting", readout="count", rewarder="constant")
    with pytest.raises(ConfigError, match="no neuron named 'threshold_neuron'"):
        Network.from_spec(named)
    net = Network.from_spec(named, registry=toy_registry)
    assert net.registry is toy_registry
    assert net.spec()["neuron"]["type"] == "threshold_neuron"
    assert net.copy().registry is toy_registry
