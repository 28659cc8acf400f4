"""Modifiers: schedules over several game steps, reset, and path validation."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.modifiers.drop_off import DropOff
from spikey_parts.modifiers.linear_decay import LinearDecay

from spikey_core import BuildContext, ConfigError, from_dict

RATE = "synapse.learning_rate"


class Rule:
    """Stands in for a synapse: one runtime-tunable number, one config-only value, one string."""

    def __init__(self):
        self.learning_rate = 0.1
        self.name = "rule"
        self.config = type("Config", (), {"stdp_window": 20})()


def build(cls, parts=None, **settings):
    parts = {"synapse": Rule()} if parts is None else parts
    ctx = BuildContext(
        n_inputs=1, n_neurons=1, n_outputs=1, processing_time=1, rng=np.random.default_rng(0), parts=parts
    )
    return cls(from_dict(cls.Config, settings), ctx), parts


def schedule(modifier, part, n):
    """Value of ``part.learning_rate`` seen by each of ``n`` game steps."""
    seen = []
    for _ in range(n):
        modifier.update(None)
        seen.append(part.learning_rate)
    return seen


def test_linear_decay_ramps_then_holds():
    modifier, parts = build(LinearDecay, param=RATE, step_stop=4, value_start=0.1, value_stop=0.0)
    # 0.1 + (0 - 0.1) * min(k, 4) / 4 for k = 0..5
    np.testing.assert_allclose(schedule(modifier, parts["synapse"], 6), [0.1, 0.075, 0.05, 0.025, 0.0, 0.0])


def test_linear_decay_reset_restarts_instead_of_drifting():
    modifier, parts = build(LinearDecay, param=RATE, step_stop=2, value_start=1.0, value_stop=3.0)
    assert schedule(modifier, parts["synapse"], 3) == [1.0, 2.0, 3.0]
    modifier.reset()
    assert parts["synapse"].learning_rate == 1.0 and modifier.step == 0
    assert schedule(modifier, parts["synapse"], 3) == [1.0, 2.0, 3.0]


def test_value_start_defaults_to_the_value_when_built():
    modifier, parts = build(LinearDecay, param=RATE, step_stop=2, value_stop=0.0)
    np.testing.assert_allclose(schedule(modifier, parts["synapse"], 3), [0.1, 0.05, 0.0])


def test_drop_off_switches_after_step_stop_game_steps():
    modifier, parts = build(DropOff, param=RATE, step_stop=2, value_start=0.5, value_end=0.0)
    assert schedule(modifier, parts["synapse"], 4) == [0.5, 0.5, 0.0, 0.0]
    modifier.reset()
    assert parts["synapse"].learning_rate == 0.5
    assert schedule(modifier, parts["synapse"], 3) == [0.5, 0.5, 0.0]


def test_drop_off_at_zero_uses_the_end_value_at_once():
    modifier, parts = build(DropOff, param=RATE, step_stop=0, value_end=2.0)
    assert schedule(modifier, parts["synapse"], 2) == [2.0, 2.0]


def test_schedule_position_is_saved_state():
    modifier, parts = build(DropOff, param=RATE, step_stop=2, value_end=0.0)
    schedule(modifier, parts["synapse"], 2)
    saved = modifier.state_dict()
    other, other_parts = build(DropOff, param=RATE, step_stop=2, value_end=0.0)
    other.load_state_dict(saved)
    assert schedule(other, other_parts["synapse"], 1) == [0.0]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("synaps.learning_rate", "no part 'synaps'; did you mean 'synapse'"),
        ("synapse.learning_rat", "no attribute 'learning_rat'; did you mean 'learning_rate'"),
        ("synapse.stdp_window", "reads 'stdp_window' from its config only"),
        ("synapse.name", "not a number"),
        ("synapse", "must be 'slot.attribute'"),
    ],
)
def test_bad_paths_are_config_errors_naming_the_path(path, message):
    with pytest.raises(ConfigError, match=message) as error:
        build(LinearDecay, param=path, step_stop=2, value_stop=0.0)
    assert "$.modifiers.param (LinearDecay)" in str(error.value)


def test_step_stop_of_linear_decay_must_be_positive():
    with pytest.raises(ConfigError, match="step_stop: must be >= 1"):
        build(LinearDecay, param=RATE, step_stop=0, value_stop=0.0)


def test_modifiers_conform():
    linear = {"param": "weight.max_weight", "step_stop": 3, "value_stop": 2.0}
    check_part("modifier", LinearDecay, settings=linear)
    check_part("modifier", DropOff, settings={"param": "input.magnitude", "step_stop": 3, "value_end": 2.0})
