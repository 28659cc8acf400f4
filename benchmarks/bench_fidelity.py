"""Fidelity of the reference experiments: frozen scores over seeds chosen before tuning.

Usage::

    python benchmarks/bench_fidelity.py [--workers 2] [--only NAME ...] [--seeds 11 12 ...]
    python benchmarks/bench_fidelity.py --only florian-rate-xor --seeds 51 52 53 54 55

Every experiment is trained, then frozen (``network.eval()``) and scored on fresh patterns drawn
from the evaluation generators (``eval_accuracy`` / ``eval_auc`` for the XORs, ``eval_ratio``
for conditioning), with thresholds chosen from training data only. The evaluation seeds
``EVAL_SEEDS`` were fixed before any configuration was tuned; the tuning used other seeds
(``TUNING_SEEDS``), so these numbers are not fitted to them. Prints a markdown table of the
frozen metric (median, range, per seed) beside the training-time score, the target and whether
it holds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from spikey_core import get_registry

#: Declared before tuning; never used to choose a configuration.
EVAL_SEEDS = (11, 12, 13, 14, 15)
#: The seeds the XOR configurations were tuned on.
TUNING_SEEDS = tuple(range(101, 113))
#: A second evaluation set, declared before the fifth rate-XOR search (which ran on seeds 1-10 and
#: 16-40) and never used to choose a configuration: the first set had by then scored the
#: previous rate-XOR configuration once.
SECOND_EVAL_SEEDS = (51, 52, 53, 54, 55)


def at_least(median: float, each: float) -> Callable[[list[float]], bool]:
    return lambda values: statistics.median(values) >= median and min(values) >= each


def near(level: float, tolerance: float) -> Callable[[list[float]], bool]:
    return lambda values: abs(statistics.median(values) - level) <= tolerance


#: experiment -> (frozen metric, training metric, target text, target check)
TARGETS: dict[str, tuple[str, str, str, Callable[[list[float]], bool] | None]] = {
    "florian-rate-xor": (
        "eval_accuracy",
        "train_accuracy",
        "median >= 0.95, every seed >= 0.80",
        at_least(0.95, 0.80),
    ),
    # The rate code's chance level is 0.75, not 0.5: a false bit is a silent input group, so FF
    # never makes any network fire, and "true whenever an input fires" is right on FF, FT and TF.
    "florian-rate-xor-control": (
        "eval_accuracy",
        "train_accuracy",
        "the code's chance level (0.75 +- 0.1: FF has no input)",
        near(0.75, 0.1),
    ),
    "florian-temporal-xor": (
        "eval_accuracy",
        "train_accuracy",
        "median >= 0.90, every seed >= 0.80",
        at_least(0.90, 0.80),
    ),
    "florian-temporal-xor-control": (
        "eval_accuracy",
        "train_accuracy",
        "chance (0.5 +- 0.15)",
        near(0.5, 0.15),
    ),
    "spikey05-rate-xor": ("eval_accuracy", "train_accuracy", "none (0.5's configuration, reported)", None),
    "spikey05-temporal-xor": (
        "eval_accuracy",
        "train_accuracy",
        "none (0.5's configuration, reported)",
        None,
    ),
    "spikey05-conditioning": ("eval_ratio", "ratio", "median >= 5", at_least(5.0, 0.0)),
    "spikey05-conditioning-control": ("eval_ratio", "ratio", "near 1 (+- 0.4)", near(1.0, 0.4)),
}


def run_one(name: str, seed: int) -> dict:
    experiment = get_registry().get("experiment", name)()
    loop = experiment.make_loop(seed=seed)
    start = time.perf_counter()
    _, _, results, _ = loop()
    scalars = {k: v for k, v in results.items() if isinstance(v, (int, float, bool))}
    scalars["seconds"] = time.perf_counter() - start
    return scalars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=list(EVAL_SEEDS))
    parser.add_argument("--workers", type=int, default=2)
    registered = set(get_registry().names("experiment"))
    parser.add_argument("--only", nargs="*", default=[name for name in TARGETS if name in registered])
    args = parser.parse_args()
    jobs = [(name, seed) for name in args.only for seed in args.seeds]
    with ProcessPoolExecutor(args.workers) as pool:
        outcomes = list(pool.map(run_one, *zip(*jobs, strict=True)))
    by_name: dict[str, list[dict]] = {}
    for (name, _), scalars in zip(jobs, outcomes, strict=True):
        by_name.setdefault(name, []).append(scalars)
    seeds = " ".join(map(str, args.seeds))
    declared = args.seeds in (list(EVAL_SEEDS), list(SECOND_EVAL_SEEDS))
    print(f"Seeds {seeds} (declared before tuning: {declared})\n")
    header = (
        "experiment",
        "frozen metric",
        "median",
        "range",
        "per seed",
        "training (median)",
        "target",
        "holds",
    )
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|---|---|")
    for name, runs in by_name.items():
        frozen_key, train_key, target, check = TARGETS[name]
        values = [run[frozen_key] for run in runs]
        trained = statistics.median(run[train_key] for run in runs)
        per_seed = " ".join(f"{v:.2f}" for v in values)
        holds = "-" if check is None else ("yes" if check(values) else "NO")
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(
            f"| {name} | {frozen_key} | {statistics.median(values):.3f} | {spread} "
            f"| {per_seed} | {train_key} {trained:.2f} | {target} | {holds} |"
        )
    print()
    for name, runs in by_name.items():
        extra = [k for k in ("eval_auc",) if k in runs[0]]
        shown = ", ".join(f"{k} {statistics.median(run[k] for run in runs):.3f}" for k in extra)
        seconds = statistics.median(run["seconds"] for run in runs)
        print(f"- {name}: {shown + '; ' if shown else ''}{seconds:.1f} s per run")


if __name__ == "__main__":
    main()
