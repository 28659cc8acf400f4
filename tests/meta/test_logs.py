"""Run logs: exact round trips, crash safety, names that never overwrite, versions and seed."""

from __future__ import annotations

import json
import math
import os
import re

import numpy as np
import pytest
import spikey_meta.logs as logs
import toy_parts
from spikey_meta.encoding import LossyLogWarning, decode, encode

from spikey_core import make_loop
from spikey_meta import MultiLogger, RLCallback, log, read_log


def assert_same(a, b, where="value"):
    """Equal value *and* type, recursively; arrays equal in dtype, shape and content (NaN == NaN)."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, np.ma.MaskedArray):
        assert_same(np.ma.getdata(a), np.ma.getdata(b), where)
        np.testing.assert_array_equal(np.ma.getmaskarray(a), np.ma.getmaskarray(b))
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        if a.dtype.kind == "O":
            for i, (x, y) in enumerate(zip(a.ravel(), b.ravel(), strict=False)):
                assert_same(x, y, f"{where}[{i}]")
        else:
            np.testing.assert_array_equal(a, b)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and (a == b or (a != a and b != b)), where
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


VALUES = {
    "float64 matrix": np.array([[0.1, -2.5], [1e300, 5e-324]]),
    "float32 with nan/inf": np.array([np.nan, np.inf, -np.inf, 1 / 3], dtype=np.float32),
    "float16": np.array([0.1, 65504], dtype=np.float16),
    "int8 3-d": np.arange(24, dtype=np.int8).reshape(2, 3, 4),
    "uint64 max": np.array([2**64 - 1], dtype=np.uint64),
    "int64 0-d": np.array(7),
    "bool": np.array([[True, False], [False, True]]),
    "bool 0-d": np.array(False),
    "empty float32 (0, 3)": np.zeros((0, 3), dtype=np.float32),
    "empty int": np.array([], dtype=np.int32),
    "complex": np.array([1 + 2j, np.nan + 0j]),
    "strings": np.array(["a", "xyz"]),
    "bytes": np.array([b"ab", b"\xff"]),
    "object": np.array([None, (1, 2), "s"], dtype=object),
    "masked": np.ma.MaskedArray([1.5, 2.0, 3.0], mask=[False, True, False]),
    "numpy scalars": [np.float32(0.1), np.float64(2.5), np.int16(-3), np.bool_(True), np.uint8(255)],
    "python scalars": [True, False, None, 0, -1, 2**70, 0.1, "text", ""],
    "nan and inf": [math.nan, math.inf, -math.inf],
    "tuple nested": (1, (2, 3), [4, (5,)], ()),
    "ragged nested list": [[1, 2, 3], [4], [], [[5, [6]]]],
    "list of arrays": [np.ones(2), np.zeros((1, 1), dtype=np.int8)],
    "sets": [{1, 2, 3}, frozenset({"a"}), set()],
    "dict with odd keys": {3: "int", 2.5: "float", (0, 1): "tuple", None: "none", True: "bool", "s": "str"},
    "dict with tag-like keys": {"__ndarray__": 1, "dtype": "x"},
    "nested dicts": {"a": {"b": {"c": [np.arange(3)]}}, "": 1},
    "unicode": "ünïcødé ✓",
}


@pytest.mark.parametrize("name", list(VALUES))
def test_every_value_kind_round_trips_exactly_through_a_log(name, tmp_path):
    value = VALUES[name]
    path = log(results={"x": 1}, info={"value": value}, folder=tmp_path)
    assert_same(read_log(path)["info"]["value"], value, name)


def test_logs_are_strict_json(tmp_path):
    path = log(info={"v": [math.nan, np.array([np.inf])]}, folder=tmp_path)

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    json.loads(path.read_text(), parse_constant=refuse)


def test_arrays_read_by_eye():
    expected = {"__ndarray__": [[1, 2]], "dtype": "int8", "shape": [1, 2]}
    assert encode(np.array([[1, 2]], dtype=np.int8)) == expected
    assert encode((1, "a")) == {"__tuple__": [1, "a"]}
    assert encode(math.nan) == {"__float__": "nan"}


def test_objects_are_stored_by_name_and_warn_when_the_name_cannot_bring_them_back(recwarn):
    encoded = encode(assert_same, "$.info.f")
    assert decode(encoded) == f"{assert_same.__module__}:assert_same"
    assert not recwarn.list  # importable by that name: nothing lost, no warning
    lost = r"\$\.info\.g: the callable .*<lambda> is stored by name but cannot"
    with pytest.warns(LossyLogWarning, match=lost):
        assert decode(encode(lambda: 0, "$.info.g")).endswith("<lambda>")
    with pytest.warns(LossyLogWarning, match="stored by their repr"):
        assert decode(encode(object())).startswith("<object object")


def run_and_log(folder, seed=0, registry=None, **loop):
    spec = toy_parts.toy_spec(reward_mode="step")
    spec["loop"].update(loop)
    callback = RLCallback()
    network, game, results, info = make_loop(spec, callback=callback, seed=seed, registry=registry)()
    return callback, callback.log(folder=folder)


def test_a_run_log_has_every_section_versions_and_seed(tmp_path, meta_registry):
    callback, path = run_and_log(tmp_path, seed=5, registry=meta_registry)  # names the toy parts
    document = read_log(path)
    assert set(document) == {"meta", "network", "game", "results", "info"}
    versions = document["meta"]["versions"]
    assert versions["numpy"] == np.__version__ and {"python", "spikey-core", "spikey-meta"} <= set(versions)
    assert document["meta"]["seed"] == 5
    assert document["network"]["neuron"] == {
        "type": "threshold_neuron",
        "firing_threshold": 1.0,
        "potential_decay": 0.0,
        "magnitude": 1.0,
        "class": "toy_parts:ThresholdNeuron",
    }
    assert document["network"]["network"]["reward_mode"] == "step"
    game = {"name": "echo", "class": "toy_parts:EchoGame", "preset": None, "n": 2, "horizon": 1000}
    assert document["game"] == game
    assert_same(document["info"]["weights_final"], callback.info["weights_final"])
    assert_same(document["info"]["step_states"], callback.info["step_states"])
    assert document["results"] == callback.results


def test_an_unseeded_run_records_the_drawn_entropy(tmp_path):
    spec = toy_parts.toy_spec()
    spec.pop("seed")
    callback = RLCallback()
    network, *_ = make_loop(spec, callback=callback)()
    document = read_log(callback.log(folder=tmp_path))
    assert document["meta"]["seed"] == network.seed.entropy and isinstance(document["meta"]["seed"], int)


def freeze_clock(monkeypatch, stamp="2030-01-02-03-04-05"):
    def strftime(fmt, _t=None):
        return stamp if "%S" in fmt else stamp[:16]  # second or minute resolution

    monkeypatch.setattr(logs.time, "strftime", strftime)


def test_default_names_never_overwrite(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    paths = [log(results={"i": i}, folder=tmp_path) for i in range(3)]
    stamp = "2030-01-02-03-04-05"
    assert [p.name for p in paths] == [f"{stamp}.json", f"{stamp}-1.json", f"{stamp}-2.json"]
    assert [read_log(p)["results"]["i"] for p in paths] == [0, 1, 2]


def test_a_chosen_filename_is_replaced_atomically(tmp_path):
    log(results={"v": 1}, folder=tmp_path, filename="run.json")
    path = log(results={"v": 2}, folder=tmp_path, filename="run.json")
    assert read_log(path)["results"]["v"] == 2
    assert sorted(os.listdir(tmp_path)) == ["run.json"]


@pytest.mark.parametrize("crash", ["fsync", "mid-write"])
def test_a_crash_while_writing_leaves_the_existing_log_intact(crash, tmp_path, monkeypatch):
    path = log(results={"v": "original"}, folder=tmp_path, filename="run.json")
    before = path.read_bytes()
    if crash == "fsync":

        def failing_fsync(fd):
            raise OSError("disk full")

        monkeypatch.setattr(logs.os, "fsync", failing_fsync)
    else:

        def half_json(document, indent=1):
            yield '{\n "format": "spikey-log/1",\n "results": {"v": '
            raise RuntimeError("killed")

        monkeypatch.setattr(logs, "iter_json", half_json)
    with pytest.raises((OSError, RuntimeError)):
        log(results={"v": "new"}, folder=tmp_path, filename="run.json")
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["run.json"]  # no temporary file left behind


def test_multilogger_names_summaries_and_two_loggers_in_one_minute(tmp_path, monkeypatch):
    monkeypatch.setattr(logs.time, "strftime", lambda fmt, _t=None: "2030-01-02-03-04")
    first, second = MultiLogger(tmp_path), MultiLogger(tmp_path)
    paths = [first.log(results={"run": 0}), second.log(results={"run": 1}), first.log(results={"run": 2})]
    pattern = re.compile(r"^\d{4}-\d\d-\d\d-\d\d-\d\d-[a-z]{5}\.json$")
    assert all(pattern.match(p.name) for p in paths)
    assert [p.name for p in paths] == [
        "2030-01-02-03-04-aaaaa.json",
        "2030-01-02-03-04-aaaab.json",
        "2030-01-02-03-04-aaaac.json",
    ]
    assert [read_log(p)["results"]["run"] for p in paths] == [0, 1, 2]
    summary = first.summarize(results={"best": 0.5})
    assert summary.name == "2030-01-02-03-04~SUMMARY.json"
    assert read_log(summary)["info"]["runs"] == ["2030-01-02-03-04-aaaaa.json", "2030-01-02-03-04-aaaac.json"]
    assert second.summarize().name == "2030-01-02-03-04~SUMMARY-1.json"
    assert read_log(summary)["results"] == {"best": 0.5}


def test_multilogger_accepts_a_callback(tmp_path):
    callback, _ = run_and_log(tmp_path / "single")
    with MultiLogger(tmp_path / "multi") as logger:
        path = logger.log(callback)
    assert read_log(path)["results"] == callback.results
    assert logger.elapsed >= 0


def test_read_log_refuses_foreign_and_damaged_files(tmp_path):
    (tmp_path / "foreign.json").write_text('{"a": 1}')
    (tmp_path / "cut.json").write_text('{"format": "spikey-log/1", "results": {')
    with pytest.raises(ValueError, match="foreign.json: not a Spikey log"):
        read_log(tmp_path / "foreign.json")
    with pytest.raises(ValueError, match="cut.json: not valid JSON"):
        read_log(tmp_path / "cut.json")


def test_names_stay_unique_on_file_systems_without_hard_links(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)

    def no_links(source, target):
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(logs.os, "link", no_links)
    paths = [log(results={"i": i}, folder=tmp_path) for i in range(2)]
    assert [p.name for p in paths] == ["2030-01-02-03-04-05.json", "2030-01-02-03-04-05-1.json"]
    assert [read_log(p)["results"]["i"] for p in paths] == [0, 1]
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in paths)  # and no temporary file
