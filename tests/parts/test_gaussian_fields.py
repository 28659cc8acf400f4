"""gaussian_fields: hand-computed rates, clipping, bounds from every classic-control Box, n_inputs."""

from __future__ import annotations

import math
import warnings

import gymnasium
import numpy as np
import pytest
from spikey_core.loops import make_loop
from spikey_core.testing import check_part
from spikey_parts.inputs.gaussian_fields import GaussianFields

from spikey_core import BuildContext, ConfigError, Network, from_dict
from spikey_games import CartPole, GymGame, Logic

CLASSIC_CONTROL = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1"]


def build(n=3, dt=1.0, space=None, seed=0, **settings):
    ctx = BuildContext(
        n_inputs=n,
        n_neurons=1,
        n_outputs=0,
        processing_time=10,
        dt=dt,
        rng=np.random.default_rng(seed),
        game_params={} if space is None else {"observation_space": space},
    )
    return GaussianFields(from_dict(GaussianFields.Config, settings), ctx)


def network_spec(game, **input_settings):
    return {
        "seed": 1,
        "network": {"n_neurons": 4, "n_outputs": 2, "processing_time": 5},
        "input": {"type": "gaussian_fields", **input_settings},
        "neuron": {"type": "lif"},
        "weight": {"type": "random"},
        "readout": {"type": "top_action", "n_actions": 2},
        "game": game,
        "loop": {"type": "generic", "n_episodes": 1, "len_episode": 5},
    }


def test_rates_in_hz_by_hand():
    # 3 fields on [-1, 1]: centres -1, 0, 1, spacing 1, sigma = width * spacing = 1.
    # x = 0.5: distances 1.5, 0.5, 0.5 -> 200 exp(-1.125), 200 exp(-0.125), 200 exp(-0.125) Hz
    encoder = build(n=3, low=[-1.0], high=[1.0], n_fields=3, max_rate_hz=200.0)
    np.testing.assert_allclose(encoder.centres, [[-1.0, 0.0, 1.0]])
    expected = [200 * 0.32465246735834974, 200 * 0.8824969025845955, 200 * 0.8824969025845955]
    np.testing.assert_allclose(encoder.rates_hz([0.5]), expected, rtol=1e-12)
    # per-step probability = Hz * dt / 1000 (dt = 1 ms)
    encoder.update([0.5])
    np.testing.assert_allclose(encoder.rates, np.array(expected) / 1000, rtol=1e-12)


def test_two_dimensions_width_and_dt_by_hand():
    # dims 0 and 1 with ranges [0, 4] and [-2, 2], 5 fields each (spacing 1), width 0.5 -> sigma 0.5;
    # observation (1, 2): dim 0 at centre 1 -> field 1 at 100 Hz, its neighbours 100 exp(-2) Hz;
    # dim 1 at centre 2 (the top) -> field 4 at 100 Hz, field 3 at 100 exp(-2); dt = 0.5 ms halves p
    encoder = build(n=10, dt=0.5, low=[0.0, -2.0], high=[4.0, 2.0], n_fields=5, width=0.5, max_rate_hz=100.0)
    side = 100 * math.exp(-2.0)
    far = 100 * math.exp(-8.0)
    rates = encoder.rates_hz([1.0, 2.0]).copy()
    np.testing.assert_allclose(rates[:5], [side, 100.0, side, far, 100 * math.exp(-18.0)], rtol=1e-12)
    np.testing.assert_allclose(rates[5:], [100 * math.exp(-32.0), 100 * math.exp(-18.0), far, side, 100.0])
    encoder.update([1.0, 2.0])
    np.testing.assert_allclose(encoder.rates, rates * 0.5 / 1000, rtol=1e-12)


def test_values_outside_the_range_are_clipped_to_the_edge():
    encoder = build(n=4, low=[0.0], high=[3.0], n_fields=4)
    at_edge = encoder.rates_hz([3.0]).copy()
    np.testing.assert_array_equal(encoder.rates_hz([1e6]), at_edge)
    np.testing.assert_array_equal(encoder.rates_hz([-np.float64(7)]), encoder.rates_hz([0.0]).copy())
    assert at_edge[-1] == 200.0


