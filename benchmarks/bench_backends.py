"""Backends benchmark: one Series of 8 short runs on each execution backend.

Target: the multiprocessing backend (default settings, worker start-up included) finishes in at
most 0.6 of the serial time on a 2-core machine. The Ray figure is reported beside it when Ray is
installed (its cluster start-up is reported separately: a cluster is started once, not per
series). Every backend must return the same results as the serial one; the script checks that.

Usage::

    python benchmarks/bench_backends.py [--runs 8] [--len-episode 200] [--workers 2] [--repeat 5]

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from spikey_meta.backends.multiprocessing import MultiprocessingBackend, default_start_method
from spikey_meta.series import Series

TARGET = 0.6


def experiment(len_episode: int) -> dict[str, Any]:
    """A short real experiment: 60 rate-coded inputs, 200 LIF neurons, XOR, no learning."""
    return {
        "seed": 0,
        "network": {
            "n_inputs": 60,
            "n_neurons": 200,
            "n_outputs": 1,
            "processing_time": 100,
            "reward_mode": "none",
        },
        "input": {"type": "rate_map", "state_rate_map": [0.0, 0.2]},
        "neuron": {"type": "lif"},
        "weight": {"type": "random"},
        "readout": {"type": "threshold"},
        "game": {"type": "logic", "preset": "XOR"},
        "loop": {"type": "generic", "n_episodes": 1, "len_episode": len_episode},
    }


def timed_series(backend: Any, runs: int, len_episode: int, workers: int | None) -> tuple[float, list]:
    started = time.perf_counter()
    series = Series(
        experiment(len_episode),
        None,
        n_repeats=runs,
        seed=0,
        backend=backend,
        workers=workers,
        keep_objects=False,
    )
    outcome = series.run()
    elapsed = time.perf_counter() - started
    failed = [run for run in outcome if not run.ok]
    if failed:
        raise SystemExit(f"{failed[0].label} failed: {failed[0].error['message']}")
    return elapsed, [(run.seed, run.results) for run in outcome]


def _spin(n: int) -> float:
    total = 0
    for i in range(n):
        total += i * i
    return float(total)


def machine_ceiling(workers: int, n: int = 4_000_000) -> float:
    """Time of ``workers`` pure-CPU tasks on ``workers`` processes / the same tasks one after another.

    The best ratio any backend can reach on this machine at this moment (other load, shared cores).
    """
    import multiprocessing

    started = time.perf_counter()
    for _ in range(workers):
        _spin(n)
    serial = time.perf_counter() - started
    with multiprocessing.get_context("fork" if os.name == "posix" else "spawn").Pool(workers) as pool:
        started = time.perf_counter()
        pool.map(_spin, [n] * workers)
        parallel = time.perf_counter() - started
    return parallel / serial


def ray_backend(workers: int) -> tuple[Any, float] | None:
    try:
        import ray  # noqa: F401
    except ImportError:
        return None
    from spikey_meta.backends.ray import RayBackend

    started = time.perf_counter()
    previous = os.getcwd()
    os.chdir(tempfile.gettempdir())  # Ray workers put the driver's cwd on sys.path
    try:
        backend = RayBackend(num_cpus=workers)
    finally:
        os.chdir(previous)
    return backend, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--len-episode", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds; the median time of each backend is reported"
    )
    args = parser.parse_args(argv)

    def serial() -> tuple[float, list]:
        return timed_series("serial", args.runs, args.len_episode, None)

    def pool(method: str | None) -> Any:
        def measure() -> tuple[float, list]:
            with MultiprocessingBackend(
                workers=args.workers, start_method=method
            ) as backend:  # a cold pool each time
                return timed_series(backend, args.runs, args.len_episode, None)

        return measure

    default = f"multiprocessing (default: {default_start_method()})"
    others = [m for m in ("fork", "spawn") if m != default_start_method()]
    candidates = {
        "serial": serial,
        default: pool(None),
        **{f"multiprocessing ({m})": pool(m) for m in others},
    }
    times: dict[str, list[float]] = {name: [] for name in candidates}
    outcomes: dict[str, list] = {}
    for _ in range(args.repeat):  # interleaved rounds, so load from other processes hits every backend alike
        for name, measure in candidates.items():
            elapsed, outcomes[name] = measure()
            times[name].append(elapsed)
    median = {name: statistics.median(values) for name, values in times.items()}
    ceiling = statistics.median(machine_ceiling(args.workers) for _ in range(args.repeat))
    reference, serial_time = outcomes["serial"], median["serial"]
    rows = [("serial", serial_time, "", "reference")]
    for name in candidates:
        if name != "serial":
            note = "pool start-up included"
            rows.append((name, median[name], "yes" if outcomes[name] == reference else "NO", note))
    ray = ray_backend(args.workers)
    if ray is None:
        rows.append(("ray", float("nan"), "", "not installed: pip install 'spikey-meta[ray]'"))
    else:
        backend, startup = ray
        with backend:
            runs = [timed_series(backend, args.runs, args.len_episode, None) for _ in range(args.repeat)]
        same = "yes" if all(outcome == reference for _, outcome in runs) else "NO"
        rows.append(
            (
                "ray (local, num_cpus=workers)",
                statistics.median(t for t, _ in runs),
                same,
                f"cluster start-up {startup:.1f} s excluded",
            )
        )

    print(
        f"\n{args.runs} runs of {args.len_episode} game steps, {args.workers} workers, "
        f"{os.cpu_count()} CPUs, median of {args.repeat}\n"
    )
    print("| backend | seconds | / serial | same results | note |")
    print("|---|---:|---:|:---:|---|")
    for name, seconds, same, note in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / serial_time:.2f} | {same} | {note} |")
    print(
        f"\nmachine ceiling now: {args.workers} pure-CPU tasks in parallel take {ceiling:.2f} "
        "of their serial time"
    )
    ratio = median[default] / serial_time
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"\n{default} / serial = {ratio:.2f}: {verdict} the target <= {TARGET}")
    return 0 if ratio <= TARGET and all(row[2] != "NO" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
