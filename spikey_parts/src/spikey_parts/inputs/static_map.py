"""Fixed spike patterns or spike trains per game state."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import param
from spikey_core.kernels import Kernel

from spikey_core import ConfigError
from spikey_parts.inputs.base import InputBase, InputConfig, SpikeArray, StateTable, TableCheck


@attrs.frozen(kw_only=True)
class StaticMapConfig(InputConfig):
    state_spike_map: Any = param(
        check=TableCheck(SpikeArray()),
        doc=(
            "spikes (0/1) per state: a table state -> pattern (n_inputs,) repeated every step or "
            "train (steps >= processing_time, n_inputs), one row per network step (TOML string keys "
            'such as "1" or "0,1" match the states 1 and (0, 1)); or an array whose leading axes '
            "are indexed by the integer state features"
        ),
    )


class StaticMap(InputBase):
    """Deterministic input: the state selects a spike pattern or a spike train.

    ``update(state)`` looks up ``S = map[state]`` (a table entry, or ``array[tuple(state)]``):

    * ``S`` of shape (N_in,): the same units spike at every step of the game step;
    * ``S`` of shape (T, N_in) with ``T >= processing_time``: at network step ``t`` of the game
      step (counted from 0) the units with ``S[t] = 1`` spike.

    Within ``input_firing_steps`` (default -1 = every step); no randomness.

    Raises
    ------
    ConfigError
        At construction for table entries (at lookup for array maps): a pattern that is not
        N_in wide, or a train shorter than ``processing_time``.
    """

    Config = StaticMapConfig
    STATE = ()  # no dynamic state: the pattern is looked up again at every update
    KERNEL = Kernel(methods=("fire", "spike_block", "_spikes_at", "_spike_rows"))

    def __init__(self, config: StaticMapConfig, ctx: Any):
        super().__init__(config, ctx)
        self.table = StateTable(
            config.state_spike_map, indexing="position", address=self.address("state_spike_map"), dtype=bool
        )
        if self.table.entries is not None:
            for key, value in self.table.entries.items():
                self._check_spikes(value, f"entry {key!r}")
        elif self.table.array.shape[-1:] != (ctx.n_inputs,):
            raise ConfigError(
                f"{self.address('state_spike_map')}: the last axis must have n_inputs = {ctx.n_inputs} "
                f"entries (got shape {self.table.array.shape})"
            )
        self.spikes = self._silent

    def _check_spikes(self, value: np.ndarray, what: str) -> None:
        n, steps = self.n_inputs, self.processing_time
        if value.ndim == 1 and value.shape == (n,):
            return
        if value.ndim == 2 and value.shape[1] == n and value.shape[0] >= steps:
            return
        if value.ndim == 2 and value.shape[1] == n:
            problem = f"a train of {value.shape[0]} steps is shorter than processing_time = {steps}"
        else:
            problem = f"must have shape ({n},) or (steps >= {steps}, {n}) (got {value.shape})"
        raise ConfigError(f"{self.address('state_spike_map')}: {what}: {problem}")

    def _encode(self, state: Any) -> None:
        spikes = self.table(state)
        if self.table.entries is None:
            self._check_spikes(spikes, f"state {state!r}")
        self.spikes = spikes

    def _spikes_at(self, step: int) -> np.ndarray:
        return self.spikes if self.spikes.ndim == 1 else self.spikes[step]

    def _spike_rows(self, start: int, out: np.ndarray) -> None:
        out[:] = self.spikes if self.spikes.ndim == 1 else self.spikes[start : start + out.shape[0]]
