"""Population: constraints, shares, operators, caching across processes, checkpoint and resume."""

from __future__ import annotations

import copy

import meta_toys
import numpy as np
import pytest
from spikey_core.errors import ConfigError  # noqa: E402
from spikey_meta.analysis import population_frame  # noqa: E402
from spikey_meta.metagames import MetaNQueens  # noqa: E402
from spikey_meta.population import (  # noqa: E402
    Agent,
    Breeder,
    Choice,
    Population,
    PopulationConfig,
    Uniform,
    check_constraints,
    genotype_distance,
)

BITS = {"a": [0, 1], "b": [0, 1], "c": [0, 1]}
SMALL = {"ax": [0, 1], "ay": [0, 1], "bx": [0, 1], "by": [0, 1]}  # 16 genotypes, two queens always clash


# -- constraints and config ---------------------------------------------------------------------
def test_constraint_forms():
    samplers = check_constraints(
        {
            "l": [1, np.int64(2)],
            "u": (0.5, 1.5),
            "t": {"low": 0, "high": 2},
            "s": (0, 1, 0.25),
            "r": {"start": 1, "stop": 4},
        }
    )
    assert samplers["l"] == Choice((1, 2)) and type(samplers["l"].values[1]) is int
    assert samplers["u"] == Uniform(0.5, 1.5) and samplers["t"] == Uniform(0.0, 2.0)
    assert samplers["s"] == Choice((0.0, 0.25, 0.5, 0.75))  # the README's (start, stop, step) form
    assert samplers["r"] == Choice((1, 2, 3))
    rng = np.random.default_rng(0)
    assert all(0.5 <= samplers["u"].sample(rng) < 1.5 for _ in range(50))


def test_every_bad_constraint_is_reported_before_any_run():
    with pytest.raises(ConfigError) as caught:
        Population(
            MetaNQueens(),
            backend="serial",
            n_agents=4,
            genotype_constraints={"a": [], "b": (2.0, 1.0), "c": (0, 1, 0), "d": "x"},
        )
    problems = caught.value.problems
    assert len(problems) == 4
    assert "$.constraints.a: an empty list" in problems[0]
    assert "low < high" in problems[1] and "step != 0" in problems[2] and "must be a list" in problems[3]


@pytest.mark.parametrize(
    "config, fragment",
    [
        (dict(random_rate=0, survivor_rate=0, mutation_rate=0, crossover_rate=0), "all 0"),
        (dict(mutate_eligible_pct=0), "mutate_eligible_pct"),
        (dict(n_agents=[3, 0]), "schedule"),
        (dict(max_age=0), "max_age"),
    ],
)
def test_bad_population_config(config, fragment):
    with pytest.raises(ConfigError, match=fragment):
        Population(MetaNQueens(), backend="serial", **{"n_agents": 4, **config})


def test_shares_are_normalised_and_a_schedule_sets_the_epochs():
    config = PopulationConfig(
        n_agents=[4, 6, 8], random_rate=2, survivor_rate=3, mutation_rate=2, crossover_rate=3
    )
    assert config.shares == pytest.approx((0.2, 0.3, 0.2, 0.3))
    assert config.schedule == [4, 6, 8]
    assert PopulationConfig(n_agents=5, n_epoch=2).schedule == [5, 5]


# -- operators ----------------------------------------------------------------------------------
def test_mutation_resamples_exactly_one_drawn_key():
    breeder = Breeder(check_constraints({"a": [10, 11, 12], "b": [20, 21, 22]}), np.random.default_rng(5))
    twin = copy.deepcopy(breeder.rng)
    child = breeder.mutate(Agent({"a": 10, "b": 20}, age=3))
    key = ["a", "b"][int(twin.integers(2))]  # the same draws, replayed: key index, then the value index
    value = {"a": [10, 11, 12], "b": [20, 21, 22]}[key][int(twin.integers(3))]
    assert child.genotype == {**{"a": 10, "b": 20}, key: value} and child.age == 0


