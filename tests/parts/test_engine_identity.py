"""numba engine = numpy engine: the same spikes, actions and rewards, weights equal to 1e-12.

Every part combination a shipped experiment uses runs on both engines from the same seed; the
numpy engine (the parts' own Python methods) is the reference. The first run of a combination
compiles it (seconds), so all but the XOR test are in the slow suite.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from spikey_core import Network, build_game, get_registry, make_loop

pytest.importorskip("numba")


def shipped(name: str) -> dict:
    return get_registry().get("experiment", name).load_spec()


def play(spec: dict, engine: str, ticks: int, *, step_action=None, freeze_after=None) -> dict:
    """Run ``ticks`` game steps; returns every tick's spikes, actions, rewards and the weights."""
    spec = copy.deepcopy(spec)
    spec["network"]["engine"] = engine
    game = build_game(spec["game"]) if "game" in spec else None
    network = Network.from_spec(spec, game=game, step_action=step_action)
    assert network.engine_name == engine, network.engine_reason
    network.reset()
    state = game.reset(seed=1)[0] if game is not None else 0
    spikes, actions, rewards, tick_rewards = [], [], [], []
    for tick in range(ticks):
        if freeze_after is not None and tick == freeze_after:
            network.eval()
        action = network.tick(state)
        spikes.append(network.spike_log.copy())
        tick_rewards.append(network.tick_rewards.copy())
        actions.append(np.asarray(action).copy())
        if game is not None:
            next_state = game.step(action)[0]
            if network.reward_mode != "none":
                rewards.append(network.reward(state, action, next_state))
            state = next_state
    if hasattr(network.synapse, "sync"):  # a lazy rule: bring every weight up to date first
        network.synapse.sync()
    return {
        "spikes": np.array(spikes),
        "actions": np.array(actions),
        "rewards": np.array(rewards),
        "tick_rewards": np.array(tick_rewards),
        "weights": np.array(network.weight.values, copy=True),
        "potentials": np.array(network.neuron.potentials, copy=True),
    }


