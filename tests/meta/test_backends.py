"""Backends: the protocol, identical results across backends, dying workers, clean shutdown."""

from __future__ import annotations

import os
import sys

import meta_toys
import pytest
from spikey_core.errors import ConfigError  # noqa: E402
from spikey_meta.backends import make_backend, map_jobs  # noqa: E402
from spikey_meta.backends.multiprocessing import MultiprocessingBackend, WorkerDiedError  # noqa: E402
from spikey_meta.series import Series  # noqa: E402

square, die_on_three, fail_on_two = meta_toys.square, meta_toys.die_on_three, meta_toys.fail_on_two


def parent_only_square(tmp_path, monkeypatch):
    """A function from a module that the parent imported but no worker process can import."""
    (tmp_path / "parent_only.py").write_text("def square(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import parent_only

    monkeypatch.undo()  # off sys.path again before any worker starts; still in sys.modules
    monkeypatch.setitem(sys.modules, "parent_only", parent_only)
    return parent_only.square


class Counter:
    def __init__(self):
        self.n = 0

    def update(self, n):
        self.n += n


@pytest.fixture(scope="module")
def pool():
    with MultiprocessingBackend(workers=2) as backend:
        yield backend


def test_map_keeps_job_order_and_advances_progress(pool):
    progress = Counter()
    assert map_jobs(pool, square, [(i,) for i in range(7)], progress) == [i * i for i in range(7)]
    assert progress.n == 7
    assert pool.map(square, []) == []


def test_a_dying_worker_names_its_job_and_the_other_jobs_finish(pool):
    with pytest.raises(
        WorkerDiedError, match=r"died \(exit code 7\) while running job 3 of 6: \(3\)"
    ) as caught:
        pool.map(die_on_three, [(i,) for i in range(6)])
    assert caught.value.job_index == 3 and caught.value.exitcode == 7
    assert caught.value.results == [0, 1, 2, None, 4, 5]
    assert pool.map(square, [(4,)]) == [16]  # the pool replaced the dead worker


def test_an_exception_in_a_job_is_raised_with_its_type(pool):
    with pytest.raises(KeyError, match="two"):
        pool.map(fail_on_two, [(i,) for i in range(4)])
    assert pool.map(square, [(3,)]) == [9]


def test_unimportable_or_unpicklable_functions_are_explained(pool, tmp_path, monkeypatch):
    local_square = parent_only_square(tmp_path, monkeypatch)
    with MultiprocessingBackend(
        workers=1, start_method="spawn"
    ) as spawned:  # forked workers would inherit the module
        with pytest.raises(RuntimeError, match="cannot load the job"):
            spawned.map(local_square, [(1,)])
    with pytest.raises(TypeError, match="job 0 cannot be sent"):
        pool.map(lambda x: x, [(1,)])
    assert pool.map(square, [(5,)]) == [25]


def test_close_joins_every_worker():
    backend = MultiprocessingBackend(workers=2)
    backend.map(square, [(1,), (2,)])
    processes = [w.process for w in backend._pool]
    assert len(processes) == 2
    pids = [p.pid for p in processes]
    backend.close()
    assert backend.closed and backend._pool == []
    for pid in pids:  # joined and reaped: the pid no longer belongs to a child of ours
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    with pytest.raises(RuntimeError, match="after close"):
        backend.map(square, [(1,)])


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_other_start_methods(method):
    with MultiprocessingBackend(workers=2, start_method=method) as backend:
        assert backend.map(square, [(2,), (3,)]) == [4, 9]


def test_the_default_start_method_forks_only_a_single_threaded_process(monkeypatch):
    from spikey_meta.backends import multiprocessing as backend_module

    monkeypatch.setattr(backend_module.sys, "platform", "linux")
    monkeypatch.setattr(backend_module.threading, "active_count", lambda: 1)
    assert backend_module.default_start_method() == "fork"
    monkeypatch.setattr(backend_module.threading, "active_count", lambda: 2)  # e.g. a progress-bar thread
    assert backend_module.default_start_method() == "spawn"


def test_bad_backend_settings_are_config_errors():
    with pytest.raises(ConfigError, match="start_method"):
        MultiprocessingBackend(start_method="threads")
    with pytest.raises(ConfigError, match="positive integer"):
        MultiprocessingBackend(workers=0)
    with pytest.raises(ConfigError, match="installed: "):
        make_backend("nope")


def test_missing_ray_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(ConfigError, match=r"pip install 'spikey-meta\[ray\]'"):
        make_backend("ray")
    with pytest.raises(
        ConfigError, match=r"Ray is not installed; install it with pip install 'spikey-meta\[ray\]'"
    ):
        Series(meta_toys.random_spec(), None, backend="ray")  # before any run


def test_an_instance_is_used_as_is_and_not_owned(pool):
    backend, owned = make_backend(pool)
    assert backend is pool and owned is False


def test_series_gives_identical_results_on_serial_and_multiprocessing(pool):
    def outcome(backend):
        runs = Series(
            meta_toys.random_spec(), ("network.processing_time", [2, 3]), n_repeats=2, seed=3, backend=backend
        ).run()
        return [(r.seed, r.results, r.info) for r in runs]

    serial = outcome("serial")
    assert outcome(pool) == serial
    assert len({tuple(info["input_trace"]) for _, _, info in serial}) == 4


def test_eight_parallel_repeats_are_eight_distinct_runs(pool):
    runs = Series(meta_toys.random_spec(), None, n_repeats=8, seed=0, backend=pool).run()
    assert len({tuple(r.info["input_trace"]) for r in runs}) == 8
    assert len({r.seed for r in runs}) == 8


def test_a_run_whose_worker_dies_is_a_failed_run(pool, tmp_path):
    series = Series(
        meta_toys.trouble_spec(),
        ("input.trouble", ["none", "exit", "none"]),
        backend=pool,
        log_folder=tmp_path,
    )
    runs = series.run()
    assert [r.ok for r in runs] == [True, False, True]
    assert runs[1].error["type"] == "WorkerDiedError" and "exit code 3" in runs[1].error["message"]
    assert len(list(tmp_path.glob("*.json"))) == 4  # 3 runs + summary
