"""Poisson rate code with rates in Hz."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, Optional, param

from spikey_core import ConfigError
from spikey_parts.inputs.base import InputConfig, RateInputBase, StateTable, TableCheck


@attrs.frozen(kw_only=True)
class PoissonConfig(InputConfig):
    state_rates_hz: Any = param(
        default=None,
        check=Optional(TableCheck(ArrayLike(ge=0))),
        doc=(
            "firing rates in Hz (>= 0) per encoded feature: a table state -> vector or an array indexed "
            "by the integer state, as state_rate_map of rate_map; none = the state itself is the rate "
            "vector in Hz"
        ),
    )


class Poisson(RateInputBase):
    """Discretised Poisson spike trains with rates in Hz.

    Once per game step the feature rates ``f`` (Hz) come from ``state_rates_hz[state]`` (looked
    up like ``rate_map``) or, with no table, from the state itself (a number or a vector of
    numbers, in Hz). They become per-step spike probabilities for a step of ``dt = ctx.dt`` ms

    .. math:: p_i = f_{i \\bmod F} \\cdot dt / 1000,

    tiled over the units like ``rate_map``, and each unit spikes independently with probability
    ``p_i`` at each step of the firing window (the Bernoulli approximation of a Poisson process,
    at most one spike per unit and step).

    Raises
    ------
    ConfigError
        A rate above ``1000 / dt`` Hz (``p > 1``: a step cannot hold more than one spike),
        checked at construction for table entries and at every update otherwise, or a feature
        count that does not divide ``n_inputs``.
    """

    Config = PoissonConfig

    def __init__(self, config: PoissonConfig, ctx: Any):
        super().__init__(config, ctx)
        self.dt = float(ctx.dt)
        self.table = None
        if config.state_rates_hz is not None:
            self.table = StateTable(
                config.state_rates_hz, indexing="values", address=self.address("state_rates_hz")
            )
            for value in self.table.values():
                self._check_hertz(value, "state_rates_hz")
            self.check_table_tiling(self.table, "state_rates_hz")

    def _check_hertz(self, hertz: np.ndarray, field: str) -> None:
        limit = 1000.0 / self.dt
        if hertz.size and not np.all(np.isfinite(hertz)):
            raise ConfigError(f"{self.address(field)}: rates must be finite (got {hertz})")
        if hertz.size and (hertz.max() > limit or hertz.min() < 0):
            raise ConfigError(
                f"{self.address(field)}: rates must lie in [0, {limit:g}] Hz for dt = {self.dt:g} ms "
                f"(got min {hertz.min():g}, max {hertz.max():g}); lower the rates or network.dt"
            )

    def _encode(self, state: Any) -> None:
        hertz = self.table(state) if self.table is not None else self._state_as_hertz(state)
        self._check_hertz(hertz, "state_rates_hz")
        self.set_rates(hertz * (self.dt / 1000.0), "state_rates_hz")

    def _state_as_hertz(self, state: Any) -> np.ndarray:
        try:
            return np.ravel(np.asarray(state, dtype=np.float64))
        except (TypeError, ValueError):
            raise ConfigError(
                f"{self.address('state_rates_hz')}: is none, so the state must be rates in Hz (got {state!r})"
            ) from None
