"""The windowed reward-modulated rules rlstdp and ltp: kernels per spike gap, reward modes, eval."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_core.weights import DenseWeight
from spikey_parts.synapses.ltp import LTP
from spikey_parts.synapses.rlstdp import RLSTDP
from spikey_parts.synapses.static import Static

from spikey_core import BuildContext, ConfigError, from_dict


class Units:
    def __init__(self, polarities):
        self.polarities = np.asarray(polarities, dtype=float)


def Weight(value=2.0, max_weight=5.0):
    """One input (row 0) and one body neuron (row 1, column 0); every synapse present."""
    return DenseWeight.from_arrays(np.full((2, 1), value), np.ones((2, 1), dtype=bool), max_weight=max_weight)


def make(cls, *, input_polarity=1.0, neuron_polarity=1.0, weight=None, **settings):
    weight = weight or Weight()
    ctx = BuildContext(
        n_inputs=1,
        n_neurons=1,
        n_outputs=1,
        processing_time=10,
        parts={"input": Units([input_polarity]), "neuron": Units([neuron_polarity]), "weight": weight},
    )
    rule = cls(from_dict(cls.Config, {"learning_rate": 1.0, **settings}), ctx)
    rule.reset()
    return rule, weight


def pair(cls, first, gap, reward=1.0, **settings):
    """Unit ``first`` (0 input, 1 neuron) spikes at step 0, the other unit ``gap`` steps later,
    then one reward; returns the change of W[input, neuron]."""
    rule, weight = make(cls, **settings)
    before = weight.matrix[0, 0]
    for t in range(gap + 1):
        spikes = np.zeros(2, dtype=bool)
        if t == 0:
            spikes[first] = True
        if t == gap:
            spikes[1 - first] = True
        rule.step(spikes)
    rule.reward(reward)
    return weight.matrix[0, 0] - before


# w = 5, eta = z = 1: (w-1-dt)/(w-2) = 1, 2/3, 1/3, 0 for dt = 1, 2, 3, 4
@pytest.mark.parametrize("gap, expected", [(1, 1.0), (2, 2 / 3), (3, 1 / 3), (4, 0.0), (6, 0.0)])
def test_rlstdp_kernel_per_spike_gap(gap, expected):
    assert pair(RLSTDP, first=0, gap=gap, stdp_window=5) == pytest.approx(expected)  # pre then post: LTP
    assert pair(RLSTDP, first=1, gap=gap, stdp_window=5) == pytest.approx(-expected)  # post then pre: LTD


def test_simultaneous_spikes_do_not_pair():
    rule, weight = make(RLSTDP, stdp_window=5)
    rule.step(np.array([True, True]))
    rule.reward(1.0)
    assert weight.matrix[0, 0] == 2.0


# ltp, w = 5: (w-1-dt)/w = 0.6, 0.4, 0.2, 0
@pytest.mark.parametrize("gap, expected", [(1, 0.6), (2, 0.4), (3, 0.2), (4, 0.0)])
def test_ltp_kernel_and_no_depression(gap, expected):
    assert pair(LTP, first=0, gap=gap, stdp_window=5) == pytest.approx(expected)
    assert pair(LTP, first=1, gap=gap, stdp_window=5) == 0.0


def test_integer_polarities_and_inhibitory_sign():
    rule, weight = make(LTP, stdp_window=5, input_polarity=-1)
    rule.step(np.array([True, False]))
    rule.step(np.array([False, True]))
    rule.reward(1.0)
    assert weight.matrix[0, 0] == pytest.approx(2.0 - 0.6)  # inhibitory presynaptic unit: sign inverted


def test_reward_trace_mode_modulates_later_steps_and_decays():
    # trace_decay 0.5, reward 1 before the pair: z(0) = 0.5 at the pre step, z(1) = 0.25 at the
    # post step; the post step's pairing (kernel 1 at dt = 1) is applied by the next step with
    # z(1) = 0.25
    rule, weight = make(RLSTDP, stdp_window=5, trace_decay=0.5)
    rule.reward(1.0)
    rule.step(np.array([True, False]))
    rule.step(np.array([False, True]))
    assert weight.matrix[0, 0] == 2.0  # pending until a reward or the next step claims it
    rule.step(np.array([False, False]))
    assert weight.matrix[0, 0] == pytest.approx(2.25)
    rule.reward(3.0)  # the pending (empty) step pairs nothing
    assert weight.matrix[0, 0] == pytest.approx(2.25)


def test_a_reward_modulates_the_pairings_of_the_step_it_follows():
    # per-step reward mode with trace_decay 0.5: z(1) = 0 * 0.5 + 2 = 2 for the post step
    rule, weight = make(RLSTDP, stdp_window=5, trace_decay=0.5)
    rule.step(np.array([True, False]))
    rule.reward(0.0)
    rule.step(np.array([False, True]))
    rule.reward(2.0)
    assert weight.matrix[0, 0] == pytest.approx(4.0)
    rule.step(np.array([False, False]))  # z(2) = 1: the empty step pairs nothing
    rule.reward(0.0)
    assert weight.matrix[0, 0] == pytest.approx(4.0)


def test_eval_freezes_and_early_reward_is_harmless():
    rule, weight = make(RLSTDP, stdp_window=5)
    rule.reward(1.0)  # before any step: nothing to apply, no error
    rule.step(np.array([True, False]))
    rule.step(np.array([False, True]))
    rule.eval()
    rule.reward(1.0)
    assert weight.matrix[0, 0] == 2.0
    rule.train()
    rule.reward(1.0)
    assert weight.matrix[0, 0] == 3.0


def test_clipping_absent_synapses_and_reset():
    weight = Weight(value=4.5)
    weight.mask[1, 0] = False
    weight.matrix[1, 0] = 0.0
    rule, _ = make(RLSTDP, stdp_window=5, weight=weight)
    rule.step(np.array([True, True]))
    rule.step(np.array([False, True]))
    rule.reward(1.0)
    assert weight.matrix[0, 0] == 5.0  # 4.5 + 1 clipped to max_weight
    assert weight.matrix[1, 0] == 0.0  # absent self-synapse untouched
    rule.reset()
    rule.step(np.array([False, True]))
    rule.reward(1.0)
    assert weight.matrix[0, 0] == 5.0  # history cleared: no pair across the reset


def test_window_too_short_is_a_config_error():
    with pytest.raises(ConfigError, match="stdp_window: must be >= 3 \\(got 2\\)"):
        from_dict(RLSTDP.Config, {"stdp_window": 2})


@pytest.mark.parametrize("cls", [RLSTDP, LTP])
@pytest.mark.parametrize("trace_decay", [1.0, 0.04])
def test_conformance(cls, trace_decay):
    check_part("synapse", cls, settings={"stdp_window": 5, "trace_decay": trace_decay})


def test_static_changes_nothing():
    check_part("synapse", Static)
    weight = Weight()
    ctx = BuildContext(
        n_inputs=1,
        n_neurons=1,
        n_outputs=1,
        processing_time=1,
        parts={"input": Units([1]), "neuron": Units([1]), "weight": weight},
    )
    rule = Static(from_dict(Static.Config, {}), ctx)
    for spikes in ([True, False], [False, True]):
        rule.step(np.array(spikes))
        rule.reward(1.0)
    assert weight.matrix.tolist() == [[2.0], [2.0]]
