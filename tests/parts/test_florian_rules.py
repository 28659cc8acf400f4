"""stdp, mstdp and mstdpet against hand-derived values and Florian (2007) Fig. 1."""

from __future__ import annotations

import math

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_core.weights import DenseWeight
from spikey_parts.synapses.mstdp import MSTDP
from spikey_parts.synapses.mstdpet import MSTDPET
from spikey_parts.synapses.stdp import STDP

from spikey_core import BuildContext, ConfigError, from_dict


class Units:
    def __init__(self, polarities):
        self.polarities = np.asarray(polarities, dtype=float)


def OneSynapse(value):
    """Input unit 0 -> body neuron 0; the neuron's self-synapse is absent."""
    return DenseWeight.from_arrays([[value], [0.0]], [[True], [False]], max_weight=10.0)


def make(cls, value=0.2, input_polarity=1.0, **settings):
    weight = OneSynapse(value)
    ctx = BuildContext(
        n_inputs=1,
        n_neurons=1,
        n_outputs=1,
        processing_time=1,
        parts={"input": Units([input_polarity]), "neuron": Units([1.0]), "weight": weight},
    )
    rule = cls(from_dict(cls.Config, settings), ctx)
    rule.reset()
    return rule, weight


PRE = {5, 80, 115, 135}
POST = {10, 70, 110, 140}


def florian_fig1_reference():
    """Florian 2007 Fig. 1 written out as plain floats: the paper's traces, Euler eligibility."""
    gamma, tau_z, tau = 0.2, 25.0, 20.0
    w, p_plus, p_minus, z, trajectory = 0.2, 0.0, 0.0, 0.0, []
    for t in range(201):
        f_pre, f_post = float(t in PRE), float(t in POST)
        p_plus = p_plus * math.exp(-1 / tau) + 1.0 * f_pre
        p_minus = p_minus * math.exp(-1 / tau) - 1.0 * f_post
        zeta = p_plus * f_post + p_minus * f_pre
        z = z * (1 - 1 / tau_z) + zeta / tau_z
        reward = 1.0 if t <= 100 else -1.0
        w += gamma * reward * z
        trajectory.append(w)
    return np.array(trajectory)


def florian_fig1_closed_form(t, switch=100.0, gamma=0.2, tau_z=25.0, tau=20.0, w0=0.2):
    """w(t) solving tau_z dz/dt = -z + zeta, dw/dt = gamma r z, r = +1 before ``switch``, -1 after.

    Every pairing event e (time t_e, size c_e = the summed trace of the partner spikes) adds
    c_e / tau_z * exp(-(s - t_e)/tau_z) to z(s) for s > t_e, so
    w(t) = w0 + gamma sum_e c_e / tau_z * int_{t_e}^{t} r(s) exp(-(s - t_e)/tau_z) ds.
    """
    events = [(tp, sum(math.exp(-(tp - s) / tau) for s in PRE if s <= tp)) for tp in POST]
    events += [(s, -sum(math.exp(-(s - tp) / tau) for tp in POST if tp <= s)) for s in PRE]

    def integral(a, b, t_e):  # int_a^b exp(-(s - t_e)/tau_z) ds
        return tau_z * (math.exp(-(a - t_e) / tau_z) - math.exp(-(b - t_e) / tau_z)) if b > a else 0.0

    total = 0.0
    for t_e, c in events:
        if t_e < t:
            total += c / tau_z * (integral(t_e, min(t, switch), t_e) - integral(max(t_e, switch), t, t_e))
    return w0 + gamma * total


def test_mstdpet_exact_integration_matches_the_closed_form_of_florians_odes():
    rule, weight = make(MSTDPET, learning_rate=0.2, tau_z=25.0, tau_plus=20.0, tau_minus=20.0)
    assert rule.config.integration == "exact"  # the default
    trajectory = []
    for t in range(200):
        rule.step(np.array([t in PRE, t in POST]))
        rule.reward(1.0 if t < 100 else -1.0)  # the reward after step t holds over (t, t + 1]
        trajectory.append(weight.matrix[0, 0])
    expected = [florian_fig1_closed_form(t + 1.0) for t in range(200)]
    np.testing.assert_allclose(trajectory, expected, rtol=0, atol=1e-9)
    assert max(trajectory) == pytest.approx(0.4196, abs=1e-4)
    assert trajectory[-1] == pytest.approx(0.3216, abs=1e-4)


