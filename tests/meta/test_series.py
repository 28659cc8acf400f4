"""Series: every specification form, seeds, failure isolation, logs and summary."""

from __future__ import annotations

from pathlib import Path

import meta_toys
import numpy as np
import pytest
import toy_parts
from spikey_core.errors import ConfigError  # noqa: E402
from spikey_core.seeding import integer_seed  # noqa: E402
from spikey_meta.logs import read_log  # noqa: E402
from spikey_meta.series import Grid, Series, expand  # noqa: E402

from spikey_core import make_loop  # noqa: E402


# -- specification forms ------------------------------------------------------------------------
def test_none_is_one_control_configuration():
    assert expand(None) == ((), [()])


def test_numeric_range_forms_give_python_numbers():
    # np.arange(2, 8, 2) -> 2, 4, 6; the values must be Python ints (0.5's numpy ints were rejected)
    keys, rows = expand(("network.processing_time", 2, 8, 2))
    assert keys == ("network.processing_time",) and rows == [(2,), (4,), (6,)]
    assert all(type(v) is int for (v,) in rows)
    assert expand(("a", 3))[1] == [(0,), (1,), (2,)]  # (key, stop)
    assert expand(("a", (1, 2, 0.5)))[1] == [(1.0,), (1.5,)]  # (key, (start, stop, step))
    assert all(type(v) is float for (v,) in expand(("a", (1, 2, 0.5)))[1])


def test_list_array_and_generator_forms():
    assert expand(("a", [3, "x", None]))[1] == [(3,), ("x",), (None,)]
    keys, rows = expand(("a", np.array([4, 5], dtype=np.int64)))
    assert rows == [(4,), (5,)] and all(type(v) is int for (v,) in rows)
    assert expand(("a", (v * v for v in range(3))))[1] == [(0,), (1,), (4,)]


def test_zip_iterates_in_lock_step():
    keys, rows = expand([("a", [1, 2, 3]), ("b", iter("xyz"))])
    assert keys == ("a", "b") and rows == [(1, "x"), (2, "y"), (3, "z")]


def test_grid_is_the_cartesian_product_last_axis_fastest():
    keys, rows = expand({"a": [1, 2], "b": ["x", "y", "z"]})
    assert keys == ("a", "b")
    assert rows == [(1, "x"), (1, "y"), (1, "z"), (2, "x"), (2, "y"), (2, "z")]
    # a Grid member may be a zipped group: (a, b) move together, c is the other axis
    keys, rows = Grid([("a", [1, 2]), ("b", [10, 20])], c=[0, 1]).expand()
    assert keys == ("a", "b", "c") and rows == [(1, 10, 0), (1, 10, 1), (2, 20, 0), (2, 20, 1)]


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ([("a", [1, 2]), ("b", [1])], "equal lengths"),
        (("a", []), "no values"),
        (("a", 5, 1), "no values"),
        (("a", lambda: [1]), "call it"),
        (("a", "abc"), "values must be"),
        ({"a": [1], "seed": [1]}, "'seed' cannot be varied"),
        ([("a", [1]), ("a", [2])], "more than one axis"),
        ("a", "a specification is"),
    ],
)
def test_malformed_specifications_are_config_errors(spec, fragment):
    with pytest.raises(ConfigError, match=fragment):
        expand(spec)


# -- running ------------------------------------------------------------------------------------
def test_series_over_an_undeclared_key_fails_before_any_run():
    with pytest.raises(
        ConfigError,
        match="no part of this experiment declares 'firing_treshold'; did you mean 'firing_threshold'",
    ):
        Series(toy_parts.toy_spec(), ("firing_treshold", [1.0]), backend="serial")


def test_invalid_value_fails_before_any_run():
    with pytest.raises(ConfigError, match="firing_threshold"):
        Series(toy_parts.toy_spec(), ("neuron.firing_threshold", [1.0, -2.0]), backend="serial")


def test_unknown_backend_names_the_installed_ones():
    with pytest.raises(ConfigError, match="no backend named 'dask'"):
        Series(toy_parts.toy_spec(), None, backend="dask")


def test_runs_get_child_seeds_and_settings_in_order():
    series = Series(
        meta_toys.random_spec(), ("network.processing_time", 2, 4), n_repeats=2, seed=7, backend="serial"
    )
    runs = series.run()
    assert [(r.config_index, r.repeat) for r in runs] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [r.seed for r in runs] == [integer_seed(7, c, r) for c in (0, 1) for r in (0, 1)]
    assert [r.results["network.processing_time"] for r in runs] == [2, 2, 3, 3]
    # each run equals the plain loop run with that seed and setting
    spec = meta_toys.random_spec()
    spec["network"]["processing_time"] = 3
    _, _, results, info = make_loop(spec, seed=runs[3].seed)()
    assert runs[3].info["input_trace"] == info["input_trace"]
    assert runs[3].results["total_action"] == results["total_action"]


