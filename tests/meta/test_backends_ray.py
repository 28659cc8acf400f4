"""The Ray backend against a local Ray instance (started once for this module, 2 CPUs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'spikey-meta[ray]')")

import meta_toys  # noqa: E402
from spikey_meta.backends import map_jobs  # noqa: E402
from spikey_meta.backends.ray import RayBackend  # noqa: E402
from spikey_meta.series import Series  # noqa: E402

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    # workers must import the test helpers, which are not installed: hand them the paths
    paths = os.pathsep.join([str(HERE), str(HERE.parent / "core")])
    instance = RayBackend(num_cpus=2, runtime_env={"env_vars": {"PYTHONPATH": paths}})
    assert instance.started
    yield instance
    instance.close()
    assert not ray.is_initialized()


def test_map_in_order_with_results_reported_as_they_finish(backend):
    seen = {}
    assert map_jobs(backend, meta_toys.square, [(i,) for i in range(6)], on_result=seen.__setitem__) == [
        i * i for i in range(6)
    ]
    assert seen == {i: i * i for i in range(6)}


def test_a_failing_job_raises_its_own_exception_type(backend):
    with pytest.raises(KeyError, match="two"):
        backend.map(meta_toys.fail_on_two, [(i,) for i in range(3)])


def test_series_on_ray_equals_the_serial_series(backend):
    def outcome(which):
        runs = Series(
            meta_toys.random_spec(), ("network.processing_time", [2, 3]), n_repeats=2, seed=5, backend=which
        ).run()
        return [(r.seed, r.results, r.info) for r in runs]

    on_ray = outcome(backend)
    assert on_ray == outcome("serial")
    assert len({tuple(info["input_trace"]) for _, _, info in on_ray}) == 4


def test_a_backend_joining_a_running_session_leaves_it_running(backend):
    joined = RayBackend()
    assert not joined.started
    joined.close()
    assert ray.is_initialized()
