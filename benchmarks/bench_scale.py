"""Large networks: the Izhikevich (2007) network in simulated seconds per wall second, beside Brian2,
and steps per second of sparse and dense recurrent networks.

Usage::

    python benchmarks/bench_scale.py [--seconds 10] [--steps 200] [--quick] [--brian2-python PATH]
                                     [--clock wall|cpu] [--engine numpy|numba]

Workloads (learning on; the numpy engine unless ``--engine numba``):

1. ``izhikevich2007-distal-reward``: 1,000 Izhikevich neurons, 100,000 sparse synapses, da_stdp,
   the distal reward; simulated seconds per wall second (target: >= 5); then the same network
   with 1-20 ms excitatory delays (``izhikevich2007-distal-reward-delays``, no peer run);
2. recurrent threshold networks at about 5 % activity learning with ``stdp``: sparse 10 %
   connectivity at N = 4,000 (``sparse`` weight, target >= 150 steps/s) and dense ``random``
   weights at N = 1,000 and 4,000.

Brian2 runs the same Izhikevich network (same sizes, 100 synapses per neuron, 1 ms delays, the
thalamic noise, DA-modulated STDP with the eligibility trace and dopamine written the way the
Brian2 documentation's examples do, as clock-driven synaptic variables), with the cython code
generation target, in the same run. Brian2 needs ``numpy<2.4``, so it lives in its own venv::

    python3 -m venv /path/to/brian2-venv
    /path/to/brian2-venv/bin/pip install brian2 "numpy<2.4" cython setuptools
    python benchmarks/bench_scale.py --brian2-python /path/to/brian2-venv/bin/python

Brian2 is timed after a first short run, so code generation and compilation are excluded; its run
delivers no rewards (dopamine stays at its baseline), which only spares it work. Prints a markdown
table; timings are the best of ``--repeats``, Spikey and Brian2 alternating; the last line is
``RESULT {json}``. ``--clock cpu`` times both simulators by the CPU time of their own process
(``time.process_time``) instead of the wall clock: on a machine shared with other jobs the wall
clock mostly measures the waiting.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from spikey_core import Network, get_registry

BRIAN2_SCRIPT = r"""
import json, sys, time
import numpy as np
from brian2 import (NeuronGroup, Synapses, Network, ms, second, prefs, defaultclock, set_device,
                    start_scope, run)
