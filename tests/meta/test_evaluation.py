"""Frozen evaluation and the frozen learning curve: fresh patterns, learning off, streams untouched."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.evaluation import Record, frozen_run
from spikey_core.loops import build_game
from spikey_meta.experiments.scoring import auc, best_threshold, xor_frozen_scores

from spikey_core import make_loop


def small_xor(**loop):
    """A 6-input, 4-hidden, 1-output rate XOR learning with mstdp (fast)."""
    return {
        "seed": 3,
        "network": {
            "n_inputs": 6,
            "n_neurons": 5,
            "n_outputs": 1,
            "processing_time": 30,
            "reward_mode": "step",
        },
        "input": {"type": "poisson", "state_rates_hz": [0.0, 200.0], "input_pct_inhibitory": 0.5},
        "neuron": {"type": "noisy_lif", "v_threshold": -60.0, "noise_std": 2.0, "refractory_ms": 1.0},
        "weight": {"type": "random", "layers": [6, 4, 1], "max_weight": 8.0, "high": 1.0},
        "synapse": {"type": "mstdp", "learning_rate": 0.05},
        "readout": {"type": "threshold", "action_threshold": 0.0},
        "rewarder": {"type": "florian", "reward_mult": 1.0, "punish_mult": 1.0},
        "game": {"type": "logic", "preset": "XOR"},
        "loop": {"type": "generic", "n_episodes": 1, "len_episode": 30, **loop},
    }


def test_auc_and_best_threshold_by_hand():
    # positives 0.9, 0.4; negatives 0.1, 0.4: pairs (0.9>0.1, 0.9>0.4, 0.4>0.1, 0.4=0.4 half) = 3.5/4
    assert auc([0.9, 0.4, 0.1, 0.4], [True, True, False, False]) == pytest.approx(0.875)
    assert np.isnan(auc([0.1, 0.2], [True, True]))
    # scores 0.1 F, 0.2 F, 0.5 T, 0.7 T: any threshold in (0.2, 0.5) is perfect; the midpoint 0.35 is chosen
    assert best_threshold([0.7, 0.1, 0.5, 0.2], [True, False, True, False]) == pytest.approx(0.35)


def test_xor_frozen_scores_take_the_threshold_from_training_only():
    training_states = [(0, 1), (1, 1)] * 10
    training_rates = [0.30, 0.10] * 10  # training threshold: 0.2
    frozen_states = [(0, 1), (1, 0), (0, 0), (1, 1)]
    # frozen rates all above 0.2: the frozen patterns alone would put a threshold at 0.5 (accuracy 1)
    frozen_rates = [0.6, 0.7, 0.3, 0.4]
    scores = xor_frozen_scores(frozen_states, frozen_rates, training_states, training_rates)
    assert scores["eval_threshold"] == pytest.approx(0.2)
    assert scores["eval_accuracy"] == pytest.approx(0.5)  # both false patterns exceed 0.2
    assert scores["eval_auc"] == pytest.approx(1.0)
    assert scores["eval_rate_TT"] == pytest.approx(0.4)


def test_frozen_run_changes_nothing_and_draws_fresh_patterns(first_party_registry):
    spec = small_xor()
    loop = make_loop(spec, registry=first_party_registry)
    network, game, _, _ = loop()
    weights, rng_state = network.weight.matrix.copy(), network.input.rng.bit_generator.state

    def make_game():
        return build_game(spec["game"], registry=first_party_registry)

    first = frozen_run(network, make_game, 12, seed=3)
    again = frozen_run(network, make_game, 12, seed=3)
    other = frozen_run(network, make_game, 12, seed=3, stream="another")
    np.testing.assert_array_equal(network.weight.matrix, weights)  # learning was frozen
    assert network.training and network.input.rng.bit_generator.state == rng_state
    assert first.rates == again.rates and [tuple(s) for s in first.states] == [tuple(s) for s in again.states]
    assert [tuple(s) for s in first.states] != [tuple(s) for s in other.states]
    assert len(first) == 12 and all(0.0 <= r <= 1.0 for r in first.rates)


def test_evaluation_and_learning_curve_leave_the_training_run_unchanged(first_party_registry):
    plain_network, _, plain, plain_info = make_loop(small_xor(), registry=first_party_registry)()
    evaluated = small_xor(eval_patterns=8, curve_every=10, curve_patterns=4)
    network, _, results, info = make_loop(evaluated, registry=first_party_registry)()
    np.testing.assert_array_equal(network.weight.matrix, plain_network.weight.matrix)
    assert info["curve_step"] == [10, 20, 30]
    assert len(info["curve_eval_reward"]) == 3 and len(info["eval_rates"]) == 8
    assert "eval_reward" in results and "eval_reward" not in plain
    assert "curve_step" not in plain_info


def reduced_xor_eval(seed, registry):
    experiment = registry.get("experiment", "florian-rate-xor")()
    spec = experiment.load_spec()
    spec["network"]["processing_time"] = 20
    spec["loop"].update(len_episode=12, eval_patterns=10, curve_every=6, curve_patterns=4)
    _, _, results, info = experiment.make_loop(spec, seed=seed, registry=registry)()
    keys = ("eval_accuracy", "eval_auc", "eval_rate_FT", "eval_rate_TT")
    return {key: results[key] for key in keys}, info["eval_rates"], info["curve_eval_accuracy"]


def test_same_seed_same_evaluation_in_every_process_and_backend(first_party_registry):
    from spikey_core.backends.serial import SerialBackend
    from spikey_meta.backends.multiprocessing import MultiprocessingBackend

    jobs = [(5, first_party_registry), (6, first_party_registry)]  # the registry travels with the job
    serial = SerialBackend().map(reduced_xor_eval, jobs)
    with MultiprocessingBackend(workers=2, start_method="spawn") as backend:
        parallel = backend.map(reduced_xor_eval, jobs)
    assert serial == parallel
    assert serial[0] != serial[1]


def test_record_collects_per_game_step_signals():
    record = Record()
    record.add((0, 1), 0.25, 1.0)
    assert len(record) == 1 and record.rates == [0.25] and record.rewards == [1.0]
