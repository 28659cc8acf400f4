"""CartPole: dynamics against gymnasium's CartPole-v1, actions, termination, reset ranges, rendering."""

import math

import gymnasium
import numpy as np
import pytest
from spikey_core.cli import main
from spikey_core.errors import ConfigError, GameError

from spikey_games import CartPole


def _gym_cartpole(x_max, theta_max):
    env = gymnasium.make("CartPole-v1").unwrapped
    env.x_threshold, env.theta_threshold_radians = x_max, theta_max
    return env


def test_trajectory_matches_gymnasium_cartpole_step_for_step():
    # Same constants (g 9.8, masses 1.0 / 0.1, half length 0.5, 10 N, tau 0.02, Euler), same start
    # state and the same random bang-bang actions: both states must agree to the last bit.
    game = CartPole(preset="FREMAUX")
    env = _gym_cartpole(game.settings.x_max, game.settings.theta_max)
    rng = np.random.default_rng(7)
    start = np.array([0.1, -0.2, 0.05, 0.3])
    game.reset(options={"state": start})
    env.reset(seed=0)
    env.state = start.copy()
    terminations = 0
    for _ in range(200):
        action = int(rng.integers(2))
        observation, _, terminated, _, _ = game.step(action)
        _, _, gym_terminated, _, _ = env.step(action)
        np.testing.assert_allclose(observation, env.state, rtol=1e-14, atol=1e-15)
        assert terminated == gym_terminated
        if terminated:
            terminations += 1
            restart = rng.uniform(-0.1, 0.1, size=4)
            game.reset(options={"state": restart})
            env.state, env.steps_beyond_terminated = restart.copy(), None
    assert np.array_equal(game.state, env.state)  # bit-identical, not just close
    assert terminations >= 1  # the comparison covered episode ends too


def test_one_hand_computed_euler_step():
    # From rest, upright, pushing right with 10 N: sin = 0, cos = 1, temp = 10 / 1.1 = 9.0909...,
    # thetaacc = (0 - 9.0909) / (0.5 * (4/3 - 0.1/1.1)) = -9.0909 / 0.62121 = -14.6341...,
    # xacc = 9.0909 - 0.05 * (-14.6341) / 1.1 = 9.7561; after one step only the velocities move
    # (Euler uses the old velocities for the positions): x_dot = 0.02 * 9.7561, theta_dot = 0.02 * -14.6341.
    game = CartPole()
    game.reset(options={"state": [0, 0, 0, 0]})
    observation, reward, terminated, truncated, info = game.step(1)
    temp = 10 / 1.1
    thetaacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1))
    xacc = temp - 0.05 * thetaacc / 1.1
    np.testing.assert_allclose(observation, [0, 0.02 * xacc, 0, 0.02 * thetaacc], rtol=1e-12)
    assert (reward, terminated, truncated, info["force"]) == (0.0, False, False, 10.0)


def test_constant_push_from_the_default_reset_terminates_after_23_steps():
    # reference: Spikey 0.5 with +10 N from its default reset ends after 23 steps (velocities
    # start within +-0.1, which does not change the count)
    game = CartPole(action_mode="continuous")
    game.reset(seed=3)
    steps = 0
    terminated = False
    while not terminated:
        _, _, terminated, _, _ = game.step([10.0])
        steps += 1
    assert steps == 23
    assert abs(game.state[2]) > math.pi / 2 and abs(game.state[0]) <= 4.5


@pytest.mark.parametrize(
    ("mode", "action", "force"),
    [
        ("discrete", 0, -10.0),
        ("discrete", 1, 10.0),
        ("discrete", np.bool_(True), 10.0),
        ("continuous", [-3.5], -3.5),
        ("continuous", np.float32(2.0), 2.0),
        ("rates", [0.25, 0.75], 5.0),  # (0.75 - 0.25) * 10 N
        ("rates", [1.0, 0.0], -10.0),
    ],
)
def test_action_modes_turn_actions_into_forces(mode, action, force):
    game = CartPole(action_mode=mode)
    game.reset(seed=0)
    assert game.step(action)[4]["force"] == pytest.approx(force)


@pytest.mark.parametrize(
    ("mode", "action"),
    [
        ("discrete", 2),
        ("discrete", 0.5),
        ("discrete", "left"),
        ("continuous", "1.5"),
        ("continuous", [10.5]),
        ("continuous", [1.0, 2.0]),
        ("rates", [0.5, 1.5]),
        ("rates", [0.5]),
    ],
)
def test_actions_outside_the_space_raise_game_error_naming_game_and_value(mode, action):
    game = CartPole(action_mode=mode)
    game.reset(seed=0)
    message = r"CartPole\(preset='DEFAULT'\): action .* is not in the action space"
    with pytest.raises(GameError, match=message):
        game.step(action)


def test_step_after_termination_and_before_reset_raise():
    game = CartPole(x_max=0.5, x_init_range=[0.49, 0.49], xdot_init_range=[1, 1])
    with pytest.raises(GameError, match="before the first reset"):
        game.step(1)
    game.reset(seed=0)
    assert game.step(1)[2] is True  # 0.49 + 0.02 * 1 > 0.5
    with pytest.raises(GameError, match="after the episode ended; call reset"):
        game.step(1)
    game.reset(seed=0)
    game.step(0)


