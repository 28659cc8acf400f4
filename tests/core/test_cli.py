"""The spikey command line: output, exit statuses and messages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest
from installed import requires
from spikey_core.cli import main, parse_assignment

TOY_TOML = textwrap.dedent(
    """
    seed = 1
    [network]
    n_inputs = 2
    n_neurons = 2
    n_outputs = 1
    processing_time = 3
    reward_mode = "tick"
    [input]
    type = "pattern"
    [neuron]
    type = "threshold_neuron"
    firing_threshold = 1.0
    [weight]
    type = "constant"
    [synapse]
    type = "counting"
    [readout]
    type = "count"
    [rewarder]
    type = "constant"
    [game]
    type = "echo"
    [loop]
    type = "generic"
    n_episodes = 1
    len_episode = 5
    """
)


@pytest.fixture
def toml_file(tmp_path):
    path = tmp_path / "toy.toml"
    path.write_text(TOY_TOML)
    return path


def test_run_toml_prints_results(toy_registry, toml_file, tmp_path, capsys):
    status = main(
        ["run", str(toml_file), "--out", str(tmp_path / "out"), "--set", "loop.len_episode=7"],
        registry=toy_registry,
    )
    out = capsys.readouterr().out
    assert status == 0
    assert re.search(r"len_episode\s+7\b", out) and re.search(r"seed\s+1\b", out)


def test_the_progress_bar_starts_no_thread():
    # a thread left running (tqdm's monitor) would make later multiprocessing workers "spawn"
    import threading

    from spikey_core.cli import progress_bar

    pytest.importorskip("tqdm", reason="the core alone has no progress bar (spikey-core[progress])")

    before = {thread.ident for thread in threading.enumerate()}
    bar = progress_bar(3, unit="step")
    bar.update(3)
    bar.close()
    assert {thread.ident for thread in threading.enumerate()} == before


def test_without_tqdm_there_is_no_progress_bar(monkeypatch):
    import builtins

    from spikey_core.cli import progress_bar

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    assert progress_bar(3, unit="step") is None


def test_config_errors_exit_2_with_every_problem_and_nothing_written(
    toy_registry, toml_file, tmp_path, capsys
):
    toml_file.write_text(
        TOY_TOML.replace("firing_threshold = 1.0", "firing_treshold = 1.0\npotential_decay = 1.5").replace(
            'type = "count"', 'type = "cuont"'
        )
    )
    out_dir = tmp_path / "out"
    status = main(["run", str(toml_file), "--out", str(out_dir)], registry=toy_registry)
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err
    assert "$.neuron.firing_treshold: unknown key; did you mean 'firing_threshold'?" in err
    assert "$.neuron.potential_decay: must be <= 1 (got 1.5)" in err
    assert "$.readout.type: no readout named 'cuont'; did you mean 'count'?" in err
    assert not out_dir.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "no-such-experiment"], "no experiment named 'no-such-experiment'"),
        (["run", "missing.toml"], "missing.toml: no such file"),
        (["describe", "neuron", "threshold_nueron"], "did you mean 'threshold_neuron'?"),
        (["describe", "nueron", "x"], "no kind named 'nueron'"),
        (["parts", "synapses"], "no kind named 'synapses'"),
    ],
)
def test_usage_errors_exit_2(toy_registry, args, message, capsys):
    assert main(args, registry=toy_registry) == 2
    assert message in capsys.readouterr().err


def test_bad_set_is_a_usage_error(toy_registry, toml_file, capsys):
    assert main(["run", str(toml_file), "--set", "neuron.firing_threshhold=3"], registry=toy_registry) == 2
    assert (
        "neuron declares no setting 'firing_threshhold'; did you mean 'firing_threshold'?"
        in capsys.readouterr().err
    )
    assert main(["run", str(toml_file), "--set", "novalue"], registry=toy_registry) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err
    assert main(["run", str(toml_file), "--seed", "-3"], registry=toy_registry) == 2


def test_failure_inside_a_run_exits_1(toy_registry, toml_file, capsys):
    toml_file.write_text(TOY_TOML.replace('type = "threshold_neuron"', 'type = "exploding"'))
    assert main(["run", str(toml_file)], registry=toy_registry) == 1
    err = capsys.readouterr().err
    assert "the run failed: neuron ExplodingNeuron: non-finite membrane potential" in err
    assert "Traceback" not in err


def test_plugins_parts_and_describe(toy_registry, capsys):
    assert main(["plugins"], registry=toy_registry) == 0
    out = capsys.readouterr().out
    assert "core (spikey-core " in out and "toy ((in process) -)" in out
    assert "  neuron: exploding, threshold_neuron" in out and "  backend: serial" in out
    assert main(["parts", "neuron"], registry=toy_registry) == 0
    out = capsys.readouterr().out
    assert "threshold_neuron" in out and "Integrate-and-fire with reset to 0" in out and "synapse" not in out
    assert main(["describe", "neuron", "threshold_neuron"], registry=toy_registry) == 0
    out = capsys.readouterr().out
    assert "firing_threshold" in out and "real number in (0, inf)" in out and "fire when V >= this" in out


def test_parse_assignment_reads_toml_values():
    assert parse_assignment("a.b=16") == ("a.b", 16)
    assert parse_assignment("x=0.5") == ("x", 0.5)
    assert parse_assignment("flag=true") == ("flag", True)
    assert parse_assignment("v=[1, 2]") == ("v", [1, 2])
    assert parse_assignment("name=XOR") == ("name", "XOR")


def _console_script() -> str:
    script = Path(sys.executable).with_name("spikey")
    assert script.exists(), f"the spikey console script is not installed beside {sys.executable}"
    return str(script)


def test_installed_console_script_exit_status_and_no_traceback():
    result = subprocess.run(
        [_console_script(), "describe", "backend", "seriall"],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert result.returncode == 2
    assert "did you mean 'serial'?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["SCRIPT"], [sys.executable, "-m", "spikey_core"]])
def test_version_from_the_script_and_python_m(command):
    command = [_console_script() if c == "SCRIPT" else c for c in command]
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"spikey {metadata.version('spikey-core')}"
    for entry_point in metadata.entry_points(group="spikey"):
        dist = entry_point.dist
        assert f"  plugin {entry_point.name}: {dist.name} {dist.version}" in lines


@pytest.fixture
def broken_plugin_env(tmp_path):
    """An installed distribution whose ``spikey`` entry point fails to import."""
    info = tmp_path / "spikey_broken-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spikey-broken\nVersion: 9.9\n")
    (info / "entry_points.txt").write_text("[spikey]\nbroken = spikey_broken_plugin\n")
    (tmp_path / "spikey_broken_plugin.py").write_text("raise ImportError('needs numpy 7')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("SPIKEY_BLOCK_PLUGINS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tmp_path)
    return env


def _spikey(args, env):
    return subprocess.run([_console_script(), *args], capture_output=True, text=True, cwd="/", env=env)


@requires("spikey-parts")
def test_help_version_and_plugins_work_with_a_broken_plugin_and_report_it(broken_plugin_env):
    shown = _spikey(["--help"], broken_plugin_env)
    assert shown.returncode == 0 and "broken plugins not loaded: broken" in shown.stdout
    version = _spikey(["--version"], broken_plugin_env)
    assert version.returncode == 0
    assert "plugin broken: spikey-broken 9.9 (BROKEN" in version.stdout
    assert "plugin parts: spikey-parts" in version.stdout
    plugins = _spikey(["plugins"], broken_plugin_env)
    assert plugins.returncode == 0, plugins.stderr
    assert "BROKEN, not loaded: plugin 'broken' (spikey-broken 9.9) failed to import" in plugins.stdout
    assert "ImportError: needs numpy 7" in plugins.stdout and "SPIKEY_BLOCK_PLUGINS=broken" in plugins.stdout
    assert "parts (spikey-parts" in plugins.stdout  # the good plugins are still listed


@requires("spikey-parts")
def test_other_commands_refuse_with_the_plugin_error_until_it_is_blocked(broken_plugin_env):
    refused = _spikey(["parts", "neuron"], broken_plugin_env)
    assert refused.returncode == 2
    assert "cannot load plugins: plugin 'broken' (spikey-broken 9.9)" in refused.stderr
    assert "Traceback" not in refused.stderr
    blocked = _spikey(["parts", "neuron"], {**broken_plugin_env, "SPIKEY_BLOCK_PLUGINS": "broken"})
    assert blocked.returncode == 0 and "lif" in blocked.stdout
