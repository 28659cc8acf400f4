"""Control-task experiments: cartpole-balance (reduced) and mountaincar-fields, frozen episodes."""

from __future__ import annotations

import numpy as np
import pytest
import spikey_games.plugin
import spikey_meta.plugin
import spikey_parts.plugin
from spikey_meta.experiments.control import (
    CartpoleBalance,
    MountainCarFields,
    episode_lengths,
    frozen_episodes,
)

from spikey_core import load_registry, set_registry


@pytest.fixture(autouse=True)
def full_registry():
    plugins = [("parts", spikey_parts.plugin), ("games", spikey_games.plugin), ("meta", spikey_meta.plugin)]
    set_registry(load_registry(entry_points=[], plugins=plugins))
    yield
    set_registry(None)


def test_cartpole_balance_trains_and_frozen_episodes_leave_the_network_alone():
    experiment = CartpoleBalance()
    spec = experiment.load_spec()
    spec["loop"]["n_episodes"] = 2
    network, _, results, info = experiment.make_loop(spec, seed=7)()
    lengths = episode_lengths(info)
    assert len(lengths) == 2 and all(1 <= n <= 500 for n in lengths)
    assert results["train_episodes"] == 2 and network.n_inputs == 28  # 4 observation values x 7 fields
    weights = network.weight.matrix.copy()
    first = frozen_episodes(network, spec["game"], 7, 3, 500)
    assert frozen_episodes(network, spec["game"], 7, 3, 500) == first  # same seed, same episodes
    np.testing.assert_array_equal(network.weight.matrix, weights)  # the trained network is untouched
    assert all(1 <= n <= 500 for n in first)


@pytest.mark.slow
def test_mountaincar_fields_runs_end_to_end():
    experiment = MountainCarFields()
    network, game, results, info = experiment.make_loop()()
    assert network.n_inputs == 16  # position and velocity, 8 fields each, from the observation space
    assert results["train_episodes"] == 2 and results["train_mean_length"] == 200  # never reaches the flag
