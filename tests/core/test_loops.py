"""Training loops: return contract, episode control, seeding, callbacks, validation."""

from __future__ import annotations

import numpy as np
import pytest
import toy_parts as toy
from spikey_core.callbacks import EVENTS

from spikey_core import Callback, ConfigError, GenericLoop, Network, make_loop, seeding


class Recorder(Callback):
    """Records every event name with its keyword arguments."""

    def __init__(self):
        super().__init__()
        self.events = []

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name in EVENTS:

            def record(**kwargs):
                self.events.append((name, kwargs))
                return attribute(**kwargs)

            return record
        return attribute


def test_return_contract_is_network_game_results_info():
    loop = make_loop(toy.toy_spec(reward_mode="tick"))
    assert isinstance(loop, GenericLoop)
    network, game, results, info = loop()
    assert isinstance(network, Network) and isinstance(game, toy.EchoGame)
    assert results == {
        "n_episodes": 2,
        "len_episode": 4,
        "eval_patterns": 0,
        "curve_every": 0,
        "curve_patterns": 40,
        "seed": 0,
    }
    assert info == {}
    assert loop.callback.results is results


def test_events_in_order_and_rewards_each_game_step():
    recorder = Recorder()
    spec = toy.toy_spec(reward_mode="tick")
    spec["loop"] = {"type": "generic", "n_episodes": 1, "len_episode": 2}
    network, game, _, _ = make_loop(spec, callback=recorder)()
    names = [name for name, _ in recorder.events]
    assert names == [
        "game_init",
        "network_init",
        "network_reset",
        "game_reset",
        "network_tick",
        "game_step",
        "network_reward",
        "network_tick",
        "game_step",
        "network_reward",
        "training_end",
    ]
    tick = dict(recorder.events[4][1])
    assert set(tick) == {"state", "action"}
    assert set(recorder.events[6][1]) == {"state", "action", "state_next", "reward"}
    assert network.synapse.rewards == [1.0, 1.0]


def test_episode_stops_on_termination_and_game_reward_is_used_without_rewarder():
    spec = toy.toy_spec(reward_mode="tick")
    del spec["rewarder"]
    spec["game"] = {"type": toy.EchoGame, "horizon": 3}
    spec["loop"] = {"type": "generic", "n_episodes": 2, "len_episode": 10}
    network, game, _, _ = make_loop(spec)()
    # 3 steps per episode (terminated at the horizon), reward = the game's reward = action
    assert len(network.synapse.rewards) == 6
    assert (
        network.synapse.rewards[0] == 2.0
    )  # all-ones input: the output spikes at steps 1 and 2 of each tick (see test_network)


def test_game_is_seeded_once_from_the_experiment_seed():
    loop = make_loop(toy.toy_spec(reward_mode="tick"), seed=42)
    _, game, results, _ = loop()
    assert game.seeds == [seeding.integer_seed(42, "game"), None]
    assert results["seed"] == 42


def test_whole_spec_is_validated_before_anything_runs():
    spec = toy.toy_spec()
    spec["loop"] = {"type": "generic", "n_episodes": 0}
    with pytest.raises(ConfigError, match=r"\$\.loop\.n_episodes: must be >= 1 \(got 0\)"):
        make_loop(spec)
    spec = toy.toy_spec()
    spec["neuron"] = {"type": toy.ThresholdNeuron, "firing_threshold": -1}
    spec["game"] = {"type": toy.EchoGame, "horizon": 0}
    spec["gmae"] = {}
    loop = make_loop(spec)
    with pytest.raises(ConfigError) as caught:
        loop()
    lines = caught.value.problems
    assert "$.gmae: unknown section; did you mean 'game'?" in lines
    assert "$.game.horizon: must be >= 1 (got 0)" in lines
    assert "$.neuron.firing_threshold: must be > 0 (got -1)" in lines


def test_with_overrides_changes_one_setting(toy_registry):
    loop = make_loop(toy.toy_spec(reward_mode="tick"), registry=toy_registry)
    changed = loop.with_overrides({"neuron.firing_threshold": 5.0, "learning_rate": 0.5, "seed": 3})
    network, _, results, _ = changed()
    assert network.neuron.config.firing_threshold == 5.0
    assert network.synapse.config.learning_rate == 0.5
    assert results["seed"] == 3
    assert loop.spec["neuron"] == {"type": toy.ThresholdNeuron}  # the original is untouched
    with pytest.raises(
        ConfigError, match="no part of this experiment declares 'learning_rat'; did you mean 'learning_rate'"
    ):
        loop.with_overrides({"learning_rat": 1})
    with pytest.raises(ConfigError, match="declared by input, neuron; write it as SECTION.magnitude"):
        loop.with_overrides({"magnitude": 1})


def test_eval_loop_does_not_learn():
    loop = make_loop(toy.toy_spec(reward_mode="tick"))
    loop.eval()
    network, _, _, _ = loop()
    assert network.synapse.rewards == [] and np.all(network.weight.matrix == 1.0)


def test_progress_reporter_advances_once_per_game_step():
    class Counter:
        n = 0

        def update(self, k):
            self.n += k

    loop = make_loop(toy.toy_spec(reward_mode="tick"))
    loop.progress = Counter()
    loop()
    assert loop.progress.n == loop.total_steps() == 8
