"""numpy engine vs numba engine on the same networks, interleaved in one run.

Usage::

    python benchmarks/bench_engine.py [--quick] [--repeats 3] [--cold] [--series] [--realtime 120]

Workloads (each built twice from the same seed, once per engine):

* ``xor_rlstdp``, ``xor_shipped``, ``xor_mstdpet``: Florian's (2007) rate-coded XOR network of
  ``florian-rate-xor`` (60 inputs, 60 hidden, 1 output, noisy LIF, 500 steps per pattern, a
  target-rate reward every step), learning with ``rlstdp``, with the file's own ``mstdp`` and with
  ``mstdpet``;
* ``recurrent_110`` / ``_1100`` / ``_4400``: random recurrent networks of 100 / 1,000 / 4,000
  neurons plus 10 % inputs, 10 % connectivity, about 5 % activity per step, unsupervised ``stdp``;
* ``sparse_1100``: the same 1,000-neuron network on the ``sparse`` weight;
* ``sparse_delays_1100``: the same with conduction delays of 1-10 steps spread over each unit's
  synapses (the ring buffer of input in flight);
* ``izhikevich_1000``: 800 regular-spiking + 200 fast-spiking Izhikevich neurons, dense random
  weights, no learning (also as simulated seconds per wall second, 1 ms steps);
* ``distal_reward``: the network of ``izhikevich2007-distal-reward`` (1,000 Izhikevich neurons,
  100,000 sparse synapses with 1 ms delays, ``da_stdp``, delayed rewards), as simulated
  seconds per wall second.

``--realtime S`` also runs the experiment ``izhikevich2007-distal-reward`` itself (its loop, with
the per-second bookkeeping) for ``S`` simulated seconds on the numba engine and reports simulated
seconds per wall and per CPU second (the issue's target: >= 50, one simulated hour in <= 72 s).

For each workload the engines take turns (numpy, numba, numpy, ...) for ``--repeats`` rounds of
the same number of game steps; the best round of each is kept, by wall clock and by the
process's CPU time (on a shared machine the CPU figures move less with the other load).
``identical`` compares every game step's spikes of the two runs. ``compile`` is the numba
engine's first game step (compiling, or loading numba's on-disk cache), wall and CPU seconds;
``--cold`` points the kernel cache and numba's cache at a fresh folder, so it measures a real
first compile.

``--series`` also times ``spikey series`` of the shipped ``florian-rate-xor`` over 8 repeats:
serial on the numpy engine against the multiprocessing backend with 2 workers on the numba
engine (interleaved, ``--series-rounds`` rounds, best kept), and checks that both give the same
results.

The last line is ``RESULT {json}`` with ``speedup`` (xor_rlstdp, numba over numpy, wall clock),
``identical`` (every workload) and the per-workload figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import time

import numpy as np
from bench_network import florian_spec, recurrent_spec  # the same workloads as bench_network.py

from spikey_core import Network, build_game, get_registry, make_loop


def sparse_spec(n: int) -> dict:
    spec = recurrent_spec(n)
    spec["weight"] = {"type": "sparse", "connection_probability": 0.1, "max_weight": 1.0}
    return spec


def izhikevich_spec() -> dict:
    return {
        "seed": 0,
        "network": {"n_inputs": 100, "n_neurons": 1000, "n_outputs": 1, "processing_time": 1000},
        "input": {"type": "rate_map", "state_rate_map": [0.01]},
        "neuron": {"type": "izhikevich", "preset": "regular_spiking", "neuron_pct_inhibitory": 0.2},
        "weight": {"type": "random", "connection_probability": 0.1, "max_weight": 10.0, "high": 0.5},
        "readout": {"type": "threshold"},
    }


def sparse_delays_spec(n: int) -> dict:
    spec = sparse_spec(n)
    spec["weight"]["delay"] = [1, 10]
    return spec


def measure_realtime(seconds: int) -> dict:
    """The distal-reward experiment's loop for ``seconds`` simulated seconds on numba (after a warm-up)."""
    experiment = get_registry().get("experiment", "izhikevich2007-distal-reward")()
    spec = experiment.load_spec()
    spec["network"]["engine"] = "numba"
    warm = copy.deepcopy(spec)
    warm["loop"]["duration"] = 1
    experiment.make_loop(warm)()  # compile or load the kernels
    spec["loop"]["duration"] = seconds
    loop = experiment.make_loop(spec)
    wall, cpu = time.perf_counter(), time.process_time()
    results = loop()[2]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    row = {
        "seconds": seconds,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "x_real_time": round(seconds / wall, 1),
        "x_real_time_cpu": round(seconds / cpu, 1),
        "n_rewards": results["n_rewards"],
        "rate_excitatory_hz": round(results["rate_excitatory_hz"], 2),
    }
    print(
        f"izhikevich2007-distal-reward, {seconds} simulated s on numba: {wall:.1f} s wall "
        f"({row['x_real_time']}x real time), {cpu:.1f} s CPU ({row['x_real_time_cpu']}x); "
        f"one simulated hour would take {3600 / row['x_real_time']:.0f} s",
        flush=True,
    )
    return row


