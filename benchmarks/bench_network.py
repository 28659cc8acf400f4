"""Network steps per second: Spikey beside a plain-numpy floor measured in the same run.

Usage::

    python benchmarks/bench_network.py [--repeats 3] [--quick] [--engine numpy]

Two workloads, each timed through Spikey's ``Network`` and through a hand-written numpy loop that
does the same arithmetic with no framework around it (the "floor"):

1. Florian's (2007) rate-coded XOR network (60 inputs, 60 hidden, 1 output, processing_time 500,
   a reward every network step) learning with ``rlstdp`` and with ``mstdpet``;
2. random recurrent networks of 100, 1,000 and 4,000 neurons (10 % connectivity, inputs = 10 %
   of the neurons) at about 5 % activity per step, learning with unsupervised ``stdp``.

Prints a markdown table: steps per second of both, and Spikey's time relative to the floor
(1.00 = no overhead). The best of ``--repeats`` timings is kept for each.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import numpy as np

from spikey_core import Network, build_game, get_registry

# -- Spikey -----------------------------------------------------------------------------------------
#: The learning rules the XOR workload runs with (``"shipped"``: the experiment file's own, mstdp).
FLORIAN_RULES = {
    "rlstdp": {"type": "rlstdp", "stdp_window": 20, "learning_rate": 0.025, "trace_decay": 0.04},
    "mstdpet": {"type": "mstdpet", "learning_rate": 0.025, "tau_z": 25.0},
}


def florian_spec(synapse: str) -> dict:
    """``florian-rate-xor`` (noisy LIF, target-rate reward every step) learning with ``synapse``."""
    spec = get_registry().get("experiment", "florian-rate-xor").load_spec()
    # the workload keeps Florian's 60-60-1 size (121 units), whatever the shipped file's layers
    spec["network"].update(n_neurons=61, n_outputs=1)
    spec["weight"]["layers"] = [60, 60, 1]
    spec["neuron"]["polarities"] = [1.0] * 30 + [-1.0] * 30 + [1.0]
    spec["loop"]["len_episode"] = 300
    if synapse != "shipped":
        spec["synapse"] = dict(FLORIAN_RULES[synapse])
    return spec


def recurrent_spec(n: int) -> dict:
    n_inputs = n // 10
    return {
        "seed": 0,
        "network": {"n_inputs": n_inputs, "n_neurons": n, "n_outputs": 1, "processing_time": 100},
        "input": {"type": "rate_map", "state_rate_map": [0.05]},
        # activity comes from spontaneous firing (5 % per step); the threshold keeps it there
        "neuron": {
            "type": "neuron",
            "firing_threshold": 1e9,
            "potential_decay": 0.05,
            "prob_rand_fire": 0.05,
        },
        "weight": {"type": "random", "connection_probability": 0.1, "max_weight": 1.0},
        "synapse": {"type": "stdp", "learning_rate": 0.001},
        "readout": {"type": "threshold"},
    }


def spikey_steps_per_second(spec: dict, ticks: int, engine: str = "numpy") -> float:
    spec["network"]["engine"] = engine
    game = build_game(spec["game"]) if "game" in spec else None
    network = Network.from_spec(spec, game=game)
    network.reset()
    state = game.reset(seed=0)[0] if game is not None else 0
    start = time.perf_counter()
    for _ in range(ticks):
        action = network.tick(state)
        if game is not None:
            next_state = game.step(action)[0]
            network.reward(state, action, next_state)
            state = next_state
    return ticks * network.processing_time / (time.perf_counter() - start)


# -- floors -------------------------------------------------------------------------------------------
def florian_floor(synapse: str, ticks: int) -> float:
    """The Florian XOR network's arithmetic as one flat numpy loop."""
    rng = np.random.default_rng(0)
    n_in, n, steps, window = 60, 61, 500, 20
    units = n_in + n
    weights = np.zeros((units, n))
    weights[:60, :60] = rng.uniform(0, 1, (60, 60))
    weights[60:120, 60] = rng.uniform(0, 1, 60)
    mask = weights > 0
    emit = np.concatenate([np.where(rng.random(n_in) < 0.5, -1.0, 1.0), np.ones(n)])
    potentials = np.zeros(n)
    current = np.zeros(n)
    spikes = np.zeros(units, dtype=bool)
    draws = np.zeros(n)
    rates = np.zeros(n_in)
    lags = window - 2
    ramp, count, ring, scaled = (
        np.zeros(units),
        np.zeros(units),
        np.zeros((lags, units), dtype=bool),
        np.zeros(units),
    )
    pre_trace, post_trace = np.zeros(units), np.zeros(n)
    eligibility, change = np.zeros((units, n)), np.zeros((units, n))
    trace, position = 0.0, 0
    start = time.perf_counter()
    for _ in range(ticks):
        state = rng.integers(0, 2, 2)
        rates[0::2], rates[1::2] = 0.08 * state[0], 0.08 * state[1]
        expected = state[0] != state[1]
        for _ in range(steps):
            np.less(rng.random(n_in), rates, out=spikes[:n_in])
            rng.random(out=draws)
            np.greater_equal(potentials, 16.0, out=spikes[n_in:])
            spikes[n_in:] |= draws < 0.15
            active = np.flatnonzero(spikes)
            np.dot(emit[active], weights[active], out=current)
            potentials *= 0.95
            potentials[spikes[n_in:]] = 0.0
            potentials += current
            reward = (1.0 if expected else -1.0) if spikes[-1] else 0.0
            if synapse == "rlstdp":
                trace *= 0.96
                trace += reward
                post = active[np.searchsorted(active, n_in) :] - n_in
                credit = 0.025 * trace / lags * ramp
                if trace:
                    columns = weights[:, post] + credit[:, None]
                    np.clip(columns, 0, 5, out=columns)
                    weights[:, post] = columns * mask[:, post]
                    rows = weights[active] - credit[n_in:]
                    np.clip(rows, 0, 5, out=rows)
                    weights[active] = rows * mask[active]
                ramp -= count
                np.multiply(spikes, lags, out=scaled)
                ramp += scaled
                count += spikes
                count -= ring[position]
                ring[position] = spikes
                position = (position + 1) % lags
            else:
                pre_trace *= math.exp(-1 / 20)
                post_trace *= math.exp(-1 / 20)
                pre_trace[active] += 1.0
                post = active[np.searchsorted(active, n_in) :] - n_in
                post_trace[post] -= 1.0
                eligibility *= 1 - 1 / 25
                eligibility[:, post] += pre_trace[:, None] / 25
                eligibility[active] += post_trace / 25
                if reward:
                    np.multiply(eligibility, 0.025 * reward, out=change)
                    weights += change
                    np.clip(weights, 0, 5, out=weights)
                    weights *= mask
    return ticks * steps / (time.perf_counter() - start)


