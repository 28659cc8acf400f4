"""Weights given explicitly: an array, a feed-forward layer list, or a function building one."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import AnyOf, ArrayLike, CallableCheck, Optional, param

from spikey_core import ConfigError
from spikey_parts.weights.base import LayerList, WeightBase, feedforward, is_layer_list, max_weight_param
from spikey_parts.weights.delays import delay_param


@attrs.frozen(kw_only=True)
class ManualConfig:
    matrix: Any = param(
        check=AnyOf(ArrayLike(), LayerList(), CallableCheck()),
        doc=(
            "the weights: a (n_inputs + n_neurons, n_neurons) array (rows presynaptic, inputs first), "
            "a feed-forward list of 2-D blocks placed block-diagonally, or (Python only) a function "
            "f(ctx) -> array or block list; entries >= 0, clipped to max_weight, 0 = no synapse "
            "unless mask says otherwise"
        ),
    )
    mask: Any = param(
        default=None,
        check=Optional(AnyOf(ArrayLike(), LayerList())),
        doc=(
            "where synapses exist (non-zero = present): (U, N), body-only (N, N) or a block list; "
            "default: where matrix is non-zero. A present synapse of weight 0 can grow"
        ),
    )
    max_weight: float = max_weight_param()
    delay: Any = delay_param()


class Manual(WeightBase):
    """Weights taken as given.

    The matrix has shape ``(U, N) = (n_inputs + n_neurons, n_neurons)``; row ``j`` holds the
    outgoing synapses of unit ``j`` (inputs first), column ``k`` the incoming synapses of body
    neuron ``k``. A feed-forward layer list ``[B_0, B_1, ...]`` is placed block-diagonally (see
    :func:`~spikey_parts.weights.base.feedforward`). A callable is called once with the build
    context (``ctx.n_inputs``, ``ctx.n_neurons``, ``ctx.rng`` for seeded random matrices) and
    may return either form.

    Entries are clipped to ``[0, max_weight]``. Without an explicit ``mask``, zero entries are
    absent synapses that stay 0 forever.

    Raises
    ------
    ConfigError
        Wrong shape (with the fix: ``.T``, missing input rows, squeeze), negative weights, or a
        non-zero weight where ``mask`` says there is no synapse.
    """

    Config = ManualConfig

    def __init__(self, config: ManualConfig, ctx: Any):
        super().__init__(config, ctx)
        value = config.matrix(ctx) if callable(config.matrix) else config.matrix
        matrix = self._as_matrix(value)
        mask = matrix != 0 if config.mask is None else self.full_mask(config.mask, "mask")
        self._check_values(matrix, mask)
        self._install(matrix, mask)

    def _as_matrix(self, value: Any) -> np.ndarray:
        if is_layer_list(value):
            value = feedforward(value, self.matrix.shape[0])
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{self.address('matrix')}: must give an array or a list of 2-D blocks (got {value!r:.60})"
            ) from None
        return self.check_shape(array, "matrix")

    def _check_values(self, matrix: np.ndarray, mask: np.ndarray) -> None:
        if not np.all(np.isfinite(matrix)):
            raise ConfigError(f"{self.address('matrix')}: must contain only finite numbers")
        if np.any(matrix < 0):
            raise ConfigError(
                f"{self.address('matrix')}: weights must be >= 0 (found {matrix.min()}); "
                "the sign of a synapse comes from the presynaptic unit's polarity"
            )
        stray = np.count_nonzero(matrix[~mask])
        if stray:
            raise ConfigError(
                f"{self.address('matrix')}: {stray} non-zero weight(s) where mask has no synapse; "
                "zero them or add them to the mask"
            )
