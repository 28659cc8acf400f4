"""Conduction delays of the weight parts: the ``delay`` setting and how it is spread over synapses.

A delay is an integer number of network steps ``d >= 1``: a spike of step ``t`` through a synapse
of delay ``d`` is in the input integrated at the end of step ``t + d - 1`` (``d = 1`` is the
kernel's default, the spike's own step); see :class:`spikey_core.weights.DelayLine` for the ring
buffer and the step order.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from spikey_core.config import Check, param

from spikey_core import ConfigError


class DelaySpec(Check):
    """An integer delay >= 1, or a pair ``[first, last]`` of them spread over each unit's synapses."""

    def problem(self, value: Any) -> str | None:
        if _is_steps(value):
            return None
        if isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_steps(v) for v in value):
            if value[0] <= value[1]:
                return None
            return f"must have first <= last (got {list(value)})"
        return f"must be an integer number of steps >= 1 or a pair [first, last] of them (got {value!r:.40})"

    def summary(self) -> str:
        return "integer >= 1 or [first, last]"


def _is_steps(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= 1


def delay_param() -> Any:
    """The ``delay`` config field of the weight parts."""
    return param(
        default=1,
        check=DelaySpec(),
        doc=(
            "conduction delay in network steps: d >= 1 for every synapse (1 = arrives at the end of the "
            "spike's own step), or [first, last]: each unit's outgoing synapses, in order, get delays "
            "spread evenly over first..last (Izhikevich 2007: 100 synapses, [1, 20] -> 5 per delay)"
        ),
    )


def spread_delays(spec: Any, pre: np.ndarray, where: str) -> np.ndarray:
    """Delays (int (S,)) for synapses grouped by presynaptic unit ``pre`` (int (S,), contiguous groups).

    Each group gets :func:`row_delays`: an int ``d`` everywhere, or ``[first, last]`` spread evenly.
    """
    problem = DelaySpec().problem(spec)
    if problem is not None:
        raise ConfigError(f"{where}: {problem}")
    if pre.size == 0:
        return np.zeros(0, dtype=np.int16)
    starts = np.flatnonzero(np.r_[True, pre[1:] != pre[:-1]])
    counts = np.diff(np.r_[starts, pre.size])
    return np.concatenate([row_delays(spec, int(count)) for count in counts])


def row_delays(spec: Any, count: int) -> np.ndarray:
    """Delays (int16 (count,)) of one unit's ``count`` synapses, in order.

    ``spec`` an int ``d``: every delay is ``d``. ``[first, last]``: the ``i``-th of the ``m``
    synapses gets ``first + floor(i * (last - first + 1) / m)``, so each delay value is used
    equally often when ``m`` is a multiple of the span.
    """
    if _is_steps(spec):
        return np.full(count, int(spec), dtype=np.int16)
    first, last = int(spec[0]), int(spec[1])
    return (first + (np.arange(count) * (last - first + 1)) // max(count, 1)).astype(np.int16)