prefs.codegen.target = "cython"
seconds = float(sys.argv[1])
clock = time.process_time if sys.argv[2] == "cpu" else time.perf_counter
start_scope()
defaultclock.dt = 1 * ms
Ne, Ni, M = 800, 200, 100
rng = np.random.default_rng(0)
neurons = NeuronGroup(
    Ne + Ni,
    '''a : 1
    d : 1
    v : 1
    u : 1
    I : 1''',
    threshold="v >= 30",
    reset="v = -65; u = u + d",
    method="euler",
)
neurons.a = np.r_[np.full(Ne, 0.02), np.full(Ni, 0.1)]
neurons.d = np.r_[np.full(Ne, 8.0), np.full(Ni, 2.0)]
neurons.v = -65
neurons.u = -13
# daspnet.m's step: thalamic noise, two 0.5 ms Euler steps of v, one 1 ms step of u
neurons.run_regularly(
    '''I_total = I + 13 * (rand() - 0.5)
    v = v + 0.5 * ((0.04 * v + 5) * v + 140 - u + I_total)
    v = v + 0.5 * ((0.04 * v + 5) * v + 140 - u + I_total)
    u = u + a * (0.2 * v - u)
    I = 0''',
    when="groups",
)
syn = Synapses(
    neurons,
    neurons,
    '''w : 1
    plastic : 1
    dc/dt = -c / (1000 * ms) : 1 (clock-driven)
    ddopa/dt = -dopa / (200 * ms) : 1 (clock-driven)
    dw_dt = 0.1 * c * (dopa + 0.002) * plastic : 1
    dapre/dt = -apre / (20 * ms) : 1 (event-driven)
    dapost/dt = -apost / (20 * ms) : 1 (event-driven)''',
    on_pre='''I_post += w * (2 * plastic - 1)
    apre = 1
    c = c - 0.15 * apost * plastic''',
    on_post='''apost = 1
    c = c + 0.1 * apre * plastic''',
    delay=1 * ms,
)
pre = np.repeat(np.arange(Ne + Ni), M)
post = np.r_[rng.integers(0, Ne + Ni, Ne * M), rng.integers(0, Ne, Ni * M)]
syn.connect(i=pre, j=post)
syn.plastic = (pre < Ne).astype(float)
syn.w = 1.0
syn.run_regularly("w = clip(w + dw_dt * 1, 0, 4)", dt=1 * ms)
net = Network(neurons, syn)
net.run(0.2 * second)  # code generation and compilation
start = clock()
net.run(seconds * second)
wall = clock() - start
print(json.dumps({"seconds": seconds, "wall": wall}))
"""


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def izhikevich_seconds_per_wall(
    seconds: int,
    clock: Any = time.perf_counter,
    engine: str = "numpy",
    name: str = "izhikevich2007-distal-reward",
) -> float:
    experiment = get_registry().get("experiment", name)()
    spec = experiment.load_spec()
    spec["loop"]["duration"] = seconds
    spec["network"]["engine"] = engine
    loop = experiment.make_loop(spec)
    network = loop.build()
    network.reset()
    network.tick(0)  # warm-up second
    start = clock()
    for _ in range(seconds):
        network.tick(0)
    return seconds / (clock() - start)


def recurrent_spec(n: int, weight: dict) -> dict:
    return {
        "seed": 0,
        "network": {"n_inputs": n // 10, "n_neurons": n, "n_outputs": 1, "processing_time": 50},
        "input": {"type": "rate_map", "state_rate_map": [0.05]},
        "neuron": {
            "type": "neuron",
            "firing_threshold": 1e9,
            "potential_decay": 0.05,
            "prob_rand_fire": 0.05,
        },
        "weight": weight,
        "synapse": {"type": "stdp", "learning_rate": 0.001},
        "readout": {"type": "threshold"},
    }


def steps_per_second(spec: dict, steps: int, clock: Any = time.perf_counter, engine: str = "numpy") -> float:
    spec = {**spec, "network": {**spec["network"], "engine": engine}}
    network = Network.from_spec(spec)
    network.reset()
    network.tick(0)
    ticks = max(1, steps // network.processing_time)
    start = clock()
    for _ in range(ticks):
        network.tick(0)
    return ticks * network.processing_time / (clock() - start)


def brian2_seconds_per_wall(python: str, seconds: float, clock_name: str = "wall") -> float:
    done = subprocess.run(
        [python, "-c", BRIAN2_SCRIPT, str(seconds), clock_name],
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"] / result["wall"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="simulated seconds of the Izhikevich network")
    parser.add_argument("--steps", type=int, default=200, help="network steps per recurrent workload")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 s and 100 steps (a smoke run)")
    parser.add_argument("--brian2-python", default=None, help="python of a venv with brian2 (see above)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall", help="wall clock or CPU time")
    parser.add_argument("--engine", choices=("numpy", "numba"), default="numpy", help="Spikey's engine")
    args = parser.parse_args()
    clock = CLOCKS[args.clock]
    seconds, steps = (2, 100) if args.quick else (args.seconds, args.steps)
    rows = []
    spikey_runs, brian_runs = [], []
    for _ in range(args.repeats):  # alternate, so that a change of machine load hits both
        spikey_runs.append(izhikevich_seconds_per_wall(seconds, clock, args.engine))
        if args.brian2_python:
            brian_runs.append(brian2_seconds_per_wall(args.brian2_python, seconds, args.clock))
    spikey = max(spikey_runs)
    peer = "not run (no --brian2-python)"
    ratio = ""
    if brian_runs:
        brian = max(brian_runs)
        peer, ratio = f"{brian:.2f} simulated s / s", f"{spikey / brian:.2f}"
    label = "Izhikevich 2007 network (1,000 neurons, 100,000 synapses, da_stdp)"
    rows.append((label, f"{spikey:.2f} simulated s / s", peer, ratio))
    delayed = max(
        izhikevich_seconds_per_wall(seconds, clock, args.engine, "izhikevich2007-distal-reward-delays")
        for _ in range(args.repeats)
    )
    label = "the same with 1-20 ms excitatory delays (da_stdp by arrival)"
    rows.append((label, f"{delayed:.2f} simulated s / s", "", ""))
    sparse = {"type": "sparse", "connection_probability": 0.1, "max_weight": 1.0}
    dense = {"type": "random", "connection_probability": 0.1, "max_weight": 1.0}
    for label, n, weight in (("sparse 10 %", 4000, sparse), ("dense", 1000, dense), ("dense", 4000, dense)):
        rate = max(
            steps_per_second(recurrent_spec(n, weight), steps, clock, args.engine)
            for _ in range(args.repeats)
        )
        rows.append((f"recurrent stdp, {label}, N = {n:,}", f"{rate:,.0f} steps/s", "", ""))
    print(f"| workload | Spikey ({args.engine} engine) | Brian2 (cython) | Spikey / Brian2 |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"clock: {args.clock}; python {sys.version.split()[0]}")
    summary = {"izhikevich_realtime": spikey, "clock": args.clock, "engine": args.engine, "rows": rows}
    print("RESULT " + json.dumps(summary))


if __name__ == "__main__":
    main()
