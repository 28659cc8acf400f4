"""Readouts on hand-made spike arrays (P steps x O outputs)."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.readouts.neuron_rates import NeuronRates
from spikey_parts.readouts.population_vector import PopulationVector
from spikey_parts.readouts.threshold import Threshold
from spikey_parts.readouts.top_action import TopAction

from spikey_core import BuildContext, ConfigError, from_dict

# P = 2 steps, O = 5 outputs: per-neuron spike counts [2, 0, 1, 1, 2]
SPIKES5 = np.array([[1, 0, 1, 0, 1], [1, 0, 0, 1, 1]], dtype=bool)
POLARITIES5 = np.array([1.0, 1.0, -1.0, 1.0, 1.0])


def build(cls, n_outputs, processing_time=2, seed=0, **settings):
    ctx = BuildContext(
        n_inputs=1,
        n_neurons=max(n_outputs, 1),
        n_outputs=n_outputs,
        processing_time=processing_time,
        rng=np.random.default_rng(seed),
    )
    return cls(from_dict(cls.Config, settings), ctx)


# -- threshold ----------------------------------------------------------------------------------


def spikes_with_rate(eighths):
    """(4, 2) spikes with ``eighths`` spikes in total, all excitatory: rate = eighths / 8."""
    spikes = np.zeros(8, dtype=bool)
    spikes[:eighths] = True
    return spikes.reshape(4, 2)


def test_threshold_fixed():
    spikes = np.array([[1, 0], [1, 1], [0, 0], [1, 0]], dtype=bool)  # 4 spikes of 8 -> rate 0.5
    ones = np.ones(2)
    assert build(Threshold, 2, 4, action_threshold=0.5)(spikes, ones) == 1  # rate >= threshold
    assert build(Threshold, 2, 4, action_threshold=0.6)(spikes, ones) == 0
    # the inhibitory second output pulls the rate to (3 - 1) / 8 = 0.25
    readout = build(Threshold, 2, 4, action_threshold=0.3, output_range=[-1, 1])
    assert readout(spikes, np.array([1.0, -1.0])) == -1
    assert readout(spikes, ones) == 1


def test_threshold_mean_uses_every_previous_rate_and_survives_reset():
    readout = build(Threshold, 2, 4, action_threshold="mean")
    ones = np.ones(2)
    # rates 0.5, 0.25, 0.0, 0.5 against thresholds 0 (first call), 0.5, 0.375, 0.25
    assert [readout(spikes_with_rate(k), ones) for k in (4, 2, 0, 4)] == [1, 0, 0, 1]
    readout.reset()
    # history kept: mean(0.5, 0.25, 0, 0.5) = 0.3125 > 0.25
    assert readout(spikes_with_rate(2), ones) == 0
    np.testing.assert_allclose(readout.rate_history, [1.5, 5])


def test_threshold_without_outputs_reads_rate_zero():
    readout = build(Threshold, 0, 3, action_threshold=0.1, output_range=[7, 9])
    assert readout(np.zeros((3, 0), dtype=bool), np.zeros(0)) == 7


def test_threshold_config_errors():
    with pytest.raises(ConfigError, match="output_range: must hold exactly 2"):
        build(Threshold, 2, output_range=[0, 1, 2])
    with pytest.raises(ConfigError, match="action_threshold"):
        build(Threshold, 2, action_threshold="median")


# -- neuron rates ------------------------------------------------------------------------------


def test_neuron_rates_groups():
    # groups floor(linspace(0, 5, 3)) -> [0, 1], [2, 3, 4]; signed counts [2, 0, -1, 1, 2]
    rates = build(NeuronRates, 5, n_actions=2)(SPIKES5, POLARITIES5)
    np.testing.assert_allclose(rates, [2 / (2 * 2), 2 / (2 * 3)])


def test_neuron_rates_one_per_neuron():
    rates = build(NeuronRates, 5, n_actions=0)(SPIKES5, POLARITIES5)
    np.testing.assert_allclose(rates, [1.0, 0.0, -0.5, 0.5, 1.0])


def test_neuron_rates_more_groups_than_outputs_is_an_error():
    with pytest.raises(ConfigError, match="n_actions.*<= network.n_outputs = 2"):
        build(NeuronRates, 2, n_actions=3)


# -- population vector ---------------------------------------------------------------------------


def test_population_vector_spreads_remainder_neurons_and_normalises_by_group_size():
    # group counts [2, 4] over sizes [2, 3] -> rates [1, 4/3] -> shares [3/7, 4/7]; polarity is ignored
    vector = build(PopulationVector, 5, n_actions=2)(SPIKES5, POLARITIES5)
    np.testing.assert_allclose(vector, [3 / 7, 4 / 7])


def test_population_vector_equal_groups_is_the_count_share():
    spikes = np.array([[1, 1, 0, 0, 0, 1], [1, 0, 0, 0, 1, 1]], dtype=bool)  # groups [3, 0, 3]
    vector = build(PopulationVector, 6, n_actions=3)(spikes, np.ones(6))
    np.testing.assert_allclose(vector, [0.5, 0.0, 0.5])


def test_population_vector_uniform_when_silent():
    vector = build(PopulationVector, 6, n_actions=4)(np.zeros((2, 6), dtype=bool), np.ones(6))
    np.testing.assert_array_equal(vector, [0.25] * 4)


# -- top action ------------------------------------------------------------------------------------


def test_top_action_picks_the_most_active_group():
    assert build(TopAction, 5, n_actions=2)(SPIKES5, POLARITIES5) == 1


def test_top_action_breaks_ties_with_its_own_generator():
    silent = np.zeros((2, 6), dtype=bool)
    picks = [build(TopAction, 6, n_actions=3, seed=s)(silent, np.ones(6)) for s in range(3)]
    readout = build(TopAction, 6, n_actions=3, seed=11)
    draws = np.array([readout(silent, np.ones(6)) for _ in range(300)])
    counts = np.bincount(draws, minlength=3)
    assert np.all(np.abs(counts - 100) < 40), counts  # binomial sd 8.2
    again = build(TopAction, 6, n_actions=3, seed=11)
    np.testing.assert_array_equal(draws, [again(silent, np.ones(6)) for _ in range(300)])
    assert all(p in (0, 1, 2) for p in picks)


def test_top_action_ties_between_groups_of_different_sizes():
    # groups [0] and [1, 2]: counts 1 and 2 -> equal rates 1 and 2/2; both must be chosen sometimes
    spikes = np.array([[1, 1, 1], [0, 0, 0]], dtype=bool)
    readout = build(TopAction, 3, n_actions=2, seed=2)
    assert set(readout(spikes, np.ones(3)) for _ in range(50)) == {0, 1}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_readouts_conform(dtype):
    check_part("readout", Threshold, dtype=dtype)
    check_part("readout", Threshold, settings={"action_threshold": "mean"}, dtype=dtype)
    check_part("readout", NeuronRates, dtype=dtype)
    check_part("readout", PopulationVector, settings={"n_actions": 2}, dtype=dtype)
    check_part("readout", TopAction, settings={"n_actions": 2}, dtype=dtype)
