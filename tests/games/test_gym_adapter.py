"""gymnasium interoperability both ways: gymnasium envs as Spikey games, Spikey games as gymnasium envs."""

import pickle
import textwrap
import tomllib
import warnings
from copy import deepcopy

import gymnasium
import numpy as np
import pytest
from gymnasium.envs.classic_control.cartpole import CartPoleEnv
from gymnasium.utils.env_checker import check_env
from spikey_core.errors import ConfigError, GameError

from spikey_core import build_game, get_registry
from spikey_games import CartPole, GymGame, Logic, env_id, register_gymnasium_envs, wrap_env


def _play(env, seed, actions):
    """Observations, rewards and end flags of ``actions`` from ``reset(seed=seed)``, stopping at the end."""
    observation, _ = env.reset(seed=seed)
    trace = [observation]
    for action in actions:
        observation, reward, terminated, truncated, _ = env.step(action)
        trace.append((observation, reward, terminated, truncated))
        if terminated or truncated:
            break
    return trace


def _assert_same_trace(a, b):
    assert len(a) == len(b)
    np.testing.assert_array_equal(a[0], b[0])
    for (obs_a, *rest_a), (obs_b, *rest_b) in zip(a[1:], b[1:], strict=True):
        np.testing.assert_array_equal(obs_a, obs_b)
        assert rest_a == rest_b


# -- gymnasium -> Spikey --------------------------------------------------------------------------
def test_gym_game_plays_exactly_the_bare_environment():
    actions = np.random.default_rng(0).integers(0, 2, size=600).tolist()
    game = GymGame(id="CartPole-v1")
    assert game.action_space == gymnasium.spaces.Discrete(2)
    assert game.observation_space == gymnasium.make("CartPole-v1").observation_space
    bare = gymnasium.make("CartPole-v1")
    for seed in (0, 1):
        trace = _play(game, seed, actions)
        _assert_same_trace(trace, _play(bare, seed, actions))
        assert 5 < len(trace) < 200 and trace[-1][2] is True  # a random policy lets the pole fall


def test_wrapping_two_environments_gives_two_independent_classes():
    CartPoleGame = wrap_env("CartPole-v1")
    MountainCarGame = wrap_env("MountainCar-v0")
    assert CartPoleGame is not MountainCarGame and CartPoleGame.__name__ == "Gym_CartPole_v1"
    # the first class is unchanged by the second wrap (Spikey 0.5 mutated one shared class)
    cart, car = CartPoleGame(), MountainCarGame()
    assert cart.observation_space.shape == (4,) and car.observation_space.shape == (2,)
    assert car.action_space == gymnasium.spaces.Discrete(3)
    assert isinstance(cart.env.unwrapped, CartPoleEnv)
    assert type(car.env.unwrapped).__name__ == "MountainCarEnv"
    actions = [0, 1] * 10
    _assert_same_trace(_play(CartPoleGame(), 3, actions), _play(gymnasium.make("CartPole-v1"), 3, actions))


def test_games_of_wrapped_classes_pickle_and_copy_with_their_generator_state():
    for wrapped in (wrap_env("CartPole-v1"), wrap_env(CartPoleEnv, sutton_barto_reward=True)):
        game = wrapped()
        game.reset(seed=4)
        game.step(1)
        copy = pickle.loads(pickle.dumps(game))
        assert type(copy).__name__ == wrapped.__name__ and copy.settings == game.settings
        twin = deepcopy(game)
        assert type(twin) is wrapped
        for action in (0, 1, 1, 0):
            observation = game.step(action)[0]
            np.testing.assert_array_equal(copy.step(action)[0], observation)
            np.testing.assert_array_equal(twin.step(action)[0], observation)


def test_wrap_an_environment_class_with_kwargs_and_an_instance():
    Barto = wrap_env(CartPoleEnv, sutton_barto_reward=True)
    game = Barto()
    game.reset(seed=0)
    assert game.step(1)[1] == 0.0  # Sutton-Barto reward: 0 while balancing (default reward would be 1)
    instance = CartPoleEnv()
    shared = wrap_env(instance)()
    assert shared.env is instance
    with pytest.raises(ConfigError, match="already built"):
        wrap_env(instance, sutton_barto_reward=True)
    with pytest.raises(ConfigError, match="needs a gymnasium id, Env subclass or Env instance"):
        wrap_env(42)


