"""Shared machinery of the weight parts (not a registered part itself).

A weight part owns the network's synaptic matrix for the network's lifetime:

* ``matrix`` float (U, N), ``U = n_inputs + n_neurons``: rows presynaptic units (inputs first,
  then body neurons), columns postsynaptic body neurons; values in ``[0, max_weight]``;
* ``mask`` bool (U, N): True where a synapse exists. Absent synapses stay exactly 0 forever,
  while an existing synapse clipped to 0 stays present and can grow again.

The weight protocol (propagation, clipping, row/column/per-synapse updates) is implemented for
this layout by :class:`spikey_core.weights.DenseWeight`. This module provides the base class
with the shape checks, the conversion of
feed-forward layer lists and the config check that recognises them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from spikey_core.config import Check, Real, param
from spikey_core.weights import DenseWeight

from spikey_core import ConfigError
from spikey_parts.weights.delays import spread_delays


def max_weight_param() -> Any:
    """The ``max_weight`` config field every weight part declares."""
    return param(
        default=1.0, check=Real(gt=0), doc="upper bound of every weight, > 0 (weight units)", tunable=True
    )


def is_layer_list(value: Any) -> bool:
    """Whether ``value`` is a feed-forward layer list: a list or tuple of 2-D blocks.

    An ndarray is always a matrix (a 3-D array is a shape mistake, not a layer list).
    """
    if isinstance(value, (np.ndarray, str, bytes, Mapping)) or not isinstance(value, Sequence):
        return False
    if len(value) == 0:
        return False
    try:
        return all(np.ndim(block) == 2 for block in value) and all(
            np.asarray(block, dtype=float).ndim == 2 for block in value
        )
    except (TypeError, ValueError):
        return False


class LayerList(Check):
    """A feed-forward layer list: a list of 2-D numeric blocks placed block-diagonally."""

    def problem(self, value: Any) -> str | None:
        if is_layer_list(value):
            return None
        return f"must be a list of 2-D blocks (got {value!r:.60})"

    def summary(self) -> str:
        return "list of 2-D blocks"


def feedforward(layers: Sequence[Any], n_units: int) -> np.ndarray:
    """Place feed-forward blocks block-diagonally into a (U, N) matrix.

    Block ``i`` occupies the rows after all previous blocks' rows and the columns after all
    previous blocks' columns: the first block maps the inputs onto the first layer of body
    neurons, the second block maps that layer onto the next, and so on. Rows below the last
    block (the outgoing synapses of the last layer, usually the outputs) are padded with zeros
    up to ``n_units`` rows.

    Parameters
    ----------
    layers : sequence of array-like, each 2-D
        ``[(n_inputs, n_1), (n_1, n_2), ...]`` blocks.
    n_units : int
        Rows of the result, ``n_inputs + n_neurons``.

    Returns
    -------
    ndarray, float64, shape (max(n_units, rows), sum of block columns)

    Examples
    --------
    Florian 2007: ``[(60, 60) block, (60, 1) block]`` with 60 inputs and 61 body neurons gives a
    (121, 61) matrix: inputs (rows 0..59) feed hidden columns 0..59, hidden rows 60..119 feed
    output column 60, and the output row 120 is empty.
    """
    blocks = [np.asarray(block, dtype=np.float64) for block in layers]
    rows = sum(block.shape[0] for block in blocks)
    columns = sum(block.shape[1] for block in blocks)
    matrix = np.zeros((max(rows, n_units), columns))
    row = column = 0
    for block in blocks:
        matrix[row : row + block.shape[0], column : column + block.shape[1]] = block
        row += block.shape[0]
        column += block.shape[1]
    return matrix


def layer_blocks(sizes: Sequence[int]) -> list[np.ndarray]:
    """Dense all-ones blocks between consecutive layer sizes: ``[a, b, c]`` -> ``[(a, b), (b, c)]``.

    The compact form of a feed-forward mask for configuration files.
    """
    return [np.ones((int(a), int(b))) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]


def shape_problem(shape: tuple[int, ...], n_inputs: int, n_neurons: int) -> str | None:
    """What is wrong with a weight matrix of ``shape``, with the fix; None when it fits."""
    expected = (n_inputs + n_neurons, n_neurons)
    if shape == expected:
        return None
    want = f"expected {expected} = (n_inputs + n_neurons, n_neurons)"
    if len(shape) > 2:
        return f"has {len(shape)} dimensions (shape {shape}); squeeze it to 2-D ({want})"
    if len(shape) < 2:
        return f"must be 2-D (got shape {shape}); {want}"
    if shape == (n_neurons, n_neurons) and n_inputs > 0:
        missing = f"the input rows are missing; add n_inputs = {n_inputs} rows on top"
        return f"has shape {shape}: {missing} ({want})"
    if shape == expected[::-1]:
        return f"has shape {shape}, which looks transposed; use .T ({want})"
    return f"has shape {shape}; {want}"


class WeightBase(DenseWeight):
    """Base of the dense weight parts: shape checks and masks from user settings.

    Subclasses build a float (U, N) matrix and a bool (U, N) mask, then call :meth:`_install`;
    propagation, clipping and the plasticity updates come from
    :class:`~spikey_core.weights.DenseWeight`.
    """

    def check_shape(self, value: Any, field: str) -> np.ndarray:
        """``value`` as a float64 array of shape (U, N), or a ConfigError naming ``field``."""
        array = np.asarray(value, dtype=np.float64)
        problem = shape_problem(array.shape, self.n_inputs, self.n_neurons)
        if problem is not None:
            raise ConfigError(f"{self.address(field)}: {problem}")
        return array

    def address(self, field: str) -> str:
        """Where a setting lives, for messages: ``$.weight.<field> (<part>)``."""
        return f"$.weight.{field} ({type(self).__name__})"

    def _install(self, matrix: np.ndarray, mask: np.ndarray) -> None:
        """Adopt ``matrix`` and ``mask`` (both (U, N)), clip, then set the configured ``delay``."""
        self.install(matrix, mask)
        spec = getattr(self.config, "delay", 1)
        if spec != 1:
            rows, columns = np.nonzero(self.mask)
            delays = np.ones(self.shape, dtype=np.int64)
            delays[rows, columns] = spread_delays(spec, rows, self.address("delay"))
            self.set_delays(delays)

    def full_mask(self, value: Any, field: str) -> np.ndarray:
        """A bool (U, N) mask from a user setting.

        Accepted forms: a (U, N) array (every synapse), an (N, N) array (body synapses only;
        every input synapse allowed) or a feed-forward layer list (True where a block entry is
        non-zero). Non-zero entries mean "may exist".
        """
        if is_layer_list(value):
            return feedforward(value, self.matrix.shape[0]) != 0
        array = np.asarray(value)
        if array.shape == (self.n_neurons, self.n_neurons) and self.n_inputs > 0:
            mask = np.ones(self.matrix.shape, dtype=bool)
            mask[self.n_inputs :] = array != 0
            return mask
        return self.check_shape(array, field) != 0
