"""``spikey tune`` / Tuner: Optuna search with evolve's file form, logs, pruning, backends, resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import meta_toys
import numpy as np
import optuna
import pytest
from spikey_core.cli import main
from spikey_core.seeding import integer_seed
from spikey_core.spec import trust_imports
from spikey_meta.meta_cli import make_metagame
from spikey_meta.population import LogUniform, check_constraints
from spikey_meta.tuner import Tuner

from spikey_core import make_loop

RATES = "[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]"


def tune_file(tmp_path, tuner="", constraints=None, len_episode=10, name="tune.toml"):
    (tmp_path / "toy.toml").write_text(meta_toys.toy_experiment_toml(n_episodes=4, len_episode=len_episode))
    constraints = constraints or f'"input.rate" = {RATES}\n'
    text = (
        'experiment = "toy.toml"\n[metagame]\nfitness = "total_action"\nn_reruns = 1\n'
        f"[tuner]\n{tuner}\n[constraints]\n{constraints}"
    )
    path = tmp_path / name
    path.write_text(text)
    return path


def metagame_of(path):
    from spikey_core.spec import load_toml

    data = load_toml(path)
    metagame = {"type": "evolve_network", **data["metagame"]}
    return make_metagame({**data, "metagame": metagame}, path.parent, allow_imports=True)


def trials_of(study):
    return [(t.number, t.state.name, t.params, t.value, dict(t.intermediate_values)) for t in study.trials]


def test_log_uniform_constraint_samples_in_range_and_rejects_bad_ranges():
    sampler = check_constraints({"lr": {"low": 1e-4, "high": 1e-1, "log": True}})["lr"]
    assert isinstance(sampler, LogUniform)
    draws = np.log10([sampler.sample(np.random.default_rng(s)) for s in range(2000)])
    assert draws.min() >= -4 and draws.max() < -1
    # log-uniform: each decade holds a third of the draws (binomial sd 0.011)
    assert abs(np.mean(draws < -3) - 1 / 3) < 0.05 and abs(np.mean(draws > -2) - 1 / 3) < 0.05
    with pytest.raises(Exception, match="0 < low < high"):
        check_constraints({"lr": {"low": 0.0, "high": 1.0, "log": True}})


def test_tune_cli_logs_every_trial_like_a_series_run(tmp_path, capsys):
    path = tune_file(
        tmp_path, 'n_trials = 4\nbatch_size = 2\nsampler = "random"\npruner = "none"\nseed = 3\n'
    )
    out = tmp_path / "out"
    assert main(["tune", str(path), "--allow-imports", "--backend", "serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "4 trials (4 complete)" in printed
    study = optuna.load_study(study_name="spikey-tune", storage=f"sqlite:///{out / 'study.db'}")
    logs = sorted(p for p in out.glob("*.json") if "~SUMMARY" not in p.name)
    assert len(logs) == 4
    loop = make_loop(trust_imports(_toml(tmp_path / "toy.toml")))
    for log in logs:
        results = json.loads(log.read_text())["results"]
        trial = study.trials[results["trial"]]
        assert results["input.rate"] == trial.params["input.rate"]
        # the logged fitness is the experiment's own result, rerun here independently
        seed = integer_seed(integer_seed(3, "trial", trial.number), 0, 0)
        again = loop.with_overrides({"input.rate": trial.params["input.rate"], "seed": seed})()[2]
        assert results["seed"] == seed and trial.value == again["total_action"] == results["total_action"]
    summary = json.loads(next(out.glob("*~SUMMARY.json")).read_text())
    assert summary["results"]["best_value"] == max(t.value for t in study.trials)
    assert len(summary["info"]["trials"]) == 4


def _toml(path):
    import tomllib

    return tomllib.loads(Path(path).read_text())


@pytest.mark.parametrize("sampler", ["tpe", pytest.param("random", marks=pytest.mark.slow)])
def test_same_seed_same_trials_on_serial_and_multiprocessing(tmp_path, sampler):
    path = tune_file(tmp_path, constraints='"input.rate" = { low = 0.01, high = 1.0, log = true }\n')
    metagame = metagame_of(path)
    common = {"n_trials": 6, "batch_size": 3, "sampler": sampler, "seed": 11, "n_startup_trials": 3}
    serial = Tuner(metagame, backend="serial", **common).run()
    parallel = Tuner(metagame, backend="multiprocessing", workers=2, **common).run()
    assert trials_of(serial) == trials_of(parallel)
    other_seed = Tuner(metagame, backend="serial", **{**common, "seed": 12}).run()
    assert [t.params for t in other_seed.trials] != [t.params for t in serial.trials]


def test_median_pruning_stops_trials_below_the_median_of_earlier_batches(tmp_path):
    path = tune_file(tmp_path)
    tuner = Tuner(
        metagame_of(path),
        n_trials=12,
        batch_size=2,
        sampler="random",
        seed=0,
        n_startup_trials=2,
        backend="serial",
    )
    study = tuner.run()
    pruned = [t for t in study.trials if t.state.name == "PRUNED"]
    assert pruned, "the space holds rates far below the median: some trial must be pruned"
    for trial in study.trials:
        start = trial.number // 2 * 2
        earlier = [t for t in study.trials if t.number < start and t.state.name == "COMPLETE"]
        steps = sorted(trial.intermediate_values)
        for step in steps:
            reference = [t.intermediate_values[step] for t in earlier if step in t.intermediate_values]
            below = len(earlier) >= 2 and reference and trial.intermediate_values[step] < np.median(reference)
            if trial.state.name == "PRUNED" and step == steps[-1]:
                assert below  # stopped exactly where it fell below the median
            else:
                assert not below
        if trial.state.name == "PRUNED":
            assert len(steps) < 4  # fewer episodes than a full run
        else:
            assert len(steps) == 4


def test_grid_sampler_covers_the_grid_once(tmp_path, capsys):
    constraints = '"input.rate" = [0.0, 0.5, 1.0]\n"loop.len_episode" = [3, 6]\n'
    path = tune_file(tmp_path, 'sampler = "grid"\nn_trials = 50\npruner = "none"\n', constraints)
    assert (
        main(["tune", str(path), "--allow-imports", "--backend", "serial", "--out", str(tmp_path / "g")]) == 0
    )
    assert "6 trials (6 complete)" in capsys.readouterr().out
    study = optuna.load_study(study_name="spikey-tune", storage=f"sqlite:///{tmp_path / 'g' / 'study.db'}")
    combos = {(t.params["input.rate"], t.params["loop.len_episode"]) for t in study.trials}
    assert combos == {(r, n) for r in (0.0, 0.5, 1.0) for n in (3, 6)}


@pytest.mark.parametrize(
    "tuner, constraints, fragment",
    [
        ('sampler = "grid"\n', '"input.rate" = { low = 0.1, high = 0.9 }\n', "'grid' needs lists"),
        ('sampler = "cmaes"\n', None, "$.tuner.sampler: must be one of tpe, random, grid"),
        ("n_trails = 3\n", None, "$.tuner.n_trails: unknown setting; did you mean 'n_trials'?"),
        ("n_trials = 0\n", None, "$.tuner.n_trials: must be a positive integer"),
        ("", '"neuron.no_such_field" = [1, 2]\n', "no_such_field"),
    ],
)
def test_configuration_errors_exit_2(tmp_path, capsys, tuner, constraints, fragment):
    path = tune_file(tmp_path, tuner, constraints)
    assert (
        main(["tune", str(path), "--allow-imports", "--backend", "serial", "--out", str(tmp_path / "o")]) == 2
    )
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_an_existing_study_needs_resume_and_is_left_intact(tmp_path, capsys):
    path = tune_file(tmp_path, 'n_trials = 2\npruner = "none"\n')
    out = tmp_path / "o"
    assert (
        main(["tune", str(path), "--allow-imports", "--backend", "serial", "--out", str(out), "--resume"])
        == 2
    )
    assert "nothing to resume" in capsys.readouterr().err
    assert main(["tune", str(path), "--allow-imports", "--backend", "serial", "--out", str(out)]) == 0
    before = sorted(p.name for p in out.iterdir())
    assert main(["tune", str(path), "--allow-imports", "--backend", "serial", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "pass --resume" in err
    assert sorted(p.name for p in out.iterdir()) == before


def _complete_trials(db):
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'").fetchone()[0]
    except sqlite3.Error:
        return 0


def _environment():
    here = Path(__file__).resolve().parent
    paths = [str(here), str(here.parent / "core"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


@pytest.mark.slow
def test_resume_after_kill_9_gives_the_uninterrupted_study(tmp_path):
    path = tune_file(
        tmp_path, "n_trials = 8\nbatch_size = 2\nseed = 5\nn_startup_trials = 2\n", len_episode=400
    )
    command = [
        sys.executable,
        "-m",
        "spikey_core.cli",
        "tune",
        str(path),
        "--allow-imports",
        "--backend",
        "serial",
    ]
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        [*command, "--out", str(killed)],
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while (
        _complete_trials(killed / "study.db") < 3 and time.monotonic() < deadline and process.poll() is None
    ):
        time.sleep(0.05)
    assert process.poll() is None, f"the study ended before the kill: {process.stderr.read().decode()}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()  # the pipe of the killed process (an unclosed file is a warning, an error here)
    assert 3 <= _complete_trials(killed / "study.db") < 8
    resumed = subprocess.run(
        [*command, "--out", str(killed), "--resume"], env=_environment(), capture_output=True
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    whole = subprocess.run(
        [*command, "--out", str(tmp_path / "whole")], env=_environment(), capture_output=True
    )
    assert whole.returncode == 0, whole.stderr.decode()

    def load(folder):
        return optuna.load_study(study_name="spikey-tune", storage=f"sqlite:///{folder / 'study.db'}")

    assert trials_of(load(killed)) == trials_of(load(tmp_path / "whole"))
    assert len(load(killed).trials) == 8


@pytest.mark.parametrize("cut", ["trial created, no setting drawn", "first trial asked, second not"])
def test_resume_of_a_batch_interrupted_while_asking_gives_the_uninterrupted_study(tmp_path, cut):
    """A kill -9 can land inside ``Study.ask``: the resumed study must still equal the whole one."""
    metagame = metagame_of(tune_file(tmp_path))
    common = {"batch_size": 2, "seed": 5, "n_startup_trials": 2, "backend": "serial"}
    whole = Tuner(metagame, n_trials=6, storage=f"sqlite:///{tmp_path / 'whole.db'}", **common).run()
    storage = f"sqlite:///{tmp_path / 'cut.db'}"
    first = Tuner(metagame, n_trials=4, storage=storage, **common)
    first.run()
    first.study.sampler = first._sampler(2)  # batch 2 starts being asked, then the process dies
    if cut == "trial created, no setting drawn":
        first.study._storage.create_new_trial(first.study._study_id)
    else:
        first.study.ask(first.distributions)
    resumed = Tuner(metagame, n_trials=6, storage=storage, resume=True, **common).run()
    assert trials_of(resumed) == trials_of(whole)
    assert all(t.params for t in resumed.trials)
