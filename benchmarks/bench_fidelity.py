"""Fidelity of the reference experiments: each run over several seeds, against the original's numbers.

Usage::

    python benchmarks/bench_fidelity.py [--seeds 5] [--workers 2] [--only NAME ...]

Prints a markdown table: per experiment the median (and range) of its headline metric over the
seeds, how many seeds won, and the figure the original Spikey 0.5 notebooks reported.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from spikey_core import get_registry

#: experiment -> (headline metric, what the original reported, pass criterion text)
TARGETS = {
    "florian-rate-xor": ("accuracy", "win, accuracy 0.88 (0.90 in the Ray rerun)", "median >= 0.85"),
    "florian-rate-xor-control": ("accuracy", "no win, accuracy 0.56 (0.36)", "near chance"),
    "florian-temporal-xor": ("accuracy", "win, accuracy 0.78 (0.68)", "median >= 0.70"),
    "florian-temporal-xor-control": ("accuracy", "no win, accuracy 0.50 (0.42)", "near chance"),
    "izhikevich-conditioning": ("ratio", "rewarded 0.19-0.26 vs 0.02-0.04 (ratio ~8)", "median >= 5"),
    "izhikevich-conditioning-control": ("ratio", "0.02-0.03 everywhere (ratio ~1)", "near 1"),
}


def run_one(name: str, seed: int) -> dict:
    experiment = get_registry().get("experiment", name)()
    loop = experiment.make_loop(seed=seed)
    start = time.perf_counter()
    network, game, results, info = loop()
    metrics = experiment.metrics(network, game, results, info)
    metrics["seconds"] = time.perf_counter() - start
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    jobs = [(name, seed) for name in args.only for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        outcomes = list(pool.map(run_one, *zip(*jobs, strict=False)))
    by_name: dict[str, list[dict]] = {}
    for (name, _), metrics in zip(jobs, outcomes, strict=False):
        by_name.setdefault(name, []).append(metrics)
    print(f"| experiment | metric | median over {args.seeds} seeds | range | wins | target | original 0.5 |")
    print("|---|---|---|---|---|---|---|")
    for name, runs in by_name.items():
        metric, original, target = TARGETS[name]
        values = [run[metric] for run in runs]
        wins = sum(bool(run.get("win", run.get("ratio", 0) >= 5)) for run in runs)
        print(
            f"| {name} | {metric} | {statistics.median(values):.2f} | {min(values):.2f}-{max(values):.2f} "
            f"| {wins}/{len(runs)} | {target} | {original} |"
        )
    print()
    for name, runs in by_name.items():
        rates = {k: statistics.median(run[k] for run in runs) for k in runs[0] if k.startswith("rate_")}
        shown = ", ".join(f"{k[5:]} {v:.2f}" for k, v in rates.items())
        seconds = statistics.median(run["seconds"] for run in runs)
        print(f"- {name}: median output rates {shown}; {seconds:.1f} s per run")


if __name__ == "__main__":
    main()
