"""Bad input through the ``spikey`` command line, generated from categories.

Every case is a file, a flag or a setting that must be refused before anything runs: exit status
2, a message naming the thing and the place, no traceback, and every file that existed before the
command exactly as it was (the working folder is hashed before and after).

The cases are not a hand list: they are derived from the parts the small experiment names (every
numeric setting of every section, from its config class), from the section and field names
(misspellings), and from byte-level damage of a valid file.
"""

from __future__ import annotations

import math
import numbers

import attrs
import pytest
from badinput_kit import SMALL, small_spec, snapshot, to_toml
from spikey_core.cli import main
from spikey_core.config import Integer, Optional, Real
from spikey_core.network_config import NetworkConfig
from spikey_core.spec import resolve

from spikey_core import get_registry

SECTIONS = ("input", "neuron", "weight", "synapse", "readout", "rewarder", "loop", "callback")


def _numeric_check(field: attrs.Attribute):
    check = field.metadata.get("check")
    if isinstance(check, Optional):
        check = check.inner
    return check if isinstance(check, (Real, Integer)) else None


def _bad_numbers(check) -> list[tuple[str, object]]:
    """Values the check must refuse: non-numbers, non-finite numbers, each bound crossed."""
    values: list[tuple[str, object]] = [
        ("string", "12"),
        ("bool", True),
        ("list", [1, 2]),
        ("table", {"a": 1}),
        ("nan", math.nan),
        ("inf", math.inf),
        ("-inf", -math.inf),
    ]
    if isinstance(check, Integer):
        values.append(("fraction", 1.5))
    for name, bound, step in (
        ("ge", check.ge, -1),
        ("gt", check.gt, 0),
        ("le", check.le, 1),
        ("lt", check.lt, 0),
    ):
        if isinstance(bound, numbers.Real):
            values.append((f"{name}-bound", type(bound)(bound + step) if step else bound))
    return [(label, value) for label, value in values if check.problem(value) is not None]


def _field_cases() -> list:
    registry = get_registry()  # the installed plugins, which `spikey` (main without registry=) uses
    spec = small_spec()
    cases = []
    classes = {"network": NetworkConfig}
    for section in SECTIONS:
        cls, _ = resolve(section, spec[section], f"$.{section}", registry=registry)
        classes[section] = cls.Config
    for section, config_cls in classes.items():
        for field in attrs.fields(config_cls):
            check = _numeric_check(field)
            if check is None or section == "network" and field.name in ("n_inputs",):
                continue
            for label, value in _bad_numbers(check):
                cases.append(pytest.param(section, field.name, value, id=f"{section}.{field.name}={label}"))
    return cases


def _misspell(name: str) -> str:
    return name[1] + name[0] + name[2:] if len(name) > 2 else name + "x"


def _key_typo_cases() -> list:
    spec = small_spec()
    return [
        pytest.param(section, _misspell(key), id=f"{section}.{_misspell(key)}")
        for section, table in spec.items()
        if isinstance(table, dict)
        for key in table
        if key != "type"
    ]


def _name_typo_cases() -> list:
    spec = small_spec()
    return [
        pytest.param(section, _misspell(spec[section]["type"]), id=f"{section}.type")
        for section in ("input", "neuron", "weight", "synapse", "readout", "rewarder", "game", "callback")
    ]


def run_refused(workdir, capsys, argv, *fragments):
    """``spikey ARGV`` exits 2 with every fragment in its message, no traceback, nothing changed."""
    before = snapshot(workdir)
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert snapshot(workdir) == before
    return err


@pytest.mark.parametrize("section, field, value", _field_cases())
def test_every_numeric_setting_refuses_non_numbers_non_finite_and_out_of_range(
    workdir, capsys, section, field, value
):
    spec = small_spec()
    spec[section][field] = value
    (workdir / "bad.toml").write_text(to_toml(spec))
    run_refused(workdir, capsys, ["run", "bad.toml", "--out", "out"], f"$.{section}.{field}")


@pytest.mark.parametrize("section, key", _key_typo_cases())
def test_a_misspelled_setting_is_refused_with_a_suggestion(workdir, capsys, section, key):
    spec = small_spec()
    table = spec[section]
    original = next(k for k in table if _misspell(k) == key)
    table[key] = table.pop(original)
    (workdir / "bad.toml").write_text(to_toml(spec))
    run_refused(workdir, capsys, ["run", "bad.toml", "--out", "out"], f"$.{section}.{key}", repr(original))


@pytest.mark.parametrize("section, name", _name_typo_cases())
def test_a_misspelled_part_name_is_refused_with_a_suggestion(workdir, capsys, section, name):
    spec = small_spec()
    original = spec[section]["type"]
    spec[section]["type"] = name
    (workdir / "bad.toml").write_text(to_toml(spec))
    run_refused(workdir, capsys, ["run", "bad.toml", "--out", "out"], f"$.{section}.type", repr(original))