def test_reset_draws_each_variable_uniformly_from_its_range_with_the_games_generator():
    game = CartPole(
        x_init_range=[-1, 1],
        xdot_init_range=[2, 3],
        theta_init_range=[-0.2, -0.1],
        thetadot_init_range=[0, 0],
    )
    starts = np.array([game.reset(seed=s)[0] for s in range(300)])
    assert np.all((starts[:, 0] >= -1) & (starts[:, 0] <= 1))
    assert np.all((starts[:, 1] >= 2) & (starts[:, 1] <= 3))  # no random sign flip
    assert np.all((starts[:, 2] >= -0.2) & (starts[:, 2] <= -0.1))
    assert np.all(starts[:, 3] == 0)
    assert starts[:, 0].min() < -0.8 and starts[:, 0].max() > 0.8
    np.testing.assert_array_equal(game.reset(seed=5)[0], starts[5])


def test_presets_and_priorities():
    assert CartPole().settings.x_max == 4.5
    assert CartPole(preset="FREMAUX").settings.x_max == 2.5
    assert CartPole(preset="FREMAUX", x_max=3.0).settings.x_max == 3.0

    class Short(CartPole):
        config = {"x_max": 1.0, "tau": 0.01}

    game = Short(preset="FREMAUX", tau=0.05)
    # explicit > class config > preset > defaults
    assert (game.settings.x_max, game.settings.tau, game.settings.theta_max) == (1.0, 0.05, math.pi / 2)


def test_bad_settings_are_reported_together():
    with pytest.raises(ConfigError) as error:
        CartPole(tau=0, mass_pole=-1, action_mode="discrte", Mass_Cart=2.0)
    lines = error.value.problems
    assert "CartPole.tau: must be > 0 (got 0)" in lines
    assert "CartPole.mass_pole: must be > 0 (got -1)" in lines
    assert any(
        line.startswith("CartPole.action_mode: must be one of") and "did you mean 'discrete'" in line
        for line in lines
    )
    assert "CartPole.Mass_Cart: unknown key; did you mean 'mass_cart'?" in lines


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"x_init_range": [1, -1]}, "x_init_range: must be [low, high] with low <= high (got [1.0, -1.0])"),
        ({"x_init_range": [0, 1, 2]}, "x_init_range: must be [low, high]"),
        ({"theta_init_range": [-2, 2]}, "theta_init_range: must lie within +-theta_max"),
        ({"xdot_init_range": 0.1}, "xdot_init_range: must have 1 dimension(s)"),
    ],
)
def test_init_ranges_are_checked(settings, message):
    with pytest.raises(
        ConfigError,
        match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)").replace("+", r"\+"),
    ):
        CartPole(**settings)


def test_rgb_array_render_draws_cart_and_pole_where_the_state_says():
    game = CartPole(render_mode="rgb_array")
    game.reset(options={"state": [2.25, 0, 0.5, 0]})
    frame = game.render()
    assert frame.shape == (400, 600, 3) and frame.dtype == np.uint8
    # x = 2.25 m on a track of +-4.5 m spanning 600 px: the cart is centred at 300 + 150 = 450 px
    cart = np.all(frame == (30, 30, 30), axis=2)
    columns = np.flatnonzero(cart.any(axis=0))
    assert columns.min() == 425 and columns.max() == 474
    # the pole leans right (theta > 0): its pixels lie right of the pivot and above the cart
    pole_rows, pole_cols = np.nonzero(np.all(frame == (202, 152, 101), axis=2))
    # pivot at (450, 270) px; 1 m of pole = 66.7 px, so the tip sits near
    # (450 + 66.7 sin 0.5, 270 - 66.7 cos 0.5), plus the 5 px half-width of the stroke
    assert pole_cols.mean() > 450 and pole_cols.max() == pytest.approx(450 + 66.7 * math.sin(0.5) + 5, abs=2)
    assert pole_rows.min() == pytest.approx(270 - 66.7 * math.cos(0.5) - 5, abs=2)
    assert CartPole().render() is None  # no render mode: nothing


def test_human_render_without_display_says_so(monkeypatch):
    pytest.importorskip("pygame")
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SDL_VIDEODRIVER", "x11")
    game = CartPole(render_mode="human")  # constructing opens nothing
    with pytest.raises(GameError, match="needs a display.*rgb_array"):
        game.reset(seed=0)
    game.close()


def test_spikey_describe_shows_every_setting_with_units(capsys):
    assert main(["describe", "game", "cartpole"]) == 0
    out = capsys.readouterr().out
    assert "presets: DEFAULT, FREMAUX" in out
    for name, unit in [
        ("x_max", " m,"),
        ("theta_max", "rad"),
        ("xdot_init_range", "m/s"),
        ("g ", "m/s^2"),
        ("mass_cart", "kg"),
        ("force_mag", " N"),
        ("tau", " s,"),
        ("thetadot_init_range", "rad/s"),
    ]:
        line = next(line for line in out.splitlines() if line.strip().startswith(name))
        assert unit in line, line
