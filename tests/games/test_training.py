"""Networks trained by spikey_core's GenericLoop on Logic and on a wrapped gymnasium environment."""

from collections.abc import Callable
from typing import Any

import attrs
import gymnasium
import numpy as np
import pytest
import toy_parts as toy
from spikey_core.config import CallableCheck

from spikey_core import Callback, Part, get_registry, make_loop, param, seeding
from spikey_games import CartPole, Logic, xor_gate


class AnySpikeReadout(Part):
    """Action 1 when any output neuron spiked during the tick, else 0 (a valid Discrete(2) action)."""

    def __call__(self, spikes, polarities):
        return int(spikes.any())


@attrs.frozen(kw_only=True)
class ExpectedRewarderConfig:
    expected_value: Callable[[Any], Any] = param(
        check=CallableCheck(), doc="state -> correct action (offered by the game)"
    )


class ExpectedRewarder(Part):
    """+1 when the action equals the game's expected value, -1 otherwise."""

    Config = ExpectedRewarderConfig

    def __call__(self, state, action, state_next):
        return 1.0 if action == self.config.expected_value(state) else -1.0


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.steps, self.rewards, self.resets = [], [], []

    def game_reset(self, *, observation, info):
        self.resets.append(observation)

    def game_step(self, *, action, observation, reward, terminated, truncated, info):
        self.steps.append((action, observation, reward, terminated, truncated))

    def network_reward(self, *, state, action, state_next, reward):
        self.rewards.append((state, action, reward))


def _toy_spec(game, n_inputs, **loop):
    spec = toy.toy_spec(n_inputs=n_inputs, n_neurons=2, n_outputs=1, processing_time=3, reward_mode="tick")
    spec["readout"] = {"type": AnySpikeReadout}
    spec["game"] = game
    spec["loop"] = {"type": "generic", **loop}
    return spec


def test_logic_xor_with_toy_parts_rewards_follow_the_truth_table():
    spec = _toy_spec({"type": "logic", "preset": "XOR"}, n_inputs=2, n_episodes=2, len_episode=25)
    spec["rewarder"] = {"type": ExpectedRewarder}  # expected_value comes from Logic.network_params()
    recorder = Recorder()
    loop = make_loop(spec, callback=recorder)
    network, game, results, info = loop()
    assert isinstance(game, Logic) and network.rewarder.config.expected_value is xor_gate
    assert len(recorder.steps) == 50 and len(recorder.rewards) == 50  # Logic never terminates
    # every reward judged against XOR of the observation the action answered, by hand
    for state, action, reward in recorder.rewards:
        correct = int(state[0]) != int(state[1])
        assert reward == (1.0 if action == correct else -1.0)
    assert {a for _, a, _ in recorder.rewards} <= {0, 1}
    # the learning rule got every reward: CountingSynapse adds 0.1 * r to every weight, clipped to
    # [0, 10], starting from ConstantWeight's 1.0
    weight = 1.0
    for *_, reward in recorder.rewards:
        weight = min(max(weight + 0.1 * reward, 0.0), 10.0)
    np.testing.assert_allclose(network.weight.matrix, weight)
    assert network.synapse.rewards == [reward for *_, reward in recorder.rewards]
    # the game was seeded from the experiment seed: a fresh Logic with that seed draws the same states
    replay = Logic(preset="XOR")
    first, _ = replay.reset(seed=seeding.integer_seed(0, "game"))
    np.testing.assert_array_equal(recorder.resets[0], first)
    np.testing.assert_array_equal(recorder.steps[0][1], replay.step(0)[0])