def test_crossover_children_are_complementary_around_the_switch():
    breeder = Breeder(check_constraints(BITS), np.random.default_rng(1))
    zeros, ones = Agent({"a": 0, "b": 0, "c": 0}), Agent({"a": 1, "b": 1, "c": 1})
    for _ in range(20):
        twin = copy.deepcopy(breeder.rng)
        first, second = breeder.crossover(zeros, ones)
        order = [list(BITS)[i] for i in twin.permutation(3)]
        switch = int(twin.integers(1, 3))
        # keys before the switch come from the other parent: 1s in the child of zeros
        assert first.genotype == {k: (1 if order.index(k) < switch else 0) for k in BITS}
        assert all(first.genotype[k] + second.genotype[k] == 1 for k in BITS)
        assert first.age == second.age == 0


def test_next_generation_counts_per_share():
    # n=10, shares (0.2, 0.3, 0.2, 0.3): 2 random, 3 survivors, 2 mutants, 3 // 2 = 1 crossover pair
    # (2 children), 10 - 9 = 1 mutant filling the shortfall
    breeder = Breeder(check_constraints({"x": list(range(100))}), np.random.default_rng(0))
    agents = [Agent({"x": i}, age=i % 3) for i in range(10)]
    fitness = [float(i) for i in range(10)]  # agent 9 is the best
    config = PopulationConfig(
        n_agents=10, random_rate=2, survivor_rate=3, mutation_rate=2, crossover_rate=3, max_age=10
    )
    new = breeder.next_generation(agents, fitness, 10, config)
    assert len(new) == 10
    assert [(a.genotype["x"], a.age) for a in new[2:5]] == [(9, 1), (8, 3), (7, 2)]  # best three, age + 1
    assert all(a.age == 0 for i, a in enumerate(new) if not 2 <= i < 5)


def test_old_agents_leave_the_pool_and_mutants_come_from_the_eligible_best():
    breeder = Breeder(
        check_constraints({"x": list(range(100)), "y": list(range(100))}), np.random.default_rng(0)
    )
    agents = [Agent({"x": i, "y": i}, age=5 if i == 9 else 0) for i in range(10)]
    fitness = [float(i) for i in range(10)]
    survivors_only = PopulationConfig(
        n_agents=3, random_rate=0, survivor_rate=1, mutation_rate=0, crossover_rate=0, max_age=5
    )
    new = breeder.next_generation(agents, fitness, 3, survivors_only)
    assert [a.genotype["x"] for a in new] == [8, 7, 6]  # agent 9 is too old
    mutants_only = PopulationConfig(
        n_agents=20,
        random_rate=0,
        survivor_rate=0,
        mutation_rate=1,
        crossover_rate=0,
        mutate_eligible_pct=0.1,
        max_age=5,
    )
    new = breeder.next_generation(agents, fitness, 20, mutants_only)
    # pool = agents 8..0 (9 agents), eligible = the best int(0.1 * 9) -> at least 1 = agent 8
    assert all(a.genotype["x"] == 8 or a.genotype["y"] == 8 for a in new)


def test_genotype_distance():
    # (3, 4) apart numerically -> 5; a differing label adds 1 to the squared sum -> sqrt(26)
    assert genotype_distance({"x": 0, "y": 0}, {"x": 3, "y": 4}) == 5.0
    assert genotype_distance({"x": 0, "y": 0, "s": "a"}, {"x": 3, "y": 4, "s": "b"}) == pytest.approx(26**0.5)
    assert genotype_distance({"x": 0, "y": 9}, {"x": 3, "y": 4}, keys=["x"]) == 3.0


# -- whole runs ---------------------------------------------------------------------------------
def test_same_seed_same_run_and_no_global_random_state():
    np.random.seed(0)
    first = Population(MetaNQueens(), backend="serial", n_agents=12, n_epoch=4, seed=3).run()
    np.random.seed(99)  # the global generator must not matter
    second = Population(MetaNQueens(), backend="serial", n_agents=12, n_epoch=4, seed=3).run()
    other = Population(MetaNQueens(), backend="serial", n_agents=12, n_epoch=4, seed=4).run()
    assert first.history == second.history
    assert first.history != other.history


def test_serial_and_multiprocessing_populations_agree():
    settings = dict(n_agents=10, n_epoch=4, seed=6)
    serial = Population(MetaNQueens(), backend="serial", **settings).run()
    parallel = Population(MetaNQueens(), backend="multiprocessing", workers=2, **settings).run()
    assert parallel.history == serial.history and parallel.best_genotype == serial.best_genotype


