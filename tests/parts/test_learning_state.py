"""Episode semantics and save/load of learning networks built from the real parts."""

from __future__ import annotations

import numpy as np
import pytest

from spikey_core import Network, build_game

#: the runs play the Logic game of spikey-games by its registered name
pytestmark = pytest.mark.needs("spikey-games")

SYNAPSES = [
    {"type": "rlstdp", "stdp_window": 10, "learning_rate": 0.05, "trace_decay": 0.1},
    {"type": "rlstdp", "stdp_window": 10, "learning_rate": 0.05, "trace_decay": 1.0},
    {"type": "ltp", "stdp_window": 10, "learning_rate": 0.05},
    {"type": "stdp", "learning_rate": 0.01},
    {"type": "mstdp", "learning_rate": 0.05},
    {"type": "da_stdp", "tau_c": 50.0, "tau_d": 20.0, "learning_rate": 1.0, "plastic": "all"},
    {"type": "mstdpet", "learning_rate": 0.05, "tau_z": 25.0},
]
SPARSE = {"type": "sparse", "fan_out": 4, "max_weight": 2.0, "delay": [1, 3]}


def spec(synapse, weight=None):
    return {
        "seed": 4,
        "network": {
            "n_inputs": 8,
            "n_neurons": 9,
            "n_outputs": 1,
            "processing_time": 30,
            "reward_mode": "step",
        },
        "input": {"type": "rate_map", "state_rate_map": [0.05, 0.3], "input_pct_inhibitory": 0.25},
        "neuron": {"type": "neuron", "firing_threshold": 1.5, "prob_rand_fire": 0.05, "refractory_period": 1},
        "weight": weight or {"type": "random", "layers": [8, 8, 1], "max_weight": 2.0},
        "synapse": synapse,
        "readout": {"type": "threshold"},
        "rewarder": {"type": "florian", "punish_mult": 1.0},
        "game": {"type": "logic", "preset": "XOR"},
    }


def play(network, game, ticks):
    """Ticks of play; returns the spike logs and the weights after each tick."""
    logs, weights = [], []
    state = game.state
    for _ in range(ticks):
        action = network.tick(state)
        next_state, *_ = game.step(action)
        network.reward(state, action, next_state)
        state = next_state
        logs.append(network.spike_log.copy())
        weights.append(network.weight.to_dense())
    return np.array(logs), np.array(weights)


def fresh(synapse, weight=None):
    game = build_game(spec(synapse)["game"])
    network = Network.from_spec(spec(synapse, weight), game=game)
    network.reset()
    game.reset(seed=1)
    return network, game


@pytest.mark.parametrize(
    ("synapse", "weight"),
    [(s, None) for s in SYNAPSES] + [(SYNAPSES[3], SPARSE), (SYNAPSES[5], SPARSE)],
    ids=[f"{s['type']}-{s.get('trace_decay', '')}" for s in SYNAPSES] + ["stdp-sparse", "da_stdp-sparse"],
)
def test_save_load_reproduces_a_continued_run_bit_for_bit(synapse, weight, tmp_path):
    network, game = fresh(synapse, weight)
    _, before = play(network, game, 5)
    assert not np.array_equal(before[0], before[-1])  # it learned something
    network.save(tmp_path / "net")
    loaded = Network.load(tmp_path / "net", game=game)
    twin_game = build_game(spec(synapse)["game"])
    twin_game.reset(seed=1)
    twin_game.np_random.bit_generator.state = game.np_random.bit_generator.state
    twin_game.state = game.state
    logs_a, weights_a = play(network, game, 6)
    logs_b, weights_b = play(loaded, twin_game, 6)
    assert np.array_equal(logs_a, logs_b)
    assert np.array_equal(weights_a, weights_b)


@pytest.mark.parametrize("synapse", SYNAPSES[:1] + SYNAPSES[-1:], ids=["rlstdp", "mstdpet"])
def test_reset_clears_traces_and_keeps_weights_and_generators(synapse):
    network, game = fresh(synapse)
    play(network, game, 4)
    learned = network.weight.matrix.copy()
    draws = network.neuron.rng.bit_generator.state
    network.reset()
    assert np.array_equal(network.weight.matrix, learned)
    assert network.neuron.rng.bit_generator.state == draws  # generators continue, never restart
    assert not network.neuron.potentials.any()
    rule = network.synapse
    traces = [
        getattr(rule, name)
        for name in ("eligibility", "pre_trace", "post_trace", "_ramp")
        if hasattr(rule, name)
    ]
    assert traces and all(not np.any(t) for t in traces)
    assert getattr(rule, "trace", 0.0) == 0.0


def test_a_copy_learns_like_the_original():
    network, game = fresh(SYNAPSES[0])
    play(network, game, 3)
    clone = network.copy()
    twin_game = build_game(spec(SYNAPSES[0])["game"])
    twin_game.reset(seed=1)
    twin_game.np_random.bit_generator.state = game.np_random.bit_generator.state
    twin_game.state = game.state
    assert np.array_equal(play(network, game, 3)[1], play(clone, twin_game, 3)[1])