@pytest.mark.parametrize("section", list(small_spec()))
def test_a_misspelled_section_is_refused(workdir, capsys, section):
    spec = small_spec()
    spec[_misspell(section)] = spec.pop(section)
    (workdir / "bad.toml").write_text(to_toml(spec))
    run_refused(workdir, capsys, ["run", "bad.toml", "--out", "out"], f"$.{_misspell(section)}")


#: Byte-level damage of a valid experiment file: (label, bytes-from-text, expected fragment).
ENCODINGS = [
    ("utf-16", lambda text: text.encode("utf-16"), "UTF-16"),
    ("utf-16-le-no-bom", lambda text: text.encode("utf-16-le"), "UTF-16"),
    ("utf-16-be-no-bom", lambda text: text.encode("utf-16-be"), "UTF-16"),
    ("utf-32", lambda text: text.encode("utf-32"), "UTF-"),
    ("latin-1", lambda text: ("# café\n" + text).encode("latin-1"), "not UTF-8"),
    ("binary", lambda text: bytes(range(256)), "not UTF-8"),
    ("nul-byte", lambda text: text.encode() + b"\x00", "NUL"),
    ("truncated", lambda text: text.encode()[: text.index("rate_map") + 3], "not valid TOML"),
    ("unclosed-table", lambda text: text.replace("[game]", "[game").encode(), "not valid TOML"),
    ("duplicate-key", lambda text: text.replace("seed = 0", "seed = 0\nseed = 1").encode(), "not valid TOML"),
    ("bare-string", lambda text: text.replace('"XOR"', "XOR").encode(), "not valid TOML"),
]


@pytest.mark.parametrize("label, damage, fragment", ENCODINGS, ids=[e[0] for e in ENCODINGS])
@pytest.mark.parametrize("command", ["run", "series", "evolve"])
def test_undecodable_or_damaged_files_are_refused(workdir, capsys, command, label, damage, fragment):
    (workdir / "bad.toml").write_bytes(damage(SMALL))
    argv = [command, "bad.toml", "--out", "out"] + (["--backend", "serial"] if command != "run" else [])
    run_refused(workdir, capsys, argv, "bad.toml", fragment)


@pytest.mark.parametrize("command", ["run", "series", "evolve"])
@pytest.mark.parametrize("what", ["folder", "missing", "empty-name"])
def test_paths_that_are_not_files_are_refused(workdir, capsys, command, what):
    target = {"folder": "adir", "missing": "nothere.toml", "empty-name": "adir/"}[what]
    (workdir / "adir").mkdir()
    argv = [command, target, "--out", "out"] + (["--backend", "serial"] if command != "run" else [])
    fragment = "no such file" if what == "missing" else "folder"
    if command == "run" and what == "missing":
        fragment = "nothere.toml"
    run_refused(workdir, capsys, argv, fragment)


def _meta_files(workdir) -> dict[str, str]:
    (workdir / "series.toml").write_text('experiment = "small.toml"\n[series]\nn_repeats = 1\n')
    (workdir / "evolve.toml").write_text(
        'experiment = "small.toml"\n[metagame]\ntype = "evolve_network"\nfitness = "total_time"\n'
        '[population]\nn_agents = 2\nn_epoch = 1\n[constraints]\n"neuron.firing_threshold" = [1.0, 2.0]\n'
    )
    (workdir / "tune.toml").write_text(
        (workdir / "evolve.toml").read_text().replace("[population]\nn_agents = 2\nn_epoch = 1\n", "")
        + "[tuner]\nn_trials = 2\n"
    )
    return {"run": "small.toml", "series": "series.toml", "evolve": "evolve.toml", "tune": "tune.toml"}


def _argv(files, command, out):
    return [command, files[command], "--out", out] + (["--backend", "serial"] if command != "run" else [])


@pytest.mark.parametrize("blocker", ["out-is-a-file", "out-below-a-file", "out-deep-below-a-file"])
@pytest.mark.parametrize("command", ["run", "series", "evolve", "tune"])
def test_out_is_checked_before_anything_runs(workdir, capsys, command, blocker):
    if command == "tune":
        pytest.importorskip("optuna")
    (workdir / "taken").write_text("keep me")
    out = {"out-is-a-file": "taken", "out-below-a-file": "taken/x", "out-deep-below-a-file": "taken/x/y"}[
        blocker
    ]
    run_refused(workdir, capsys, _argv(_meta_files(workdir), command, out), "--out", "taken")