def test_four_queens_are_solved_and_the_population_terminates():
    result = Population(MetaNQueens(4), backend="serial", n_agents=30, n_epoch=100, seed=0).run()
    assert result.terminated and result.best_fitness == 28.0 and result.epochs < 100
    positions = [(result.best_genotype[f"{q}x"], result.best_genotype[f"{q}y"]) for q in "abcd"]
    assert len({x for x, _ in positions}) == len({y for _, y in positions}) == 4


def test_the_cache_works_across_processes(tmp_path):
    counter = tmp_path / "evaluations.txt"
    population = Population(
        meta_toys.CountingQueens(2, counter),
        genotype_constraints=SMALL,
        backend="multiprocessing",
        workers=2,
        n_agents=10,
        n_epoch=5,
        seed=1,
    )
    population.run()
    evaluations = len(counter.read_text().splitlines())
    # every genotype was evaluated once in some worker; 50 agents, at most 16 distinct genotypes
    assert evaluations == len(population.cache) <= 16
    assert sum(h["n_cached"] for h in population.history) > 0 and population.cache.hits > 0


def test_logs_read_back_as_a_frame(tmp_path):
    result = Population(
        MetaNQueens(2),
        genotype_constraints=SMALL,
        backend="serial",
        n_agents=5,
        n_epoch=3,
        log_folder=tmp_path,
    ).run()
    frame = population_frame(tmp_path)
    assert len(frame) == 15
    assert list(frame.columns[:6]) == ["epoch", "agent", "fitness", "age", "cached", "ok"]
    assert set(frame.columns[6:]) == set(SMALL)
    assert frame.groupby("epoch")["fitness"].max().tolist() == [h["best_fitness"] for h in result.history]
    assert list(tmp_path.glob("*~SUMMARY.json"))


# -- checkpoint and resume ----------------------------------------------------------------------
SETTINGS = dict(n_agents=12, n_epoch=6, seed=2, backend="multiprocessing", workers=2)


def test_resume_after_k_epochs_gives_the_uninterrupted_result(tmp_path):
    whole = Population(MetaNQueens(), log_folder=tmp_path / "whole", **SETTINGS).run()
    Population(MetaNQueens(), log_folder=tmp_path / "parts", **SETTINGS).run(max_epochs=2)
    resumed = Population(MetaNQueens(), log_folder=tmp_path / "parts", resume=True, **SETTINGS).run()
    assert resumed.history == whole.history and resumed.epochs == 6
    assert resumed.best_genotype == whole.best_genotype
    assert len(population_frame(tmp_path / "parts")) == len(population_frame(tmp_path / "whole")) == 72


def test_a_fitness_function_that_starts_failing_does_not_stop_the_search(tmp_path):
    marker = tmp_path / "crash-now"
    whole = Population(meta_toys.FlakyQueens(8, marker), log_folder=tmp_path / "whole", **SETTINGS).run()

    def crash_after_epoch_two(population):
        if population.epoch == 2:
            marker.touch()  # every later evaluation raises in its worker process

    folder = tmp_path / "crashed"
    crashed = Population(meta_toys.FlakyQueens(8, marker), log_folder=folder, **SETTINGS).run(
        on_epoch=crash_after_epoch_two
    )
    assert crashed.epochs == 6 and crashed.history[:2] == whole.history[:2]
    later = crashed.history[2:]
    # every fresh evaluation fails and scores -inf; cached genotypes keep their earlier fitness
    assert all(h["n_failed"] == h["n_agents"] - h["n_cached"] for h in later)
    assert all("simulated crash" in f["message"] for h in later for f in h["failures"])
    assert crashed.n_failed == sum(h["n_failed"] for h in later) > 0
    assert len(population_frame(folder)) == 72  # failed agents are logged too


def test_resume_after_ctrl_c(tmp_path):
    whole = Population(MetaNQueens(), backend="serial", n_agents=8, n_epoch=5, seed=9).run()

    def interrupt(population):
        if population.epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Population(MetaNQueens(), backend="serial", n_agents=8, n_epoch=5, seed=9, log_folder=tmp_path).run(
            on_epoch=interrupt
        )
    resumed = Population(
        MetaNQueens(), backend="serial", n_agents=8, n_epoch=5, seed=9, log_folder=tmp_path, resume=True
    ).run()
    assert resumed.history == whole.history


