"""The sparse weight (memory, equivalence with dense) and conduction delays (hand-derived arrivals)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.weights.manual import Manual
from spikey_parts.weights.random import Random
from spikey_parts.weights.sparse import Sparse

from spikey_core import BuildContext, ConfigError, Network, from_dict


def build(cls, n_inputs=2, n_neurons=3, seed=0, **settings):
    ctx = BuildContext(
        n_inputs=n_inputs,
        n_neurons=n_neurons,
        n_outputs=1,
        processing_time=2,
        rng=np.random.default_rng(seed),
    )
    return cls(from_dict(cls.Config, settings), ctx)


def recurrent(weight, synapse, *, n_inputs=10, n_neurons=60, seed=5):
    """A network of spontaneously firing threshold neurons driven through ``weight``."""
    return Network(
        n_inputs=n_inputs,
        n_neurons=n_neurons,
        n_outputs=1,
        processing_time=50,
        input={"type": "rate_map", "state_rate_map": [0.2]},
        neuron={"type": "neuron", "firing_threshold": 1.5, "potential_decay": 0.2, "prob_rand_fire": 0.03},
        weight=weight,
        synapse=synapse,
        readout={"type": "threshold"},
        seed=seed,
    )


# -- sparse --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings",
    [{}, {"fan_out": 3}, {"fan_out": 2, "delay": [1, 3]}, {"connection_probability": 0.5, "delay": 4}],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sparse_conforms(settings, dtype):
    check_part("weight", Sparse, settings=settings, dtype=dtype)


@pytest.mark.parametrize("settings", [{"delay": [1, 4]}, {"delay": 3, "connection_probability": 0.5}])
def test_dense_with_delays_conforms(settings):
    check_part("weight", Random, settings=settings)


def test_fixed_fan_out_gives_distinct_targets_and_no_self_synapse():
    weight = build(Sparse, n_inputs=3, n_neurons=8, fan_out=5)
    mask = weight.dense_mask()
    assert mask.sum(axis=1).tolist() == [5] * 11
    assert not np.any(np.diag(mask[3:]))  # body unit j = 3 + i never targets body neuron i
    assert weight.n_synapses == 55


def test_connection_probability_matches_its_expectation():
    weight = build(Sparse, n_inputs=0, n_neurons=400, connection_probability=0.05)
    expected = 400 * 399 * 0.05
    assert abs(weight.n_synapses - expected) < 4 * np.sqrt(expected)  # binomial: 4 standard deviations


def test_projections_restrict_sources_and_targets():
    # units 0..3 (inputs) -> neurons 0..4 only; neurons 5..7 (units 8..10) -> neurons 0..1 only
    weight = build(
        Sparse,
        n_inputs=3,
        n_neurons=8,
        low=0.5,
        high=0.5,
        projections=[
            {"pre": [0, 3], "post": [0, 5], "fan_out": 5},
            {"pre": [8, 11], "post": [0, 2], "fan_out": 2},
        ],
    )
    mask = weight.dense_mask()
    assert mask[:3, :5].all() and not mask[:3, 5:].any()
    assert mask[8:, :2].all() and not mask[8:, 2:].any()
    assert not mask[3:8].any()
    assert np.all(weight.to_dense()[mask] == 0.5)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"fan_out": 5}, r"\$\.weight\.fan_out \(Sparse\): 5 exceeds the 4 distinct targets"),
        (
            {"projections": [{"pre": [0, 9]}]},
            r"\$\.weight\.projections\[0\]\.pre \(Sparse\): must be \[first, end\)",
        ),
        ({"projections": [{"pre": [0, 2], "fanout": 1}]}, r"unknown key\(s\) fanout"),
        ({"delay": 0}, r"delay: must be an integer number of steps >= 1"),
        ({"delay": [3, 1]}, r"delay: must have first <= last"),
    ],
)
def test_bad_sparse_settings_are_named(settings, message):
    with pytest.raises(ConfigError, match=message):
        build(Sparse, n_inputs=2, n_neurons=4, **settings)


@pytest.mark.parametrize("synapse", [{"type": "stdp", "learning_rate": 0.05}, {"type": "rlstdp"}])
def test_sparse_gives_the_same_spikes_and_weights_as_dense_on_the_same_connectivity(synapse):
    sparse = recurrent({"type": "sparse", "fan_out": 12, "max_weight": 1.0}, synapse)
    connectivity = sparse.weight
    dense = recurrent(
        {"type": "manual", "matrix": connectivity.to_dense(), "mask": connectivity.dense_mask()}, synapse
    )
    logs = []
    for net in (sparse, dense):
        net.reset()
        spikes = []
        for _ in range(8):
            net.tick(0)
            if synapse["type"] == "rlstdp":
                net.synapse.reward(1.0)
            spikes.append(net.spike_log.copy())
        logs.append(np.array(spikes))
    assert logs[0].sum() > 100  # the comparison is not between two silent networks
    assert np.array_equal(logs[0], logs[1])
    assert not np.allclose(sparse.weight.to_dense(), connectivity.dense_mask() * 0.0)  # it learned
    np.testing.assert_allclose(sparse.weight.to_dense(), dense.weight.to_dense(), rtol=0, atol=1e-12)


def test_sparse_network_never_allocates_a_dense_matrix():
    # 1,000 neurons, 100 synapses each = 100,000 synapses; one dense (U, N) float64 matrix is 8 MB,
    # so a traced peak below 8 MB proves none was allocated, in construction or while learning
    dense_bytes = 1000 * 1000 * 8
    recurrent({"type": "sparse", "fan_out": 5}, {"type": "mstdpet"}).tick(0)  # imports are not counted
    tracemalloc.start()
    try:
        weight = {"type": "sparse", "fan_out": 100, "high": 0.02}  # a few % of the neurons spike per step
        rule = {"type": "mstdpet", "learning_rate": 0.01}
        net = recurrent(weight, rule, n_inputs=0, n_neurons=1000)
        held, build_peak = tracemalloc.get_traced_memory()  # held: the network's own arrays
        tracemalloc.reset_peak()
        net.reset()
        for _ in range(4):
            net.tick(0)
            net.synapse.reward(1.0)
        _, run_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert net.weight.n_synapses == 100_000
    assert 0.01 < net.spike_log.mean() < 0.2
    assert build_peak < dense_bytes, f"construction peak {build_peak / 1e6:.1f} MB"
    assert held < dense_bytes / 2, f"the network holds {held / 1e6:.1f} MB"
    assert run_peak - held < dense_bytes / 4, (
        f"simulation peak {(run_peak - held) / 1e6:.1f} MB above the network"
    )


# -- delays ----------------------------------------------------------------------------------------
def test_delays_are_spread_evenly_over_each_units_synapses():
    weight = build(Sparse, n_inputs=0, n_neurons=101, fan_out=100, delay=[1, 20])
    delays = weight.dense_delays()[weight.dense_mask()].reshape(101, 100)
    for row in delays:
        assert np.bincount(row, minlength=21)[1:].tolist() == [5] * 20


@pytest.mark.parametrize("cls", [Manual, Sparse])
def test_hand_derived_arrival_times(cls):
    # one input unit onto 3 neurons with delays 1, 2, 3 (spread [1, 3] over its 3 synapses in order)
    if cls is Manual:
        weight = build(
            Manual, n_inputs=1, n_neurons=3, matrix=[[1.0, 2.0, 4.0]] + [[0.0] * 3] * 3, delay=[1, 3]
        )
    else:
        weight = build(
            Sparse,
            n_inputs=1,
            n_neurons=3,
            low=1.0,
            high=1.0,
            max_weight=4.0,
            delay=[1, 3],
            projections=[{"pre": [0, 1], "post": [0, 3], "fan_out": 3}],
        )
    weights, delays = weight.to_dense()[0], weight.dense_delays()[0]
    assert sorted(delays.tolist()) == [1, 2, 3]  # sparse: delays in draw order, targets random
    emit = np.array([2.0, 1.0, 1.0, 1.0])
    out = np.zeros(3)
    arrivals = []
    for t in range(5):
        spikes = np.zeros(4, dtype=bool)
        spikes[0] = t in (0, 1)  # the input spikes at steps 0 and 1
        weight.propagate(spikes, emit, out)
        arrivals.append(out.copy())
    # spike at t arrives through the delay-d synapse in the input of step t + d - 1
    expected = np.zeros((5, 3))
    for spike_time in (0, 1):
        for k, d in enumerate(delays):
            expected[spike_time + d - 1, k] += 2.0 * weights[k]
    np.testing.assert_array_equal(np.array(arrivals), expected)
    # step 1: the delay-1 synapse carries spike 1, the delay-2 synapse spike 0, the delay-3 one nothing
    by_delay = {d: k for k, d in enumerate(delays)}
    assert arrivals[1][by_delay[1]] == 2.0 * weights[by_delay[1]]
    assert arrivals[1][by_delay[2]] == 2.0 * weights[by_delay[2]]
    assert arrivals[1][by_delay[3]] == 0.0
    assert arrivals[4].tolist() == [0.0, 0.0, 0.0]


def test_delay_in_a_network_moves_the_postsynaptic_spike():
    # input -> neuron 0, threshold reached by one spike: the neuron fires d steps after the input
    for delay in (1, 2, 5):
        net = Network(
            n_inputs=1,
            n_neurons=1,
            n_outputs=1,
            processing_time=10,
            input={"type": "rate_map", "state_rate_map": [1.0]},  # the input spikes at every step
            neuron={
                "type": "neuron",
                "firing_threshold": 0.5,
                "potential_decay": 1.0,
                "refractory_period": 0,
            },
            weight={"type": "manual", "matrix": [[1.0], [0.0]], "delay": delay},
            readout={"type": "threshold"},
            seed=0,
        )
        net.reset()
        net.tick(0)
        body = net.spike_log[:, 1]
        # the spike of step 0 arrives at the end of step d - 1, so the neuron first fires at step d
        assert np.flatnonzero(body)[0] == delay


def test_reset_drops_input_in_flight_and_save_keeps_it(tmp_path):
    weight = build(Manual, n_inputs=1, n_neurons=1, matrix=[[1.0], [0.0]], delay=3)
    out = np.zeros(1)
    weight.propagate(np.array([True, False]), np.ones(2), out)
    state = weight.state_dict()
    clone = build(Manual, n_inputs=1, n_neurons=1, matrix=[[1.0], [0.0]], delay=3)
    clone.load_state_dict(state)
    for part in (weight, clone):
        part.propagate(np.zeros(2, bool), np.ones(2), out)
        part.propagate(np.zeros(2, bool), np.ones(2), out)
        assert out.tolist() == [1.0]
    weight.propagate(np.array([True, False]), np.ones(2), out)
    weight.reset()
    for _ in range(3):
        weight.propagate(np.zeros(2, bool), np.ones(2), out)
        assert out.tolist() == [0.0]
