"""da_stdp (Izhikevich 2007) against a brute-force per-step, per-synapse integration of its equations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_core.weights import DenseWeight
from spikey_parts.synapses.da_stdp import DASTDP
from spikey_parts.weights.sparse import Sparse

from spikey_core import BuildContext, ConfigError, from_dict

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


def one_step_between_events(w, c, d, mask, settings):
    """The exact solution of the ODEs over one step without events, then the clip: ``(w, c, d)``."""
    tau_c, tau_d = settings["tau_c"], settings["tau_d"]
    eta, b = settings["learning_rate"], settings["baseline"]
    tau_mix = tau_c * tau_d / (tau_c + tau_d)
    w = w + eta * c * (d * tau_mix * (1 - math.exp(-1 / tau_mix)) + b * tau_c * (1 - math.exp(-1 / tau_c)))
    w = np.clip(w, 0.0, MAX_WEIGHT) * mask
    return w, c * math.exp(-1 / tau_c), d * math.exp(-1 / tau_d)


def brute_force(spikes, rewards, mask, start, polarities, settings):
    """Every synapse every step: the exact solution over the step, clipped, then the step's events."""
    w, c = start.copy(), np.zeros_like(start)
    d = 0.0
    x, y = np.zeros(N_IN + N_BODY), np.zeros(N_BODY)  # pre and post traces
    plastic = (polarities > 0)[:, None] & mask
    history = []
    for t in range(len(spikes)):
        w, c, d = one_step_between_events(w, c, d, mask, settings)
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


# -- conduction delays: pairing by arrival time ---------------------------------------------------------
def brute_force_with_delays(spikes, rewards, mask, start, polarities, delays, settings):
    """Every synapse every step, with its own arrival trace: a spike of step ``t_j`` through a synapse of
    delay ``d`` arrives at ``t_j + d`` (potentiation by post spikes from then on, full at zero lag) and
    depresses, by the post trace of that step, at ``t_j + d - 1``, the step it is delivered."""
    w, c = start.copy(), np.zeros_like(start)
    d = 0.0
    arrived = np.zeros_like(start)  # per synapse: trace of the arrivals so far
    y = np.zeros(N_BODY)
    plastic = (polarities > 0)[:, None] & mask
    history = []
    for t in range(len(spikes)):
        w, c, d = one_step_between_events(w, c, d, mask, settings)
        y *= math.exp(-1 / 20)
        y[spikes[t, N_IN:]] = 1.0
        arrived *= math.exp(-1 / 20)
        for j, k in zip(*np.nonzero(plastic), strict=True):
            source = t - delays[j, k]
            if source >= 0 and spikes[source, j]:
                arrived[j, k] = 1.0
            if spikes[t, N_IN + k]:
                c[j, k] += 0.1 * arrived[j, k]
            if source + 1 >= 0 and spikes[source + 1, j]:
                c[j, k] -= 0.15 * y[k]
        d += rewards[t]
        history.append(w.copy())
    return np.array(history), c


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_with_delays_the_rule_pairs_by_arrival_as_a_per_synapse_integration(seed, layout):
    spikes, rewards, mask, start, polarities = scenario(seed, steps=300)
    delays = np.random.default_rng(100 + seed).integers(1, 7, size=mask.shape)
    if layout == "dense":
        weight = DenseWeight.from_arrays(start, mask, max_weight=MAX_WEIGHT)
        weight.set_delays(delays)
    else:
        weight = sparse_from(start, mask)
        weight.delays = delays[weight.pre, weight.post].astype(np.int16)
    rule = make_rule(weight, polarities)
    rule.reset()
    history, c = brute_force_with_delays(spikes, rewards, mask, start, polarities, delays, SETTINGS)
    for t in range(len(spikes)):
        weight.before_read(spikes[t].nonzero()[0])  # what propagate() does first
        rule.step(spikes[t])
        rule.reward(rewards[t])
        if t % 71 == 0 or t == len(spikes) - 1:
            rule.sync()
            np.testing.assert_allclose(weight.to_dense(), history[t], rtol=0, atol=1e-10)
    assert np.abs(history[-1] - start).max() > 0.05
    ids, pre, post = weight.synapses_from(np.arange(N_IN + N_BODY))
    np.testing.assert_allclose(rule.eligibility(ids), c[pre, post], rtol=0, atol=1e-12)
    # pairing by spike time would differ: the delays matter in this scenario
    undelayed, _ = brute_force_with_delays(
        spikes, rewards, mask, start, polarities, np.ones_like(delays), SETTINGS
    )
    assert np.abs(undelayed[-1] - history[-1]).max() > 1e-3


def test_hand_derived_arrival_times_of_one_delayed_synapse():
    # input 0 -> neuron 0 with delay 5: pre spike at step 0 is delivered at step 4 and arrives at step 5;
    # post spikes at steps 3 and 6. At step 4 c -= A- y(4) = 0.15 e^{-1/20} (the post spike one step
    # earlier); at step 6 c += A+ x = 0.1 e^{-1/20} (the arrival one step earlier); no other pairing.
    mask = np.zeros((N_IN + N_BODY, N_BODY), dtype=bool)
    mask[0, 0] = True
    weight = DenseWeight.from_arrays(mask * 1.0, mask, max_weight=MAX_WEIGHT)
    weight.set_delays(np.where(mask, 5, 1))
    rule = make_rule(weight, np.ones(N_IN + N_BODY), baseline=0.0)
    rule.reset()
    expected = {}
    decay = math.exp(-1 / SETTINGS["tau_c"])
    for t in range(8):
        s = np.zeros(N_IN + N_BODY, dtype=bool)
        s[0] = t == 0
        s[N_IN] = t in (3, 6)
        rule.step(s)
        expected[t] = float(rule.eligibility(np.array([0]))[0])
    assert expected[3] == 0.0  # post before the arrival: nothing yet
    assert expected[4] == pytest.approx(-0.15 * math.exp(-1 / 20), rel=1e-12)
    assert expected[5] == pytest.approx(expected[4] * decay, rel=1e-12)
    assert expected[6] == pytest.approx(expected[4] * decay**2 + 0.1 * math.exp(-1 / 20), rel=1e-12)
    assert expected[7] == pytest.approx(expected[6] * decay, rel=1e-12)


def test_a_weight_with_delays_but_no_synapse_delays_is_refused_by_name():
    mask = np.ones((N_IN + N_BODY, N_BODY), dtype=bool)
    weight = DenseWeight.from_arrays(mask * 1.0, mask, max_weight=MAX_WEIGHT)
    weight.set_delays(np.full(mask.shape, 3))
    weight.synapse_delays = None  # a third-party weight that gives dense_delays() only
    with pytest.raises(
        ConfigError, match=r"\$\.weight \(DenseWeight\): has conduction delays but no synapse_delays"
    ):
        make_rule(weight, np.ones(N_IN + N_BODY))
