"""Logic: truth tables of every preset, observations, actions, rendering."""

import pickle

import numpy as np
import pytest
from spikey_core.errors import ConfigError, GameError

from spikey_games import Logic, xor_gate

# Truth tables written out by hand: inputs (a, b) -> gate output.
TRUTH_TABLES = {
    "AND": {(0, 0): False, (0, 1): False, (1, 0): False, (1, 1): True},
    "OR": {(0, 0): False, (0, 1): True, (1, 0): True, (1, 1): True},
    "XOR": {(0, 0): False, (0, 1): True, (1, 0): True, (1, 1): False},
    "NAND": {(0, 0): True, (0, 1): True, (1, 0): True, (1, 1): False},
    "NOR": {(0, 0): True, (0, 1): False, (1, 0): False, (1, 1): False},
    "XNOR": {(0, 0): True, (0, 1): False, (1, 0): False, (1, 1): True},
}


@pytest.mark.parametrize("preset", sorted(TRUTH_TABLES))
def test_truth_table_of_every_preset(preset):
    game = Logic(preset=preset)
    expected = game.network_params()["expected_value"]
    for (a, b), output in TRUTH_TABLES[preset].items():
        # the same answer for tuples of bools, int8 observations and through network_params
        assert game.expected_value((bool(a), bool(b))) is output
        assert game.expected_value(np.array([a, b], dtype=np.int8)) is output
        assert expected((np.bool_(a), np.bool_(b))) is output


def test_presets_are_exactly_the_six_gates_and_xor_is_the_default():
    assert set(Logic.PRESETS) == set(TRUTH_TABLES)
    assert Logic().preset == "XOR" and Logic().settings.expected_value is xor_gate


def test_observations_are_fresh_random_bit_pairs_independent_of_the_action():
    game = Logic()
    first, info = game.reset(seed=11)
    assert info == {} and first.dtype == np.int8 and first.shape == (2,)
    observations = [first]
    for t in range(400):
        observation, reward, terminated, truncated, info = game.step(t % 2)
        assert (reward, terminated, truncated, info) == (0.0, False, False, {})
        assert game.observation_space.contains(observation)
        observations.append(observation)
    pairs = np.array(observations)
    assert observations[0] is not observations[1]  # no shared buffer between steps
    # each of the 4 pairs has probability 1/4: 401 draws give ~100 each (binomial sd ~8.7)
    counts = np.bincount(pairs[:, 0] * 2 + pairs[:, 1], minlength=4)
    assert counts.min() > 60 and counts.max() < 140
    # the action does not influence the observations: another action sequence, same seed, same draws
    game.reset(seed=11)
    again = [game.step(1)[0] for _ in range(400)]
    np.testing.assert_array_equal(np.array(again), pairs[1:])


@pytest.mark.parametrize("action", [0, 1, True, np.bool_(False), np.int64(1), np.array([1]), 1.0])
def test_valid_actions(action):
    # every spelling of 0 or 1 is accepted and judged as that answer: reward 1 for the XOR of
    # the pair answered, 0 otherwise (reward_correct=1 so that the judgement is visible)
    game = Logic(reward_correct=1.0, reward_incorrect=0.0)
    pair, _ = game.reset(seed=0)
    answer = int(np.asarray(action).reshape(-1)[0])
    observation, reward, terminated, truncated, _ = game.step(action)
    assert reward == (1.0 if answer == int(pair[0]) ^ int(pair[1]) else 0.0)
    assert game.observation_space.contains(observation)
    assert (terminated, truncated) == (False, False)


@pytest.mark.parametrize("action", [2, -1, 0.5, None, "1", [0, 1]])
def test_invalid_actions_raise_game_error_naming_game_and_value(action):
    game = Logic(preset="AND")
    game.reset(seed=0)
    message = r"Logic\(preset='AND'\): action .* is not in the action space Discrete\(2\)"
    with pytest.raises(GameError, match=message):
        game.step(action)


def test_unknown_preset_suggests_the_right_one():
    with pytest.raises(ConfigError, match=r"Logic.preset: Logic has no preset 'xor'; did you mean 'XOR'\?"):
        Logic(preset="xor")
    with pytest.raises(ConfigError, match="did you mean 'NAND'.*presets: 'AND', 'OR'"):
        Logic(preset="NADN")


def test_custom_gate_and_bad_gate():
    game = Logic(expected_value=lambda state: True)
    assert game.expected_value((0, 0)) is True
    with pytest.raises(ConfigError, match=r"Logic.expected_value: must be callable \(got 3\)"):
        Logic(expected_value=3)


def test_ansi_render_and_pickling():
    game = Logic(preset="NOR", render_mode="ansi")
    assert "no episode yet" in game.render()
    observation, _ = game.reset(seed=2)
    a, b = observation
    assert game.render() == f"NOR({a}, {b}) = {int(not (a or b))}"
    copy = pickle.loads(pickle.dumps(game))
    np.testing.assert_array_equal(copy.step(0)[0], game.step(0)[0])
    with pytest.raises(ConfigError, match="Logic.render_mode: Logic cannot render 'rgb_array'"):
        Logic(render_mode="rgb_array")
