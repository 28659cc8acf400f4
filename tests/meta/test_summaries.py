"""Summaries of many runs: metrics per setting (mean ± spread), per-epoch tables, and the commands."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from spikey_core.cli import main as spikey_main
from test_meta_cli import main, run_logs

from spikey_meta import summaries

files = pytest.importorskip("test_meta_cli").files  # the toy experiment files of the CLI tests


def test_by_setting_by_hand():
    rows = [
        {"threshold": 1, "accuracy": 0.5, "win": True, "seed": 10},
        {"threshold": 1, "accuracy": 0.7, "win": False, "seed": 11},
        {"threshold": 2, "accuracy": 0.9, "win": True, "seed": 12},
        {"threshold": 2, "accuracy": 0.1, "win": True, "seed": 13},  # failed: counted, not averaged
    ]
    table = summaries.by_setting(rows, ["threshold"], ok=[True, True, True, False])
    first, second = table.to_dict("records")
    assert first["n_runs"] == 2 and first["n_failed"] == 0
    assert first["accuracy_mean"] == pytest.approx(0.6)
    assert first["accuracy_std"] == pytest.approx(np.sqrt(0.02))  # sample s.d. of 0.5, 0.7: sqrt(0.02 / 1)
    assert first["win_mean"] == pytest.approx(0.5)  # bools count as 0/1: the share of runs that won
    assert second["n_failed"] == 1 and second["accuracy_mean"] == pytest.approx(0.9)
    assert math.isnan(second["accuracy_std"])  # one finished run has no spread
    assert "seed_mean" not in table.columns  # seeds label runs, they are not metrics
    text = summaries.format_table(table)
    assert "0.6 ± 0.14" in text and "0.9" in text


def test_epoch_table_from_a_history():
    history = [
        {"epoch": 0, "n_agents": 4, "best_fitness": 2.0, "mean_fitness": 1.0, "n_cached": 0},
        {"epoch": 1, "n_agents": 4, "best_fitness": 3.0, "mean_fitness": 2.5, "n_cached": 1, "n_failed": 1},
    ]
    table = summaries.epoch_table(history)
    assert list(table["best_fitness"]) == [2.0, 3.0] and list(table["n_failed"]) == [0, 1]


def test_spikey_series_ends_with_the_table_and_writes_it(files, tmp_path, capsys):
    spec = files(
        "grid.toml",
        'experiment = "toy.toml"\n[series]\nn_repeats = 3\n[series.grid]\n"input.rate" = [0.0, 1.0]\n',
    )
    out = tmp_path / "logs"
    assert main(["series", spec, "--backend", "serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "metrics per setting (± sample s.d. over 3 repeats):" in printed
    assert len(run_logs(out)) == 6
    with open(out / "series-summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["input.rate"] for r in rows] == ["0.0", "1.0"]
    assert [r["n_runs"] for r in rows] == ["3", "3"]
    assert "n_episodes_mean" not in rows[0]  # the loop's constant settings are not metrics


def test_spikey_evolve_prints_and_writes_a_table_per_epoch(files, tmp_path, capsys):
    spec = files(
        "q.toml",
        '[metagame]\ntype = "meta_nqueens"\nn_queens = 4\n[population]\nn_agents = 6\nn_epoch = 3\n',
    )
    out = tmp_path / "evolve"
    assert main(["evolve", spec, "--backend", "serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "fitness per epoch:" in printed and "best_fitness" in printed
    with open(out / "epochs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["epoch"] for r in rows] == [str(i) for i in range(len(rows))]
    assert all(float(r["best_fitness"]) >= float(r["mean_fitness"]) for r in rows)


def test_spikey_report_groups_a_folder_by_setting(files, tmp_path, capsys):
    spec = files(
        "grid.toml",
        'experiment = "toy.toml"\n[series]\nn_repeats = 2\n[series.grid]\n"input.rate" = [0.0, 1.0]\n',
    )
    out = tmp_path / "logs"
    assert main(["series", spec, "--backend", "serial", "--out", str(out)]) == 0
    capsys.readouterr()
    assert spikey_main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    printed = capsys.readouterr().out
    assert "metrics per setting (grouped by input.rate" in printed
    with open(tmp_path / "report" / "by-setting.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["n_runs"] for r in rows] == ["2", "2"]
    assert list((tmp_path / "report").glob("compare-*.png"))


def test_epoch_summary_ranks_failures_and_nan_lowest():
    failed = summaries.FAILED_FITNESS
    entry = summaries.epoch_summary(2, [3.0, failed, 1.0, 2.0], [True, False, True, True], [0, 0, 1, 1])
    assert entry == {
        "epoch": 2,
        "n_agents": 4,
        "best_fitness": 3.0,
        "mean_fitness": 2.0,
        "worst_fitness": 1.0,
        "n_failed": 1,
        "n_cached": 2,
    }
    none_finished = summaries.epoch_summary(0, [failed, failed], [False, False], [False, False])
    assert none_finished["best_fitness"] == none_finished["mean_fitness"] == failed
    assert summaries.epoch_summary(0, [math.nan, 1.0], [True, True], [0, 0])["best_fitness"] == 1.0
