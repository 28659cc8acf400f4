"""Seeds: one experiment seed, an independent stream for every object that draws.

Every random draw in Spikey comes from a :class:`numpy.random.Generator` owned by the object that
draws. Generators are derived from the experiment seed through :class:`numpy.random.SeedSequence`
spawn keys that name the consumer (``"network"``, ``"neuron"``, ``"game"``, run index, ...), so a
stream depends only on the seed and on *who* draws, never on how many draws happened elsewhere or
on which process runs the work.
"""

from __future__ import annotations

import numbers
import zlib
from typing import Any

import numpy as np

from spikey_core.errors import ConfigError

SeedLike = Any  # None | int | SeedSequence


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Turn ``None``, a non-negative int or a SeedSequence into a SeedSequence.

    ``None`` draws fresh entropy from the operating system (a non-reproducible run).
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)) and int(seed) >= 0:
        return np.random.SeedSequence(int(seed))
    raise ConfigError(f"seed: must be a non-negative integer or None (got {seed!r})")


def _key(part: str | int) -> int:
    if isinstance(part, numbers.Integral):
        return int(part)
    return zlib.crc32(str(part).encode("utf-8"))


def child(seed: SeedLike, *names: str | int) -> np.random.SeedSequence:
    """The SeedSequence of the consumer reached by ``names`` below ``seed``.

    Deterministic and order-free: ``child(s, "network", "neuron")`` is the same whatever else was
    derived from ``s`` before.
    """
    parent = as_seed_sequence(seed)
    return np.random.SeedSequence(
        entropy=parent.entropy, spawn_key=tuple(parent.spawn_key) + tuple(_key(n) for n in names)
    )


def generator(seed: SeedLike, *names: str | int) -> np.random.Generator:
    """A PCG64 generator for the consumer named by ``names`` below ``seed``."""
    return np.random.Generator(np.random.PCG64(child(seed, *names)))


def integer_seed(seed: SeedLike, *names: str | int) -> int:
    """A 63-bit integer seed for APIs that want an int (gymnasium's ``reset(seed=...)``)."""
    return int(child(seed, *names).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
