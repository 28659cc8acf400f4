"""A population survives failing agents on every backend: recorded, scored worst, counted, logged."""

from __future__ import annotations

import json
import os

import pytest
from badinput_kit import Troublesome
from spikey_meta.population import Population


def _run(tmp_path, backend, monkeypatch):
    monkeypatch.setenv("SPIKEY_TEST_IN_PARENT", str(os.getpid()))  # the serial backend must not exit
    population = Population(
        Troublesome(),
        backend=backend,
        workers=2,
        log_folder=tmp_path / "out",
        n_agents=12,
        n_epoch=2,
        seed=3,
    )
    return population, population.run()


@pytest.mark.parametrize("backend", ["serial", "multiprocessing"])
def test_failing_agents_are_recorded_and_the_search_goes_on(tmp_path, monkeypatch, backend):
    population, result = _run(tmp_path, backend, monkeypatch)
    assert result.epochs == 2 and len(population.history) == 2
    failures = [f for h in population.history for f in h["failures"]]
    raised = [f for f in failures if f["genotype"]["x"] == 0]
    assert raised and all("deliberate failure" in f["message"] for f in raised)
    if backend == "multiprocessing":
        died = [f for f in failures if f["genotype"]["x"] == 1]
        assert died and all(f["type"] == "WorkerDiedError" for f in died)  # retried once, then failed
    assert result.n_failed == len(failures) == sum(h["n_failed"] for h in population.history)
    assert result.best_fitness == max(h["best_fitness"] for h in population.history) >= 2.0
    epochs = sorted((tmp_path / "out").glob("epoch-*.jsonl"))
    logs = [json.loads(line) for p in epochs for line in p.read_text().splitlines()]
    assert len(epochs) == 2 and len(logs) == 24  # every agent of both epochs logged, failed ones included
    failed_logs = [d for d in logs if d["results"]["ok"] is False]
    assert len(failed_logs) == len(failures)
    for document in failed_logs:
        assert document["results"]["fitness"] == {"__float__": "-inf"}  # the worst possible score
        assert document["results"]["error_type"] in ("RuntimeError", "WorkerDiedError")


def test_failures_are_the_same_on_serial_and_multiprocessing_for_raising_agents(tmp_path, monkeypatch):
    serial, _ = _run(tmp_path / "s", "serial", monkeypatch)
    parallel, _ = _run(tmp_path / "p", "multiprocessing", monkeypatch)
    raised = [[f["agent"] for f in h["failures"] if f["genotype"]["x"] == 0] for h in serial.history]
    assert raised == [
        [f["agent"] for f in h["failures"] if f["genotype"]["x"] == 0] for h in parallel.history
    ]


@pytest.mark.slow
def test_failing_agents_on_ray(tmp_path, monkeypatch):
    ray = pytest.importorskip("ray")
    from pathlib import Path

    from spikey_meta.backends.ray import RayBackend

    here = Path(__file__).parent
    paths = os.pathsep.join([str(here), str(here.parent / "core")])
    backend = RayBackend(num_cpus=2, runtime_env={"env_vars": {"PYTHONPATH": paths}})
    try:
        population, result = _run(tmp_path, backend, monkeypatch)
    finally:
        backend.close()
    assert not ray.is_initialized()
    assert result.epochs == 2
    failures = [f for h in population.history for f in h["failures"]]
    assert {f["genotype"]["x"] for f in failures} == {0, 1}  # raised, and worker lost twice
    assert result.n_failed == len(failures)