def recurrent_floor(n: int, ticks: int) -> float:
    """A random recurrent network with STDP at ~5 % activity as one flat numpy loop."""
    rng = np.random.default_rng(0)
    n_in, steps = n // 10, 100
    units = n_in + n
    mask = rng.random((units, n)) < 0.1
    weights = rng.uniform(0, 1, (units, n)) * mask
    emit = np.ones(units)
    potentials, current, draws = np.zeros(n), np.zeros(n), np.zeros(n)
    spikes = np.zeros(units, dtype=bool)
    pre_trace, post_trace = np.zeros(units), np.zeros(n)
    decay = math.exp(-1 / 20)
    start = time.perf_counter()
    for _ in range(ticks):
        for _ in range(steps):
            np.less(rng.random(n_in), 0.05, out=spikes[:n_in])
            rng.random(out=draws)
            np.less(draws, 0.05, out=spikes[n_in:])
            active = np.flatnonzero(spikes)
            np.dot(emit[active], weights[active], out=current)
            potentials *= 0.95
            potentials += current
            pre_trace *= decay
            post_trace *= decay
            pre_trace[active] += 1.0
            post = active[np.searchsorted(active, n_in) :] - n_in
            post_trace[post] -= 1.0
            columns = weights[:, post] + 0.001 * pre_trace[:, None]
            np.clip(columns, 0, 1, out=columns)
            weights[:, post] = columns * mask[:, post]
            rows = weights[active] + 0.001 * post_trace
            np.clip(rows, 0, 1, out=rows)
            weights[active] = rows * mask[active]
    return ticks * steps / (time.perf_counter() - start)


def best(function: Callable[[], float], repeats: int) -> float:
    return max(function() for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer ticks (a smoke run)")
    parser.add_argument(
        "--engine", default="numpy", help="Spikey's engine (default numpy, the reference; see bench_engine)"
    )
    args = parser.parse_args()
    scale = 0.2 if args.quick else 1.0
    rows = []
    for synapse in ("rlstdp", "mstdpet"):
        ticks = max(1, int(40 * scale))
        run = lambda s=synapse, t=ticks: spikey_steps_per_second(florian_spec(s), t, args.engine)  # noqa: E731
        spikey = best(run, args.repeats)
        floor = best(lambda s=synapse, t=ticks: florian_floor(s, t), args.repeats)
        rows.append((f"Florian XOR, {synapse}", 121, spikey, floor))
    for n, ticks in ((100, 100), (1000, 30), (4000, 5)):
        ticks = max(1, int(ticks * scale))
        run = lambda n=n, t=ticks: spikey_steps_per_second(recurrent_spec(n), t, args.engine)  # noqa: E731
        spikey = best(run, args.repeats)
        floor = best(lambda n=n, t=ticks: recurrent_floor(n, t), args.repeats)
        rows.append(("recurrent, stdp, 5 % activity", n + n // 10, spikey, floor))
    header = f"Spikey ({args.engine}) steps/s | numpy floor steps/s | Spikey time / floor time"
    print(f"| workload | units | {header} |")
    print("|---|---:|---:|---:|---:|")
    for name, units, spikey, floor in rows:
        print(f"| {name} | {units:,} | {spikey:,.0f} | {floor:,.0f} | {floor / spikey:.2f} |")


if __name__ == "__main__":
    main()
