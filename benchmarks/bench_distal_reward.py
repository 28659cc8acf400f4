"""Izhikevich (2007) Fig. 1 (``izhikevich2007-distal-reward``) over seeds: the chosen synapse's fate.

Usage::

    nice -n 10 python benchmarks/bench_distal_reward.py --seed 0 [--duration 3600] [--out DIR]
        [--experiment izhikevich2007-distal-reward-delays]

Runs one seed of the experiment (3,600 simulated seconds by default; ``--experiment`` picks the
1 ms network, the default, or its variant with 1-20 ms delays) and writes ``DIR/<name>-seed<S>.json``
with the results, the wall time and simulated seconds per wall second, the trained network
(``DIR/<name>-seed<S>-network``, read back with ``Network.load``), plus
``DIR/<name>-seed<S>.partial.json`` every 60 simulated seconds (the chosen weight so far), so a
long run can be followed. Run the seeds in parallel processes; the target
(paper): ``target_weight >= 0.9`` and ``target_percentile >= 99.9`` on every seed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from spikey_core import get_registry


def run_arguments(description: str, choose_experiment: bool = False) -> argparse.Namespace:
    """``--seed``, ``--duration`` (simulated seconds) and ``--out`` (created) of one distal-reward run,
    and ``--experiment`` with ``choose_experiment``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duration", type=int, default=3600, help="simulated seconds")
    parser.add_argument("--out", type=Path, default=Path("distal-reward-runs"))
    if choose_experiment:
        parser.add_argument(
            "--experiment",
            choices=("izhikevich2007-distal-reward", "izhikevich2007-distal-reward-delays"),
            default="izhikevich2007-distal-reward",
        )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def run_document(args: argparse.Namespace, wall: float, results: dict) -> dict:
    """What a run's JSON file holds: seed, simulated and wall seconds, their ratio, the scalar results."""
    return {
        "seed": args.seed,
        "duration_s": args.duration,
        "wall_s": wall,
        "simulated_per_wall": args.duration / wall,
        "results": {k: v for k, v in results.items() if isinstance(v, (int, float, str))},
    }


def main() -> None:
    args = run_arguments(__doc__.splitlines()[0], choose_experiment=True)
    experiment = get_registry().get("experiment", args.experiment)()
    spec = experiment.load_spec()
    spec["seed"], spec["loop"]["duration"] = args.seed, args.duration
    loop = experiment.make_loop(spec)
    stem = f"{args.experiment}-seed{args.seed}"
    start = time.perf_counter()

    def partial(second: int, network: object, trajectory: list[float]) -> None:
        if second % 60 == 0:
            wall = time.perf_counter() - start
            document = {"seed": args.seed, "second": second, "wall_s": wall, "target_trajectory": trajectory}
            (args.out / f"{stem}.partial.json").write_text(json.dumps(document))

    loop.on_second = partial
    network, _, results, info = loop()
    wall = time.perf_counter() - start
    experiment.write_outputs(args.out, stem, network, None, results, info)
    network.save(args.out / f"{stem}-network")
    document = run_document(args, wall, results)
    document["target_trajectory"] = info["target_trajectory"]
    (args.out / f"{stem}.json").write_text(json.dumps(document, indent=1))
    print(json.dumps(document["results"]))


if __name__ == "__main__":
    main()
