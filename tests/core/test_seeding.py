import numpy as np
import pytest

from spikey_core import ConfigError, seeding


def test_streams_depend_only_on_seed_and_consumer_name():
    a = seeding.generator(7, "network", "neuron").random(5)
    seeding.generator(7, "network", "input").random(100)  # other draws in between change nothing
    b = seeding.generator(7, "network", "neuron").random(5)
    c = seeding.generator(8, "network", "neuron").random(5)
    d = seeding.generator(7, "network", "input").random(5)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c) and not np.array_equal(a, d)


def test_child_matches_numpy_spawn_for_integer_keys():
    # SeedSequence(s).spawn(n)[i] has spawn_key (i,): child(s, i) must be the same stream
    spawned = np.random.SeedSequence(3).spawn(3)[2]
    assert np.array_equal(spawned.generate_state(4), seeding.child(3, 2).generate_state(4))


def test_integer_seed_is_a_stable_non_negative_int():
    value = seeding.integer_seed(0, "game")
    assert isinstance(value, int) and 0 <= value < 2**63
    assert value == seeding.integer_seed(0, "game") != seeding.integer_seed(1, "game")


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_bad_seeds_are_config_errors(bad):
    with pytest.raises(ConfigError, match="seed: must be a non-negative integer or None"):
        seeding.as_seed_sequence(bad)