def test_logs_of_an_epoch_interrupted_before_its_checkpoint_are_replaced(tmp_path):
    settings = dict(backend="serial", n_agents=6, n_epoch=4, seed=5)
    whole = Population(MetaNQueens(), **settings).run()
    population = Population(MetaNQueens(), log_folder=tmp_path, **settings)
    population.run(max_epochs=1)
    population.evaluate()  # epoch 1 is logged, then the process "dies" before update() checkpoints it
    assert len(population_frame(tmp_path)) == 12
    resumed = Population(MetaNQueens(), log_folder=tmp_path, resume=True, **settings).run()
    assert resumed.history == whole.history
    frame = population_frame(tmp_path)
    assert len(frame) == 24 and frame.groupby("epoch").size().tolist() == [6, 6, 6, 6]
    # epoch 1's file was replaced, not kept beside a second one: one file per epoch
    assert sorted(p.name for p in tmp_path.glob("epoch-*")) == [f"epoch-{e:04d}.jsonl" for e in range(4)]


def test_a_checkpoint_of_another_population_is_refused(tmp_path):
    Population(MetaNQueens(), backend="serial", n_agents=4, n_epoch=3, log_folder=tmp_path).run(max_epochs=1)
    with pytest.raises(ConfigError, match="other settings"):
        Population(MetaNQueens(), backend="serial", n_agents=5, n_epoch=3, log_folder=tmp_path, resume=True)
    with pytest.raises(ConfigError, match="other settings"):
        Population(MetaNQueens(7), backend="serial", n_agents=4, n_epoch=3, log_folder=tmp_path, resume=True)
    with pytest.raises(ConfigError, match="needs the log_folder"):
        Population(MetaNQueens(), backend="serial", n_agents=4, resume=True)
    with pytest.raises(ConfigError, match="pass resume=True"):
        Population(MetaNQueens(), backend="serial", n_agents=4, n_epoch=3, log_folder=tmp_path)


def test_plot_fitness_per_epoch(tmp_path):
    from spikey_meta.analysis import plot_fitness

    Population(
        MetaNQueens(2),
        genotype_constraints=SMALL,
        backend="serial",
        n_agents=4,
        n_epoch=3,
        log_folder=tmp_path,
    ).run()
    frame = population_frame(tmp_path)
    ax = plot_fitness(frame)
    best = ax.lines[0].get_ydata()
    assert list(best) == frame.groupby("epoch")["fitness"].max().tolist()


# -- one log file per epoch ---------------------------------------------------------------------
KILLED_RUN = """
import sys, time
from spikey_meta.metagames import MetaNQueens
from spikey_meta.population import Population

fitness = MetaNQueens.get_fitness
MetaNQueens.get_fitness = lambda self, genotype, seed: (time.sleep(0.03), fitness(self, genotype, seed))[1]
Population(MetaNQueens(), backend="serial", n_agents=6, n_epoch=8, seed=4, log_folder=sys.argv[1]).run()
"""


@pytest.mark.slow  # a subprocess start and a kill: about 5 s
def test_one_log_file_per_epoch_and_resume_after_kill_9_is_the_uninterrupted_run(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from spikey_meta import Reader

    settings = dict(backend="serial", n_agents=6, n_epoch=8, seed=4)
    whole = Population(MetaNQueens(), log_folder=tmp_path / "whole", **settings).run()
    assert sorted(p.name for p in (tmp_path / "whole").glob("epoch-*")) == [
        f"epoch-{e:04d}.jsonl" for e in range(8)
    ]
    assert len(list((tmp_path / "whole").iterdir())) == 8 + 2  # epochs, summary, checkpoint
    killed = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(killed)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (killed / "epoch-0002.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)  # mid-epoch 3 or between epoch 2's log and its checkpoint
    process.wait()
    process.stderr.close()
    resumed = Population(MetaNQueens(), log_folder=killed, resume=True, **settings).run()
    assert resumed.history == whole.history
    assert sorted(p.name for p in killed.glob("epoch-*")) == [f"epoch-{e:04d}.jsonl" for e in range(8)]
    reader, reference = Reader(killed), Reader(tmp_path / "whole")
    assert reader.skipped == [] and len(reader) == 48
    columns = ["epoch", "agent", "fitness", "age", "cached"]
    assert reader.df[columns].equals(reference.df[columns])
    assert reader.df["filename"].iloc[7] == "epoch-0001.jsonl:2"  # agent 1 of epoch 1: line 2
