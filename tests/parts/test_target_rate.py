"""target_rate: Florian's per-spike reward, capped at a target output rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.rewarders.target_rate import TargetRate

from spikey_core import BuildContext, ConfigError, from_dict


def xor(state):
    return bool(state[0]) != bool(state[1])


def build(**settings):
    ctx = BuildContext(n_inputs=2, n_neurons=3, n_outputs=1, processing_time=2, rng=np.random.default_rng(0))
    return TargetRate(from_dict(TargetRate.Config, {"expected_value": xor, **settings}), ctx)


def test_rewards_true_spikes_below_the_target_and_punishes_false_ones():
    rewarder = build(target_hz=400.0, tau_rate=10.0, punish_mult=2.0)
    spike, silent = np.array([True]), np.array([False])
    a = math.exp(-1 / 10)
    # estimate 0 < 400: rewarded; then nu = (1 - a) * 1000 = 95.2 Hz
    assert rewarder((0, 1), spike, None) == 1.0
    assert rewarder.rate_hz == pytest.approx((1 - a) * 1000)
    for _ in range(6):  # five more spikes raise the estimate: 1000 (1 - a^k) for k spikes
        rewarder((1, 0), spike, None)
    assert rewarder.rate_hz == pytest.approx(1000 * (1 - a**7))  # 503 Hz >= 400
    assert rewarder((1, 0), spike, None) == 0.0  # at the target: no more reward
    assert rewarder((1, 1), spike, None) == -2.0  # false pattern: always punished
    assert rewarder((1, 1), silent, None) == 0.0
    rewarder.reset()
    assert rewarder.rate_hz == 0.0 and rewarder((0, 1), spike, None) == 1.0


def test_bad_settings_and_conformance():
    with pytest.raises(ConfigError, match="target_hz: must be > 0"):
        from_dict(TargetRate.Config, {"expected_value": xor, "target_hz": 0})
    check_part("rewarder", TargetRate, settings={"expected_value": xor})


def test_max_gain_scales_rewarded_spikes_by_target_over_estimate():
    rewarder = build(target_hz=100.0, tau_rate=10.0, max_gain=3.0, punish_mult=1.0)
    spike = np.array([True])
    a = math.exp(-1 / 10)
    # estimate 0: the full gain 3
    assert rewarder((0, 1), spike, None) == 3.0
    # estimate (1 - a) 1000 = 95.16 Hz < 100: gain 100 / 95.16 = 1.0508
    assert rewarder((0, 1), spike, None) == pytest.approx(100.0 / ((1 - a) * 1000))
    # estimate 1000 (1 - a^2) = 181 Hz >= 100: unrewarded, and false-pattern spikes keep -1
    assert rewarder((1, 0), spike, None) == 0.0
    assert rewarder((1, 1), spike, None) == -1.0
    # a low estimate (20 Hz): the factor 100 / 20 = 5 is capped at 3
    rewarder.rate_hz = 20.0
    assert rewarder((0, 1), spike, None) == 3.0
    # the default gain 1 leaves Florian's +1 per rewarded spike
    plain = build(target_hz=100.0)
    plain.rate_hz = 20.0
    assert plain((0, 1), spike, None) == 1.0
    with pytest.raises(ConfigError, match="max_gain: must be >= 1"):
        from_dict(TargetRate.Config, {"expected_value": xor, "max_gain": 0.5})
