"""RandomState: uniform stimuli from the game's own generator."""

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from spikey_core import ConfigError, GameError
from spikey_games import RandomState


def test_states_are_uniform_seeded_and_independent_of_actions():
    game = RandomState(n_states=10)
    first, _ = game.reset(seed=3)
    seen = [first] + [game.step(1)[0] for _ in range(4999)]
    counts = np.bincount(seen, minlength=10)
    assert counts.sum() == 5000 and counts.min() > 400 and counts.max() < 600  # 500 +- 4.5 sd
    replay = RandomState(n_states=10)
    again = [replay.reset(seed=3)[0]] + [replay.step(0)[0] for _ in range(4999)]
    assert again == seen  # same seed, other actions: same stimuli
    # the draws are the generator's own: gymnasium seeds np_random from the seed
    rng, _ = gymnasium.utils.seeding.np_random(3)
    assert seen[:5] == [int(rng.integers(0, 10)) for _ in range(5)]


def test_reward_zero_never_terminates_and_bad_input():
    game = RandomState(n_states=3)
    game.reset(seed=0)
    _, reward, terminated, truncated, _ = game.step(0)
    assert (reward, terminated, truncated) == (0.0, False, False)
    with pytest.raises(GameError):
        game.step(5)
    with pytest.raises(ConfigError, match=r"\$\.game\.n_states: must be >= 1 \(got 0\)"):
        RandomState.from_spec({"n_states": 0})


def test_passes_gymnasiums_checker():
    check_env(gymnasium.make("spikey/RandomState-v0").unwrapped, skip_render_check=True)
