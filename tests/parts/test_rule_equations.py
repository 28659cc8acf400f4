"""Every learning rule against a brute-force pair-sum form of its documented equation, bounds binding.

The reference below never uses the rules' incremental traces or ramps: at every step it sums
over the whole spike history (every earlier spike of every unit, weighted by its kernel), builds
the full (U, N) change and clips once, as each rule's docstring states.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from spikey_core.weights import DenseWeight
from spikey_parts.synapses.ltp import LTP
from spikey_parts.synapses.mstdp import MSTDP
from spikey_parts.synapses.mstdpet import MSTDPET
from spikey_parts.synapses.rlstdp import RLSTDP
from spikey_parts.synapses.stdp import STDP

from spikey_core import BuildContext, from_dict

N_IN, N_BODY = 3, 4
IN_POLARITY = np.array([1.0, -1.0, 1.0])
BODY_POLARITY = np.array([1.0, 1.0, -1.0, 1.0])
POLARITY = np.concatenate([IN_POLARITY, BODY_POLARITY])
MAX_WEIGHT = 1.0


class Units:
    def __init__(self, polarities):
        self.polarities = polarities


def Weights(matrix, mask):
    return DenseWeight.from_arrays(matrix, mask, max_weight=MAX_WEIGHT)


def scenario(seed, steps=80):
    """Dense random spikes, rewards of both signs, weights half at a bound, a few absent synapses."""
    rng = np.random.default_rng(seed)
    spikes = rng.random((steps, N_IN + N_BODY)) < 0.3
    rewards = rng.choice([-2.0, -1.0, 0.0, 1.0, 3.0], size=steps)
    mask = rng.random((N_IN + N_BODY, N_BODY)) < 0.8
    start = rng.choice([0.0, MAX_WEIGHT, 0.5], size=mask.shape) * mask
    return spikes, rewards, mask, start


def run_rule(cls, settings, spikes, rewards, mask, start):
    weight = Weights(start, mask)
    ctx = BuildContext(
        n_inputs=N_IN,
        n_neurons=N_BODY,
        n_outputs=1,
        processing_time=1,
        parts={"input": Units(IN_POLARITY), "neuron": Units(BODY_POLARITY), "weight": weight},
    )
    rule = cls(from_dict(cls.Config, settings), ctx)
    rule.reset()
    trajectory = []
    for row, reward in zip(spikes, rewards, strict=True):
        rule.step(row)
        rule.reward(float(reward))
        trajectory.append(weight.matrix.copy())
    return np.array(trajectory)


def clip(matrix, mask):
    return np.clip(matrix, 0.0, MAX_WEIGHT) * mask


def zeta_by_pair_sums(spikes, t, tau_plus, tau_minus, a_plus, a_minus):
    """Florian's zeta_ij(t) = p_i (P+_i f_j + P-_j f_i), with P+- summed over every earlier spike."""
    f = spikes.astype(float)
    zeta = np.zeros((N_IN + N_BODY, N_BODY))
    for i in range(N_IN + N_BODY):
        p_plus = a_plus * sum(f[s, i] * math.exp(-(t - s) / tau_plus) for s in range(t + 1))
        for j in range(N_BODY):
            post = N_IN + j
            p_minus = a_minus * sum(f[s, post] * math.exp(-(t - s) / tau_minus) for s in range(t + 1))
            zeta[i, j] = POLARITY[i] * (p_plus * f[t, post] + p_minus * f[t, i])
    return zeta


TRACES = {"tau_plus": 20.0, "tau_minus": 15.0, "a_plus": 1.0, "a_minus": -1.2}


def stdp_reference(spikes, rewards, mask, start, learning_rate):
    w, out = start.copy(), []
    for t in range(len(spikes)):
        w = clip(w + learning_rate * zeta_by_pair_sums(spikes, t, **TRACES), mask)
        out.append(w)
    return np.array(out)