SET_CASES = [
    ("no-equals", "neuron.firing_threshold", "expected KEY=VALUE"),
    ("empty-key", "=3", "expected KEY=VALUE"),
    ("unknown-field", "neuron.firing_treshold=3", "did you mean 'firing_threshold'"),
    ("unknown-section", "nueron.firing_threshold=3", "no section 'nueron'"),
    ("bare-unknown", "treshold=3", "no part of this experiment declares"),
    ("string-for-number", "neuron.firing_threshold=abc", "$.neuron.firing_threshold"),
    ("inf", "neuron.firing_threshold=inf", "$.neuron.firing_threshold"),
    ("nan", "weight.max_weight=nan", "$.weight.max_weight"),
    ("bad-preset", "game.preset=XORR", "$.game.preset"),
    ("seed-section", "seed.x=1", "top-level 'seed'"),
]


@pytest.mark.parametrize("label, assignment, fragment", SET_CASES, ids=[c[0] for c in SET_CASES])
def test_bad_set_assignments(workdir, capsys, label, assignment, fragment):
    run_refused(workdir, capsys, ["run", "small.toml", "--out", "out", "--set", assignment], fragment)


def test_a_valid_preset_can_be_set(workdir, capsys):
    assert main(["run", "small.toml", "--out", "out", "--set", "game.preset=OR"]) == 0


@pytest.mark.parametrize("seed", ["-1", "-100"])
def test_negative_seeds(workdir, capsys, seed):
    run_refused(workdir, capsys, ["run", "small.toml", "--out", "out", "--seed", seed], "--seed")


@pytest.mark.parametrize("key", ["total_tme", "Total_time", "accuracy"])
def test_a_fitness_key_the_experiment_does_not_report_stops_the_search(workdir, capsys, key):
    text = (
        'experiment = "small.toml"\n[metagame]\ntype = "evolve_network"\nfitness = "{}"\nn_reruns = 1\n'
        '[population]\nn_agents = 2\nn_epoch = 2\n[constraints]\n"neuron.firing_threshold" = [1.0, 2.0]\n'
    )
    (workdir / "e.toml").write_text(text.format(key))
    argv = ["evolve", "e.toml", "--backend", "serial", "--out", "out"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "$.metagame.fitness" in err and repr(key) in err and "total_time" in err and "Traceback" not in err
    assert not [p for p in (workdir / "out").glob("*.json")]  # no agent was logged
    (workdir / "e.toml").write_text(text.format("total_time"))
    assert main(argv) == 0  # the corrected file reruns in the same folder, no cleanup needed


@pytest.mark.parametrize("command", ["run", "series", "evolve", "tune"])
@pytest.mark.parametrize("out", ["out", "out/deeper"])
def test_an_out_folder_that_refuses_files_is_refused_before_anything_runs(
    workdir, capsys, monkeypatch, command, out
):
    import spikey_core.cli

    if command == "tune":
        pytest.importorskip("optuna")
    files = _meta_files(workdir)
    probed = []

    def refuse(folder):  # what a folder the user may not write to (or a read-only disk) answers
        probed.append(folder)
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(spikey_core.cli, "probe_writable", refuse)
    run_refused(workdir, capsys, _argv(files, command, out), f"--out {out}", "Permission denied")
    assert probed  # the refusal came from the probe, before any run


@pytest.mark.parametrize("command", ["run", "evolve"])
def test_out_on_a_file_system_that_takes_no_files_even_from_root(workdir, capsys, command):
    import tempfile
    from pathlib import Path

    try:  # sysfs takes no new files from anyone, the superuser included; skip where that is not so
        with tempfile.TemporaryFile(dir="/sys"):
            pytest.skip("/sys takes files here")
    except OSError:
        pass
    if not Path("/sys").is_dir():
        pytest.skip("no /sys")
    files = _meta_files(workdir)
    run_refused(workdir, capsys, _argv(files, command, "/sys/spikey-out"), "--out /sys/spikey-out")
    assert not Path("/sys/spikey-out").exists()


@pytest.mark.parametrize("command", ["evolve", "tune"])
def test_a_fitness_key_typo_is_refused_before_any_run(workdir, capsys, monkeypatch, command):
    from spikey_core.loops import GenericLoop

    if command == "tune":
        pytest.importorskip("optuna")
    files = _meta_files(workdir)
    path = workdir / files[command]
    path.write_text(path.read_text().replace('fitness = "total_time"', 'fitness = "totl_time"'))
    started = []
    monkeypatch.setattr(GenericLoop, "__call__", lambda self: started.append(self))  # any run is seen
    run_refused(
        workdir,
        capsys,
        _argv(files, command, "out"),
        f"{files[command]}: $.metagame.fitness: ",
        "reports no result 'totl_time'; did you mean 'total_time'?",
    )
    assert started == [] and not (workdir / "out").exists()
