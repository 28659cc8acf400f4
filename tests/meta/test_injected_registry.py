"""A registry passed explicitly reaches every run: Series, Population, Tuner, the CLI, worker processes.

The toy parts (``echo``, ``pattern``, ...) are registered only in the test registry
(``meta_registry``), never in the process-wide one, so a run that finds them by name can only
have looked them up in the registry it was given, in a worker process too.
"""

from __future__ import annotations

import math
import pickle

import meta_toys
import pytest
from spikey_meta.backends.multiprocessing import MultiprocessingBackend
from spikey_meta.metagames import EvolveNetwork
from spikey_meta.population import Population
from spikey_meta.series import Series

from spikey_core import ConfigError, get_registry

THRESHOLDS = ("neuron.firing_threshold", [1.0, 3.0])


@pytest.fixture
def toy(named_spec):
    """The toy experiment, every part by its registered name, counting actions and spikes."""
    spec = named_spec()
    spec["callback"] = {"type": meta_toys.ActionCallback}
    return spec


def total_spikes(runs):
    return [run.results["total_spikes"] for run in runs]


def test_the_toy_parts_are_not_in_the_process_wide_registry(toy):
    assert "echo" not in get_registry().names("game")
    with pytest.raises(ConfigError, match="no neuron named 'threshold_neuron'"):
        Series(toy, THRESHOLDS, backend="serial")  # validation looks the names up there


def test_a_test_registry_travels_to_spawned_worker_processes(toy, meta_registry):
    serial = Series(toy, THRESHOLDS, n_repeats=2, backend="serial", registry=meta_registry).run()
    # "spawn": a fresh interpreter whose own loaded registry has no toy part; only the registry
    # pickled with each job can name them
    with MultiprocessingBackend(workers=1, start_method="spawn") as backend:
        spawned = Series(toy, THRESHOLDS, n_repeats=2, backend=backend, registry=meta_registry).run()
    assert all(run.ok for run in spawned), [run.error for run in spawned]
    assert total_spikes(spawned) == total_spikes(serial)
    assert total_spikes(serial)[0] != total_spikes(serial)[2]  # the setting reached the runs


def test_series_logs_name_the_parts_as_the_injected_registry_does(toy, meta_registry, tmp_path):
    from spikey_meta.logs import read_log

    series = Series(toy, backend="multiprocessing", workers=1, log_folder=tmp_path, registry=meta_registry)
    (run,) = series.run()
    document = read_log(run.log)
    assert document["game"]["name"] == "echo" and document["network"]["neuron"]["type"] == "threshold_neuron"


def spikes_metagame(toy, registry):
    return EvolveNetwork(
        toy,
        {"neuron.firing_threshold": [1.0, 3.0]},
        fitness_getter="total_spikes",
        n_reruns=1,
        registry=registry,
    )


def test_a_population_evaluates_with_the_meta_games_registry_on_worker_processes(toy, meta_registry):
    metagame = spikes_metagame(toy, meta_registry)
    assert metagame.registry is meta_registry
    fitness = {}
    for backend in ("serial", "multiprocessing"):
        with Population(metagame, backend=backend, workers=2, n_agents=4, n_epoch=1, seed=4) as population:
            fitness[backend] = population.evaluate()
    assert all(math.isfinite(f) for f in fitness["multiprocessing"])  # no evaluation failed
    assert fitness["multiprocessing"] == fitness["serial"]
    with pytest.raises(ConfigError, match="no neuron named 'threshold_neuron'"):
        spikes_metagame(toy, None)


def test_the_tuner_runs_trials_with_the_meta_games_registry(toy, meta_registry):
    from spikey_meta.tuner import Tuner

    metagame = spikes_metagame(toy, meta_registry)
    tuner = Tuner(metagame, n_trials=2, sampler="grid", pruner="none", backend="serial")
    assert tuner.registry is meta_registry
    study = tuner.run()
    expected = Series(toy, THRESHOLDS, backend="serial", registry=meta_registry, seed=None).run()
    assert sorted(t.value for t in study.trials) == sorted(map(float, total_spikes(expected)))


NAMED_TOML = """\
seed = 0
[network]
n_inputs = 2
n_neurons = 2
n_outputs = 1
processing_time = 3
[input]
type = "pattern"
[neuron]
type = "threshold_neuron"
[weight]
type = "constant"
[readout]
type = "count"
[game]
type = "echo"
[loop]
type = "generic"
n_episodes = 1
len_episode = 4
"""


def test_the_command_line_hands_its_registry_to_the_meta_commands(meta_registry, tmp_path, capsys):
    from spikey_core.cli import main

    (tmp_path / "toy.toml").write_text(NAMED_TOML)
    spec = tmp_path / "series.toml"
    spec.write_text('experiment = "toy.toml"\n[series]\nn_repeats = 2\n')
    argv = [
        "series",
        str(spec),
        "--backend",
        "multiprocessing",
        "--workers",
        "1",
        "--out",
        str(tmp_path / "o"),
    ]
    assert main(argv, registry=meta_registry) == 0, capsys.readouterr().err
    assert "2 of 2 runs finished" in capsys.readouterr().out
    assert main([*argv[:-1], str(tmp_path / "p")]) == 2  # the installed plugins have no toy parts
    assert "no game named 'echo'" in capsys.readouterr().err


def test_a_pickled_registry_keeps_its_entries_and_leaves_the_commands_behind(meta_registry):
    copy = pickle.loads(pickle.dumps(meta_registry))
    assert [(e.kind, e.name, e.obj, e.provider) for e in copy] == [
        (e.kind, e.name, e.obj, e.provider) for e in meta_registry
    ]
    assert copy.providers == meta_registry.providers
    assert "series" in meta_registry.commands and copy.commands == {}