def mstdp_reference(spikes, rewards, mask, start, learning_rate):
    w, out = start.copy(), []
    for t in range(len(spikes)):
        w = clip(w + learning_rate * rewards[t] * zeta_by_pair_sums(spikes, t, **TRACES), mask)
        out.append(w)
    return np.array(out)


def mstdpet_reference(spikes, rewards, mask, start, learning_rate, tau_z):
    # z(t) = sum_{s<=t} (1 - 1/tau_z)^(t-s) zeta(s) / tau_z ; W <- clip(W + gamma dt r(t) z(t))
    zetas = [zeta_by_pair_sums(spikes, t, **TRACES) for t in range(len(spikes))]
    w, out = start.copy(), []
    for t in range(len(spikes)):
        z = sum((1 - 1 / tau_z) ** (t - s) * zetas[s] / tau_z for s in range(t + 1))
        w = clip(w + learning_rate * rewards[t] * z, mask)
        out.append(w)
    return np.array(out)


def windowed_reference(spikes, rewards, mask, start, learning_rate, window, trace_decay, norm, depression):
    """rlstdp / ltp: kernel (w-1-d)/norm for d = 1 .. w-2, reward trace z(t) = (1-d) z(t-1) + r(t)."""
    f = spikes.astype(float)
    w, out, z = start.copy(), [], 0.0
    for t in range(len(spikes)):
        z = (1 - trace_decay) * z + rewards[t]
        ramp = np.zeros(N_IN + N_BODY)
        for d in range(1, window - 1):
            if t - d >= 0:
                ramp += (window - 1 - d) * f[t - d]
        k = learning_rate * z * ramp / norm
        change = np.zeros_like(w)
        for i in range(N_IN + N_BODY):
            for j in range(N_BODY):
                change[i, j] = POLARITY[i] * k[i] * f[t, N_IN + j]
                if depression:
                    change[i, j] -= POLARITY[i] * k[N_IN + j] * f[t, i]
        w = clip(w + change, mask)
        out.append(w)
    return np.array(out)


@pytest.mark.parametrize("seed", [0, 1])
def test_stdp_matches_pair_sums(seed):
    data = scenario(seed)
    got = run_rule(STDP, {"learning_rate": 0.3, **TRACES}, *data)
    np.testing.assert_allclose(got, stdp_reference(*data, learning_rate=0.3), atol=1e-12)
    assert np.isclose(got, 0.0).any() and np.isclose(got, MAX_WEIGHT).any()  # the bounds did bind


@pytest.mark.parametrize("seed", [0, 1])
def test_mstdp_matches_pair_sums(seed):
    data = scenario(seed)
    got = run_rule(MSTDP, {"learning_rate": 0.2, **TRACES}, *data)
    np.testing.assert_allclose(got, mstdp_reference(*data, learning_rate=0.2), atol=1e-12)
    assert np.isclose(got, 0.0).any() and np.isclose(got, MAX_WEIGHT).any()


def test_mstdpet_matches_pair_sums():
    data = scenario(2)
    got = run_rule(MSTDPET, {"learning_rate": 2.0, "tau_z": 10.0, "integration": "euler", **TRACES}, *data)
    expected = mstdpet_reference(*data, learning_rate=2.0, tau_z=10.0)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert np.isclose(got, 0.0).any() and np.isclose(got, MAX_WEIGHT).any()


@pytest.mark.parametrize("trace_decay", [1.0, 0.3])
def test_rlstdp_matches_pair_sums(trace_decay):
    data = scenario(3)
    settings = {"learning_rate": 0.05, "stdp_window": 6, "trace_decay": trace_decay}
    got = run_rule(RLSTDP, settings, *data)
    expected = windowed_reference(
        *data, learning_rate=0.05, window=6, trace_decay=trace_decay, norm=4, depression=True
    )
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert np.isclose(got, 0.0).any() and np.isclose(got, MAX_WEIGHT).any()


