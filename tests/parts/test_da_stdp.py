"""da_stdp (Izhikevich 2007) against a brute-force per-step, per-synapse integration of its equations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_core.weights import DenseWeight
from spikey_parts.synapses.da_stdp import DASTDP
from spikey_parts.weights.sparse import Sparse

from spikey_core import BuildContext, from_dict

N_IN, N_BODY, MAX_WEIGHT = 3, 5, 4.0
SETTINGS = {"tau_c": 50.0, "tau_d": 20.0, "learning_rate": 0.1, "baseline": 0.01}


class Unit:
    def __init__(self, polarities):
        self.polarities = np.asarray(polarities, dtype=float)


def make_rule(weight, polarities, **settings):
    ctx = BuildContext(
        n_inputs=N_IN,
        n_neurons=N_BODY,
        n_outputs=1,
        processing_time=1,
        parts={"input": Unit(polarities[:N_IN]), "neuron": Unit(polarities[N_IN:]), "weight": weight},
    )
    return DASTDP(from_dict(DASTDP.Config, {**SETTINGS, **settings}), ctx)


def scenario(seed, steps=400):
    rng = np.random.default_rng(seed)
    spikes = rng.random((steps, N_IN + N_BODY)) < 0.08
    rewards = np.where(rng.random(steps) < 0.03, rng.choice([0.5, 1.0, 2.0], steps), 0.0)
    mask = rng.random((N_IN + N_BODY, N_BODY)) < 0.8
    mask[N_IN:][np.eye(N_BODY, dtype=bool)] = False
    start = rng.choice([0.0, 1.0, 3.9], size=mask.shape) * mask
    polarities = np.where(rng.random(N_IN + N_BODY) < 0.75, 1.0, -1.0)
    return spikes, rewards, mask, start, polarities


def brute_force(spikes, rewards, mask, start, polarities, settings):
    """Every synapse every step: the exact solution over the step, clipped, then the step's events."""
    tau_c, tau_d = settings["tau_c"], settings["tau_d"]
    eta, b = settings["learning_rate"], settings["baseline"]
    tau_mix = tau_c * tau_d / (tau_c + tau_d)
    w, c = start.copy(), np.zeros_like(start)
    d = 0.0
    x, y = np.zeros(N_IN + N_BODY), np.zeros(N_BODY)  # pre and post traces
    plastic = (polarities > 0)[:, None] & mask
    history = []
    for t in range(len(spikes)):
        w += eta * c * (d * tau_mix * (1 - math.exp(-1 / tau_mix)) + b * tau_c * (1 - math.exp(-1 / tau_c)))
        w = np.clip(w, 0.0, MAX_WEIGHT) * mask
        c *= math.exp(-1 / tau_c)
        d *= math.exp(-1 / tau_d)
        s = spikes[t]
        y *= math.exp(-1 / 20)
        y[s[N_IN:]] = 1.0
        for j in range(N_IN + N_BODY):
            for k in range(N_BODY):
                if not plastic[j, k]:
                    continue
                if s[N_IN + k]:
                    c[j, k] += 0.1 * x[j]
                if s[j]:
                    c[j, k] -= 0.15 * y[k]
        x *= math.exp(-1 / 20)
        x[s] = 1.0
        d += rewards[t]
        history.append(w.copy())
    return np.array(history), c


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_lazy_rule_equals_the_per_step_integration(seed, layout):
    spikes, rewards, mask, start, polarities = scenario(seed)
    if layout == "dense":
        weight = DenseWeight.from_arrays(start, mask, max_weight=MAX_WEIGHT)
    else:
        weight = sparse_from(start, mask)
    rule = make_rule(weight, polarities)
    rule.reset()
    history, c = brute_force(spikes, rewards, mask, start, polarities, SETTINGS)
    out = np.zeros(N_BODY)
    emit = polarities.copy()
    for t in range(len(spikes)):
        weight.propagate(spikes[t], emit, out)  # the rule brings the spiking rows up to date first
        rule.step(spikes[t])
        rule.reward(rewards[t])
        if t % 97 == 0 or t == len(spikes) - 1:
            rule.sync()
            np.testing.assert_allclose(weight.to_dense(), history[t], rtol=0, atol=1e-10)
    assert np.abs(history[-1] - start).max() > 0.05  # the scenario really learns
    assert np.any(history[-1] == MAX_WEIGHT) or np.any((history[-1] == 0) & (start > 0))  # a bound binds
    ids, pre, post = weight.synapses_from(np.arange(N_IN + N_BODY))
    np.testing.assert_allclose(rule.eligibility(ids), c[pre, post], rtol=0, atol=1e-12)


