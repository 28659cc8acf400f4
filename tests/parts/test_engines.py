"""Engines: choice (auto / named), kernel declarations, block draws equal to step-by-step draws."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.kernels import kernel_of
from spikey_parts.inputs.rate_map import RateMap
from spikey_parts.inputs.spike_trains import SpikeTrains
from spikey_parts.inputs.static_map import StaticMap
from spikey_parts.neurons.neuron import Neuron
from spikey_parts.neurons.rand_potential import RandPotential

from spikey_core import BuildContext, Network, UnknownNameError, from_dict, get_registry


def small_network(**network) -> Network:
    return Network(
        n_inputs=4,
        n_neurons=5,
        n_outputs=1,
        processing_time=20,
        seed=3,
        input={"type": "rate_map", "state_rate_map": [0.0, 0.5]},
        neuron={"type": "neuron", "prob_rand_fire": 0.1, "firing_threshold": 1.0},
        weight={"type": "random", "max_weight": 1.0},
        readout="threshold",
        **network,
    )


def ctx(n_inputs=6, n_neurons=5, processing_time=7, seed=0):
    return BuildContext(
        n_inputs=n_inputs,
        n_neurons=n_neurons,
        n_outputs=1,
        processing_time=processing_time,
        rng=np.random.default_rng(seed),
    )


# -- choice ---------------------------------------------------------------------------------------
def test_numpy_engine_is_registered_and_chosen_by_name():
    assert "numpy" in get_registry().names("engine")
    network = small_network(engine="numpy")
    assert network.engine_name == "numpy"
    assert network.engine_reason == "requested by network.engine"


def test_unknown_engine_is_an_error_with_a_suggestion():
    with pytest.raises(
        UnknownNameError, match=r"\$\.network\.engine: no engine named 'numpyy'; did you mean 'numpy'"
    ):
        small_network(engine="numpyy")


def test_auto_names_the_engine_and_says_why():
    network = small_network()
    assert network.engine_name in get_registry().names("engine")
    assert network.engine_reason.startswith("auto: ")


def test_engine_setting_is_in_the_spec_and_the_log_metadata():
    from spikey_meta.logs import make_document

    network = small_network(engine="numpy")
    assert network.spec()["network"]["engine"] == "numpy"
    meta = make_document(network)["meta"]
    assert "numpy" in str(meta)


def test_numpy_engine_reproduces_itself_with_the_same_seed():
    first, second = small_network(engine="numpy"), small_network(engine="numpy")
    for network in (first, second):
        network.reset()
    for state in [(0, 1), (1, 1), (1, 0)] * 3:
        first.tick(state)
        second.tick(state)
        np.testing.assert_array_equal(first.spike_log, second.spike_log)


def learning_network(rule: dict) -> Network:
    return Network(
        n_inputs=6,
        n_neurons=7,
        n_outputs=1,
        processing_time=30,
        reward_mode="step",
        seed=5,
        input={"type": "rate_map", "state_rate_map": [0.05, 0.6]},
        neuron={"type": "neuron", "prob_rand_fire": 0.2, "firing_threshold": 0.8, "refractory_period": 1},
        weight={"type": "random", "max_weight": 2.0},
        synapse=rule,
        readout="threshold",
        rewarder={"type": "florian", "expected_value": lambda state: bool(state[0] != state[1])},
        engine="numpy",
    )


def tick_by_hand(network: Network, state) -> None:
    """One game step through the parts' own methods, step by step (no engine)."""
    network.input.update(state)
    n_in = network.n_inputs
    for t in range(network.processing_time):
        row = network.spike_log[t]
        row[:n_in] = network.input.fire()
        row[n_in:] = network.neuron.fire()
        network.weight.propagate(row, network._emit, network._current)
        network.neuron.integrate(network._current)
        network.synapse.step(row)
        network.synapse.reward(float(network.rewarder(state, row[-1:], None)))


