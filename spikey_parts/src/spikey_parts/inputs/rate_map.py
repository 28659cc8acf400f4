"""Rate code: each game state maps to per-step spike probabilities of the input units."""

from __future__ import annotations

from typing import Any

import attrs
from spikey_core.config import ArrayLike, param

from spikey_parts.inputs.base import InputConfig, RateInputBase, StateTable, TableCheck


@attrs.frozen(kw_only=True)
class RateMapConfig(InputConfig):
    state_rate_map: Any = param(
        check=TableCheck(ArrayLike(ge=0, le=1)),
        doc=(
            "per-step spike probabilities in [0, 1] per encoded feature: a table state -> vector "
            '(TOML string keys such as "1", "0,1" or "(0, 1)" match the states 1 and (0, 1)), '
            "or an array indexed by the integer state (e.g. [0, 0.08] maps each boolean feature "
            "to a rate; a 2-D array with a scalar state picks a row)"
        ),
    )


class RateMap(RateInputBase):
    """Bernoulli rate code looked up from the game state.

    Once per game step, ``update(state)`` looks up the feature vector ``r = map[state]`` (F
    features, per-step probabilities) and tiles it over the ``N_in`` units, interleaved:

    .. math:: p_i = r_{i \\bmod F}, \\qquad i = 0 .. N_{in} - 1,

    so with F = 2 and 6 units the units encode features 0, 1, 0, 1, 0, 1. ``N_in`` must be a
    multiple of F (checked at construction for table maps and for the width of 2-D arrays, and at
    every update). At each network step of the firing window unit ``i`` spikes independently
    with probability ``p_i`` (``u_i < p_i``, ``u_i ~ U(0, 1)`` from the part's generator).
    With ``input_firing_steps = k >= 0`` the units fire during the first ``k`` steps of each game
    step and are silent for the rest (the original fired ``k + 1`` steps); ``-1`` = every step.
    """

    Config = RateMapConfig

    def __init__(self, config: RateMapConfig, ctx: Any):
        super().__init__(config, ctx)
        self.table = StateTable(
            config.state_rate_map, indexing="values", address=self.address("state_rate_map")
        )
        self.check_table_tiling(self.table, "state_rate_map")

    def _encode(self, state: Any) -> None:
        self.set_rates(self.table(state), "state_rate_map")