def test_ltp_matches_pair_sums():
    data = scenario(4)
    got = run_rule(LTP, {"learning_rate": 0.05, "stdp_window": 6, "trace_decay": 1.0}, *data)
    expected = windowed_reference(
        *data, learning_rate=0.05, window=6, trace_decay=1.0, norm=6, depression=False
    )
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_a_pair_in_one_step_at_the_upper_bound_stays_there():
    # all weights at max_weight, a pre and a post spike in the same step: zeta = p (A+ + A-) = 0,
    # so the equation leaves 1.0 (clipping potentiation and depression separately gave 0.9)
    mask = np.ones((N_IN + N_BODY, N_BODY), dtype=bool)
    start = np.full(mask.shape, MAX_WEIGHT)
    spikes = np.zeros((1, N_IN + N_BODY), dtype=bool)
    spikes[0, [0, N_IN]] = True
    got = run_rule(STDP, {"learning_rate": 0.1}, spikes, np.zeros(1), mask, start)
    np.testing.assert_array_equal(got[-1], start)


@pytest.mark.parametrize(("first", "expected_change"), [("pre", -0.1), ("post", +0.1)])
def test_rlstdp_inhibitory_pair_is_the_mirror_of_an_excitatory_one(first, expected_change):
    # inhibitory input 1 -> body neuron 0, one step apart, reward +1, kernel 1 at dt = 1:
    # the signed efficacy -W gains +eta for pre-before-post and loses eta for post-before-pre,
    # exactly as an excitatory synapse's would; both terms carry the presynaptic sign
    mask = np.zeros((N_IN + N_BODY, N_BODY), dtype=bool)
    mask[1, 0] = True
    start = np.where(mask, 0.5, 0.0)
    spikes = np.zeros((2, N_IN + N_BODY), dtype=bool)
    pre_step, post_step = (0, 1) if first == "pre" else (1, 0)
    spikes[pre_step, 1] = True
    spikes[post_step, N_IN] = True
    got = run_rule(RLSTDP, {"learning_rate": 0.1, "stdp_window": 5}, spikes, np.ones(2), mask, start)
    assert got[-1][1, 0] == pytest.approx(0.5 + expected_change)


@pytest.mark.parametrize("cls", [STDP, MSTDP])
def test_plastic_targets_outputs_learns_only_the_synapses_onto_the_outputs(cls):
    spikes, rewards, mask, start = scenario(5)
    settings = {"learning_rate": 0.2, **TRACES}
    everything = run_rule(cls, settings, spikes, rewards, mask, start)
    outputs_only = run_rule(cls, {**settings, "plastic_targets": "outputs"}, spikes, rewards, mask, start)
    # n_outputs = 1: the last body column learns exactly as before, the others keep their start
    np.testing.assert_array_equal(
        outputs_only[:, :, :-1], np.broadcast_to(start[:, :-1], outputs_only[:, :, :-1].shape)
    )
    np.testing.assert_allclose(outputs_only[:, :, -1], everything[:, :, -1], atol=1e-12)


@pytest.mark.parametrize("cls", [STDP, MSTDP, MSTDPET])
def test_plastic_sources_inputs_learns_only_the_synapses_from_the_inputs(cls):
    spikes, rewards, mask, start = scenario(6)
    settings = {"learning_rate": 0.2, **TRACES}
    everything = run_rule(cls, settings, spikes, rewards, mask, start)
    inputs_only = run_rule(cls, {**settings, "plastic_sources": "inputs"}, spikes, rewards, mask, start)
    # body rows (fixed lateral synapses) keep their start; input rows learn exactly as with "all"
    body = inputs_only[:, N_IN:, :]
    np.testing.assert_array_equal(body, np.broadcast_to(start[N_IN:], body.shape))
    np.testing.assert_allclose(inputs_only[:, :N_IN, :], everything[:, :N_IN, :], atol=1e-12)
    assert not np.array_equal(everything[-1, N_IN:], start[N_IN:])  # the body rows do learn with "all"
