"""Bad input through the Python API and damaged files, generated from categories.

* saved networks: every array of the small trained network removed, retyped, reshaped or made
  non-finite, and every document key removed; each load either refuses, naming the file and the
  array, or (for the untouched files) reproduces the saved state exactly;
* logs: a folder of good logs plus one damaged log per damage kind; ``Reader`` keeps every good
  log, skips the damaged one with one warning naming it, and ``spikey report`` exits 0 and says so;
* population checkpoints: every key removed or given the wrong type; ``spikey evolve --resume``
  exits 2 naming the checkpoint and the fix;
* states outside a rate map.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from badinput_kit import SMALL, snapshot
from spikey_core.cli import main
from spikey_meta.population import CHECKPOINT_NAME
from spikey_meta.reader import Reader, SkippedLogWarning

from spikey_core import ConfigError, FileExperiment, Network, make_loop


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A trained small network saved once: (network, game, folder)."""
    folder = tmp_path_factory.mktemp("saved")
    (folder / "small.toml").write_text(SMALL)
    network, game, _, _ = make_loop(FileExperiment(folder / "small.toml").load_spec())()
    network.save(folder / "net")
    return network, game, folder


def _array_names():
    # the arrays of the small network, without building it at collection time
    return [
        "weight/matrix",
        "weight/mask",
        "neuron/potentials",
        "neuron/refractory_left",
        "synapse/trace",
        "synapse/_ramp",
        "readout/rate_history",
    ]


def _tampered_arrays():
    cases = []
    for name in _array_names():
        cases.append(pytest.param(name, "missing", id=f"{name}-missing"))
        cases.append(pytest.param(name, "int8", id=f"{name}-int8"))
        cases.append(pytest.param(name, "shape", id=f"{name}-shape"))
        cases.append(pytest.param(name, "nan", id=f"{name}-nan"))
    return cases


def _tamper(arrays: dict, name: str, how: str) -> None:
    value = arrays[name]
    if how == "missing":
        del arrays[name]
    elif how == "int8":
        arrays[name] = value.astype(np.int8) if value.dtype != np.int8 else value.astype(np.float32)
    elif how == "shape":
        arrays[name] = np.zeros((*value.shape, 2), dtype=value.dtype)
    elif how == "nan":
        arrays[name] = (
            np.full(value.shape, np.nan) if value.dtype.kind == "f" else value.astype(float) * np.nan
        )


@pytest.mark.parametrize("name, how", _tampered_arrays())
def test_a_tampered_state_array_is_refused_naming_the_file_and_array(trained, tmp_path, name, how):
    network, game, folder = trained
    for suffix in (".json", ".npz"):
        (tmp_path / f"net{suffix}").write_bytes((folder / f"net{suffix}").read_bytes())
    with np.load(tmp_path / "net.npz") as data:
        arrays = {key: data[key] for key in data.files}
    assert name in arrays, f"the small network has no array {name!r}: {sorted(arrays)}"
    _tamper(arrays, name, how)
    np.savez(tmp_path / "net.npz", **arrays)
    with pytest.raises(ConfigError) as error:
        Network.load(tmp_path / "net", game=game)
    assert "net.npz" in str(error.value) and repr(name) in str(error.value)


@pytest.mark.parametrize("key", ["format", "spec", "seed", "generators", "training"])
def test_a_saved_network_missing_a_document_key_is_refused(trained, tmp_path, key):
    _, game, folder = trained
    document = json.loads((folder / "net.json").read_text())
    del document[key]
    (tmp_path / "net.json").write_text(json.dumps(document))
    (tmp_path / "net.npz").write_bytes((folder / "net.npz").read_bytes())
    with pytest.raises(ConfigError, match=key if key != "format" else "not a saved Spikey network"):
        Network.load(tmp_path / "net", game=game)