def test_mstdpet_euler_is_the_spikey05_discretisation():
    rule, weight = make(
        MSTDPET, learning_rate=0.2, tau_z=25.0, tau_plus=20.0, tau_minus=20.0, integration="euler"
    )
    trajectory = []
    for t in range(201):
        rule.step(np.array([t in PRE, t in POST]))
        rule.reward(1.0 if t <= 100 else -1.0)
        trajectory.append(weight.matrix[0, 0])
    np.testing.assert_allclose(trajectory, florian_fig1_reference(), rtol=1e-12)
    # the published landmarks: peak 0.416, final 0.316
    assert max(trajectory) == pytest.approx(0.416, abs=5e-4)
    assert trajectory[-1] == pytest.approx(0.316, abs=5e-4)
    assert weight.matrix[1, 0] == 0.0


def test_stdp_pair_values():
    # pre 3 ms before post: + eta * A+ * exp(-3/20); post 3 ms before pre: + eta * A- * exp(-3/20)
    for first, sign in ((0, 1.0), (1, -1.0)):
        rule, weight = make(STDP, value=1.0, learning_rate=0.1)
        for t in range(4):
            spikes = np.zeros(2, dtype=bool)
            spikes[first] = t == 0
            spikes[1 - first] = t == 3
            rule.step(spikes)
        assert weight.matrix[0, 0] == pytest.approx(1.0 + sign * 0.1 * math.exp(-3 / 20))


def test_mstdp_changes_weights_only_with_reward_at_the_pairing_step():
    rule, weight = make(MSTDP, value=1.0, learning_rate=0.5)
    rule.step(np.array([True, False]))
    rule.reward(1.0)  # no postsynaptic spike yet: zeta = 0
    rule.step(np.array([False, True]))
    rule.reward(2.0)  # zeta = P+ = exp(-1/20)
    assert weight.matrix[0, 0] == pytest.approx(1.0 + 0.5 * 2.0 * math.exp(-1 / 20))
    rule.step(np.array([False, False]))
    rule.reward(5.0)  # no spike at this step: nothing to modulate
    assert weight.matrix[0, 0] == pytest.approx(1.0 + 0.5 * 2.0 * math.exp(-1 / 20))


def test_inhibitory_presynaptic_unit_gets_the_sign_inverted_change():
    rule, weight = make(STDP, value=1.0, learning_rate=0.1, input_polarity=-1.0)
    rule.step(np.array([True, False]))
    rule.step(np.array([False, True]))
    assert weight.matrix[0, 0] == pytest.approx(1.0 - 0.1 * math.exp(-1 / 20))


def test_eval_and_bad_settings():
    rule, weight = make(MSTDPET, integration="euler")
    rule.step(np.array([True, True]))
    rule.eval()
    rule.reward(1.0)
    assert weight.matrix[0, 0] == 0.2
    with pytest.raises(ConfigError, match="tau_plus: must be > 0"):
        from_dict(STDP.Config, {"tau_plus": -5})
    with pytest.raises(ConfigError, match="a_minus: must be <= 0"):
        from_dict(MSTDP.Config, {"a_minus": 1})
    weight = OneSynapse(0.2)
    ctx = BuildContext(
        n_inputs=1,
        n_neurons=1,
        n_outputs=1,
        processing_time=1,
        dt=2.0,
        parts={"input": Units([1]), "neuron": Units([1]), "weight": weight},
    )
    with pytest.raises(ConfigError, match="tau_z \\(MSTDPET\\): must be > dt = 2.0 ms"):
        MSTDPET(from_dict(MSTDPET.Config, {"tau_z": 1.5, "integration": "euler"}), ctx)
    MSTDPET(from_dict(MSTDPET.Config, {"tau_z": 1.5}), ctx)  # the exact decay needs no such bound
    with pytest.raises(ConfigError, match="integration: must be one of 'exact', 'euler'"):
        from_dict(MSTDPET.Config, {"integration": "eulr"})


@pytest.mark.parametrize("cls", [STDP, MSTDP, MSTDPET])
def test_conformance(cls):
    check_part("synapse", cls)
    check_part("synapse", cls, dtype="float32")
