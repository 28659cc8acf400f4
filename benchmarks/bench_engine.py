"""numpy engine vs numba engine on the same networks, interleaved in one run.

Usage::

    python benchmarks/bench_engine.py [--quick] [--repeats 3] [--cold]

Workloads (each built twice from the same seed, once per engine):

* ``xor_rlstdp``, ``xor_mstdpet``: Florian's (2007) rate-coded XOR network (60 inputs, 60 hidden,
  1 output, 500 steps per pattern, a reward every step), learning with ``rlstdp`` / ``mstdpet``;
* ``recurrent_110`` / ``_1100`` / ``_4400``: random recurrent networks of 100 / 1,000 / 4,000
  neurons plus 10 % inputs, 10 % connectivity, about 5 % activity per step, unsupervised ``stdp``;
* ``sparse_1100``: the same 1,000-neuron network on the ``sparse`` weight (when installed);
* ``izhikevich_1000``: 800 regular-spiking + 200 fast-spiking Izhikevich neurons, dense random
  weights, no learning (reported as simulated seconds per wall second, 1 ms steps).

For each workload the engines take turns (numpy, numba, numpy, ...) for ``--repeats`` rounds of
the same number of game steps; the best round of each is kept. ``identical`` compares every game
step's spikes of the two runs. ``compile_s`` is the numba engine's first game step (compiling, or
loading numba's on-disk cache); ``--cold`` points the kernel cache at a fresh folder so it
measures a real first compile.

The last line is ``RESULT {json}`` with ``speedup`` (xor_rlstdp, numba over numpy),
``identical`` (every workload) and the per-workload figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import tempfile
import time

import numpy as np
from bench_network import florian_spec, recurrent_spec  # the same workloads as bench_network.py

from spikey_core import Network, build_game, get_registry


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


class Run:
    """One network on one engine, stepped tick by tick; keeps a digest of every tick's spikes."""

    def __init__(self, spec: dict, engine: str):
        spec = copy.deepcopy(spec)
        spec["network"]["engine"] = engine
        self.game = build_game(spec["game"]) if "game" in spec else None
        self.network = Network.from_spec(spec, game=self.game)
        self.engine = self.network.engine_name
        self.reason = self.network.engine_reason
        self.network.reset()
        self.state = self.game.reset(seed=0)[0] if self.game is not None else 0
        self.digests: list[bytes] = []

    def ticks(self, count: int) -> float:
        """Run ``count`` game steps; returns network steps per second."""
        network, game = self.network, self.game
        start = time.perf_counter()
        for _ in range(count):
            action = network.tick(self.state)
            self.digests.append(np.packbits(network.spike_log).tobytes())
            if game is not None:
                next_state = game.step(action)[0]
                if network.reward_mode != "none":
                    network.reward(self.state, action, next_state)
                self.state = next_state
        return count * network.processing_time / (time.perf_counter() - start)


def measure(name: str, spec: dict, ticks: int, repeats: int) -> dict:
    reference, compiled = Run(spec, "numpy"), Run(spec, "auto")
    start = time.perf_counter()
    compiled.ticks(1)
    compile_s = time.perf_counter() - start
    reference.ticks(1)
    numpy_best = numba_best = 0.0
    for _ in range(repeats):
        numpy_best = max(numpy_best, reference.ticks(ticks))
        numba_best = max(numba_best, compiled.ticks(ticks))
    identical = reference.digests == compiled.digests
    row = {
        "numpy_steps_s": round(numpy_best),
        "compiled_steps_s": round(numba_best),
        "engine": compiled.engine,
        "ratio": round(numba_best / numpy_best, 2),
        "identical": identical,
        "compile_s": round(compile_s, 2),
    }
    if compiled.engine != "numba":
        row["reason"] = compiled.reason
    print(
        f"| {name:<16} | {numpy_best:>10,.0f} | {numba_best:>10,.0f} ({compiled.engine}) | "
        f"{row['ratio']:>6.2f}x | {str(identical):<9} | {compile_s:>7.2f} |",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, few steps (CI, < 1 minute)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds per engine (best kept)")
    parser.add_argument("--cold", action="store_true", help="compile into a fresh kernel cache")
    args = parser.parse_args()
    if args.cold:
        os.environ["SPIKEY_KERNEL_CACHE"] = tempfile.mkdtemp(prefix="spikey-kernels-")
    registry = get_registry()
    workloads = [
        ("xor_rlstdp", florian_spec("rlstdp"), 4 if args.quick else 20),
        ("xor_mstdpet", florian_spec("mstdpet"), 2 if args.quick else 10),
        ("recurrent_110", recurrent_spec(100), 10 if args.quick else 50),
        ("recurrent_1100", recurrent_spec(1000), 2 if args.quick else 10),
    ]
    if not args.quick:
        workloads.append(("recurrent_4400", recurrent_spec(4000), 2))
        if "sparse" in registry.names("weight"):
            workloads.append(("sparse_1100", sparse_spec(1000), 10))
        workloads.append(("izhikevich_1000", izhikevich_spec(), 2))
    print("| workload         | numpy st/s | compiled st/s (engine) |  ratio | identical | compile |")
    print("|------------------|-----------:|-----------------------:|-------:|-----------|--------:|")
    results = {name: measure(name, spec, ticks, args.repeats) for name, spec, ticks in workloads}
    if "izhikevich_1000" in results:
        izh = results["izhikevich_1000"]
        izh["numba_x_real_time"] = round(izh["compiled_steps_s"] / 1000.0, 2)
        izh["numpy_x_real_time"] = round(izh["numpy_steps_s"] / 1000.0, 2)
    summary = {
        "speedup": results["xor_rlstdp"]["ratio"],
        "identical": all(row["identical"] for row in results.values()),
        "workloads": results,
    }
    print("RESULT " + json.dumps(summary))


if __name__ == "__main__":
    main()