def distal_reward_spec() -> dict:
    return get_registry().get("experiment", "izhikevich2007-distal-reward").load_spec()


class Run:
    """One network on one engine, stepped tick by tick; keeps a digest of every tick's spikes."""

    def __init__(self, spec: dict, engine: str):
        spec = copy.deepcopy(spec)
        spec["network"]["engine"] = engine
        self.game = build_game(spec["game"]) if "game" in spec else None
        if spec.get("loop", {}).get("type") == "distal_reward":  # the loop chooses the rewarded synapse
            self.network = make_loop(spec).build()
        else:
            self.network = Network.from_spec(spec, game=self.game)
        self.engine = self.network.engine_name
        self.reason = self.network.engine_reason
        self.network.reset()
        self.state = self.game.reset(seed=0)[0] if self.game is not None else 0
        self.digests: list[bytes] = []

    def ticks(self, count: int) -> tuple[float, float]:
        """Run ``count`` game steps; returns network steps per wall second and per CPU second."""
        network, game = self.network, self.game
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            action = network.tick(self.state)
            self.digests.append(np.packbits(network.spike_log).tobytes())
            if game is not None:
                next_state = game.step(action)[0]
                if network.reward_mode != "none":
                    network.reward(self.state, action, next_state)
                self.state = next_state
        steps = count * network.processing_time
        return steps / (time.perf_counter() - wall), steps / max(time.process_time() - cpu, 1e-9)


def measure(name: str, spec: dict, ticks: int, repeats: int) -> dict:
    reference, compiled = Run(spec, "numpy"), Run(spec, "auto")
    wall, cpu = time.perf_counter(), time.process_time()
    compiled.ticks(1)
    compile_wall, compile_cpu = time.perf_counter() - wall, time.process_time() - cpu
    reference.ticks(1)
    numpy_best, numba_best = [0.0, 0.0], [0.0, 0.0]
    for _ in range(repeats):
        for best, run in ((numpy_best, reference), (numba_best, compiled)):
            rates = run.ticks(ticks)
            best[:] = [max(best[0], rates[0]), max(best[1], rates[1])]
    identical = reference.digests == compiled.digests
    row = {
        "numpy_steps_s": round(numpy_best[0]),
        "compiled_steps_s": round(numba_best[0]),
        "numpy_cpu_steps_s": round(numpy_best[1]),
        "compiled_cpu_steps_s": round(numba_best[1]),
        "engine": compiled.engine,
        "ratio": round(numba_best[0] / numpy_best[0], 2),
        "cpu_ratio": round(numba_best[1] / numpy_best[1], 2),
        "identical": identical,
        "compile_s": round(compile_wall, 2),
        "compile_cpu_s": round(compile_cpu, 2),
        "steps_per_tick": compiled.network.processing_time,
        "dt_ms": float(compiled.network.config.dt),
    }
    if compiled.engine != "numba":
        row["reason"] = compiled.reason
    print(
        f"| {name:<15} | {numpy_best[0]:>9,.0f} | {numba_best[0]:>9,.0f} | {row['ratio']:>6.2f}x "
        f"| {numpy_best[1]:>9,.0f} | {numba_best[1]:>9,.0f} | {row['cpu_ratio']:>6.2f}x "
        f"| {compiled.engine:<6} | {str(identical):<9} | {compile_wall:>6.1f} / {compile_cpu:>5.1f} |",
        flush=True,
    )
    return row


def series_time(spec: dict, engine: str, backend: str, workers: int, repeats: int) -> tuple[float, list]:
    from spikey_meta.series import Series

    spec = copy.deepcopy(spec)
    spec["network"]["engine"] = engine
    started = time.perf_counter()
    outcome = Series(
        spec, None, n_repeats=repeats, seed=0, backend=backend, workers=workers, keep_objects=False
    ).run()
    elapsed = time.perf_counter() - started
    failed = [run for run in outcome if not run.ok]
    if failed:
        raise SystemExit(
            f"series on {engine}/{backend}: {failed[0].label} failed: {failed[0].error['message']}"
        )
    # the run's bookkeeping differs by design: its series id hashes the spec (engine included)
    bookkeeping = {"series_id", "total_time"}
    return elapsed, [
        (run.seed, {k: v for k, v in run.results.items() if k not in bookkeeping}) for run in outcome
    ]


