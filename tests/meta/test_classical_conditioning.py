"""The classical-conditioning loop (Izhikevich 2007 Fig. 2): responses counted from the spikes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from spikey_meta.experiments.classical_conditioning import CONDITIONING_KEYS, ResponseCounter

NAME = "izhikevich2007-conditioning"


@pytest.mark.parametrize("block", [7, 40, 300])
def test_responses_equal_a_count_over_the_whole_spike_record(block):
    rng = np.random.default_rng(block)
    n_in, n, steps, window = 4, 30, 900, 6
    log = np.zeros((steps, n_in + n), dtype=bool)
    log[:, n_in:] = rng.random((steps, n)) < 0.08
    shown = np.sort(rng.choice(steps - 20, 25, replace=False))
    log[shown, rng.integers(0, n_in, shown.size)] = True
    members = rng.random((n_in, n)) < 0.3
    counter = ResponseCounter(members, window)
    for start in range(0, steps, block):  # game steps of `block` network steps
        counter.add(log[start : start + block])
    expected = []
    for t, unit in zip(*np.nonzero(log[:, :n_in]), strict=True):
        if t + 2 + window <= steps:  # the window is over within the record
            outside = np.flatnonzero(~members[unit])
            expected.append((int(t), int(unit), int(log[t + 2 : t + 2 + window, n_in + outside].sum())))
    assert sorted(counter.presentations) == sorted(expected) and len(expected) >= 20


def reduced_spec(registry, duration=4):
    spec = registry.get("experiment", NAME)().load_spec()
    spec["network"].update(n_inputs=10, n_neurons=100, engine="numpy")
    spec["neuron"]["inhibitory_last"] = 20
    spec["input"].update(interval_min=20, interval_max=40)
    spec["weight"]["projections"] = [
        {"pre": [0, 10], "post": [0, 100], "fan_out": 5, "low": 1.0, "high": 1.0},
        {"pre": [10, 90], "post": [0, 100], "fan_out": 10, "low": 1.0, "high": 1.0},
        {"pre": [90, 110], "post": [0, 80], "fan_out": 10, "low": 0.25, "high": 0.25},
    ]
    spec["rewarder"].update(delay_max=100)
    spec["loop"].update(duration=duration, phase=2)
    return spec


def test_the_reduced_experiment_reports_what_it_declares_and_rewards_s1(tmp_path, first_party_registry):
    registry = first_party_registry
    experiment = registry.get("experiment", NAME)()
    loop = experiment.make_loop(reduced_spec(registry), seed=3, registry=registry)
    network, _, results, info = loop()
    assert loop.result_keys() == set(results) >= set(CONDITIONING_KEYS)
    stimuli = np.asarray(info["presentation_stimulus"])
    assert results["n_presentations"] == stimuli.size >= 4000 // 40 - 2
    assert results["n_s1_presentations"] == int((stimuli == 0).sum()) > 0
    rewards = np.asarray(network.rewarder.reward_times)
    s1_steps = 1000 * np.asarray(info["presentation_s"])[stimuli == 0]
    assert results["n_rewards"] > 0 and rewards.size <= s1_steps.size + 1
    assert all(np.any((s1_steps < r) & (r <= s1_steps + 100)) for r in rewards)  # each follows an S1
    # the stimulus sets are the input units' targets; their input synapses stayed fixed at 4
    assert loop.members.sum(axis=1).tolist() == [5] * 10
    ids = network.weight.synapses_from(np.arange(10))[0]
    assert np.all(network.weight.values[ids] == 4.0)
    assert all(math.isfinite(results[k]) for k in ("response_others_start", "weight_s1_out"))
    paths = experiment.write_outputs(tmp_path, "run", network, None, results, info)
    assert [p.name for p in paths] == ["run-response.png", "run-weights.png"]
    again = experiment.make_loop(reduced_spec(registry), seed=3, registry=registry)()[2]
    assert again == results or all(
        a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))
        for a, b in zip(again.values(), results.values(), strict=True)
    )