def test_loop_on_wrapped_gymnasium_cartpole_replays_in_the_bare_environment():
    spec = _toy_spec({"type": "gym", "id": "CartPole-v1"}, n_inputs=4, n_episodes=3, len_episode=200)
    recorder = Recorder()
    loop = make_loop(spec, callback=recorder)
    network, game, _, _ = loop()
    # without a rewarder part the network learns from the game's reward (1 per step in CartPole-v1)
    assert all(reward == 1.0 for *_, reward in recorder.rewards)
    ends = [i for i, step in enumerate(recorder.steps) if step[3] or step[4]]
    assert len(recorder.resets) == 3 and len(ends) >= 1
    # replay the first episode's actions in a bare gymnasium CartPole-v1 with the loop's game seed
    bare = gymnasium.make("CartPole-v1")
    observation, _ = bare.reset(seed=loop.game_seed())
    np.testing.assert_array_equal(observation, recorder.resets[0])
    for action, expected, reward, terminated, truncated in recorder.steps[: ends[0] + 1]:
        observation, bare_reward, bare_terminated, bare_truncated, _ = bare.step(action)
        np.testing.assert_array_equal(observation, expected)
        assert (bare_reward, bare_terminated, bare_truncated) == (reward, terminated, truncated)


def test_loop_on_spikey_cartpole_in_rates_mode():
    spec = _toy_spec(
        {"type": "cartpole", "preset": "FREMAUX", "action_mode": "rates"},
        n_inputs=4,
        n_episodes=1,
        len_episode=30,
    )
    spec["network"]["n_outputs"] = 2

    class RatesReadout(Part):
        def __call__(self, spikes, polarities):
            return spikes.mean(axis=0)  # left / right output rates in [0, 1]

    spec["readout"] = {"type": RatesReadout}
    recorder = Recorder()
    _, game, _, _ = make_loop(spec, callback=recorder)()
    assert isinstance(game, CartPole) and 1 <= len(recorder.steps) <= 30
    for action, *_ in recorder.steps:
        assert action.shape == (2,) and np.all((action >= 0) & (action <= 1))


REAL_PARTS = {
    "input": "rate_map",
    "neuron": "neuron",
    "weight": "manual",
    "readout": "threshold",
    "rewarder": "match_expected",
}


def _missing_real_parts():
    registry = get_registry()
    return [f"{kind} {name!r}" for kind, name in REAL_PARTS.items() if name not in registry.names(kind)]


@pytest.mark.skipif(bool(_missing_real_parts()), reason="spikey_parts does not register the needed parts yet")
def test_logic_xor_with_the_real_parts_runs_and_is_judged_by_the_games_gate():
    n_inputs, n_hidden = 4, 4
    rng = np.random.default_rng(0)
    matrix = np.zeros((n_inputs + n_hidden + 1, n_hidden + 1))
    matrix[:n_inputs, :n_hidden] = rng.uniform(0, 0.2, (n_inputs, n_hidden))
    matrix[n_inputs : n_inputs + n_hidden, n_hidden] = rng.uniform(0, 0.2, n_hidden)
    spec = {
        "seed": 0,
        "network": {
            "n_inputs": n_inputs,
            "n_neurons": n_hidden + 1,
            "n_outputs": 1,
            "processing_time": 20,
            "reward_mode": "tick",
        },
        "input": {"type": "rate_map", "state_rate_map": [0.0, 0.08]},
        "neuron": {"type": "neuron", "prob_rand_fire": 0.15},
        "weight": {"type": "manual", "matrix": matrix.tolist()},
        "readout": {"type": "threshold"},
        "rewarder": {"type": "match_expected", "punish_mult": 1.0},
        "game": {"type": "logic", "preset": "XOR"},
        "loop": {"type": "generic", "n_episodes": 1, "len_episode": 20},
    }
    if "rlstdp" in get_registry().names("synapse"):
        spec["synapse"] = {"type": "rlstdp"}
    recorder = Recorder()
    network, _, _, _ = make_loop(spec, callback=recorder)()
    assert network.rewarder.expected_value is xor_gate
    assert len(recorder.rewards) == 20
    for state, action, reward in recorder.rewards:
        assert reward == (1.0 if action == xor_gate(state) else -1.0)  # reward_mult 1, punish_mult 1
