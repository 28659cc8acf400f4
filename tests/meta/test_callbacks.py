"""RLCallback signals and ExperimentCallback.track semantics on the toy network.

Toy run (tests/core/toy_parts.py), derived by hand: every input spikes at every step (the state is
all ones), all weights start at 1, neurons fire when V >= 1 and reset to 0, no leak. Tick 1 of an
episode: step 0 only the 2 inputs spike (V becomes 2), steps 1 and 2 every unit spikes; the
output therefore spikes 2 times -> action 2; later ticks start with V = 4 -> 3 spikes -> action 3.
Output-unit rate in tick 1 = 2/3, later 1; hidden unit (the first body neuron) likewise; inputs 1.
In reward_mode "step" the constant rewarder gives 1 per network step, so each tick's reward is 3
and each of the 2 x 4 x 3 = 24 steps adds learning_rate 0.1 to every weight: 1 + 2.4 = 3.4.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
import toy_parts

from spikey_core import ConfigError, make_loop
from spikey_meta import ExperimentCallback, RLCallback


def run(callback, **network):
    spec = toy_parts.toy_spec(**network)
    return make_loop(spec, callback=callback)()


def test_rl_callback_records_the_hand_derived_signals():
    callback = RLCallback(measure_rates=True)
    network, game, results, info = run(callback, reward_mode="step")
    assert info["step_actions"] == [[2, 3, 3, 3], [2, 3, 3, 3]]
    assert info["step_rewards"] == [[3.0] * 4, [3.0] * 4]
    assert info["episode_lens"] == [4, 4]
    assert [len(ep) for ep in info["step_states"]] == [4, 4]
    np.testing.assert_array_equal(info["step_states"][0][0], np.ones(2))
    assert all(np.array_equal(t, [1.0, 1.0, 1.0]) for ep in info["tick_rewards"] for t in ep)
    np.testing.assert_array_equal(info["weights_original"], np.ones((4, 2)))
    np.testing.assert_allclose(info["weights_final"], np.full((4, 2), 3.4))
    assert info["step_inrates"] == [[1.0] * 4] * 2
    assert info["step_outrates"] == [[2 / 3, 1.0, 1.0, 1.0]] * 2
    assert info["step_sysrates"] == [[2 / 3, 1.0, 1.0, 1.0]] * 2
    assert results["n_episodes"] == 2 and results["seed"] == 0
    assert results["total_time"] == pytest.approx(info["finish_time"] - info["start_time"])
    assert results["total_time"] >= 0


def test_recorded_arrays_are_copies():
    callback = RLCallback()
    network, _, _, info = run(callback, reward_mode="step")
    assert info["weights_original"] is not network.weight.matrix
    assert not np.array_equal(info["weights_original"], info["weights_final"])


def test_reduced_drops_the_heavy_signals():
    _, _, _, info = run(RLCallback(reduced=True), reward_mode="step")
    assert {"tick_rewards", "weights_original", "weights_final"}.isdisjoint(info)
    assert info["step_actions"] == [[2, 3, 3, 3], [2, 3, 3, 3]]


def test_tick_rewards_only_in_step_mode():
    _, _, _, info = run(RLCallback(), reward_mode="tick")
    assert info["tick_rewards"] == [[], []]
    assert info["step_rewards"] == [[1.0] * 4, [1.0] * 4]  # constant rewarder, one reward per tick


def test_rates_with_no_hidden_neurons_are_zero():
    callback = RLCallback(measure_rates=True)
    _, _, _, info = run(callback, n_neurons=1, reward_mode="tick")
    assert info["step_sysrates"] == [[0.0] * 4] * 2


def test_rl_callback_from_a_toml_callback_section(named_spec, meta_registry):
    spec = named_spec(reward_mode="step")
    spec["callback"] = tomllib.loads('type = "rl"\nmeasure_rates = true')
    loop = make_loop(spec, registry=meta_registry)
    _, _, _, info = loop()
    assert isinstance(loop.callback, RLCallback) and loop.callback.measure_rates
    assert "step_outrates" in info
    spec["callback"] = {"type": "rl", "measure_rate": True}
    unknown = r"\$\.callback\.measure_rate: unknown key; did you mean 'measure_rates'"
    with pytest.raises(ConfigError, match=unknown):
        make_loop(spec, registry=meta_registry).validate()
    spec["callback"] = {"type": "rl", "reduced": 1}
    with pytest.raises(ConfigError, match=r"\$\.callback\.reduced: must be true or false"):
        make_loop(spec, registry=meta_registry).validate()


def test_experiment_callback_from_spec_is_a_blank_slate(named_spec, meta_registry):
    spec = named_spec()
    spec["callback"] = {"type": "experiment"}
    loop = make_loop(spec, registry=meta_registry)
    _, _, results, info = loop()
    assert type(loop.callback) is ExperimentCallback
    assert info == {}
    assert results == {
        "n_episodes": 2,
        "len_episode": 4,
        "eval_patterns": 0,
        "curve_every": 0,
        "curve_patterns": 40,
        "seed": 0,
    }


# -- track ---------------------------------------------------------------------------------------
def test_track_before_reset_splits_list_signals_per_episode():
    callback = ExperimentCallback()
    callback.track("network_tick", "info", "actions", "action", "list")
    callback.track("network_reward", "info", "rewards", "arg_3", "list")
    callback.track("training_end", "results", "lr", "network.synapse.config.learning_rate", "scalar")
    _, _, results, info = run(callback, reward_mode="tick")
    assert info["actions"] == [[2, 3, 3, 3], [2, 3, 3, 3]]
    assert info["rewards"] == [[1.0] * 4, [1.0] * 4]
    assert results["lr"] == 0.1


def test_track_after_reset_works_and_storage_exists_at_once():
    callback = ExperimentCallback()
    callback.reset(n=1)
    callback.track("network_tick", "info", "states", "state")
    callback.track("network_tick", "results", "last_action", ["action"], "scalar")
    assert callback.info["states"] == [[]] and callback.results["last_action"] is None
    callback.network_tick(state=1, action="a")
    assert callback.info["states"] == [[1]] and callback.results == {"n": 1, "last_action": "a"}


def test_values_before_the_first_reset_belong_to_the_first_episode():
    callback = ExperimentCallback()
    callback.track("network_tick", "info", "actions", "action")
    callback.reset()
    callback.network_tick(state=0, action="a")
    callback.network_reset()
    callback.network_tick(state=0, action="b")
    callback.network_reset()
    callback.network_tick(state=0, action="c")
    assert callback.info["actions"] == [["a", "b"], ["c"]]


def test_reset_starts_a_fresh_run():
    callback = ExperimentCallback()
    callback.track("network_tick", "info", "actions", "action")
    callback.reset()
    callback.network_tick(state=0, action="a")
    callback.network_reset()
    callback.network_reset()
    callback.reset(seed=3)
    callback.network_reset()
    callback.network_tick(state=0, action="z")
    assert callback.info == {"actions": [["z"]]} and callback.results == {"seed": 3}


def test_callable_and_kwargs_targets_and_positional_events():
    callback = ExperimentCallback()
    counter = iter(range(100))
    callback.track("game_step", "info", "n", lambda: next(counter))
    callback.track("game_step", "info", "all", "kwargs")
    callback.track("game_reset", "info", "first", "observation.0", "scalar")
    callback.reset()
    callback.game_reset([7, 8], {})
    callback.game_step(action=1, observation=2, reward=3.0, terminated=False, truncated=False, info={})
    callback.game_step(action=4, observation=5, reward=6.0, terminated=True, truncated=False, info={})
    assert callback.info["n"] == [[0, 1]]
    assert callback.info["all"][0][1] == {
        "action": 4,
        "observation": 5,
        "reward": 6.0,
        "terminated": True,
        "truncated": False,
        "info": {},
    }
    assert callback.info["first"] == 7


def test_bad_targets_fail_with_the_target_named():
    callback = ExperimentCallback()
    root = r"'netwrk' is neither an argument of network_tick.*did you mean 'network'"
    with pytest.raises(ConfigError, match=root):
        callback.track("network_tick", "info", "w", "netwrk.weight.matrix")
    arity = r"arg_4.*network_reward has 4 argument\(s\) \(state, action, state_next, reward\)"
    with pytest.raises(ConfigError, match=arity):
        callback.track("network_reward", "info", "r", "arg_4")
    with pytest.raises(ConfigError, match=r"no event 'network_tik'; did you mean 'network_tick'"):
        callback.track("network_tik", "info", "a", "action")
    with pytest.raises(ConfigError, match="location must be 'results' or 'info'"):
        callback.track("network_tick", "infos", "a", "action")
    with pytest.raises(ConfigError, match="method must be 'list' or 'scalar'"):
        callback.track("network_tick", "info", "a", "action", "append")
    with pytest.raises(ConfigError, match="target must be a callable"):
        callback.track("network_tick", "info", "a", 3)


def test_a_path_that_stops_later_fails_at_the_first_event_naming_the_step():
    callback = ExperimentCallback()
    callback.track("network_tick", "info", "w", "network.weight.matrx")
    stopped = r"target 'network\.weight\.matrx' stopped at 'matrx'.*did you mean 'matrix'"
    with pytest.raises(ConfigError, match=stopped):
        run(callback)


def test_a_key_cannot_be_tracked_twice_until_untracked():
    callback = RLCallback()
    with pytest.raises(ConfigError, match="info.step_states is already tracked on network_tick"):
        callback.track("game_step", "info", "step_states", "observation")
    callback.untrack("info", "step_states")
    callback.track("game_step", "info", "step_states", "observation")
    with pytest.raises(KeyError, match="not tracked"):
        callback.untrack("info", "nothing")


def test_bound_custom_events_can_be_tracked():
    callback = ExperimentCallback()
    callback.bind("td_update")
    callback.track("td_update", "info", "td", "error")
    callback.reset()
    callback.td_update(error=0.5)
    assert callback.info["td"] == [[0.5]]


class Counting(ExperimentCallback):
    """Overrides events with and without super(); tracking must record exactly once."""

    def __init__(self):
        super().__init__()
        self.ticks = 0

    def network_tick(self, *, state, action):
        self.ticks += 1  # no super() call

    def network_init(self, *, network):
        super().network_init(network=network)


class CountingChild(Counting):
    def network_tick(self, *, state, action):
        super().network_tick(state=state, action=action)


@pytest.mark.parametrize("cls", [Counting, CountingChild])
def test_subclass_overrides_record_once(cls):
    callback = cls()
    callback.track("network_tick", "info", "actions", "action")
    callback.track("network_init", "info", "n", "network.n_neurons", "scalar")
    _, _, _, info = run(callback)
    assert info["actions"] == [[2, 3, 3, 3], [2, 3, 3, 3]] and callback.ticks == 8 and info["n"] == 2


def test_unpacking_context_manager_and_log(tmp_path):
    with RLCallback() as callback:
        run(callback, reward_mode="tick")
        callback.info.pop("finish_time")
    assert "finish_time" in callback.info  # __exit__ called training_end
    network, game, results, info = callback
    assert network is callback.network and info is callback.info
    path = callback.log(folder=tmp_path)
    assert path.parent == tmp_path and path.exists()


def test_result_key_declarations_are_inherited_only_by_subclasses_that_write_no_results():
    from spikey_core.callbacks import CALLBACK_EVENTS
    from spikey_core.result_keys import declared_result_keys

    loop = make_loop(toy_parts.toy_spec())

    class Quiet(RLCallback):
        label = "same signals"

    class Writes(RLCallback):
        def training_end(self):
            super().training_end()
            self.results["extra"] = 1.0

    class Redeclares(Writes):
        def result_keys(self, loop):
            return super().result_keys(loop) | {"extra"}

    tracked = RLCallback()
    tracked.track("training_end", "results", "final_time", "network.time", "scalar")
    assert declared_result_keys(RLCallback(), loop, CALLBACK_EVENTS) == {"total_time"}
    assert declared_result_keys(tracked, loop, CALLBACK_EVENTS) == {"total_time", "final_time"}
    assert declared_result_keys(Quiet(), loop, CALLBACK_EVENTS) == {"total_time"}
    assert declared_result_keys(Writes(), loop, CALLBACK_EVENTS) is None
    assert declared_result_keys(Redeclares(), loop, CALLBACK_EVENTS) == {"total_time", "extra"}


class LazySynapse(toy_parts.CountingSynapse):
    """Holds its weight changes until ``sync()``, as a lazily integrating rule (da_stdp) does."""

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.held = 0.0

    def reward(self, reward):
        if self.training:
            self.held += self.config.learning_rate * reward

    def sync(self):
        self.weight.values[...] += self.held
        self.weight.clip()
        self.held = 0.0


@pytest.mark.parametrize("synapse", [toy_parts.CountingSynapse, LazySynapse])
def test_weights_of_a_sparse_network_are_recorded_by_synapse(synapse):
    # a sparse weight has no (U, N) matrix: the signals are weight.values, (S,) by synapse id.
    # fan_out 1 onto distinct targets: 4 units -> 4 synapses of 0.25 * 4 = 1; the constant rewarder
    # gives 1 per network step, 2 episodes x 4 ticks x 3 steps = 24 rewards of 0.1 each -> 3.4
    # (the lazy rule holds all of it until the callback syncs it at training_end)
    from spikey_parts.weights.sparse import Sparse

    spec = toy_parts.toy_spec(reward_mode="step")
    spec["weight"] = {"type": Sparse, "fan_out": 1, "low": 0.25, "high": 0.25, "max_weight": 4.0}
    spec["synapse"] = {"type": synapse}
    network, _, _, info = make_loop(spec, callback=RLCallback())()
    assert network.weight.n_synapses == 4
    np.testing.assert_array_equal(info["weights_original"], np.ones(4))
    np.testing.assert_allclose(info["weights_final"], np.full(4, 3.4))
    assert info["weights_final"] is not network.weight.values