def test_gym_game_from_toml_with_kwargs_and_time_limit():
    section = tomllib.loads(
        textwrap.dedent("""
        [game]
        type = "gym"
        id = "CartPole-v1"
        kwargs = { sutton_barto_reward = true }
        max_episode_steps = 3
    """)
    )["game"]
    game = build_game(section)
    assert isinstance(game, GymGame) and game.label == "GymGame(CartPole-v1)"
    game.reset(seed=0)
    outcomes = [game.step(1)[1:4] for _ in range(3)]
    assert outcomes == [(0.0, False, False), (0.0, False, False), (0.0, False, True)]  # truncated at 3
    with pytest.raises(GameError, match=r"GymGame\(CartPole-v1\): step\(\) called after the episode ended"):
        game.step(1)


def test_gym_game_spec_problems_are_collected():
    with pytest.raises(ConfigError) as error:
        build_game({"type": "gym", "id": "CartPol-v1", "kwarg": {}, "max_episode_steps": 0})
    lines = error.value.problems
    assert "$.game.kwarg: unknown key; did you mean 'kwargs'?" in lines
    assert "$.game.max_episode_steps: must be >= 1 (got 0)" in lines
    assert "$.game.id: Environment `CartPol` doesn't exist. Did you mean: `CartPole`?" in lines
    with pytest.raises(ConfigError, match=r"\$\.game\.id: required: the gymnasium environment to play"):
        build_game({"type": "gym"})
    with pytest.raises(ConfigError, match="cannot create the gymnasium environment CartPole-v1: .*'foo'"):
        GymGame(id="CartPole-v1", kwargs={"foo": 1})


def test_gym_game_rejects_bad_actions_before_the_environment_sees_them():
    game = GymGame(id="CartPole-v1")
    game.reset(seed=0)
    message = r"GymGame\(CartPole-v1\): action 3 \(int\) is not in the action space"
    with pytest.raises(GameError, match=message):
        game.step(3)
    continuous = GymGame(id="Pendulum-v1")
    continuous.reset(seed=0)
    continuous.step(np.float64(1.5))  # a scalar torque fits Box(-2, 2, (1,))
    with pytest.raises(GameError, match="not in the action space Box"):
        continuous.step([2.5])


def test_gym_game_renders_through_the_environment_and_pickles():
    game = GymGame(id="CartPole-v1", render_mode="rgb_array")
    game.reset(seed=0)
    frame = game.render()
    assert frame.dtype == np.uint8 and frame.shape == (400, 600, 3)
    copy = pickle.loads(pickle.dumps(GymGame(id="CartPole-v1")))
    _assert_same_trace(_play(copy, 8, [1, 0, 1]), _play(gymnasium.make("CartPole-v1"), 8, [1, 0, 1]))


# -- Spikey -> gymnasium --------------------------------------------------------------------------
def _spikey_games():
    registry = get_registry()
    games = [registry.get("game", name) for name in registry.names("game")]
    return [
        cls
        for cls in games
        if isinstance(cls, type) and issubclass(cls, gymnasium.Env) and not issubclass(cls, GymGame)
    ]


def test_every_registered_spikey_game_passes_the_gymnasium_env_checker():
    ids = register_gymnasium_envs(from_registry=True)
    games = _spikey_games()
    assert {Logic, CartPole} <= set(games) and len(ids) == len(set(ids)) == len(games)
    for cls in games:
        assert env_id(cls) in ids
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # advisory warnings (unbounded velocities, Box ranges)
            check_env(gymnasium.make(env_id(cls)).unwrapped, skip_render_check=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"action_mode": "continuous"},
        {"action_mode": "rates", "preset": "FREMAUX"},
        {"render_mode": "rgb_array"},
    ],
)
def test_cartpole_variants_pass_the_env_checker(kwargs, monkeypatch):
    # the checker also tries render_mode "human": keep pygame's window off-screen
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    env = gymnasium.make("spikey/CartPole-v0", **kwargs)
    assert isinstance(env.unwrapped, CartPole)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(env.unwrapped)


