"""Runs always leave a record: the default callback, metrics that travel with the experiment file."""

from __future__ import annotations

from importlib import resources

import pytest
from spikey_core.cli import main
from spikey_meta.experiments.scoring import flatten_episodes
from spikey_meta.logs import read_log

#: 16 training and 12 frozen patterns of 20 ms (the file's 300 and 200 of 500 ms take minutes)
REDUCED = [
    *("--set", "network.processing_time=20"),
    *("--set", "loop.len_episode=16"),
    *("--set", "loop.eval_patterns=12"),
]


@pytest.fixture
def spikey(first_party_registry):
    """``spikey ARGV`` with the first-party plugins (the shipped experiment files need them)."""
    return lambda argv: main(argv, registry=first_party_registry)


def shipped_toml(name: str) -> str:
    return (resources.files("spikey_meta.experiments") / f"{name}.toml").read_text()


def without_table(text: str, table: str) -> str:
    """The TOML text with one ``[table]`` (up to the next table header) removed."""
    start = text.index(f"[{table}]")
    end = text.find("\n[", start + 1)
    return text[:start] + (text[end + 1 :] if end >= 0 else "")


def test_copied_shipped_file_keeps_its_metrics(tmp_path, capsys, spikey):
    copy = tmp_path / "my-xor.toml"
    copy.write_text(shipped_toml("florian-rate-xor").replace("eval_steps = 50", "eval_steps = 8"))
    out = tmp_path / "runs"
    assert spikey(["run", str(copy), "--out", str(out), "--seed", "3", *REDUCED]) == 0
    printed = capsys.readouterr().out
    assert "train_accuracy" in printed and "rate_FT" in printed
    (log_path,) = out.glob("*.json")
    document = read_log(log_path)
    results, info = document["results"], document["info"]
    # the score recomputed by hand from the logged signals: 8 scored steps, 2 per pattern
    states = [tuple(int(bool(b)) for b in s) for s in flatten_episodes(info["step_states"])]
    rates = [float(r) for r in flatten_episodes(info["step_outrates"])]
    level = {}
    for pattern in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        seen = [r for s, r in zip(states, rates, strict=True) if s == pattern][-2:]
        level[pattern] = sum(seen) / len(seen)
    high, low = min(level[(0, 1)], level[(1, 0)]), max(level[(0, 0)], level[(1, 1)])
    correct = [(r > (high + low) / 2) == (a != b) for (a, b), r in zip(states[-8:], rates[-8:], strict=True)]
    assert results["high"] == pytest.approx(high) and results["low"] == pytest.approx(low)
    assert results["train_accuracy"] == pytest.approx(sum(correct) / 8)
    # the frozen evaluation is scored by the file's metric too (threshold from training data)
    assert 0.0 <= results["eval_accuracy"] <= 1.0 and "eval_auc" in results
    assert len(info["eval_rates"]) == 12


def test_file_without_callback_still_writes_log_and_plots(tmp_path, capsys, spikey):
    bare = tmp_path / "bare.toml"
    bare.write_text(without_table(shipped_toml("florian-rate-xor"), "callback"))
    out = tmp_path / "runs"
    assert spikey(["run", str(bare), "--out", str(out), *REDUCED]) == 0
    (log_path,) = out.glob("*.json")
    info = read_log(log_path)["info"]
    assert len(flatten_episodes(info["step_outrates"])) == 16
    plots = {p.name[len(log_path.stem) + 1 : -4] for p in out.glob("*.png")}
    assert {"learning_curve", "rates_per_state", "spike_raster"} <= plots
    assert "train_accuracy" in capsys.readouterr().out  # the file's [metrics] table still applies


def test_unknown_or_invalid_metric_is_a_usage_error_before_anything_runs(tmp_path, capsys, spikey):
    text = shipped_toml("florian-rate-xor")
    typo = tmp_path / "typo.toml"
    typo.write_text(text.replace('type = "florian_xor"', 'type = "florian_xro"'))
    out = tmp_path / "runs"
    assert spikey(["run", str(typo), "--out", str(out)]) == 2
    expected = "$.metrics.type: no metric named 'florian_xro'; did you mean 'florian_xor'?"
    assert expected in capsys.readouterr().err
    listed = tmp_path / "listed.toml"
    body = without_table(text, "metrics")
    listed.write_text('metrics = [{ type = "florian_xor", eval_steps = 2 }, "conditoning"]\n' + body)
    assert spikey(["run", str(listed), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "$.metrics[0].eval_steps: must be >= 4 (got 2)" in err
    assert "$.metrics[1].type: no metric named 'conditoning'; did you mean 'conditioning'?" in err
    assert not out.exists()


def test_metric_settings_can_be_overridden(tmp_path, capsys, spikey):
    args = ["run", "florian-rate-xor", "--out", str(tmp_path), *REDUCED]
    assert spikey([*args, "--set", "metrics.eval_steps=4"]) == 0
    assert spikey([*args, "--set", "metrics.eval_step=4"]) == 2
    assert "did you mean 'eval_steps'?" in capsys.readouterr().err
