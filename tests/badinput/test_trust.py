"""The trust rule: a data file never makes Spikey import a module or call a callable on its own.

Every hostile file here is built so that obeying it would leave a trace (a marker file, a module in
``sys.modules``); the tests assert the refusal (exit 2, a message naming the place and the opt-in)
and the absence of the trace.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from badinput_kit import SMALL, nested
from spikey_core.cli import main
from spikey_core.spec import trust_imports

from spikey_core import ConfigError, FileExperiment, Network, make_loop

#: Sections naming a class, each with an import path that would run code if called or imported.
HOSTILE_CALLABLES = ["os:system", "subprocess:getoutput", "builtins:exec", "os:remove", "shutil:rmtree"]
SECTIONS = ["input", "neuron", "weight", "synapse", "readout", "rewarder", "game", "callback", "loop"]


def with_section(text: str, section: str, body: str) -> str:
    """``text`` with table ``[section]`` replaced by ``body`` (appended when absent)."""
    lines, out, skipping = text.splitlines(), [], False
    for line in lines:
        if line.startswith("["):
            skipping = line.strip() == f"[{section}]"
            if skipping:
                continue
        if not skipping:
            out.append(line)
    return "\n".join(out) + f"\n[{section}]\n{body}\n"


@pytest.fixture
def trap_module(tmp_path, monkeypatch):
    """An importable module that leaves ``imported.marker`` when imported; returns its name."""
    name = f"spikey_trap_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(tmp_path / 'imported.marker')!r}).write_text('imported')\n"
        "class NotAPart:\n    def __init__(self, **kw):\n        pathlib.Path(kw.get('path', 'x')).touch()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


@pytest.mark.parametrize("path", HOSTILE_CALLABLES)
@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("opt_in", [False, True], ids=["default", "allow-imports"])
def test_an_import_path_to_a_function_never_runs(workdir, capsys, section, path, opt_in):
    marker = workdir / "PWNED"
    body = f'type = "{path}"\ncommand = "touch {marker}"\npath = "{marker}"'
    (workdir / "bad.toml").write_text(with_section(SMALL, section, body))
    argv = ["run", "bad.toml", "--out", "out"] + (["--allow-imports"] if opt_in else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"$.{section}" in err and path in err and "Traceback" not in err
    assert ("--allow-imports" in err) if not opt_in else ("not a class" in err or "kind" in err)
    assert not marker.exists() and not (workdir / "out").exists()


def test_by_default_an_import_path_is_not_even_imported(workdir, capsys, trap_module):
    (workdir / "bad.toml").write_text(with_section(SMALL, "neuron", f'type = "{trap_module}:NotAPart"'))
    assert main(["run", "bad.toml", "--out", "out"]) == 2
    assert "may name only registered neurons" in capsys.readouterr().err
    assert trap_module not in sys.modules and not (workdir / "imported.marker").exists()


def test_opted_in_an_import_path_must_name_a_class_of_the_sections_protocol(workdir, capsys, trap_module):
    (workdir / "bad.toml").write_text(with_section(SMALL, "neuron", f'type = "{trap_module}:NotAPart"'))
    assert main(["run", "bad.toml", "--out", "out", "--allow-imports"]) == 2
    err = capsys.readouterr().err
    assert "does not implement the neuron protocol" in err and "Traceback" not in err
    assert not (workdir / "x").exists()  # imported, but never instantiated


def test_opted_in_a_protocol_class_runs(workdir, capsys):
    text = with_section(
        SMALL, "neuron", 'type = "spikey_parts.neurons.neuron:Neuron"\nfiring_threshold = 1.0'
    )
    (workdir / "ok.toml").write_text(text)
    assert main(["run", "ok.toml", "--out", "out"]) == 2
    assert main(["run", "ok.toml", "--out", "out", "--allow-imports"]) == 0
    assert len(list((workdir / "out").glob("*.json"))) == 1


@pytest.mark.parametrize("command", ["series", "evolve"])
def test_a_series_or_evolve_experiment_table_follows_the_same_rule(workdir, capsys, command):
    marker = workdir / "PWNED"
    body = f'type = "os:system"\ncommand = "touch {marker}"'
    extra = (
        '[metagame]\ntype = "evolve_network"\nfitness = "total_time"\n[population]\nn_agents = 2\n'
        'n_epoch = 1\n[constraints]\n"neuron.firing_threshold" = [1.0, 2.0]\n'
        if command == "evolve"
        else ""
    )
    experiment = nested(SMALL, "experiment")
    (workdir / "s.toml").write_text(with_section(experiment, "experiment.callback", body) + extra)
    for opt_in in ([], ["--allow-imports"]):
        assert main([command, "s.toml", "--backend", "serial", "--out", "out", *opt_in]) == 2
        err = capsys.readouterr().err
        assert "$.callback.type" in err and "os:system" in err and "Traceback" not in err
    assert not marker.exists() and not (workdir / "out").exists()


@pytest.mark.parametrize("fitness", ["os:system", "subprocess:getoutput", "builtins:print", "json:dumps"])
def test_a_fitness_import_path_needs_the_opt_in_and_then_a_four_argument_function(workdir, capsys, fitness):
    (workdir / "e.toml").write_text(
        f'experiment = "small.toml"\n[metagame]\ntype = "evolve_network"\nfitness = "{fitness}"\n'
        '[population]\nn_agents = 2\nn_epoch = 1\n[constraints]\n"neuron.firing_threshold" = [1.0, 2.0]\n'
    )
    for opt_in in ([], ["--allow-imports"]):
        assert main(["evolve", "e.toml", "--backend", "serial", "--out", "out", *opt_in]) == 2
        err = capsys.readouterr().err
        assert "$.metagame.fitness" in err and "Traceback" not in err
    assert not (workdir / "out").exists()


def test_python_callers_opt_in_with_trust_imports(workdir):
    spec = FileExperiment(workdir / "small.toml").load_spec()
    spec["neuron"] = {"type": "spikey_parts.neurons.neuron:Neuron", "firing_threshold": 1.0}
    with pytest.raises(ConfigError, match="allow_imports=True"):
        make_loop(spec).validate()
    make_loop(trust_imports(spec)).validate()
    spec["neuron"]["type"] = "os:system"
    with pytest.raises(ConfigError, match="not a class"):
        trust_imports(spec)


def saved_network(tmp_path):
    """A trained small network saved as ``net.json`` / ``net.npz``; returns network, game, paths."""
    network, game, _, _ = make_loop(FileExperiment(tmp_path / "small.toml").load_spec())()
    json_path, npz_path = network.save(tmp_path / "net")
    return network, game, json_path, npz_path


@pytest.mark.parametrize("target", ["os:system", "subprocess:getoutput", "builtins:exec"])
def test_a_saved_network_never_imports_a_callable_it_names(workdir, target):
    _, game, json_path, _ = saved_network(workdir)
    document = json.loads(json_path.read_text())
    document["spec"]["rewarder"]["reward_function"] = {"__callable__": target}
    json_path.write_text(json.dumps(document))
    with pytest.raises(ConfigError, match="never imports code on its own") as error:
        Network.load(workdir / "net", game=game)
    assert str(json_path) in str(error.value)
    document["spec"]["neuron"]["type"] = target
    json_path.write_text(json.dumps(document))
    with pytest.raises(ConfigError, match=r"\$\.neuron\.type"):
        Network.load(workdir / "net", game=game, allow_imports=True)  # even opted in: not a class


def test_a_saved_network_of_registered_parts_loads_without_opt_in(workdir):
    network, game, _, _ = saved_network(workdir)
    loaded = Network.load(workdir / "net", game=game)
    np.testing.assert_array_equal(loaded.weight.matrix, network.weight.matrix)
    for key, value in network.state_dict().items():
        if not key.endswith("/rng"):
            np.testing.assert_array_equal(loaded.state_dict()[key], value, err_msg=key)


def test_a_log_never_imports_what_it_names(workdir, trap_module):
    from spikey_meta.logs import log
    from spikey_meta.reader import Reader

    path = log(results={"score": 1.0}, folder=workdir / "logs")
    document = json.loads(path.read_text())
    document["network"] = {"neuron": {"class": f"{trap_module}:NotAPart"}}
    document["results"]["fn"] = {"__callable__": "os:system"}
    document["info"]["g"] = {"__callable__": f"{trap_module}:NotAPart"}
    path.write_text(json.dumps(document))
    reader = Reader(workdir / "logs")
    assert reader["fn"].tolist() == ["os:system"]  # the stored name, never the function
    assert reader["g"] == [f"{trap_module}:NotAPart"]
    assert trap_module not in sys.modules and not (workdir / "imported.marker").exists()
