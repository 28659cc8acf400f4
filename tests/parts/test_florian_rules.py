"""stdp, mstdp and mstdpet against hand-derived values and Florian (2007) Fig. 1."""

from __future__ import annotations

import math

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.synapses.mstdp import MSTDP
from spikey_parts.synapses.mstdpet import MSTDPET
from spikey_parts.synapses.stdp import STDP

from spikey_core import BuildContext, ConfigError, from_dict


class Units:
    def __init__(self, polarities):
        self.polarities = np.asarray(polarities, dtype=float)


class OneSynapse:
    """Input unit 0 -> body neuron 0; the neuron's self-synapse is absent."""

    def __init__(self, value):
        self.matrix = np.array([[value], [0.0]])
        self.mask = np.array([[True], [False]])
        self.max_weight = 10.0

    def clip(self):
        np.clip(self.matrix, 0, self.max_weight, out=self.matrix)
        self.matrix *= self.mask


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


def test_mstdpet_reproduces_florian_fig1():
    rule, weight = make(MSTDPET, learning_rate=0.2, tau_z=25.0, tau_plus=20.0, tau_minus=20.0)
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
    rule, weight = make(MSTDPET)
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
        MSTDPET(from_dict(MSTDPET.Config, {"tau_z": 1.5}), ctx)


@pytest.mark.parametrize("cls", [STDP, MSTDP, MSTDPET])
def test_conformance(cls):
    check_part("synapse", cls)
    check_part("synapse", cls, dtype="float32")
