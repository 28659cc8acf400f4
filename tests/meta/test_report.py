"""``spikey report`` and the plugin's registrations."""

from __future__ import annotations

import toy_parts
from spikey_core.cli import main

from spikey_core import make_loop
from spikey_meta import ExperimentCallback, MultiLogger, RLCallback


def assert_drawn_plot(path):
    """``path`` is a PNG that decodes to a figure with something drawn on it (not blank)."""
    import matplotlib.image

    assert path.exists(), f"{path} was not written"
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] >= 100 and pixels.shape[1] >= 100
    gray = pixels[..., :3].mean(axis=2)
    assert (gray < 0.5).mean() > 0.001, f"{path} is (nearly) blank"  # axes, ticks, data are dark


def test_the_plugin_registers_callbacks_and_the_report_command(meta_registry):
    assert meta_registry.get("callback", "rl") is RLCallback
    assert meta_registry.get("callback", "experiment") is ExperimentCallback
    assert "report" in meta_registry.commands


def logged_folder(folder, n_runs=2):
    logger = MultiLogger(folder)
    for seed in range(n_runs):
        spec = toy_parts.toy_spec(reward_mode="step")
        spec["neuron"] = {"type": toy_parts.ThresholdNeuron, "firing_threshold": 1.0 + seed}
        callback = RLCallback(measure_rates=True)
        make_loop(spec, callback=callback, seed=seed)()
        logger.log(callback)
    return logger