@pytest.mark.parametrize(
    "rule",
    [
        {"type": "rlstdp", "stdp_window": 6, "learning_rate": 0.2, "trace_decay": 0.3},
        {"type": "mstdpet", "learning_rate": 0.3, "tau_z": 10.0},
    ],
)
def test_numpy_engine_equals_the_parts_methods_step_by_step_with_changes_between_game_steps(rule):
    # The engine builds the kernels' arguments once per game step; the parts' methods build them
    # at every call. Parameters changed between game steps (as modifiers do) must reach both, and
    # the engine's noise block must be the numbers fire() draws step by step.
    engine_run, by_hand = learning_network(rule), learning_network(rule)
    for network in (engine_run, by_hand):
        network.reset()
    states = [(0, 1), (1, 1), (1, 0), (0, 0)] * 2
    for i, state in enumerate(states):
        for network in (engine_run, by_hand):
            network.synapse.learning_rate = 0.1 + 0.05 * i
            network.neuron.firing_threshold = 0.6 + 0.1 * (i % 3)
        engine_run.tick(state)
        tick_by_hand(by_hand, state)
        np.testing.assert_array_equal(engine_run.spike_log, by_hand.spike_log)
        np.testing.assert_array_equal(engine_run.weight.values, by_hand.weight.values)
        np.testing.assert_array_equal(engine_run.neuron.potentials, by_hand.neuron.potentials)
    assert engine_run.spike_log[:, 6:].any() and not np.array_equal(
        engine_run.weight.values, learning_network(rule).weight.values
    )  # the neurons fired and the rule learned: the comparison was not vacuous
    assert engine_run.synapse._held_arguments is None  # released after every game step


# -- kernels --------------------------------------------------------------------------------------
def test_a_subclass_overriding_fire_has_no_kernel():
    class Custom(Neuron):
        def fire(self):
            return super().fire()

    part = Custom(from_dict(Neuron.Config, {}), ctx())
    kernel, reason = kernel_of(part, "neuron")
    assert kernel is None
    assert "Custom overrides fire()" in reason
    assert kernel_of(Neuron(from_dict(Neuron.Config, {}), ctx()), "neuron")[0] is not None


def test_a_part_without_kernel_says_so():
    class Bare:
        pass

    kernel, reason = kernel_of(Bare(), "neuron")
    assert kernel is None and "Bare declares no compiled KERNEL" in reason


@pytest.mark.parametrize("cls", [Neuron, RandPotential])
def test_kernel_noise_is_what_fire_draws(cls):
    """A block of P rows of noise holds the numbers P calls of fire() consume, in order."""
    stepwise = cls(from_dict(cls.Config, {"prob_rand_fire": 0.3}), ctx(seed=5))
    blockwise = cls(from_dict(cls.Config, {"prob_rand_fire": 0.3}), ctx(seed=5))
    for _ in range(7):
        stepwise.fire()
        stepwise.integrate(np.zeros(5))
    block = blockwise.kernel_noise(7)
    assert block.shape == (7, 5 * cls.CROSSING_MODE)
    assert stepwise.rng.random() == blockwise.rng.random()


@pytest.mark.parametrize(
    "cls, settings, state",
    [
        (RateMap, {"state_rate_map": [0.2, 0.7]}, (1, 0)),
        (RateMap, {"state_rate_map": [0.2, 0.7], "input_firing_steps": 3}, (1, 1)),
        (SpikeTrains, {"rate": 0.4}, (1, 0)),
        (StaticMap, {"state_spike_map": {"(1, 0)": [1, 0, 0, 1, 1, 0]}}, (1, 0)),
    ],
)
def test_spike_block_equals_step_by_step_fire(cls, settings, state):
    stepwise = cls(from_dict(cls.Config, settings), ctx(seed=9))
    blockwise = cls(from_dict(cls.Config, settings), ctx(seed=9))
    for _ in range(3):  # three game steps: the generator position must agree after each
        stepwise.update(state)
        blockwise.update(state)
        expected = np.array([stepwise.fire().copy() for _ in range(7)])
        block = np.zeros((7, 6), dtype=bool)
        blockwise.spike_block(block)
        np.testing.assert_array_equal(block, expected)
        assert blockwise.tick_step == stepwise.tick_step == 7
    assert stepwise.rng.random() == blockwise.rng.random()


@pytest.mark.needs("spikey-games")
def test_cli_engine_option_reaches_the_network(tmp_path, capsys):
    from spikey_core.cli import main

    status = main(
        [
            "run",
            "florian-rate-xor",
            "--engine",
            "numpyy",
            "--out",
            str(tmp_path),
            "--set",
            "loop.len_episode=1",
        ]
    )
    assert status == 2
    assert "no engine named 'numpyy'" in capsys.readouterr().err