def test_spikey_envs_work_with_gymnasium_make_wrappers_and_seeding():
    env = gymnasium.make("spikey/Logic-v0", preset="AND", max_episode_steps=5)
    assert env.unwrapped.preset == "AND"
    observation, _ = env.reset(seed=42)
    direct = Logic(preset="AND")
    np.testing.assert_array_equal(observation, direct.reset(seed=42)[0])
    flags = [env.step(1)[3] for _ in range(5)]
    assert flags == [False] * 4 + [True]
    # a round trip: the gymnasium env of a Spikey game, played as a Spikey game again
    round_trip = GymGame(id="spikey/Logic-v0", kwargs={"preset": "AND"})
    np.testing.assert_array_equal(round_trip.reset(seed=42)[0], observation)


def test_registration_is_idempotent():
    before = len(gymnasium.registry)
    assert register_gymnasium_envs() == ["spikey/Logic-v0", "spikey/CartPole-v0", "spikey/RandomState-v0"]
    assert len(gymnasium.registry) == before


# -- gymnasium-faithful rewards and truncation ----------------------------------------------------
def _balance(observation):
    """A PD controller that keeps the pole up far beyond 500 steps (push towards the lean)."""
    return int(observation[2] + 0.5 * observation[3] > 0)


def _play_until_end(env, policy, limit=2000):
    observation, _ = env.reset(seed=3)
    rewards, end = [], None
    for _ in range(limit):
        observation, reward, terminated, truncated, _ = env.step(policy(observation))
        rewards.append(reward)
        if terminated or truncated:
            end = (terminated, truncated)
            break
    return rewards, end


def test_spikey_cartpole_from_gymnasium_rewards_one_per_step_and_truncates_at_500_like_cartpole_v1():
    rewards, end = _play_until_end(gymnasium.make("spikey/CartPole-v0"), _balance)
    assert (len(rewards), end, set(rewards)) == (500, (False, True), {1.0})
    # CartPole-v1 itself, balanced by the same controller, ends the same way
    gym_rewards, gym_end = _play_until_end(gymnasium.make("CartPole-v1"), _balance)
    assert (len(gym_rewards), gym_end, set(gym_rewards)) == (500, (False, True), {1.0})
    # a falling pole: +1 on the terminating step too, as CartPole-v1 gives
    rewards, end = _play_until_end(gymnasium.make("spikey/CartPole-v0"), lambda _: 1)
    assert end == (True, False) and rewards == [1.0] * len(rewards)


def test_spikey_cartpole_native_defaults_stay_available():
    # built directly: reward 0, never truncated; through gymnasium with the native settings: the same
    for env in (CartPole(), gymnasium.make("spikey/CartPole-v0", reward_per_step=0, max_steps=None)):
        rewards, end = _play_until_end(env, _balance, limit=800)
        assert (len(rewards), end, set(rewards)) == (800, None, {0.0})
    short = gymnasium.make("spikey/CartPole-v0", max_steps=3)
    assert _play_until_end(short, _balance)[1] == (False, True)
    assert len(_play_until_end(short, _balance)[0]) == 3


def test_spikey_logic_from_gymnasium_rewards_a_correct_answer():
    env = gymnasium.make("spikey/Logic-v0", preset="AND")
    observation, _ = env.reset(seed=5)
    answers = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]
    for action in answers:
        truth = int(observation[0] == 1 and observation[1] == 1)  # AND, by hand
        observation, reward, terminated, truncated, _ = env.step(action)
        assert reward == (1.0 if action == truth else 0.0) and not (terminated or truncated)
    native = Logic(preset="AND")
    native.reset(seed=5)
    assert {native.step(a)[1] for a in answers} == {0.0}
    penalised = Logic(preset="XOR", reward_correct=2.0, reward_incorrect=-1.0)
    observation, _ = penalised.reset(seed=1)
    truth = int(observation[0] != observation[1])
    assert penalised.step(truth)[1] == 2.0
    observation = penalised.state
    assert penalised.step(1 - int(observation[0] != observation[1]))[1] == -1.0
