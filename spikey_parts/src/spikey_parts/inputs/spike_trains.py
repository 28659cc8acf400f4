"""Frozen random spike trains: a temporal code for discrete state features."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, param, probability
from spikey_core.kernels import Kernel

from spikey_core import ConfigError
from spikey_parts.inputs.base import InputBase, InputConfig


@attrs.frozen(kw_only=True)
class SpikeTrainsConfig(InputConfig):
    rate: float = param(
        default=0.005,
        check=probability(),
        doc="spike probability per network step of the frozen trains, in [0, 1]",
    )
    n_values: int = param(
        default=2, check=Integer(ge=1), doc="number of values a state feature takes: 0 .. n_values-1"
    )
    length: int = param(
        default=0, check=Integer(ge=0), doc="train length in network steps; 0 = processing_time"
    )


class SpikeTrains(InputBase):
    """Temporal coding: every feature value owns fixed random spike trains, shared by all features.

    At construction the part draws, from its own generator, a bool array
    ``T[v, t, c] = U(0, 1) < rate`` for every feature value ``v`` (``0 .. n_values-1``), step
    ``t`` (``0 .. length-1``) and copy ``c``. Unit ``i`` encodes state feature ``i mod F`` (``F``
    = number of features, units interleaved as in ``rate_map``) as copy ``c = i // F``: during a
    game step with state ``s`` it replays ``T[s[i mod F], t, i // F]`` at network step ``t``.
    Features with equal values therefore fire in synchrony and features with different values
    do not, and the trains are frozen: only spike timing carries the information (Florian 2007,
    temporally coded XOR, where two input units replay one train per boolean value).

    Raises
    ------
    ConfigError
        ``length`` shorter than ``processing_time``, ``n_inputs`` not a multiple of the number of
        features, or a feature value outside ``0 .. n_values-1``.
    """

    Config = SpikeTrainsConfig
    STATE = ("trains",)
    KERNEL = Kernel(methods=("fire", "spike_block", "_spikes_at", "_spike_rows"))

    def __init__(self, config: SpikeTrainsConfig, ctx: Any):
        super().__init__(config, ctx)
        length = config.length or ctx.processing_time
        if length < ctx.processing_time:
            raise ConfigError(
                f"{self.address('length')}: {length} steps is shorter than "
                f"processing_time = {ctx.processing_time}"
            )
        self.trains = self.rng.random((config.n_values, length, ctx.n_inputs)) < config.rate
        self._current = np.zeros((length, ctx.n_inputs), dtype=bool)
        self._units = np.arange(ctx.n_inputs)

    def _encode(self, state: Any) -> None:
        values = np.atleast_1d(np.asarray(state)).astype(np.intp).ravel()
        if self.n_inputs % values.size:
            raise ConfigError(
                f"{self.address('n_inputs')}: n_inputs = {self.n_inputs} is not a multiple of the "
                f"{values.size} state features"
            )
        if values.min() < 0 or values.max() >= self.config.n_values:
            raise ConfigError(
                f"{self.address('n_values')}: state {state!r} has a feature outside "
                f"0 .. {self.config.n_values - 1}"
            )
        per_unit = np.resize(values, self.n_inputs)
        self._current[...] = self.trains[per_unit, :, self._units // values.size].T

    def _spikes_at(self, step: int) -> np.ndarray:
        return self._current[step]

    def _spike_rows(self, start: int, out: np.ndarray) -> None:
        out[:] = self._current[start : start + out.shape[0]]
