"""What one network step of each registered neuron model allocates (transient memory, not time).

Builds every registered neuron with its default settings for N = 2000 neurons, warms it up, then
runs fire() + integrate() 20 times under tracemalloc (numpy reports its array buffers to it) and
prints the peak memory above the baseline. An (N,) float64 temporary shows as >= 16000 bytes.

    python benchmarks/bench_step_allocation.py
"""

from __future__ import annotations

import tracemalloc

import numpy as np
from spikey_core.config import from_dict

from spikey_core import BuildContext, load_registry

N = 2000


def transient_bytes(cls) -> int | None:
    try:
        config = from_dict(cls.Config, {})
        part = cls(config, BuildContext(n_inputs=10, n_neurons=N, n_outputs=2, processing_time=5))
    except Exception:  # needs settings the defaults do not give
        return None
    part.reset()
    current = np.full(N, 3.0)
    for _ in range(5):
        part.fire()
        part.integrate(current)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    for _ in range(20):
        part.fire()
        part.integrate(current)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def main() -> None:
    registry = load_registry()
    print(f"neuron model          transient bytes per step (N = {N}; one (N,) float64 = {8 * N})")
    for name in registry.names("neuron"):
        found = transient_bytes(registry.get("neuron", name))
        print(f"{name:20s}  {'(needs settings)' if found is None else found}")


if __name__ == "__main__":
    main()