def assert_identical(spec: dict, ticks: int, **options) -> None:
    reference = play(spec, "numpy", ticks, **options)
    compiled = play(spec, "numba", ticks, **options)
    assert reference["spikes"].any(), "the workload must spike to test anything"
    np.testing.assert_array_equal(compiled["spikes"], reference["spikes"])
    np.testing.assert_array_equal(compiled["actions"], reference["actions"])
    np.testing.assert_array_equal(compiled["rewards"], reference["rewards"])
    np.testing.assert_array_equal(compiled["tick_rewards"], reference["tick_rewards"])
    np.testing.assert_allclose(compiled["weights"], reference["weights"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(compiled["potentials"], reference["potentials"], rtol=0, atol=1e-9)


def test_rate_xor_rlstdp_identical():
    spec = shipped("florian-rate-xor")
    assert_identical(spec, 12)


@pytest.mark.slow
def test_rate_xor_learns_the_same_on_both_engines_then_freezes():
    assert_identical(shipped("florian-rate-xor"), 40, freeze_after=30)


@pytest.mark.slow
def test_temporal_xor_identical():
    assert_identical(shipped("florian-temporal-xor"), 30)


@pytest.mark.slow
def test_conditioning_ltp_tick_rewards_identical():
    assert_identical(shipped("spikey05-conditioning"), 30)


@pytest.mark.slow
@pytest.mark.parametrize(
    "synapse",
    [
        {"type": "mstdpet", "learning_rate": 0.025, "tau_z": 25.0},
        {"type": "mstdpet", "learning_rate": 0.025, "tau_z": 25.0, "integration": "euler"},
        {"type": "mstdp", "learning_rate": 0.05},
        {"type": "stdp", "learning_rate": 0.01},
        {"type": "static"},
    ],
)
def test_rate_xor_with_every_rule_identical(synapse):
    spec = shipped("florian-rate-xor")
    spec["synapse"] = synapse
    spec.pop("modifiers", None)  # the shipped learning-rate schedule needs a rule with a learning rate
    assert_identical(spec, 20)


@pytest.mark.slow
@pytest.mark.parametrize(
    "neuron",
    [
        {"type": "lif", "v_threshold": -62.0, "tau_m": 20.0, "refractory_ms": 3.0, "spike_delay": 2},
        {"type": "rand_potential", "prob_rand_fire": 0.3, "potential_noise_scale": 20.0},
        {"type": "neuron", "prob_rand_fire": 0.15, "refractory_period": 2, "spike_delay": 1},
        {"type": "izhikevich", "preset": "fast_spiking"},
    ],
)
def test_every_neuron_identical(neuron):
    spec = shipped("florian-rate-xor")
    spec["neuron"] = neuron
    spec["weight"]["high"] = 1.0  # strong enough that every model fires
    spec["weight"]["max_weight"] = 20.0
    assert_identical(spec, 15)


def every_output_step(network, state):
    """A custom per-step action: forces the engine to hand control back after every step."""
    return network.output_spikes.copy()


@pytest.mark.slow
def test_custom_step_action_hands_back_per_step_and_stays_identical():
    assert_identical(shipped("florian-rate-xor"), 10, step_action=every_output_step)


@pytest.mark.slow
def test_recurrent_stdp_identical():
    spec = {
        "seed": 4,
        "network": {"n_inputs": 20, "n_neurons": 200, "n_outputs": 1, "processing_time": 50},
        "input": {"type": "rate_map", "state_rate_map": [0.05]},
        "neuron": {"type": "neuron", "firing_threshold": 3.0, "prob_rand_fire": 0.05},
        "weight": {"type": "random", "connection_probability": 0.1, "max_weight": 1.0},
        "synapse": {"type": "stdp", "learning_rate": 0.001},
        "readout": {"type": "threshold"},
    }
    assert_identical(spec, 10)


@pytest.mark.slow
def test_izhikevich_network_neurons_with_thalamic_noise_identical():
    # the distal-reward neurons (two populations, uniform thalamic input drawn per step) on a
    # dense weight with stdp: the noise block of the compiled engine is the numpy engine's draws
    spec = {
        "seed": 5,
        "network": {"n_inputs": 0, "n_neurons": 200, "n_outputs": 1, "processing_time": 100},
        "input": {"type": "rate_map", "state_rate_map": [0.0]},
        "neuron": {"type": "izhikevich_network", "inhibitory_last": 40, "noise": 13.0},
        "weight": {"type": "random", "connection_probability": 0.1, "max_weight": 10.0, "high": 0.5},
        "synapse": {"type": "stdp", "learning_rate": 0.01},
        "readout": {"type": "threshold"},
    }
    assert_identical(spec, 10)


def sparse_recurrent(synapse: dict, delay=1) -> dict:
    return {
        "seed": 6,
        "network": {"n_inputs": 20, "n_neurons": 200, "n_outputs": 1, "processing_time": 50},
        "input": {"type": "rate_map", "state_rate_map": [0.05]},
        "neuron": {"type": "neuron", "firing_threshold": 3.0, "prob_rand_fire": 0.05},
        "weight": {"type": "sparse", "connection_probability": 0.1, "max_weight": 1.0, "delay": delay},
        "synapse": synapse,
        "readout": {"type": "threshold"},
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "synapse",
    [
        {"type": "stdp", "learning_rate": 0.01},
        {"type": "rlstdp", "learning_rate": 0.01},
        {"type": "mstdpet", "learning_rate": 0.025, "tau_z": 25.0},
    ],
)
def test_sparse_weight_identical(synapse):
    assert_identical(sparse_recurrent(synapse), 10)


@pytest.mark.slow
def test_rate_xor_on_sparse_weights_identical():
    spec = shipped("florian-rate-xor")
    spec["weight"] = {"type": "sparse", "connection_probability": 0.5, "max_weight": 5.0, "high": 0.5}
    assert_identical(spec, 12)


@pytest.mark.slow
@pytest.mark.parametrize("weight", ["sparse", "random"])
def test_conduction_delays_identical(weight):
    # delays 1-6 steps spread over each unit's synapses, on the compressed-row and the dense layout
    spec = sparse_recurrent({"type": "stdp", "learning_rate": 0.01}, delay=[1, 6])
    if weight == "random":
        spec["weight"]["type"] = "random"
    reference = play(spec, "numpy", 8)
    assert_identical(spec, 8)
    undelayed = copy.deepcopy(spec)
    undelayed["weight"]["delay"] = 1
    # the delays matter: without them the same network spikes differently
    assert not np.array_equal(play(undelayed, "numpy", 8)["spikes"], reference["spikes"])


def distal_run(engine: str, seconds: int, delay: object = 1) -> dict:
    """The distal-reward network, reduced to 100 neurons, built by its loop (the rewarded synapse).

    ``delay``: of the excitatory synapses (the inhibitory ones keep 1 ms)."""
    spec = shipped("izhikevich2007-distal-reward")
    spec["network"].update(n_neurons=100, engine=engine)
    spec["neuron"]["inhibitory_last"] = 20
    spec["weight"]["projections"] = [
        {"pre": [0, 80], "post": [0, 100], "fan_out": 10, "delay": delay},
        {"pre": [80, 100], "post": [0, 80], "fan_out": 10, "delay": 1},
    ]
    spec["weight"]["low"] = spec["weight"]["high"] = 1.0  # the small network stays active
    spec["neuron"]["noise"] = 20.0  # livelier than the paper network: events in a short run
    spec["rewarder"].update(window=200, delay_min=11, delay_max=300)  # rewards inside the run
    if delay != 1:
        spec["rewarder"]["count_from"] = "arrival"
    network = make_loop(spec).build()
    assert network.engine_name == engine, network.engine_reason
    network.reset()
    spikes, rewards = [], []
    for _ in range(seconds):
        network.tick(0)
        spikes.append(network.spike_log.copy())
        rewards.append(network.tick_rewards.copy())
    network.synapse.sync()
    return {
        "spikes": np.array(spikes),
        "rewards": np.array(rewards),
        "weights": network.weight.values.copy(),
        "eligibility": network.synapse.c_ref.copy(),
        "reward_times": network.rewarder.reward_times,
        "generator": network.rewarder.rng.bit_generator.state,
    }


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1, [1, 10]])
def test_distal_reward_network_identical(delay):
    # with delays the rule pairs by arrival time (its ring of recent spikes and pre traces)
    reference, compiled = distal_run("numpy", 3, delay), distal_run("numba", 3, delay)
    assert reference["reward_times"], "the run must deliver rewards to test anything"
    assert reference["spikes"].mean() > 0.001
    np.testing.assert_array_equal(compiled["spikes"], reference["spikes"])
    np.testing.assert_array_equal(compiled["rewards"], reference["rewards"])
    assert compiled["reward_times"] == reference["reward_times"]
    assert compiled["generator"] == reference["generator"]  # the same delays drawn
    np.testing.assert_allclose(compiled["weights"], reference["weights"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(compiled["eligibility"], reference["eligibility"], rtol=0, atol=1e-12)
    assert np.any(reference["weights"] != distal_run("numpy", 0, delay)["weights"])  # the rule learned


def test_distal_reward_network_runs_on_numba_by_default():
    spec = shipped("izhikevich2007-distal-reward")
    network = make_loop(spec).build()
    assert network.engine_name == "numba", network.engine_reason


@pytest.mark.slow
@pytest.mark.parametrize("weight", ["sparse", "random"])
def test_da_stdp_identical_on_sparse_and_dense_weights(weight):
    # the lazy rule through the optional weight roles (synapses_from / synapses_into / add_at) of
    # both layouts; the baseline dopamine moves the weights without any reward
    spec = {
        "seed": 7,
        "network": {"n_inputs": 0, "n_neurons": 200, "n_outputs": 1, "processing_time": 300},
        "input": {"type": "rate_map", "state_rate_map": [0.0]},
        "neuron": {"type": "izhikevich_network", "inhibitory_last": 40, "noise": 20.0},
        "weight": {
            "type": weight,
            "connection_probability": 0.1,
            "max_weight": 4.0,
            "low": 0.25,
            "high": 0.25,
        },
        "synapse": {"type": "da_stdp", "baseline": 0.05, "tau_c": 100.0},
        "readout": {"type": "threshold"},
    }
    if weight == "random":
        del spec["weight"]["low"]
    assert_identical(spec, 4)


@pytest.mark.slow
def test_distal_reward_experiment_gives_the_same_results_on_both_engines():
    # the experiment's own loop (the chosen synapse recorded each second with sync(ids), the
    # reward times collected from the rewarder) on both engines: every result and trajectory
    def results(engine):
        spec = shipped("izhikevich2007-distal-reward")
        spec["network"].update(n_neurons=100, engine=engine)
        spec["neuron"].update(inhibitory_last=20, noise=20.0)
        spec["weight"]["projections"] = [
            {"pre": [0, 80], "post": [0, 100], "fan_out": 10},
            {"pre": [80, 100], "post": [0, 80], "fan_out": 10},
        ]
        spec["weight"]["low"] = spec["weight"]["high"] = 1.0
        spec["rewarder"].update(window=200, delay_min=11, delay_max=300)
        spec["loop"]["duration"] = 3
        _, _, outcome, info = make_loop(spec)()
        return outcome, info["target_trajectory"], info["reward_times_s"]

    reference, compiled = results("numpy"), results("numba")
    assert reference[2], "rewards must be delivered to test anything"
    assert compiled == reference


@pytest.mark.slow
def test_classical_conditioning_experiment_gives_the_same_results_on_both_engines():
    # the stimuli input (its presentations drawn per game step), the reward on every S1 spike
    # (trigger = "pre") and da_stdp with fixed input synapses, through the experiment's own loop
    from test_classical_conditioning import reduced_spec  # tests/meta: the experiment at 100 neurons

    def results(engine):
        spec = reduced_spec(get_registry())
        spec["network"]["engine"] = engine
        loop = make_loop(spec)
        network, _, outcome, info = loop()
        assert network.engine_name == engine, network.engine_reason
        return outcome, info["presentation_response"], network.rewarder.reward_times

    reference, compiled = results("numpy"), results("numba")
    assert reference[2], "rewards must be delivered to test anything"
    assert compiled == reference