def test_report_on_a_folder_writes_plots_and_prints_a_table(tmp_path, capsys):
    logger = logged_folder(tmp_path / "logs")
    out = tmp_path / "out"
    assert main(["report", str(tmp_path / "logs"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert "filename" in lines[0] and "neuron.firing_threshold" in lines[0] and "total_time" in lines[0]
    assert logger.paths[0].name in lines[1] and logger.paths[1].name in lines[2]
    stem = logger.paths[0].stem
    expected = {"learning_curve", "state_action_counts", "state_transitions", "rates_per_state"}
    expected.add("delay_embedding")
    assert {p.name for p in out.iterdir()} >= {f"{stem}-{name}.png" for name in expected}
    for name in expected:
        assert_drawn_plot(out / f"{stem}-{name}.png")
    assert f"wrote {out / (stem + '-learning_curve.png')}" in printed


def test_report_on_one_file_defaults_next_to_it(tmp_path):
    logger = logged_folder(tmp_path, n_runs=1)
    path = logger.paths[0]
    assert main(["report", str(path)]) == 0
    assert_drawn_plot(tmp_path / f"{path.stem}-report" / f"{path.stem}-learning_curve.png")


def test_report_draws_a_tracked_spike_log(tmp_path):
    callback = RLCallback()
    callback.track("network_tick", "info", "spike_log", "network.spike_log")
    make_loop(toy_parts.toy_spec(), callback=callback)()
    path = callback.log(folder=tmp_path)
    assert main(["report", str(path), "--out", str(tmp_path / "out")]) == 0
    assert_drawn_plot(tmp_path / "out" / f"{path.stem}-spike_raster.png")


def test_report_on_a_missing_path_exits_2_with_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "no such log file or folder" in err and "Traceback" not in err


def test_report_on_a_damaged_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "spikey-log/1", "info": [')
    assert main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"spikey report: {bad}: not valid JSON") and err.count("\n") == 1


def test_report_skips_damaged_files_in_a_folder(tmp_path, capsys):
    logged_folder(tmp_path, n_runs=1)
    (tmp_path / "cut.json").write_text("{")
    assert main(["report", str(tmp_path)]) == 0
    assert "skipped cut.json: not valid JSON" in capsys.readouterr().err


def test_report_on_a_folder_without_logs_exits_2(tmp_path, capsys):
    (tmp_path / "other.json").write_text("[]")
    assert main(["report", str(tmp_path)]) == 2
    assert "no readable Spikey run log" in capsys.readouterr().err


TOML = """
seed = 3
[network]
n_inputs = 2
n_neurons = 2
n_outputs = 1
processing_time = 3
reward_mode = "step"
[input]
type = "pattern"
[neuron]
type = "threshold_neuron"
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
n_episodes = 2
len_episode = 4
[callback]
type = "rl"
measure_rates = true
"""


def test_spikey_run_logs_through_the_callback_and_report_reads_it(tmp_path, capsys, meta_registry):
    experiment = tmp_path / "toy.toml"
    experiment.write_text(TOML)
    out = tmp_path / "runs"
    assert main(["run", str(experiment), "--out", str(out)], registry=meta_registry) == 0
    (log_path,) = out.glob("*.json")
    assert f"wrote {log_path}" in capsys.readouterr().out
    from spikey_meta import read_log

    document = read_log(log_path)
    assert document["meta"]["seed"] == 3 and document["network"]["neuron"]["type"] == "threshold_neuron"
    assert document["info"]["step_outrates"] == [[2 / 3, 1.0, 1.0, 1.0]] * 2  # derived in test_callbacks
    assert main(["report", str(out)], registry=meta_registry) == 0
    assert (out / "report" / f"{log_path.stem}-rates_per_state.png").exists()


def test_report_without_matplotlib_prints_the_table_then_the_install_hint(tmp_path, capsys, monkeypatch):
    import builtins

    logged_folder(tmp_path, n_runs=1)
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert main(["report", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "total_time" in captured.out
    assert captured.err.strip() == (
        "spikey report: plots need matplotlib, the optional extra 'plot': pip install spikey-meta[plot]"
    )


def write_population_logs(folder, epochs):
    """Epoch logs as a population writes them: one ``epoch-NNNN.jsonl`` per epoch, a record per agent;
    ``epochs`` lists, per epoch, (fitness, ok, cached) per agent."""
    from spikey_meta.runlogs import RunLogger, document

    logger = RunLogger(folder)
    for epoch, agents in enumerate(epochs):
        records = [
            document(
                results={"epoch": epoch, "agent": i, "fitness": f, "age": 0, "cached": c, "ok": ok, "x": i}
            )
            for i, (f, ok, c) in enumerate(agents)
        ]
        logger.write_records(records, f"epoch-{epoch:04d}")


def test_report_on_a_population_prints_one_row_per_epoch(tmp_path, capsys):
    import csv
    import math

    failed = (-math.inf, False, False)
    epochs = [
        [(0.25, True, False), (0.75, True, False), failed, (0.5, True, False)],
        [(0.75, True, True), (1.0, True, False), (0.5, True, True)],
    ]
    write_population_logs(tmp_path / "pop", epochs)
    out = tmp_path / "out"
    assert main(["report", str(tmp_path / "pop"), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "fitness per epoch:"
    header = lines[1].split()
    assert header == [
        "epoch", "n_agents", "best_fitness", "mean_fitness", "worst_fitness", "n_failed", "n_cached"
    ]  # fmt: skip
    # by hand: epoch 0 finished 0.25, 0.75, 0.5 (one failure): best 0.75, mean 0.5, worst 0.25;
    # epoch 1: 0.75, 1.0, 0.5 (two from the cache): best 1, mean 0.75, worst 0.5
    assert lines[2].split() == ["0", "4", "0.75", "0.5", "0.25", "1", "0"]
    assert lines[3].split() == ["1", "3", "1", "0.75", "0.5", "0", "2"]
    assert lines[4] == "best fitness 1: epoch 1 agent 1 (epoch-0001.jsonl:2) of 7 agents"
    assert len(lines) == 6 and lines[5] == f"wrote {out / 'epochs.csv'}"  # no per-agent rows
    with open(out / "epochs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["mean_fitness"]) for r in rows] == [0.5, 0.75]
    assert [int(r["n_failed"]) for r in rows] == [1, 0]