@pytest.mark.parametrize(
    "tag, fragment",
    [
        ("spikey-network/2", "saved by a newer Spikey"),
        ("spikey-network/99", "saved by a newer Spikey"),
        ("spikey-network/0", "not supported"),
        ("spikey-network", "not a saved Spikey network"),
        ("something-else/1", "not a saved Spikey network"),
        (7, "not a saved Spikey network"),
    ],
)
def test_format_versions(trained, tmp_path, tag, fragment):
    _, game, folder = trained
    document = json.loads((folder / "net.json").read_text())
    document["format"] = tag
    (tmp_path / "net.json").write_text(json.dumps(document))
    (tmp_path / "net.npz").write_bytes((folder / "net.npz").read_bytes())
    with pytest.raises(ConfigError, match=fragment) as error:
        Network.load(tmp_path / "net", game=game)
    assert "net.json" in str(error.value)


@pytest.mark.parametrize(
    "damage",
    [
        "json-truncated",
        "json-list",
        "json-binary",
        "npz-truncated",
        "npz-text",
        "npz-missing",
        "json-missing",
    ],
)
def test_damaged_saved_files(trained, tmp_path, damage):
    _, game, folder = trained
    json_bytes, npz_bytes = (folder / "net.json").read_bytes(), (folder / "net.npz").read_bytes()
    files = {
        "json-truncated": (json_bytes[:50], npz_bytes),
        "json-list": (b"[1, 2]", npz_bytes),
        "json-binary": (b"\xff\xfe\x00", npz_bytes),
        "npz-truncated": (json_bytes, npz_bytes[:100]),
        "npz-text": (json_bytes, b"not a zip"),
        "npz-missing": (json_bytes, None),
        "json-missing": (None, npz_bytes),
    }[damage]
    for suffix, data in zip((".json", ".npz"), files, strict=True):
        if data is not None:
            (tmp_path / f"net{suffix}").write_bytes(data)
    with pytest.raises(ConfigError) as error:
        Network.load(tmp_path / "net", game=game)
    assert "net.json" in str(error.value) or "net.npz" in str(error.value)


def test_an_untouched_save_reproduces_the_state_exactly(trained):
    network, game, folder = trained
    loaded = Network.load(folder / "net", game=game)
    for key, value in network.state_dict().items():
        if key.endswith("/rng"):
            assert loaded.state_dict()[key] == value
        else:
            np.testing.assert_array_equal(loaded.state_dict()[key], value, err_msg=key)