def sparse_from(start, mask):
    ctx = BuildContext(n_inputs=N_IN, n_neurons=N_BODY, n_outputs=1, processing_time=1)
    weight = Sparse(from_dict(Sparse.Config, {"max_weight": MAX_WEIGHT, "fan_out": 0}), ctx)
    pre, post = np.nonzero(mask)
    weight.pre, weight.post = pre.astype(np.int32), post.astype(np.int32)
    weight.values = start[pre, post].astype(float)
    weight.delays = np.ones(pre.size, dtype=np.int16)
    weight.pointers = np.searchsorted(weight.pre, np.arange(N_IN + N_BODY + 1)).astype(np.int64)
    weight._index_columns()
    return weight


def test_weight_change_between_touches_matches_a_fine_euler_integration():
    # one plastic synapse input 0 -> neuron 0: pre at step 0, post at step 3, reward 1 at step 10
    mask = np.zeros((N_IN + N_BODY, N_BODY), dtype=bool)
    mask[0, 0] = True
    start = mask * 1.0
    weight = DenseWeight.from_arrays(start, mask, max_weight=MAX_WEIGHT)
    rule = make_rule(weight, np.ones(N_IN + N_BODY))
    rule.reset()
    steps = 300
    for t in range(steps):
        s = np.zeros(N_IN + N_BODY, dtype=bool)
        s[0] = t == 0
        s[N_IN] = t == 3
        rule.step(s)
        rule.reward(1.0 if t == 10 else 0.0)
    rule.sync()
    # the same ODEs by forward Euler with h = 1e-3 ms from the pairing at t = 3 on
    tau_c, tau_d, eta, b = (
        SETTINGS["tau_c"],
        SETTINGS["tau_d"],
        SETTINGS["learning_rate"],
        SETTINGS["baseline"],
    )
    c, d, w, h = 0.1 * math.exp(-2 / 20), 0.0, 1.0, 1e-3
    for i in range(int((steps - 1 - 3) / h)):
        if abs(i * h - 7.0) < h / 2:
            d += 1.0
        w += h * eta * c * (d + b)
        c -= h * c / tau_c
        d -= h * d / tau_d
    assert weight.to_dense()[0, 0] == pytest.approx(w, rel=1e-4)
    assert weight.to_dense()[0, 0] > 1.01  # the reward 7 ms after the pairing potentiated it


def test_cost_follows_spikes_silent_steps_touch_no_synapse():
    weight = sparse_from(np.full((N_IN + N_BODY, N_BODY), 1.0), np.ones((N_IN + N_BODY, N_BODY), dtype=bool))
    rule = make_rule(weight, np.ones(N_IN + N_BODY), tau_c=1000.0)
    touched = []
    original = weight.add_at
    weight.add_at = lambda ids, change: (touched.append(len(ids)), original(ids, change))
    rule.reset()
    touched.clear()
    silent = np.zeros(N_IN + N_BODY, dtype=bool)
    for _ in range(50):
        rule.step(silent)
        rule.reward(0.5)
    assert touched == []
    one = silent.copy()
    one[N_IN] = True  # body neuron 0 spikes: its 8 incoming and 5 outgoing synapses (all present)
    rule.step(one)
    assert sum(touched) == 8 + 5


def test_eval_freezes_and_conforms():
    check_part("synapse", DASTDP)
    check_part("synapse", DASTDP, settings={"plastic": "all", "trace_mode": "additive"})
