"""Shared machinery of the readouts (not a registered part): output neurons split into groups."""

from __future__ import annotations

import numpy as np

from spikey_core import ConfigError


def group_starts(n_outputs: int, n_groups: int, owner: str) -> np.ndarray:
    """First output index of each of ``n_groups`` contiguous, non-empty groups of outputs.

    Boundaries are ``floor(linspace(0, n_outputs, n_groups + 1))``: group sizes differ by at most
    one, so every output neuron belongs to a group (none is left over).

    Parameters
    ----------
    n_outputs : int
        Number of output neurons.
    n_groups : int
        Number of groups, 1 <= n_groups <= n_outputs.
    owner : str
        The readout's name, for the error message.

    Returns
    -------
    ndarray, int, shape (n_groups,)

    Raises
    ------
    ConfigError
        More groups than output neurons.
    """
    if n_groups > n_outputs:
        raise ConfigError(
            f"$.readout.n_actions ({owner}): must be <= network.n_outputs = {n_outputs} "
            f"(got {n_groups}); every action needs at least one output neuron"
        )
    return np.linspace(0, n_outputs, n_groups + 1).astype(np.intp)[:-1]


def group_sizes(starts: np.ndarray, n_outputs: int) -> np.ndarray:
    """Number of output neurons in each group: int (n_groups,)."""
    return np.diff(np.append(starts, n_outputs))
