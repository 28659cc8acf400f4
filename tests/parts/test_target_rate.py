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