def test_spike_frequency_matches_the_rate():
    encoder = build(n=2, low=[0.0], high=[1.0], n_fields=2, max_rate_hz=400.0, width=10.0)
    # width 10: sigma = 10, rates 400 and 400 exp(-1/200) Hz -> p = 0.4 and 0.398 per 1 ms step
    encoder.update([0.0])
    counts = np.sum([encoder.fire().copy() for _ in range(10)], axis=0)
    for _ in range(1999):
        encoder.update([0.0])
        counts += np.sum([encoder.fire().copy() for _ in range(10)], axis=0)
    expected = np.array([0.4, 0.4 * math.exp(-1 / 200)]) * 20000
    # binomial standard deviation sqrt(20000 * 0.4 * 0.6) = 69: 5 sigma
    assert np.all(np.abs(counts - expected) < 5 * 69.3)


def test_bounds_from_the_space_and_unbounded_dimensions():
    space = gymnasium.spaces.Box(
        np.array([-2.0, -np.inf, 0.0]), np.array([2.0, np.inf, 1e30]), dtype=np.float64
    )
    encoder = build(n=15, space=space, n_fields=5, unbounded_range=4.0)
    assert encoder.config.low == (-2.0, -4.0, 0.0) and encoder.config.high == (2.0, 4.0, 4.0)
    given = build(n=10, space=space, n_fields=5, dims=[1, 0], low=[-1.0, -2.0], high=[1.0, 2.0])
    assert given.config.dims == (1, 0)
    # dimension order follows dims: field 0 of dim 1 (value -1) fires at the peak
    assert given.rates_hz([0.0, -1.0, 0.5])[0] == 200.0


@pytest.mark.parametrize("env_id", CLASSIC_CONTROL)
def test_every_classic_control_box_observation(env_id):
    env = gymnasium.make(env_id)
    space = env.observation_space
    n_fields = 4
    spec = network_spec({"type": "gym", "id": env_id}, n_fields=n_fields)
    network, game, _, _ = make_loop(spec)()
    encoder = network.input
    assert network.n_inputs == space.shape[0] * n_fields  # derived from the game
    huge = ~np.isfinite(space.high) | (np.abs(space.high) >= 1e9)
    np.testing.assert_allclose(encoder.config.high, np.where(huge, 3.0, space.high))
    np.testing.assert_allclose(encoder.config.low, np.where(huge, -3.0, space.low))
    observation, _ = env.reset(seed=0)
    for _ in range(30):  # real observations of the environment's own dynamics
        rates = encoder.rates_hz(observation)
        assert rates.shape == (space.shape[0] * n_fields,)
        assert np.all(np.isfinite(rates)) and rates.min() >= 0 and rates.max() <= 200.0
        # every dimension has a field within half a spacing: the strongest field is >= 200 exp(-1/8) Hz
        assert np.all(rates.reshape(-1, n_fields).max(axis=1) >= 200 * math.exp(-0.125) - 1e-9)
        observation, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            observation, _ = env.reset()