# -- logs ---------------------------------------------------------------------------------------
LOG_DAMAGE = {
    "truncated": lambda text: text[: len(text) // 2],
    "info-is-a-string": lambda text: _edit(text, lambda d: d.__setitem__("info", "abc")),
    "results-is-a-list": lambda text: _edit(text, lambda d: d.__setitem__("results", [1, 2])),
    "network-is-a-number": lambda text: _edit(text, lambda d: d.__setitem__("network", 3)),
    "bad-dtype-tag": lambda text: _edit(
        text, lambda d: d["info"].__setitem__("x", {"__ndarray__": [1, 2], "dtype": "nonsense", "shape": [2]})
    ),
    "bad-shape-tag": lambda text: _edit(
        text,
        lambda d: d["info"].__setitem__("x", {"__ndarray__": [1, 2, 3], "dtype": "float64", "shape": [2]}),
    ),
    "unknown-float-name": lambda text: _edit(
        text, lambda d: d["results"].__setitem__("x", {"__float__": "big"})
    ),
    "no-format": lambda text: _edit(text, lambda d: d.pop("format")),
    "not-json": lambda text: "hello",
    "utf-16": lambda text: text.encode("utf-16"),
}


def _edit(text: str, change) -> str:
    document = json.loads(text)
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize("damage", list(LOG_DAMAGE))
def test_reader_and_report_skip_a_damaged_log_and_keep_the_good_ones(tmp_path, capsys, damage):
    from spikey_meta.logs import log

    logs = tmp_path / "logs"
    for score in (1.0, 2.0):
        log(results={"score": score}, info={"curve": [1, 2, 3]}, folder=logs)
    good = sorted(logs.glob("*.json"))
    damaged = LOG_DAMAGE[damage](good[0].read_text())
    bad = logs / "zz-bad.json"
    bad.write_bytes(damaged if isinstance(damaged, bytes) else damaged.encode())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = Reader(logs)
    skipped = [w for w in caught if issubclass(w.category, SkippedLogWarning)]
    assert len(skipped) == 1 and "zz-bad.json" in str(skipped[0].message)
    assert sorted(reader.df["score"]) == [1.0, 2.0]
    assert [name for name, _ in reader.skipped] == ["zz-bad.json"]
    before = {k: v for k, v in snapshot(logs).items()}
    assert main(["report", str(logs), "--out", str(tmp_path / "plots")]) == 0
    err = capsys.readouterr().err
    assert "skipped zz-bad.json" in err and "Traceback" not in err
    assert snapshot(logs) == before
    assert main(["report", str(bad), "--out", str(tmp_path / "plots")]) == 2
    assert "zz-bad.json" in capsys.readouterr().err


# -- population checkpoints ---------------------------------------------------------------------
CHECKPOINT_KEYS = [
    "fingerprint",
    "epoch",
    "terminated",
    "agents",
    "cache",
    "rng_state",
    "history",
    "log_names",
]


@pytest.fixture(scope="module")
def finished_search(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evolve")
    spec = folder / "q.toml"
    spec.write_text(
        '[metagame]\ntype = "meta_nqueens"\nn_queens = 4\n[population]\nn_agents = 4\nn_epoch = 2\n'
    )
    assert main(["evolve", str(spec), "--backend", "serial", "--out", str(folder / "out")]) == 0
    return spec, folder / "out"


@pytest.mark.parametrize("how", ["removed", "wrong-type"])
@pytest.mark.parametrize("key", CHECKPOINT_KEYS)
def test_an_incomplete_checkpoint_is_a_configuration_error(finished_search, tmp_path, capsys, key, how):
    spec, out = finished_search
    target = tmp_path / "out"
    target.mkdir()
    for path in out.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    checkpoint = target / CHECKPOINT_NAME
    state = json.loads(checkpoint.read_text())
    if how == "removed":
        del state[key]
    else:
        state[key] = "wrong" if not isinstance(state[key], str) else 7
    checkpoint.write_text(json.dumps(state))
    before = snapshot(target)
    capsys.readouterr()
    assert main(["evolve", str(spec), "--backend", "serial", "--out", str(target), "--resume"]) == 2
    err = capsys.readouterr().err
    assert checkpoint.name in err and "--overwrite" in err and "Traceback" not in err
    assert snapshot(target) == before


# -- states -------------------------------------------------------------------------------------
@pytest.mark.parametrize("state", [[-1, 0], [0, -1], [-2, -2], [2, 0], [0.5, 0], ["a", 0]])
def test_a_state_outside_the_rate_map_is_refused(trained, state):
    network, _, _ = trained
    copy = network.copy()
    copy.reset()
    with pytest.raises(ConfigError, match=r"\$\.input"):
        copy.tick(state)


def test_a_fitness_key_typo_is_refused_when_the_search_is_described(monkeypatch):
    # Population and Tuner take the EvolveNetwork, so neither can be built around a misspelt key
    import tomllib

    from spikey_core.loops import GenericLoop
    from spikey_meta.metagames import EvolveNetwork

    started = []
    monkeypatch.setattr(GenericLoop, "__call__", lambda self: started.append(self))
    constraints = {"neuron.firing_threshold": [1.0, 2.0]}
    with pytest.raises(ConfigError, match=r"reports no result 'Total_time'; did you mean 'total_time'\?"):
        EvolveNetwork(tomllib.loads(SMALL), constraints, fitness_getter="Total_time")
    metagame = EvolveNetwork(tomllib.loads(SMALL), constraints, fitness_getter="total_time")
    assert started == []  # validating builds the parts once; no run started
    assert "total_time" in metagame.loop.result_keys() and "seed" in metagame.loop.result_keys()
