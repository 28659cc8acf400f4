"""Random weights: seeded draws, connection probability, optional topology mask."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import AnyOf, ArrayLike, Boolean, CallableCheck, OneOf, Optional, param, probability

from spikey_core import ConfigError
from spikey_parts.weights.base import LayerList, WeightBase, feedforward, layer_blocks, max_weight_param
from spikey_parts.weights.delays import delay_param

DISTRIBUTIONS = ("uniform",)


@attrs.frozen(kw_only=True)
class RandomConfig:
    max_weight: float = max_weight_param()
    delay: Any = delay_param()
    distribution: Any = param(
        default="uniform",
        check=AnyOf(OneOf(DISTRIBUTIONS), CallableCheck()),
        doc=(
            "'uniform': fractions U(low, high) of max_weight; or (Python only) a function "
            "f(rng, shape) -> array of fractions of max_weight"
        ),
    )
    low: float = param(
        default=0.0, check=probability(), doc="lower end of 'uniform', fraction of max_weight in [0, 1]"
    )
    high: float = param(
        default=1.0, check=probability(), doc="upper end of 'uniform', fraction of max_weight in [0, 1]"
    )
    connection_probability: float = param(
        default=1.0, check=probability(), doc="probability that an allowed synapse exists, in [0, 1]"
    )
    mask: Any = param(
        default=None,
        check=Optional(AnyOf(ArrayLike(), LayerList())),
        doc=(
            "where synapses may exist (non-zero = allowed): (n_inputs + n_neurons, n_neurons), "
            "body-only (n_neurons, n_neurons) with every input synapse allowed, or a feed-forward "
            "list of 2-D blocks; default: everywhere"
        ),
    )
    layers: Any = param(
        default=None,
        check=Optional(ArrayLike(ndim=1, ge=1)),
        doc=(
            "feed-forward layer sizes [n_inputs, n_1, ..., n_k] (n_1 + ... + n_k = n_neurons): "
            "synapses allowed only from each layer to the next; the compact form of a layer-list mask"
        ),
    )
    force_unidirectional: bool = param(
        default=False,
        check=Boolean(),
        doc="between two body neurons keep at most one direction (the other dropped at random)",
    )

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise ConfigError(f"RandomConfig.low: must be <= high ({self.high}) (got {self.low})")
        if self.layers is not None and self.mask is not None:
            raise ConfigError("RandomConfig.layers: give either layers or mask, not both")


class Random(WeightBase):
    """Random weights drawn from the part's own generator.

    Construction, in order (every draw from ``self.rng``):

    1. fractions ``F`` (U, N): ``U(low, high)`` or ``distribution(rng, (U, N))``;
    2. allowed synapses: ``mask`` (default all), minus body self-connections (the diagonal of
       the body block) and zero or negative draws, each kept with probability
       ``connection_probability``;
    3. with ``force_unidirectional``: for every body pair ``i < j`` connected both ways, one
       direction (chosen by a fair coin) is dropped;
    4. ``W = clip(F * max_weight, 0, max_weight)`` on the kept synapses; every entry that is 0
       here (not allowed, dropped, or a zero draw) is an absent synapse for good.

    Raises
    ------
    ConfigError
        A mask of the wrong shape (with the fix), or a distribution function returning the
        wrong shape or non-finite values.
    """

    Config = RandomConfig

    def __init__(self, config: RandomConfig, ctx: Any):
        super().__init__(config, ctx)
        fractions = self._draw_fractions()
        connected = self._allowed()
        connected &= fractions > 0  # zero or negative draws are no synapse
        if config.connection_probability < 1.0:
            connected &= self.rng.random(connected.shape) < config.connection_probability
        if config.force_unidirectional:
            self._drop_reciprocal(connected[self.n_inputs :])
        matrix = np.clip(fractions * self.max_weight, 0.0, self.max_weight)
        matrix[~connected] = 0.0
        self._install(matrix, connected)

    def _draw_fractions(self) -> np.ndarray:
        shape = self.matrix.shape
        distribution = self.config.distribution
        if not callable(distribution):
            return self.rng.uniform(self.config.low, self.config.high, size=shape)
        fractions = np.asarray(distribution(self.rng, shape), dtype=np.float64)
        if fractions.shape != shape:
            raise ConfigError(
                f"{self.address('distribution')}: returned shape {fractions.shape}; expected {shape}"
            )
        if not np.all(np.isfinite(fractions)):
            raise ConfigError(f"{self.address('distribution')}: returned NaN or inf")
        return fractions

    def _allowed(self) -> np.ndarray:
        if self.config.layers is not None:
            allowed = self._layer_mask(self.config.layers)
        elif self.config.mask is None:
            allowed = np.ones(self.matrix.shape, dtype=bool)
        else:
            allowed = self.full_mask(self.config.mask, "mask")
        np.fill_diagonal(allowed[self.n_inputs :], False)
        return allowed

    def _layer_mask(self, sizes: Any) -> np.ndarray:
        sizes = [int(n) for n in sizes]
        if sizes[0] != self.n_inputs or sum(sizes[1:]) != self.n_neurons:
            raise ConfigError(
                f"{self.address('layers')}: {sizes} must start with n_inputs = {self.n_inputs} and its "
                f"other sizes must add up to n_neurons = {self.n_neurons}"
            )
        return feedforward(layer_blocks(sizes), self.matrix.shape[0]) != 0

    def _drop_reciprocal(self, body: np.ndarray) -> None:
        """In place on the (N, N) body block: of each two-way pair keep one direction at random."""
        upper_i, upper_j = np.nonzero(np.triu(body & body.T, k=1))
        keep_upper = self.rng.random(upper_i.size) < 0.5
        body[upper_j[keep_upper], upper_i[keep_upper]] = False
        body[upper_i[~keep_upper], upper_j[~keep_upper]] = False