def test_spikey_cartpole_derives_n_inputs_and_explicit_n_inputs_wins():
    network = Network.from_spec(network_spec("cartpole", n_fields=5), game=CartPole())
    assert network.n_inputs == 20
    spec = network_spec("cartpole", n_fields=5)
    spec["network"]["n_inputs"] = 40  # two interleaved copies
    network = Network.from_spec(spec, game=CartPole())
    network.input.update([0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(network.input.rates[:20], network.input.rates[20:])
    spec["network"]["n_inputs"] = 30
    with pytest.raises(ConfigError, match=r"n_inputs = 30 must be a multiple .* \(20\)"):
        Network.from_spec(spec, game=CartPole())


def test_saved_network_rebuilds_without_the_game(tmp_path):
    network = Network.from_spec(network_spec("cartpole", n_fields=3), game=GymGame(id="CartPole-v1"))
    network.save(tmp_path / "net")
    loaded = Network.load(tmp_path / "net")  # no game: the bounds and n_inputs are in the spec
    assert loaded.n_inputs == 12 and loaded.input.config.low == network.input.config.low
    state = [0.1, -0.5, 0.02, 1.0]
    np.testing.assert_array_equal(loaded.input.rates_hz(state), network.input.rates_hz(state))


@pytest.mark.parametrize(
    "settings, space, match",
    [
        ({}, None, r"\$\.input\.low \(GaussianFields\): with no game.*give low and high"),
        ({}, gymnasium.spaces.MultiBinary(2), r"not a Box.*give low and high"),
        ({"low": [0.0, 1.0], "high": [1.0, 1.0]}, None, r"high: must exceed low.*dimension\(s\) \[1\]"),
        ({"low": [0.0], "high": [1.0, 2.0]}, None, r"low has 1, high has 2"),
        ({"dims": [4]}, gymnasium.spaces.Box(-1, 1, (4,)), r"dims.*positions \[4\] are outside"),
        (
            {"max_rate_hz": 1500.0, "low": [0.0], "high": [1.0], "n_fields": 2},
            None,
            r"max_rate_hz \(GaussianFields\): must lie in \(0, 1000\] Hz",
        ),
        ({"n_fields": 1}, None, r"n_fields: must be >= 2"),
        ({"width": 0}, None, r"width: must be > 0"),
    ],
)
def test_bad_settings_are_named(settings, space, match):
    with pytest.raises(ConfigError, match=match):
        build(n=2, space=space, **settings)


def test_bad_observations_are_named():
    encoder = build(n=6, low=[0.0, 0.0], high=[1.0, 1.0], n_fields=3)
    with pytest.raises(ConfigError, match=r"finite numbers at positions \[0, 1\]"):
        encoder.update([0.5])
    with pytest.raises(ConfigError, match=r"finite numbers"):
        encoder.update([0.5, np.nan])


def test_logic_with_given_bounds_and_conformance():
    # a MultiBinary observation works once the range is given
    network = Network.from_spec(network_spec("logic", low=[0, 0], high=[1, 1], n_fields=2), game=Logic())
    assert network.n_inputs == 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_part(
            "input",
            GaussianFields,
            settings={"low": [-1.0, 0.0], "high": [1.0, 2.0], "n_fields": 3, "input_pct_inhibitory": 0.5},
            sizes={"n_inputs": 6},
            state=(0.3, 1.7),
        )


# -- td_critic: the TD(lambda) critic on gaussian_fields features ---------------------------------
def _critic(**settings):
    from spikey_parts.rewarders.td_critic import TDCritic

    encoder = build(n=2, low=[0.0], high=[1.0], n_fields=2, width=1.0, max_rate_hz=100.0)
    ctx = BuildContext(
        n_inputs=2,
        n_neurons=1,
        n_outputs=0,
        processing_time=1,
        rng=np.random.default_rng(0),
        parts={"input": encoder},
    )
    return TDCritic(from_dict(TDCritic.Config, settings), ctx)


def test_td_critic_by_hand():
    critic = _critic(gamma=0.5, trace_decay=0.5, critic_rate=0.1, reward_per_step=1.0, terminal_bounds=[0.9])
    # fields at 0 and 1 with sigma 1: phi(0) = (1, e^-0.5), phi(0.5) = (e^-0.125, e^-0.125)
    a, b = math.exp(-0.5), math.exp(-0.125)
    # step 1 (0 -> 0.5), w = 0: delta = 1; e = phi(0); w += 0.1 * 1 / (1 + a) * phi(0)
    assert critic([0.0], 0, [0.5]) == pytest.approx(1.0)
    w1 = 0.1 / (1 + a) * np.array([1.0, a])
    np.testing.assert_allclose(critic.critic_weights, w1)
    # step 2 (0.5 -> 1.0, terminal since 1.0 > 0.9): delta = 1 + 0 - w1 . phi(0.5)
    delta = 1.0 - w1 @ np.array([b, b])
    assert critic([0.5], 1, [1.0]) == pytest.approx(delta)
    trace = 0.25 * np.array([1.0, a]) + np.array([b, b])
    np.testing.assert_allclose(critic.critic_weights, w1 + 0.1 * delta / (2 * b) * trace)
    critic.reset()
    assert not critic.critic_trace.any()
    frozen = critic.critic_weights.copy()
    critic.eval()
    critic([0.0], 0, [0.5])
    np.testing.assert_array_equal(critic.critic_weights, frozen)  # eval(): the critic does not learn


def test_td_critic_terminal_reward_by_hand():
    # Barto, Sutton & Anderson (1983) signal: 0 per step, -1 on the step into a terminal state
    critic = _critic(
        gamma=0.5,
        trace_decay=0.5,
        critic_rate=0.1,
        reward_per_step=0.0,
        terminal_reward=-1.0,
        terminal_bounds=[0.9],
    )
    a, b = math.exp(-0.5), math.exp(-0.125)
    assert critic([0.0], 0, [0.5]) == 0.0  # w = 0 and no reward: nothing learned yet
    assert not critic.critic_weights.any()
    assert critic([0.5], 1, [1.0]) == pytest.approx(-1.0)  # terminal: -1 + 0 - 0
    trace = 0.25 * np.array([1.0, a]) + np.array([b, b])
    np.testing.assert_allclose(critic.critic_weights, -0.1 / (2 * b) * trace)
    # a non-terminal step still pays reward_per_step (0), not terminal_reward
    critic.reset()
    w = critic.critic_weights.copy()
    expected = 0.5 * (w @ np.array([b, b])) - w @ np.array([1.0, a])
    assert critic([0.0], 0, [0.5]) == pytest.approx(expected)


def test_td_critic_joint_dims_add_two_dimensional_fields_by_hand():
    from spikey_parts.rewarders.td_critic import TDCritic

    # two dimensions, fields at 0 and 1 (sigma 1) each: g(x) = (e^(-x^2/2), e^(-(x-1)^2/2))
    encoder = build(n=4, low=[0.0, 0.0], high=[1.0, 1.0], n_fields=2, width=1.0, max_rate_hz=100.0)
    ctx = BuildContext(n_inputs=4, n_neurons=1, n_outputs=0, processing_time=1, parts={"input": encoder})
    critic = TDCritic(from_dict(TDCritic.Config, {"joint_dims": [[0, 1]]}), ctx)
    x, y = 0.0, 0.5
    gx = np.array([1.0, math.exp(-0.5)])
    gy = np.array([math.exp(-0.125), math.exp(-0.125)])
    # 4 single fields, then the 2 x 2 products g_0k(x) g_1l(y), k-major
    expected = np.concatenate([gx, gy, [gx[0] * gy[0], gx[0] * gy[1], gx[1] * gy[0], gx[1] * gy[1]]])
    np.testing.assert_allclose(critic.features([x, y]), expected)
    assert critic.critic_weights.shape == (8,)
    with pytest.raises(ConfigError, match=r"\$\.rewarder\.joint_dims \(TDCritic\): pairs of two different"):
        TDCritic(from_dict(TDCritic.Config, {"joint_dims": [[0, 2]]}), ctx)
    with pytest.raises(ConfigError, match=r"joint_dims"):
        TDCritic(from_dict(TDCritic.Config, {"joint_dims": [[1, 1]]}), ctx)


def test_td_critic_needs_a_field_encoder():
    from spikey_parts.rewarders.td_critic import TDCritic

    ctx = BuildContext(n_inputs=2, n_neurons=1, n_outputs=0, processing_time=1, parts={"input": object()})
    with pytest.raises(ConfigError, match=r"\$\.rewarder \(TDCritic\): needs an input encoder with rates_hz"):
        TDCritic(from_dict(TDCritic.Config, {}), ctx)
