"""``spikey series`` and ``spikey evolve``: the TOML format, exit statuses, logs and resume."""

from __future__ import annotations

from pathlib import Path

import meta_toys
import pytest
from spikey_core.cli import main as spikey_main


def main(argv):
    """``spikey`` with --allow-imports: the experiment below names unregistered toy classes."""
    return spikey_main([*argv[:2], "--allow-imports", *argv[2:]])


EXPERIMENT = meta_toys.toy_experiment_toml(n_episodes=1, len_episode=10, learning=True)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "toy.toml").write_text(EXPERIMENT)

    def write(name, text):
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    return write


def run_logs(folder):
    return sorted(p for p in Path(folder).glob("*.json") if "~SUMMARY" not in p.name)


def test_series_grid_runs_and_prints_the_log_folder(files, tmp_path, capsys):
    spec = files(
        "grid.toml",
        'experiment = "toy.toml"\n[series]\nn_repeats = 2\n[series.grid]\n'
        '"neuron.firing_threshold" = [1.0, 2.0]\n"network.processing_time" = {start = 2, stop = 4}\n',
    )
    out = tmp_path / "logs"
    assert main(["series", spec, "--backend", "serial", "--out", str(out)]) == 0
    assert len(run_logs(out)) == 2 * 2 * 2  # 2 thresholds x processing_time 2, 3 x 2 repeats
    assert f"8 of 8 runs finished; logs in {out}" in capsys.readouterr().out


def test_series_resume_skips_logged_runs(files, tmp_path, capsys):
    spec = files(
        "zip.toml",
        'experiment = "toy.toml"\n[series]\n[series.zip]\n"input.rate" = [0.2, 0.8]\n'
        '"neuron.firing_threshold" = [1.0, 3.0]\n',
    )
    out = tmp_path / "logs"
    assert main(["series", spec, "--backend", "multiprocessing", "--workers", "2", "--out", str(out)]) == 0
    first = run_logs(out)
    assert len(first) == 2
    assert main(["series", spec, "--backend", "serial", "--out", str(out), "--resume"]) == 0
    assert run_logs(out) == first  # nothing ran again
    assert len(list(out.glob("*~SUMMARY*.json"))) == 2


@pytest.mark.parametrize(
    "text, fragment",
    [
        (
            'experiment = "toy.toml"\n[series]\nn_repeat = 2\n',
            "$.series.n_repeat: unknown setting; did you mean 'n_repeats'?",
        ),
        (
            'experiment = "toy.toml"\n[series.grid]\nfiring_treshold = [1.0]\n',
            "no part of this experiment declares 'firing_treshold'",
        ),
        ("[series]\nn_repeats = 1\n", "$.experiment: required"),
        (
            'experiment = "toy.toml"\n[series.grid]\n"input.rate" = 0.5\n',
            "must be a list of values or a range table",
        ),
    ],
)
def test_series_configuration_errors_exit_2_without_traceback(files, tmp_path, capsys, text, fragment):
    spec = files("bad.toml", text)
    assert main(["series", spec, "--backend", "serial", "--out", str(tmp_path / "logs")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not (tmp_path / "logs").exists() or not run_logs(tmp_path / "logs")


def test_a_backend_that_is_not_installed_is_a_usage_error(files, tmp_path, capsys):
    spec = files("s.toml", 'experiment = "toy.toml"\n')
    assert main(["series", spec, "--backend", "dask", "--out", str(tmp_path / "l")]) == 2
    assert "no backend named 'dask'" in capsys.readouterr().err


def test_failed_runs_exit_1(files, tmp_path, capsys):
    text = EXPERIMENT.replace(
        'type = "toy_parts:BernoulliInput"\nrate = 0.5', 'type = "meta_toys:TroubleInput"'
    )
    (tmp_path / "trouble.toml").write_text(text)
    spec = files(
        "f.toml", 'experiment = "trouble.toml"\n[series.grid]\n"input.trouble" = ["none", "raise"]\n'
    )
    assert main(["series", spec, "--backend", "serial", "--out", str(tmp_path / "l")]) == 1
    captured = capsys.readouterr()
    assert "run 1 (configuration 1, repeat 0" in captured.err and "deliberate failure" in captured.err
    assert "1 of 2 runs finished" in captured.out


def test_evolve_meta_nqueens_and_resume(files, tmp_path, capsys):
    spec = files(
        "q.toml",
        '[metagame]\ntype = "meta_nqueens"\nn_queens = 4\n[population]\nn_agents = 20\nn_epoch = 50\n',
    )
    out = tmp_path / "evolve"
    assert main(["evolve", spec, "--backend", "serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "best fitness 28 after" in printed and str(out) in printed
    assert main(["evolve", spec, "--backend", "serial", "--out", str(out)]) == 2
    assert "pass resume=True (--resume)" in capsys.readouterr().err
    assert main(["evolve", spec, "--backend", "serial", "--out", str(out), "--resume"]) == 0
    assert "best fitness 28 after" in capsys.readouterr().out


def test_evolve_network_from_toml(files, tmp_path, capsys):
    spec = files(
        "e.toml",
        'experiment = "toy.toml"\n[metagame]\ntype = "evolve_network"\nfitness = "meta_toys:input_spikes"\n'
        "n_reruns = 1\nwin_fitness = 60.0\n[population]\nn_agents = 4\nn_epoch = 3\n"
        '[constraints]\n"input.rate" = [0.0, 1.0]\n',
    )
    assert main(["evolve", spec, "--backend", "serial", "--out", str(tmp_path / "e")]) == 0
    # rate 1.0: 2 inputs x 3 steps x 10 ticks = 60 input spikes
    assert "best fitness 60 after" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('[metagame]\ntype = "meta_queens"\n[population]\nn_agents = 4\n', "did you mean 'meta_nqueens'"),
        (
            'experiment = "toy.toml"\n[metagame]\ntype = "evolve_network"\nfitness = "total_spikes"\n'
            "[population]\nn_agents = 4\n"
            '[constraints]\n"input.rate" = []\n',
            "$.constraints.input.rate: an empty list",
        ),
        (
            '[metagame]\ntype = "meta_nqueens"\n[population]\nn_agents = 4\nrandom_rate = 0\n'
            "survivor_rate = 0\n"
            "mutation_rate = 0\ncrossover_rate = 0\n",
            "all 0",
        ),
    ],
)
def test_evolve_configuration_errors_exit_2(files, tmp_path, capsys, text, fragment):
    spec = files("bad.toml", text)
    assert main(["evolve", spec, "--backend", "serial", "--out", str(tmp_path / "e")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
