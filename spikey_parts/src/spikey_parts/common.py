"""Helpers shared by several kinds of parts: spike magnitude and polarity (Dale's law) settings.

Every unit that emits spikes (input units, body neurons) has a polarity, +1 (excitatory) or -1
(inhibitory), and a spike ``magnitude``; what one spike delivers through a synapse of weight ``w``
is ``w * polarity * magnitude``. The config fields and the polarity draw live here so every part
declares and interprets them identically.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from spikey_core.config import ArrayLike, Optional, Real, param, probability

from spikey_core import ConfigError


def magnitude_param(default: float = 1.0) -> Any:
    """The ``magnitude`` config field: amplitude of one emitted spike."""
    return param(
        default=default,
        check=Real(gt=0),
        doc="amplitude of one emitted spike, > 0 (potential units)",
        tunable=True,
    )


def pct_inhibitory_param(units: str) -> Any:
    """A ``*_pct_inhibitory`` config field; ``units`` names what is drawn (e.g. ``"neurons"``)."""
    return param(
        default=0.0,
        check=probability(),
        doc=f"probability that each of the {units} is inhibitory (polarity -1), in [0, 1]",
    )


def explicit_polarities_param(pct_field: str) -> Any:
    """The optional ``polarities`` config field that replaces the random draw of ``pct_field``."""
    return param(
        default=None,
        check=Optional(ArrayLike(ndim=1)),
        doc=f"explicit polarity per unit, each +1 or -1, one per unit; overrides {pct_field}",
    )


def draw_polarities(n: int, pct_inhibitory: float, rng: np.random.Generator, dtype: Any) -> np.ndarray:
    """Independent polarities: -1 with probability ``pct_inhibitory``, else +1.

    Exactly ``n`` uniform numbers are drawn whatever ``pct_inhibitory`` is, so changing the
    fraction does not shift the generator's later draws.

    Parameters
    ----------
    n : int
        Number of units.
    pct_inhibitory : float
        Probability of polarity -1, in [0, 1].
    rng : numpy.random.Generator
        The owning part's generator.
    dtype : dtype
        Floating dtype of the result.

    Returns
    -------
    ndarray, dtype, shape (n,)
        Entries +1.0 or -1.0.
    """
    draws = rng.random(n)
    return np.where(draws < pct_inhibitory, -1.0, 1.0).astype(dtype)


def build_polarities(
    explicit: Any, pct_inhibitory: float, n: int, rng: np.random.Generator, dtype: Any, address: str
) -> np.ndarray:
    """Polarities from a config: the ``explicit`` array when given, else :func:`draw_polarities`.

    Parameters
    ----------
    explicit : array-like or None
        Explicit polarities, shape (n,), entries +1 or -1.
    address : str
        Where ``explicit`` lives, for messages (``$.neuron.polarities``).

    Raises
    ------
    ConfigError
        ``explicit`` has the wrong length or an entry other than +1 / -1.
    """
    if explicit is None:
        return draw_polarities(n, pct_inhibitory, rng, dtype)
    values = np.asarray(explicit, dtype=np.float64)
    if values.shape != (n,):
        raise ConfigError(f"{address}: needs one entry per unit, shape ({n},) (got shape {values.shape})")
    if not np.all(np.isin(values, (-1.0, 1.0))):
        bad = values[~np.isin(values, (-1.0, 1.0))][0]
        raise ConfigError(f"{address}: entries must be +1 or -1 (found {bad})")
    return values.astype(dtype)
