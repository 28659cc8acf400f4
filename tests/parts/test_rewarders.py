"""Rewarders: match_expected, florian and state_set against hand-computed rewards."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.spec import build_config
from spikey_core.testing import check_part
from spikey_parts.rewarders.florian import Florian
from spikey_parts.rewarders.match_expected import MatchExpected
from spikey_parts.rewarders.state_set import StateSet

from spikey_core import BuildContext, ConfigError, GameError, from_dict


def xor(state):
    return bool(state[0]) != bool(state[1])


def always_one(state):
    return 1


class CountingXor:
    """XOR that counts its calls (to see when a rewarder consults it)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, state):
        self.calls += 1
        return xor(state)


def build(cls, **settings):
    ctx = BuildContext(n_inputs=2, n_neurons=3, n_outputs=1, processing_time=2, rng=np.random.default_rng(0))
    return cls(from_dict(cls.Config, settings), ctx)


# -- match_expected -------------------------------------------------------------------------------


def test_match_expected_scalar():
    rewarder = build(MatchExpected, expected_value=xor, reward_mult=2.0, punish_mult=0.5)
    assert rewarder((1, 0), True, None) == 2.0
    assert rewarder((1, 1), True, None) == -0.5
    assert rewarder((1, 1), 0, None) == 2.0  # False == 0


def test_match_expected_vector_action_sums_elements():
    rewarder = build(MatchExpected, expected_value=always_one, reward_mult=2, punish_mult=0.5)
    assert rewarder(None, [1, 0, 1], None) == pytest.approx(2 - 0.5 + 2)


def test_match_expected_defaults_reward_one_and_punish_nothing():
    rewarder = build(MatchExpected, expected_value=xor)
    assert (rewarder((0, 1), 1, None), rewarder((0, 1), 0, None)) == (1.0, 0.0)


def test_punish_mult_is_a_magnitude():
    with pytest.raises(ConfigError, match="punish_mult: must be >= 0"):
        build(MatchExpected, expected_value=xor, punish_mult=-1)


def test_expected_value_is_required_unless_the_game_offers_it():
    with pytest.raises(ConfigError, match="expected_value: required"):
        build_config(MatchExpected, {}, "$.rewarder")
    config = build_config(MatchExpected, {"reward_mult": 3}, "$.rewarder", {"expected_value": xor})
    assert config.expected_value is xor and config.reward_mult == 3


# -- florian ---------------------------------------------------------------------------------------


def test_florian_rewards_spikes_of_true_patterns_and_punishes_false_ones():
    rewarder = build(Florian, expected_value=xor, reward_mult=1.0, punish_mult=0.5)
    fired, silent = np.array([True]), np.array([False])
    assert rewarder((1, 0), fired, None) == 1.0
    assert rewarder((1, 1), fired, None) == -0.5
    assert rewarder((1, 0), silent, None) == 0.0
    assert rewarder((0, 0), silent, None) == 0.0


def test_florian_counts_every_output_spike():
    rewarder = build(Florian, expected_value=xor, reward_mult=1.5, punish_mult=2.0)
    two_of_three = np.array([True, False, True])
    assert rewarder((0, 1), two_of_three, None) == 3.0
    assert rewarder((1, 1), two_of_three, None) == -4.0
    assert rewarder((0, 1), 1, None) == 1.5  # a tick-mode scalar action counts as one spike


def test_florian_does_not_consult_the_game_on_silent_steps():
    expected = CountingXor()
    rewarder = build(Florian, expected_value=expected)
    rewarder((1, 0), np.zeros(1, dtype=bool), None)
    assert expected.calls == 0
    rewarder((1, 0), np.ones(1, dtype=bool), None)
    assert expected.calls == 1


# -- state_set --------------------------------------------------------------------------------------


def test_state_set_integer_states():
    rewarder = build(StateSet, rewarded_states=[0, 3, 6, 9], reward_mult=1.0, punish_mult=0.5)
    assert rewarder(3, None, None) == 1.0
    assert rewarder(np.int64(6), None, None) == 1.0
    assert rewarder(4, None, None) == -0.5  # punishment is negated, unlike the original


def test_state_set_tuple_states_from_toml_lists():
    rewarder = build(StateSet, rewarded_states=[[0, 1], [1, 0]])
    assert rewarder((True, False), None, None) == 1.0
    assert rewarder(np.array([0, 1]), None, None) == 1.0
    assert rewarder([1, 1], None, None) == 0.0  # default punish_mult 0 -> -0.0


def test_state_set_unhashable_state_is_a_game_error():
    with pytest.raises(GameError, match="not hashable"):
        build(StateSet, rewarded_states=[1])({"a": 1}, None, None)


def test_rewards_are_runtime_tunable_attributes():
    rewarder = build(StateSet, rewarded_states=[1], reward_mult=1.0)
    rewarder.reward_mult = 0.25
    assert rewarder(1, None, None) == 0.25


def test_rewarders_conform():
    check_part("rewarder", MatchExpected, settings={"expected_value": xor})
    check_part("rewarder", Florian, settings={"expected_value": xor})
    check_part("rewarder", StateSet, settings={"rewarded_states": [[1, 0]]})
