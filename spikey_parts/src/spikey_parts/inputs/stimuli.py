"""Stimuli presented one at a time at random intervals (Izhikevich 2007, Fig. 2)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, param
from spikey_core.kernels import Kernel

from spikey_core import ConfigError
from spikey_parts.inputs.base import InputBase, InputConfig


@attrs.frozen(kw_only=True)
class StimuliConfig(InputConfig):
    interval_min: int = param(
        default=100, check=Integer(ge=1), doc="shortest interval between two presentations, in steps"
    )
    interval_max: int = param(
        default=300, check=Integer(ge=1), doc="longest interval between two presentations, in steps"
    )

    def __attrs_post_init__(self) -> None:
        if self.interval_min > self.interval_max:
            raise ConfigError(
                f"$.input.interval_min (Stimuli): must be <= interval_max = {self.interval_max} "
                f"(got {self.interval_min})"
            )


class Stimuli(InputBase):
    """A stream of stimuli: every input unit is one stimulus, presented alone, for one step.

    The first presentation comes ``I`` steps after ``reset()`` and each next one ``I`` steps after
    the previous, ``I`` uniform in ``interval_min .. interval_max`` (both included); each
    presentation fires one unit chosen uniformly among the ``n_inputs`` (Izhikevich 2007, Fig. 2:
    100 stimuli every 100-300 ms). Connect unit ``i`` to the neurons of stimulus ``i`` with a
    weight strong enough to make them fire. The game state is not used. Every number comes from
    the part's generator, drawn when a game step starts (``update``), so spikes do not depend on
    how the steps are then read (``fire`` or ``spike_block``).

    Attributes
    ----------
    presented : ndarray, int (k, 2)
        ``(step within the game step, unit)`` of the current game step's presentations.
    """

    Config = StimuliConfig
    KERNEL = Kernel(methods=("fire", "spike_block", "_spikes_at", "_spike_rows"))

    def __init__(self, config: StimuliConfig, ctx: Any):
        super().__init__(config, ctx)
        if ctx.n_inputs < 1:
            raise ConfigError("$.network.n_inputs (Stimuli): needs at least one input unit, one per stimulus")
        self.presented = np.zeros((0, 2), dtype=np.int64)
        self._next = 0
        self._row = np.zeros(ctx.n_inputs, dtype=bool)
        self.reset()

    def reset(self) -> None:
        """Forget the stream: the first presentation is one interval away."""
        super().reset()
        self._next = self._interval()
        self.presented = np.zeros((0, 2), dtype=np.int64)

    def _interval(self) -> int:
        return int(self.rng.integers(self.config.interval_min, self.config.interval_max + 1))

    def _encode(self, state: Any) -> None:
        """This game step's presentations, drawn now; the next one carried to later game steps."""
        steps, presented = self.processing_time, []
        while self._next < steps:
            presented.append((self._next, int(self.rng.integers(self.n_inputs))))
            self._next += self._interval()
        self._next -= steps
        self.presented = np.array(presented, dtype=np.int64).reshape(-1, 2)

    def _spikes_at(self, step: int) -> np.ndarray:
        self._row.fill(False)
        self._row[self.presented[self.presented[:, 0] == step, 1]] = True
        return self._row

    def _spike_rows(self, start: int, out: np.ndarray) -> None:
        out.fill(False)
        rows = self.presented[:, 0] - start
        inside = (rows >= 0) & (rows < out.shape[0])
        out[rows[inside], self.presented[inside, 1]] = True
