"""What every game shares: from_spec, settings priority, callback events, seeding, pickling."""

import pickle
import subprocess
import sys
import textwrap
import tomllib

import numpy as np
import pytest
from spikey_core.errors import ConfigError
from spikey_core.testing import check_config_class

from spikey_core import Callback, build_game, get_registry
from spikey_games import CartPole, Logic, and_gate, or_gate


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def game_init(self, *, game):
        super().game_init(game=game)
        self.events.append(("game_init", game))

    def game_reset(self, *, observation, info):
        self.events.append(("game_reset", observation, info))

    def game_step(self, *, action, observation, reward, terminated, truncated, info):
        self.events.append(("game_step", action, observation, reward, terminated, truncated, info))


def test_from_spec_builds_from_a_toml_section_through_the_registry():
    spec = tomllib.loads(
        textwrap.dedent("""
        [game]
        type = "cartpole"
        preset = "FREMAUX"
        action_mode = "rates"
        tau = 0.01
        xdot_init_range = [-0.05, 0.05]
    """)
    )
    game = build_game(spec["game"])
    assert isinstance(game, CartPole) and game.preset == "FREMAUX"
    settings = game.settings
    assert (settings.x_max, settings.tau, settings.xdot_init_range) == (2.5, 0.01, (-0.05, 0.05))
    assert game.action_space.shape == (2,)


def test_from_spec_collects_every_problem_into_one_error():
    with pytest.raises(ConfigError) as error:
        build_game(
            {
                "type": "cartpole",
                "preset": "FREMUAX",
                "tau": -1,
                "x_maxx": 3,
                "action_mode": 2,
                "render_mode": "ascii",
            }
        )
    lines = error.value.problems
    assert len(lines) == 5, lines
    assert lines[0].startswith("$.game.preset: CartPole has no preset 'FREMUAX'; did you mean 'FREMAUX'?")
    assert "$.game.x_maxx: unknown key; did you mean 'x_max'?" in lines
    assert "$.game.tau: must be > 0 (got -1)" in lines
    assert any(line.startswith("$.game.action_mode: must be one of 'discrete'") for line in lines)
    assert any(line.startswith("$.game.render_mode: CartPole cannot render 'ascii'") for line in lines)


def test_from_spec_cross_field_problem_is_addressed():
    with pytest.raises(ConfigError, match=r"^\$\.game\.x_init_range: must lie within \+-x_max = 2\.5"):
        CartPole.from_spec({"preset": "FREMAUX", "x_init_range": [-3, 3]}, address="$.game")


def test_priority_kwargs_over_class_config_over_preset():
    class AlwaysOr(Logic):
        config = {"expected_value": or_gate}

    assert AlwaysOr(preset="AND").settings.expected_value is or_gate  # class config beats preset
    assert AlwaysOr(expected_value=and_gate).settings.expected_value is and_gate  # kwargs beat class config
    assert AlwaysOr.from_spec({"preset": "AND"}).settings.expected_value is or_gate


def test_callback_events_carry_keywords_in_order():
    recorder = Recorder()
    game = Logic(callback=recorder)
    observation, info = game.reset(seed=4)
    step = game.step(np.bool_(True))
    assert [e[0] for e in recorder.events] == ["game_init", "game_reset", "game_step"]
    assert recorder.events[0][1] is game and recorder.game is game
    assert recorder.events[1][1] is observation and recorder.events[1][2] is info
    _, action, *rest = recorder.events[2]
    assert action == 1 and type(action) is int  # the checked, converted action
    assert rest[0] is step[0] and tuple(rest[1:]) == step[1:]


def test_from_spec_passes_the_callback():
    recorder = Recorder()
    game = build_game({"type": "logic", "preset": "OR"}, callback=recorder)
    assert recorder.events == [("game_init", game)] and game.callback is recorder


def _episode(game, seed, steps=30):
    observations = [game.reset(seed=seed)[0]]
    for t in range(steps):
        observation, *_ = game.step(t % 2)
        observations.append(observation)
    return np.array(observations)


@pytest.mark.parametrize(
    "make", [Logic, lambda: CartPole(x_init_range=[-1, 1], theta_init_range=[-0.2, 0.2])]
)
def test_same_seed_same_episode_different_seed_different_episode(make):
    game = make()
    first = _episode(game, 123, steps=10)
    np.testing.assert_array_equal(_episode(make(), 123, steps=10), first)
    assert not np.array_equal(_episode(game, 124, steps=10), first)


def test_same_seed_same_episode_in_another_process_and_after_pickling(tmp_path):
    code = textwrap.dedent("""
        import numpy as np
        from spikey_games import CartPole, Logic
        for game in (Logic(), CartPole(x_init_range=[-1, 1])):
            game.reset(seed=99)
            print([game.step(t % 2)[0].tolist() for t in range(10)])
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    lines = out.strip().splitlines()
    for game, line in zip((Logic(), CartPole(x_init_range=[-1, 1])), lines, strict=True):
        game.reset(seed=99)
        copy = pickle.loads(pickle.dumps(game))  # the generator state travels with the game
        here = [game.step(t % 2)[0].tolist() for t in range(10)]
        assert str(here) == line
        assert [copy.step(t % 2)[0].tolist() for t in range(10)] == here


def test_each_game_owns_its_generator():
    # drawing from one game does not shift another's stream, and globals are untouched
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    a, b = Logic(), Logic()
    a.reset(seed=5)
    b.reset(seed=5)
    for _ in range(20):
        a.step(0)
    np.testing.assert_array_equal(b.step(0)[0], _nth_observation(5, 1))
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def _nth_observation(seed, n):
    game = Logic()
    observation, _ = game.reset(seed=seed)
    for _ in range(n):
        observation = game.step(0)[0]
    return observation


def test_params_lists_preset_and_settings():
    params = CartPole(preset="FREMAUX").params
    assert params["preset"] == "FREMAUX" and params["x_max"] == 2.5 and params["action_mode"] == "discrete"


@pytest.mark.parametrize("name", ["logic", "cartpole", "gym"])
def test_registered_game_configs_are_documented_and_checked(name):
    assert check_config_class(get_registry().get("game", name)) == []