def measure_series(rounds: int, repeats: int = 8, workers: int = 2) -> dict:
    """Serial numpy vs ``workers`` processes on numba, ``spikey series`` of florian-rate-xor."""
    spec = florian_spec("shipped")
    serial_best = parallel_best = float("inf")
    same = True
    for _ in range(rounds):
        serial, serial_results = series_time(spec, "numpy", "serial", 1, repeats)
        parallel, parallel_results = series_time(spec, "numba", "multiprocessing", workers, repeats)
        serial_best, parallel_best = min(serial_best, serial), min(parallel_best, parallel)
        same = same and serial_results == parallel_results
    row = {
        "repeats": repeats,
        "workers": workers,
        "serial_numpy_s": round(serial_best, 1),
        "parallel_numba_s": round(parallel_best, 1),
        "ratio": round(serial_best / parallel_best, 2),
        "same_results": same,
    }
    print(
        f"series florian-rate-xor x{repeats}: serial numpy {serial_best:.1f} s, {workers} workers numba "
        f"{parallel_best:.1f} s, {row['ratio']:.2f}x, same results: {same}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, few steps (CI, < 1 minute)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds per engine (best kept)")
    parser.add_argument("--cold", action="store_true", help="compile into fresh kernel and numba caches")
    parser.add_argument("--series", action="store_true", help="also time spikey series (8 XOR runs)")
    parser.add_argument("--series-rounds", type=int, default=1, help="interleaved rounds of the series")
    parser.add_argument("--only", nargs="*", default=None, help="run only these workloads")
    parser.add_argument(
        "--realtime", type=int, default=0, help="also run the distal-reward experiment this many simulated s"
    )
    args = parser.parse_args()
    if args.cold:
        if "numba" in sys.modules:
            raise SystemExit("--cold: numba was imported before its cache folder could be set")
        folder = tempfile.mkdtemp(prefix="spikey-kernels-")
        os.environ["SPIKEY_KERNEL_CACHE"] = folder
        os.environ["NUMBA_CACHE_DIR"] = os.path.join(folder, "numba")
    registry = get_registry()
    quick = args.quick
    workloads = [
        ("xor_rlstdp", lambda: florian_spec("rlstdp"), 4 if quick else 20),
        ("xor_shipped", lambda: florian_spec("shipped"), 4 if quick else 20),
        ("xor_mstdpet", lambda: florian_spec("mstdpet"), 2 if quick else 10),
        ("recurrent_110", lambda: recurrent_spec(100), 10 if quick else 50),
        ("recurrent_1100", lambda: recurrent_spec(1000), 2 if quick else 10),
    ]
    if "sparse" in registry.names("weight"):
        workloads.append(("sparse_1100", lambda: sparse_spec(1000), 2 if quick else 10))
        workloads.append(("sparse_delays_1100", lambda: sparse_delays_spec(1000), 2 if quick else 10))
    if not quick:
        workloads.append(("recurrent_4400", lambda: recurrent_spec(4000), 2))
        workloads.append(("izhikevich_1000", izhikevich_spec, 2))
    if "izhikevich2007-distal-reward" in registry.names("experiment"):
        workloads.append(("distal_reward", distal_reward_spec, 1 if quick else 3))
    if args.only:
        workloads = [w for w in workloads if w[0] in args.only]
    print(
        "| workload        | numpy /s  | numba /s  |  ratio | numpy cpu | numba cpu | cpu ratio "
        "| engine | identical | compile s (wall / cpu) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---:|")
    results = {name: measure(name, spec(), ticks, args.repeats) for name, spec, ticks in workloads}
    for row in results.values():
        if row["steps_per_tick"] * row["dt_ms"] >= 1000.0:  # simulated time per wall second
            row["numba_x_real_time"] = round(row["compiled_steps_s"] * row["dt_ms"] / 1000.0, 2)
            row["numpy_x_real_time"] = round(row["numpy_steps_s"] * row["dt_ms"] / 1000.0, 2)
    summary = {
        "speedup": results["xor_rlstdp"]["ratio"] if "xor_rlstdp" in results else None,
        "identical": all(row["identical"] for row in results.values()),
        "workloads": results,
    }
    if args.series:
        summary["series"] = measure_series(args.series_rounds)
    if args.realtime:
        summary["realtime"] = measure_realtime(args.realtime)
    print("RESULT " + json.dumps(summary))


if __name__ == "__main__":
    main()
