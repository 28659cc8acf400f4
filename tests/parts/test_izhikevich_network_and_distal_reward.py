"""izhikevich_network neurons and the distal_reward rewarder, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.neurons.izhikevich_network import IzhikevichNetwork
from spikey_parts.rewarders.distal_reward import DistalReward

from spikey_core import BuildContext, ConfigError, from_dict


def build(cls, n_neurons=5, **settings):
    ctx = BuildContext(
        n_inputs=1, n_neurons=n_neurons, n_outputs=0, processing_time=1, rng=np.random.default_rng(0)
    )
    return cls(from_dict(cls.Config, settings), ctx)


def test_izhikevich_network_conforms():
    check_part("neuron", IzhikevichNetwork, settings={"inhibitory_last": 2})
    check_part("neuron", IzhikevichNetwork, settings={"noise": 0.0}, dtype="float32")


def test_populations_and_one_hand_computed_step():
    neurons = build(IzhikevichNetwork, inhibitory_last=2, noise=0.0)
    assert neurons.polarities.tolist() == [1, 1, 1, -1, -1]
    assert neurons.params[0].tolist() == [0.02, 0.02, 0.02, 0.1, 0.1]  # a: RS, FS
    assert neurons.params[3].tolist() == [8.0, 8.0, 8.0, 2.0, 2.0]  # d
    neurons.reset()
    current = np.array([0.0, 10.0, 0.0, 0.0, 10.0])
    neurons.integrate(current)
    # v = -65, u = -13: dv = 0.04 * 4225 - 325 + 140 + 13 + I = -3 + I, twice at h = 0.5
    v1 = -65 + 0.5 * (-3 + 10)
    v2 = v1 + 0.5 * ((0.04 * v1 + 5) * v1 + 140 + 13 + 10)
    assert neurons.potentials[1] == pytest.approx(v2)
    assert neurons.recovery[1] == pytest.approx(-13 + 0.02 * (0.2 * v2 + 13))
    assert neurons.recovery[4] == pytest.approx(-13 + 0.1 * (0.2 * v2 + 13))
    neurons.potentials[0] = 31.0
    assert neurons.fire().tolist() == [True, False, False, False, False]
    u_before = neurons.recovery[0]
    neurons.integrate(np.zeros(5))
    # reset: v = c = -65, u += d = 8; then the step from v = -65
    v_after = -65 + 0.5 * (0.04 * 4225 - 325 + 140 - (u_before + 8))
    v_after += 0.5 * ((0.04 * v_after + 5) * v_after + 140 - (u_before + 8))
    assert neurons.potentials[0] == pytest.approx(v_after)
    assert neurons.recovery[0] == pytest.approx(u_before + 8 + 0.02 * (0.2 * v_after - (u_before + 8)))


def test_thalamic_noise_is_uniform_with_the_given_width():
    neurons = build(IzhikevichNetwork, n_neurons=20000, noise=13.0)
    neurons.reset()
    before = neurons.potentials.copy()
    neurons.integrate(np.zeros(20000))
    # v after one step is monotone in I: the spread of v must match I = 13 (U - 0.5) in [-6.5, 6.5]
    low = build(IzhikevichNetwork, n_neurons=1, noise=0.0)
    high = build(IzhikevichNetwork, n_neurons=1, noise=0.0)
    low.reset(), high.reset()
    low.integrate(np.array([-6.5]))
    high.integrate(np.array([6.5]))
    assert neurons.potentials.min() >= low.potentials[0] - 1e-9
    assert neurons.potentials.max() <= high.potentials[0] + 1e-9
    assert (
        neurons.potentials.min() < low.potentials[0] + 0.05
        and neurons.potentials.max() > high.potentials[0] - 0.05
    )
    assert np.all(before == -65.0)


class FakeNetwork:
    def __init__(self, n_units):
        self.step_spikes = np.zeros(n_units, dtype=bool)


def rewarder(**settings):
    network = FakeNetwork(4)
    ctx = BuildContext(
        n_inputs=1, n_neurons=3, n_outputs=0, processing_time=1, rng=np.random.default_rng(3), network=network
    )
    part = DistalReward(from_dict(DistalReward.Config, {"pre": 1, "post": 2, **settings}), ctx)
    return part, network


def run(part, network, events, steps):
    """events: {step: [units]}; returns the rewards per step."""
    out = []
    for t in range(steps):
        network.step_spikes[:] = False
        network.step_spikes[events.get(t, [])] = True
        out.append(part(None, None, None))
    return np.array(out)


def test_reward_arrives_1_to_3_s_after_pre_then_post():
    part, network = rewarder()
    rewards = run(part, network, {0: [1], 5: [3]}, 3200)  # unit 3 = body neuron 2 (one input first)
    (times,) = np.nonzero(rewards)
    assert times.size == 1 and 5 + 1001 <= times[0] <= 5 + 3000
    assert rewards[times[0]] == 0.5 and part.reward_times == [times[0]]


@pytest.mark.parametrize(
    "events",
    [{0: [1, 3]}, {0: [1], 20: [3]}, {0: [3], 1: [1]}, {0: [1], 4: [1, 3]}],
    ids=["same step", "20 steps later", "post first", "pre again with post"],
)
def test_no_reward_without_pre_strictly_before_post_within_the_window(events):
    part, network = rewarder()
    assert not run(part, network, events, 3100).any()


@pytest.mark.parametrize(
    ("post_step", "rewarded"),
    [(3, False), (4, False), (5, True), (23, True), (24, False)],
)
def test_counting_from_the_arrival_shifts_the_window_by_the_delay_minus_one(post_step, rewarded):
    # delay 5: the pre spike of step 0 counts from step 4 (it reaches the post neuron's input at the
    # end of step 4), so the post spike must come at 4 < T < 4 + 20
    part, network = rewarder(count_from="arrival")
    part.delay = 5
    rewards = run(part, network, {0: [1], post_step: [3]}, post_step + 3001)
    assert rewards.any() == rewarded
    spike_time, its_network = rewarder()  # counted from the spike: rewarded when 0 < T < 20
    assert run(spike_time, its_network, {0: [1], post_step: [3]}, post_step + 3001).any() == (post_step < 20)


def test_a_conditioned_stimulus_earns_a_reward_for_every_spike_of_pre():
    # trigger = "pre": pre alone (no post spike) schedules one reward per spike, 5-40 steps later
    part, network = rewarder(trigger="pre", delay_min=5, delay_max=40)
    rewards = run(part, network, {3: [1], 100: [1], 101: [3]}, 200)
    times = np.flatnonzero(rewards)
    assert times.size == 2 and 3 + 5 <= times[0] <= 3 + 40 and 100 + 5 <= times[1] <= 100 + 40
    assert not run(*rewarder(trigger="pre"), {5: [3], 9: [2]}, 3100).any()  # other units earn nothing


def test_the_rewarded_synapse_delay_must_be_a_positive_integer():
    part, _ = rewarder(count_from="arrival")
    for bad in (0, 2.5, True):
        with pytest.raises(ConfigError, match=r"\$\.rewarder\.delay"):
            part.delay = bad


def test_reset_forgets_pending_rewards():
    part, network = rewarder()
    run(part, network, {0: [1], 5: [3]}, 10)
    part.reset()
    assert not run(part, network, {}, 3100).any()


def test_rewards_come_after_the_delays_one_by_one_draws_would_give():
    # the delays are drawn ahead in blocks of processing_time, but a generator yields the same
    # numbers in blocks as one at a time: the k-th rewarded pairing waits the k-th draw
    network = FakeNetwork(4)
    ctx = BuildContext(
        n_inputs=1, n_neurons=3, n_outputs=0, processing_time=7, rng=np.random.default_rng(3), network=network
    )
    part = DistalReward(
        from_dict(DistalReward.Config, {"pre": 1, "post": 2, "delay_max": 40, "delay_min": 5}), ctx
    )
    events, pairings = {}, []
    for k in range(12):  # a pairing every 50 steps, longer than the longest delay
        events[50 * k], events[50 * k + 3] = [1], [3]
        pairings.append(50 * k + 3)
    rewards = run(part, network, events, 620)
    draws = np.random.default_rng(3)
    expected = [t + int(draws.integers(5, 41)) for t in pairings]
    assert np.flatnonzero(rewards).tolist() == expected == part.reward_times
