"""Izhikevich (2007) Fig. 2 (``izhikevich2007-conditioning``) over seeds: the response to S1.

Usage::

    nice -n 10 python benchmarks/bench_conditioning.py --seed 0 [--duration 3600] [--out DIR]

Runs one seed of the experiment (3,600 simulated seconds by default) and writes
``DIR/izhikevich2007-conditioning-seed<S>.json`` (the results, the wall time, the simulated
seconds per wall second) and the experiment's plots beside it. Run the seeds in parallel processes.
"""

from __future__ import annotations

import json
import time

from bench_distal_reward import run_arguments, run_document

from spikey_core import get_registry

NAME = "izhikevich2007-conditioning"


def main() -> None:
    args = run_arguments(__doc__.splitlines()[0])
    experiment = get_registry().get("experiment", NAME)()
    spec = experiment.load_spec()
    spec["seed"], spec["loop"]["duration"] = args.seed, args.duration
    spec["loop"]["phase"] = min(spec["loop"]["phase"], max(1, args.duration // 2))
    loop = experiment.make_loop(spec)
    start = time.perf_counter()
    network, _, results, info = loop()
    wall = time.perf_counter() - start
    stem = f"{NAME}-seed{args.seed}"
    experiment.write_outputs(args.out, stem, network, None, results, info)
    document = run_document(args, wall, results)
    (args.out / f"{stem}.json").write_text(json.dumps(document, indent=1))
    print(json.dumps(document["results"]))


if __name__ == "__main__":
    main()