def test_repeats_are_independent_runs():
    runs = Series(meta_toys.random_spec(), None, n_repeats=8, seed=0, backend="serial").run()
    traces = {tuple(r.info["input_trace"]) for r in runs}
    assert len(traces) == 8


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path):
    series = Series(
        meta_toys.trouble_spec(),
        ("input.trouble", ["none", "raise", "none"]),
        backend="serial",
        log_folder=tmp_path,
    )
    runs = series.run()
    assert [r.ok for r in runs] == [True, False, True]
    assert runs[1].error["type"] == "RuntimeError"
    assert "deliberate failure" in runs[1].error["message"]
    assert "Traceback" in runs[1].error["traceback"] and "update" in runs[1].error["traceback"]
    log = read_log(runs[1].log)
    assert log["results"]["ok"] is False and log["info"]["error"]["type"] == "RuntimeError"
    summary = read_log(series.summary_path)
    assert summary["results"]["n_failed"] == 1 and summary["results"]["n_runs"] == 3
    assert [row["ok"] for row in summary["info"]["table"]] == [True, False, True]


def test_one_log_per_run_and_a_summary(tmp_path):
    series = Series(
        meta_toys.random_spec(),
        {"neuron.firing_threshold": [1.0, 2.0]},
        n_repeats=2,
        backend="serial",
        log_folder=tmp_path,
    )
    runs = series.run()
    logs = sorted(p.name for p in tmp_path.glob("*.json") if "~SUMMARY" not in p.name)
    assert logs == sorted(Path(r.log).name for r in runs) and len(logs) == 4
    first = read_log(runs[0].log)
    assert first["results"]["neuron.firing_threshold"] == 1.0 and first["results"]["seed"] == runs[0].seed
    summary = read_log(series.summary_path)
    assert summary["info"]["runs"] == [Path(r.log).name for r in runs]
    assert summary["info"]["configurations"] == [
        {"neuron.firing_threshold": 1.0},
        {"neuron.firing_threshold": 2.0},
    ]


def test_run_unpacks_like_a_loop_and_keeps_objects_on_request():
    (run,) = Series(meta_toys.random_spec(), None, backend="serial", keep_objects=True).run()
    network, game, results, info = run
    assert network is not None and game is not None and "total_action" in results
    (plain_run,) = Series(meta_toys.random_spec(), None, backend="serial").run()
    assert plain_run.network is None and plain_run.results == results


class Counter:
    def __init__(self):
        self.n = 0

    def update(self, n):
        self.n += n


def test_resume_reads_logged_runs_back_and_runs_only_the_rest(tmp_path):
    def series():
        return Series(
            meta_toys.random_spec(),
            ("input.rate", [0.2, 0.8]),
            n_repeats=2,
            seed=1,
            backend="multiprocessing",
            workers=2,
            log_folder=tmp_path,
        )

    first = series().run()
    victim = Path(first[2].log)
    victim.unlink()  # as if the series had stopped before run 2 was logged
    kept = {r.log: Path(r.log).stat().st_mtime_ns for i, r in enumerate(first) if i != 2}
    progress = Counter()
    resumed = series().run(progress=progress, resume=True)
    assert progress.n == 4
    assert [r.results for r in resumed] == [r.results for r in first]
    assert [r.info["input_trace"] for r in resumed] == [r.info["input_trace"] for r in first]
    # runs 0, 1 and 3 were read back: same log files, untouched
    assert [resumed[i].log for i in (0, 1, 3)] == [first[i].log for i in (0, 1, 3)]
    assert {log: Path(log).stat().st_mtime_ns for log in kept} == kept
    # only run 2 ran again: exactly one new log, its own
    logs = {str(p) for p in tmp_path.glob("*.json") if "~SUMMARY" not in p.name}
    assert logs - set(kept) == {resumed[2].log}
    assert Path(resumed[2].log).exists()


def test_plot_a_series_parameter_against_a_metric(tmp_path):
    from spikey_meta.analysis import plot_parameter, series_frame

    Series(
        meta_toys.random_spec(),
        ("input.rate", [0.0, 1.0]),
        n_repeats=2,
        backend="serial",
        log_folder=tmp_path,
    ).run()
    frame = series_frame(tmp_path)
    assert len(frame) == 4
    ax = plot_parameter(frame, "input.rate", "total_spikes")
    xs, ys = ax.lines[0].get_data()
    # rate 0: no input, the toy neurons never reach threshold -> 0 spikes in either repeat
    assert list(xs) == [0.0, 1.0] and ys[0] == 0.0 and ys[1] > 0
    with pytest.raises(KeyError, match="no column 'nope'"):
        plot_parameter(frame, "nope", "total_spikes")


def test_iterating_a_series_gives_each_runs_configured_seeded_loop():
    series = Series(
        meta_toys.random_spec(), ("network.processing_time", [2, 5]), n_repeats=2, seed=4, backend="serial"
    )
    loops = list(series)
    assert len(loops) == len(series) == 4
    assert [loop.spec["network"]["processing_time"] for loop in loops] == [2, 2, 5, 5]
    assert [loop.seed for loop in loops] == [integer_seed(4, c, r) for c in (0, 1) for r in (0, 1)]
