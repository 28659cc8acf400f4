"""Meta-games: MetaNQueens scoring and EvolveNetwork's settings, static updates and fitness."""

from __future__ import annotations

import meta_toys
import pytest
from spikey_core.errors import ConfigError  # noqa: E402
from spikey_meta.metagames import EvolveNetwork, MetaNQueens  # noqa: E402
from spikey_meta.metagames.meta_nqueens import count_clashes  # noqa: E402
from spikey_meta.population import Population  # noqa: E402

# a known solution of 8 queens: (column, row) per queen
SOLUTION = [(0, 0), (1, 4), (2, 7), (3, 5), (4, 2), (5, 6), (6, 1), (7, 3)]


def genotype_of(positions):
    return {
        f"{q}{axis}": value
        for q, (x, y) in zip("abcdefgh", positions, strict=True)
        for axis, value in (("x", x), ("y", y))
    }


def test_clash_counting_by_hand():
    assert count_clashes(SOLUTION) == 0
    # three queens in column 0: 2 excess on that column; rows 0,1,2 distinct;
    # diagonals x-y = 0,-1,-2 distinct; anti-diagonals x+y = 0,1,2 distinct -> 2 clashes
    assert count_clashes([(0, 0), (0, 1), (0, 2)]) == 2
    # the same square twice: one excess on its row, column, diagonal and anti-diagonal -> 4
    assert count_clashes([(3, 3), (3, 3)]) == 4


def test_meta_nqueens_fitness_and_termination():
    game = MetaNQueens()
    assert game.get_fitness(genotype_of(SOLUTION), 0) == (28.0, True)
    crowded = genotype_of([(0, 0)] * 8)  # 7 excess on each of 4 lines
    assert game.get_fitness(crowded, 0) == (0.0, False)
    assert set(game.genotype_constraints) == {f"{q}{a}" for q in "abcdefgh" for a in "xy"}
    assert MetaNQueens(3).genotype_constraints["cy"] == list(range(8))
    for bad in (0, 9, 2.0, True):
        with pytest.raises(ConfigError, match="n_queens"):
            MetaNQueens(bad)


def evolve(**kwargs):
    options = dict(fitness_getter=meta_toys.input_spikes, n_reruns=1)
    options.update(kwargs)
    return EvolveNetwork(meta_toys.random_spec(), {"input.rate": [0.0, 1.0]}, **options)


def test_evolve_network_applies_the_genotype_and_static_updates():
    # rate 1: both inputs spike at every step; 20 ticks of processing_time steps -> 2 * 20 * pt spikes
    metagame = evolve(static_updates=("network.processing_time", [1, 2]), n_reruns=2)
    assert metagame.get_fitness({"input.rate": 1.0}, 0) == (60.0, False)  # mean of 40, 40, 80, 80
    assert metagame.get_fitness({"input.rate": 0.0}, 0) == (0.0, False)
    assert (
        evolve(static_updates=("network.processing_time", [1, 2]), fitness_aggregator="min").get_fitness(
            {"input.rate": 1.0}, 0
        )[0]
        == 40.0
    )
    assert evolve(fitness_getter="total_spikes").get_fitness({"input.rate": 0.0}, 0) == (0.0, False)


def test_evolve_network_terminates_at_win_fitness_and_is_seeded():
    metagame = evolve(win_fitness=100.0)  # default processing_time 3: 2 * 20 * 3 = 120 spikes at rate 1
    assert metagame.get_fitness({"input.rate": 1.0}, 0) == (120.0, True)
    half = EvolveNetwork(
        meta_toys.random_spec(), {"input.rate": [0.5]}, fitness_getter=meta_toys.input_spikes, n_reruns=1
    )
    assert half.get_fitness({"input.rate": 0.5}, 1) == half.get_fitness({"input.rate": 0.5}, 1)
    assert half.get_fitness({"input.rate": 0.5}, 1) != half.get_fitness({"input.rate": 0.5}, 2)


def test_evolve_network_checks_everything_up_front():
    with pytest.raises(ConfigError, match="no part of this experiment declares 'rat'"):
        EvolveNetwork(meta_toys.random_spec(), {"rat": [0.1]}, fitness_getter="total_spikes")
    with pytest.raises(ConfigError, match="no part of this experiment declares 'nope'"):
        evolve(static_updates=("nope", [1]))
    with pytest.raises(ConfigError, match="fitness_aggregator"):
        evolve(fitness_aggregator="average")
    with pytest.raises(ConfigError, match="empty list"):
        EvolveNetwork(meta_toys.random_spec(), {"input.rate": []}, fitness_getter="total_spikes")


def test_a_failing_training_run_fails_the_evaluation():
    metagame = EvolveNetwork(
        meta_toys.trouble_spec(), {"input.trouble": ["raise"]}, fitness_getter="total_spikes", n_reruns=1
    )
    with pytest.raises(RuntimeError, match="deliberate failure"):
        metagame.get_fitness({"input.trouble": "raise"}, 0)


def test_population_evolves_a_network_on_worker_processes():
    metagame = evolve(win_fitness=120.0)
    population = Population(metagame, backend="multiprocessing", workers=2, n_agents=4, n_epoch=5, seed=0)
    result = population.run()
    assert result.terminated and result.best_genotype == {"input.rate": 1.0} and result.best_fitness == 120.0


def test_an_experiment_that_declares_no_result_keys_is_checked_after_its_first_run():
    from spikey_meta.metagames.evolve_network import FitnessKeyError

    metagame = evolve(fitness_getter="total_spiks")  # ActionCallback writes results it does not declare
    assert metagame.loop.result_keys() is None
    with pytest.raises(FitnessKeyError, match="did you mean 'total_spikes'"):
        metagame.get_fitness({"input.rate": 0.0}, 0)
