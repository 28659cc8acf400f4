"""Reader: heterogeneous folders align, damaged files are reported, lookups and grouping."""

from __future__ import annotations

import math

import numpy as np
import pytest
import toy_parts
from spikey_meta.reader import SkippedLogWarning, flatten

from spikey_core import make_loop
from spikey_meta import MultiLogger, Reader, RLCallback


def series_folder(folder, thresholds=(1.0, 2.0, 1.0), registry=None):
    """Three toy runs varying neuron.firing_threshold; the last run has an extra result."""
    logger = MultiLogger(folder)
    for i, threshold in enumerate(thresholds):
        spec = toy_parts.toy_spec(reward_mode="step")
        spec["neuron"] = {"type": toy_parts.ThresholdNeuron, "firing_threshold": threshold}
        callback = RLCallback(reduced=True)
        make_loop(spec, callback=callback, seed=i, registry=registry)()
        callback.results["accuracy"] = 0.5 + i / 10
        if i == 2:
            callback.results["extra"] = "only here"
            callback.info["spike_count"] = np.array([1, 2])
        logger.log(callback)
    logger.summarize(results={"n_runs": len(thresholds)})
    return logger


def test_a_folder_becomes_one_row_per_run_with_aligned_columns(tmp_path, meta_registry):
    logger = series_folder(tmp_path, registry=meta_registry)  # names the toy parts
    reader = Reader(tmp_path)
    assert len(reader) == 3 and reader.skipped == []
    assert list(reader.df["filename"]) == [p.name for p in logger.paths]
    assert list(reader.df["accuracy"]) == [0.5, 0.6, 0.7]
    assert list(reader.df["neuron.firing_threshold"]) == [1.0, 2.0, 1.0]
    assert list(reader["firing_threshold"]) == [1.0, 2.0, 1.0]  # a bare field name finds its column
    assert list(reader.df["seed"]) == [0, 1, 2]
    extra = reader.df["extra"]
    assert math.isnan(extra[0]) and math.isnan(extra[1]) and extra[2] == "only here"
    assert reader.df["game.name"].tolist() == ["echo"] * 3  # the registered name
    assert {"accuracy", "extra", "total_time"} <= set(reader.results.columns)
    assert "neuron.firing_threshold" in reader.network.columns and "game.horizon" in reader.game.columns
    assert reader.summary["results"] == {"n_runs": 3}


def test_info_signals_come_back_one_per_run(tmp_path):
    series_folder(tmp_path)
    reader = Reader(tmp_path)
    actions = reader["step_actions"]
    assert isinstance(actions, list) and len(actions) == 3
    assert actions[0] == [[2, 3, 3, 3], [2, 3, 3, 3]]  # threshold 1: see test_callbacks for the derivation
    counts = reader["spike_count"]
    assert counts[:2] == [None, None]
    np.testing.assert_array_equal(counts[2], [1, 2])
    assert reader.read_info("step_actions", 1) == actions[:1]
    assert "spike_count" in reader and "firing_threshold" in reader and "nothing" not in reader


def test_unknown_keys_raise_with_a_suggestion(tmp_path):
    series_folder(tmp_path)
    with pytest.raises(KeyError, match="did you mean 'accuracy'"):
        Reader(tmp_path)["acuracy"]


def test_grouping_by_parameter_values(tmp_path):
    series_folder(tmp_path)
    reader = Reader(tmp_path)
    groups = list(reader.iter_unique("firing_threshold"))
    assert [value for value, _ in groups] == [1.0, 2.0]
    assert [list(rows["accuracy"]) for _, rows in groups] == [[0.5, 0.7], [0.6]]
    by_two = reader.groupby(["neuron.firing_threshold", "extra"])
    assert set(map(len, by_two.values())) == {1}
    assert len(by_two) == 3


def test_damaged_and_foreign_files_are_reported_and_skipped(tmp_path):
    series_folder(tmp_path)
    good = sorted(p.name for p in tmp_path.iterdir())
    truncated = tmp_path / "zz-truncated.json"
    truncated.write_text((tmp_path / good[0]).read_text()[:200])
    (tmp_path / "foreign.json").write_text('{"name": "not a log"}')
    (tmp_path / "list.json").write_text("[1, 2, 3]")
    (tmp_path / "binary.json").write_bytes(b"\x89PNG\xff\xfe")
    (tmp_path / "notes.txt").write_text("ignored: not .json")
    with pytest.warns(SkippedLogWarning, match="Reader skipped") as record:
        reader = Reader(tmp_path)
    messages = sorted(str(w.message) for w in record if w.category is SkippedLogWarning)
    assert len(messages) == 4  # one warning per file, each naming it
    names = ("binary.json", "foreign.json", "list.json", "zz-truncated.json")
    for message, name in zip(messages, names, strict=True):
        assert str(tmp_path / name) in message
    skipped = sorted(name for name, _ in reader.skipped)
    assert skipped == ["binary.json", "foreign.json", "list.json", "zz-truncated.json"]
    assert dict(reader.skipped)["zz-truncated.json"].startswith("not valid JSON")
    assert len(reader) == 3


def test_a_single_file(tmp_path):
    logger = series_folder(tmp_path)
    reader = Reader(logger.paths[1])
    assert len(reader) == 1 and list(reader.df["accuracy"]) == [0.6]
    assert reader.read_file(0)["results"]["accuracy"] == 0.6


def test_missing_path():
    with pytest.raises(FileNotFoundError, match="no such log file or folder"):
        Reader("/nonexistent/spikey/logs")


def test_flatten_nested_sections_and_modifier_lists():
    spec = {"network": {"n_inputs": 2}, "modifiers": [{"type": "drop_off", "rate": 0.5}], "tags": [1, 2]}
    spec["e"] = {}
    assert flatten(spec) == {
        "network.n_inputs": 2,
        "modifiers.0.type": "drop_off",
        "modifiers.0.rate": 0.5,
        "tags": [1, 2],
        "e": {},
    }


def test_json_lines_files_read_as_one_run_per_line_beside_single_logs(tmp_path):
    import json

    from spikey_meta.logs import make_document

    logger = series_folder(tmp_path, thresholds=(1.0, 2.0))  # two single-run .json logs
    documents = [make_document(results={"x": i}, info={"signal": [i, i]}) for i in range(4)]
    path = logger.log_records(documents, "epoch-0000")
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and [json.loads(line)["results"]["x"] for line in lines] == [0, 1, 2, 3]
    wrong_shape = json.dumps({**json.loads(lines[2]), "results": [1, 2]})
    path.write_text("\n".join([lines[0], lines[1][:40], wrong_shape, lines[3]]) + "\n")
    with pytest.warns(SkippedLogWarning) as caught:
        reader = Reader(tmp_path)
    assert len(caught) == 1 and "epoch-0000.jsonl" in str(caught[0].message)
    assert "2 of 4 lines not read (lines 2, 3; kept the other 2)" in str(caught[0].message)
    assert "line 2: not valid JSON" in str(caught[0].message)
    assert reader.skipped == [("epoch-0000.jsonl", reader.skipped[0][1])]
    assert len(reader) == 4  # 2 single logs + lines 1 and 4
    assert list(reader.df["filename"])[2:] == ["epoch-0000.jsonl:1", "epoch-0000.jsonl:4"]
    assert list(reader.df["x"])[2:] == [0, 3]
    assert reader["signal"][2:] == [[0, 0], [3, 3]] and reader["signal"][:2] == [None, None]
    assert reader.read_file("epoch-0000.jsonl:4")["results"] == {"x": 3}
