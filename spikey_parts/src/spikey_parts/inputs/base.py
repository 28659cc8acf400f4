"""Shared machinery of the input encoders (not a registered part).

* :class:`InputBase`: polarities, magnitude and the ``input_firing_steps`` window (the units
  fire during the first ``k`` network steps of each game step and stay silent afterwards).
* :class:`RateInputBase`: independent Bernoulli spikes from a per-unit probability vector,
  filled by tiling a feature vector (unit ``i`` encodes feature ``i mod F``).
* :class:`StateTable`: state -> array lookup from a mapping or from an array indexed by the state,
  with the key normalisation that lets TOML tables (string keys) describe states.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, Check, Integer, param
from spikey_core.kernels import Kernel

from spikey_core import ConfigError, Part
from spikey_parts.common import (
    build_polarities,
    explicit_polarities_param,
    magnitude_param,
    pct_inhibitory_param,
)


@attrs.frozen(kw_only=True)
class InputConfig:
    """Fields every encoder shares: firing window, polarities and spike size."""

    input_firing_steps: int = param(
        tunable=True,
        default=-1,
        check=Integer(ge=-1),
        doc="network steps per game step during which the inputs fire, from the first; -1 = all of them",
    )
    input_pct_inhibitory: float = pct_inhibitory_param("input units")
    polarities: Any = explicit_polarities_param("input_pct_inhibitory")
    magnitude: float = magnitude_param()


class TableCheck(Check):
    """A non-empty mapping state -> array, or one array; every array accepted by ``entries``."""

    def __init__(self, entries: Check):
        self.entries = entries

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, Mapping):
            return self.entries.problem(value)
        if not value:
            return "must not be an empty table"
        for key, item in value.items():
            problem = self.entries.problem(item)
            if problem is not None:
                return f"entry {key!r}: {problem}"
        return None

    def summary(self) -> str:
        return f"table of {self.entries.summary()} or {self.entries.summary()}"


class SpikeArray(ArrayLike):
    """An array of 0 / 1 entries (no spike / spike)."""

    def problem(self, value: Any) -> str | None:
        problem = super().problem(value)
        if problem is not None:
            return problem
        array = np.asarray(value, dtype=np.float64)
        if not np.all((array == 0) | (array == 1)):
            return "entries must be 0 or 1 (spike or not)"
        return None

    def summary(self) -> str:
        return "0/1 array"


# -- state keys --------------------------------------------------------------------------------
def _scalar(value: Any) -> Any:
    """A hashable plain-Python scalar; bools stay bools (True == 1 and hashes alike)."""
    return value.item() if isinstance(value, np.generic) else value


def _parse_text(text: str) -> tuple:
    """``"1"`` -> (1,), ``"0,1"`` / ``"(0, 1)"`` / ``"[0, 1]"`` -> (0, 1), ``"true"`` -> (True,).

    Text that is not a literal number / bool / sequence of them is a key of its own: ``(text,)``.
    """
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered in ("true", "false"):
        return (lowered == "true",)
    pythonic = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", cleaned, flags=re.I), flags=re.I)
    try:
        value = ast.literal_eval(pythonic)
    except (ValueError, SyntaxError):
        return (text,)
    if isinstance(value, (list, tuple)):
        items = tuple(value)
    else:
        items = (value,)
    if all(isinstance(item, (bool, int, float)) for item in items):
        return items
    return (text,)


def state_key(state: Any) -> tuple:
    """Normalised lookup key of a game state or of a table key.

    Scalars become 1-tuples, sequences and arrays flat tuples of plain scalars, strings are parsed
    by :func:`_parse_text`. Because ``True == 1`` and ``1 == 1.0`` in Python (with equal hashes),
    the state ``(True, False)`` finds the key ``"(1, 0)"``, ``"1,0"`` or ``(1, 0)``.
    """
    if isinstance(state, str):
        return _parse_text(state)
    if isinstance(state, (list, tuple, np.ndarray)):
        return tuple(_scalar(item) for item in np.asarray(state, dtype=object).ravel())
    return (_scalar(state),)


def _show_key(key: tuple) -> str:
    return repr(key[0]) if len(key) == 1 else repr(key)


class StateTable:
    """Look up an array by game state.

    Parameters
    ----------
    table : mapping or array-like
        A mapping from states to arrays (keys normalised by :func:`state_key`, so ``"0"``, ``0``,
        ``"(0, 1)"``, ``"0,1"`` and ``(0, 1)`` all work), or an array indexed by the state.
    indexing : {"values", "position"}
        How an array table is indexed by a state converted to integers ``s``: ``"values"`` =
        ``table[s]`` with ``s`` an integer array (numpy integer-array indexing: a 1-D table maps
        each state feature to its own entry, a 2-D table with a scalar state picks row ``s``);
        ``"position"`` = ``table[tuple(s)]`` (the state's features index the table's leading
        axes in turn).
    address : str
        Where the table is configured, for messages.
    dtype : dtype
        Dtype the arrays are stored and returned in.
    """

    def __init__(self, table: Any, *, indexing: str, address: str, dtype: Any = np.float64):
        self.address = address
        self.indexing = indexing
        self.entries: dict[tuple, np.ndarray] | None = None
        self.array: np.ndarray | None = None
        if isinstance(table, Mapping):
            self.entries = {}
            origin: dict[tuple, Any] = {}
            for raw, value in table.items():
                key = state_key(raw)
                if key in self.entries:
                    raise ConfigError(
                        f"{address}: keys {origin[key]!r} and {raw!r} name the same state {_show_key(key)}"
                    )
                origin[key] = raw
                self.entries[key] = np.asarray(value, dtype=dtype)
        else:
            self.array = np.asarray(table, dtype=dtype)

    def values(self) -> list[np.ndarray]:
        """Every array of a mapping table, or the whole array of an array table."""
        return list(self.entries.values()) if self.entries is not None else [self.array]

    def __call__(self, state: Any) -> np.ndarray:
        """The array for ``state``; a ConfigError names the state when the table has none."""
        if self.entries is not None:
            key = state_key(state)
            try:
                return self.entries[key]
            except KeyError:
                known = ", ".join(_show_key(k) for k in list(self.entries)[:10])
                raise ConfigError(
                    f"{self.address}: no entry for state {state!r} (key {_show_key(key)}); "
                    f"add it (keys: {known})"
                ) from None
        return self._index(state)

    def _index(self, state: Any) -> np.ndarray:
        try:
            raw = np.asarray(state, dtype=np.float64)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{self.address}: an array table needs numeric states (got {state!r}); use a table"
            ) from None
        index = raw.astype(np.intp)
        if not np.array_equal(index, raw):
            raise ConfigError(f"{self.address}: an array table needs integer-valued states (got {state!r})")
        if np.any(index < 0):  # numpy would wrap a negative index silently to the table's end
            raise ConfigError(
                f"{self.address}: state {state!r} has a negative value; states index the array of shape "
                f"{self.array.shape} from 0"
            )
        try:
            if self.indexing == "position":
                return self.array[tuple(index.ravel())] if index.ndim else self.array[int(index)]
            return self.array[index]
        except IndexError:
            raise ConfigError(
                f"{self.address}: state {state!r} is outside the array of shape {self.array.shape}"
            ) from None


# -- bases -------------------------------------------------------------------------------------
class InputBase(Part):
    """Polarities, magnitude and the firing window shared by the encoders.

    Subclasses implement ``_encode(state)`` (once per game step) and ``_spikes_at(step)`` (bool
    (N_in,) for network step ``step`` of the game step, counted from 0), and may implement
    ``_spike_rows(start, out)`` (several steps at once) for speed.

    Attributes
    ----------
    polarities : ndarray, ctx.dtype, shape (N_in,)
        The config's explicit ``polarities`` when given, else -1 with probability
        ``input_pct_inhibitory`` and +1 otherwise (drawn independently per unit).
    magnitude : float
        Amplitude of one input spike (runtime-tunable).
    input_firing_steps : int
        Firing window in network steps, -1 = the whole game step (runtime-tunable).
    """

    KERNEL = Kernel(methods=("fire", "spike_block"))

    def __init__(self, config: Any, ctx: Any):
        super().__init__(config, ctx)
        self.n_inputs = ctx.n_inputs
        self.processing_time = ctx.processing_time
        self.polarities = build_polarities(
            config.polarities,
            config.input_pct_inhibitory,
            ctx.n_inputs,
            self.rng,
            ctx.dtype,
            "$.input.polarities",
        )
        self.tick_step = 0
        self._silent = np.zeros(ctx.n_inputs, dtype=bool)

    def address(self, field: str) -> str:
        """Where a setting lives, for messages: ``$.input.<field> (<part>)``."""
        return f"$.input.{field} ({type(self).__name__})"

    def reset(self) -> None:
        self.tick_step = 0

    def update(self, state: Any) -> None:
        """New game state: encode it and restart the firing window."""
        self.tick_step = 0
        self._encode(state)

    def fire(self) -> np.ndarray:
        """Spikes of this network step, bool (N_in,); silent once the firing window is over."""
        step = self.tick_step
        self.tick_step = step + 1
        window = self.input_firing_steps
        if 0 <= window <= step:
            return self._silent
        return self._spikes_at(step)

    def spike_block(self, out: np.ndarray) -> None:
        """The spikes of ``out.shape[0]`` consecutive network steps at once (the input kernel).

        Writes bool (steps, N_in) into ``out`` and leaves the part exactly as that many calls of
        :meth:`fire` would (same random numbers, in the same order, from ``self.rng``); the
        engines call it once per game step.
        """
        steps = out.shape[0]
        start = self.tick_step
        window = self.input_firing_steps
        firing = steps if window < 0 else min(steps, max(0, window - start))
        self.tick_step = start + steps
        out[firing:] = False
        if firing:
            self._spike_rows(start, out[:firing])

    def _spike_rows(self, start: int, out: np.ndarray) -> None:
        """Rows of :meth:`_spikes_at` for steps ``start ..`` into ``out`` (bool (k, N_in))."""
        for row in range(out.shape[0]):
            out[row] = self._spikes_at(start + row)

    def _encode(self, state: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _spikes_at(self, step: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class RateInputBase(InputBase):
    """Independent Bernoulli spikes: unit ``i`` fires with probability ``rates[i]`` at each step.

    Attributes
    ----------
    rates : ndarray, float64, shape (N_in,)
        Per-step spike probability of every unit for the current game step.
    """

    STATE = ("rates",)
    KERNEL = Kernel(methods=("fire", "spike_block", "_spikes_at", "_spike_rows"))

    def __init__(self, config: Any, ctx: Any):
        super().__init__(config, ctx)
        self.rates = np.zeros(ctx.n_inputs, dtype=np.float64)
        self._uniform = np.zeros(ctx.n_inputs, dtype=np.float64)
        self._spikes = np.zeros(ctx.n_inputs, dtype=bool)

    def reset(self) -> None:
        super().reset()
        self.rates.fill(0.0)

    def check_tiling(self, size: int, field: str) -> None:
        """ConfigError unless ``size`` features tile the N_in units evenly."""
        if size == 0 or self.n_inputs % size:
            raise ConfigError(
                f"{self.address(field)}: n_inputs = {self.n_inputs} must be a multiple of the "
                f"number of encoded features ({size}); change n_inputs or the map"
            )

    def check_table_tiling(self, table: StateTable, field: str) -> None:
        """Check what a table fixes before running: each entry's size, or a 2-D+ array's width."""
        for value in table.values():
            if table.entries is not None:
                self.check_tiling(value.size, field)
            elif value.ndim >= 2:
                self.check_tiling(value.shape[-1], field)

    def set_rates(self, features: np.ndarray, field: str) -> None:
        """Tile per-step probabilities ``features`` (F,) over the units: unit i gets feature i mod F."""
        features = np.ravel(features)
        self.check_tiling(features.size, field)
        if features.size and (
            features.min() < 0.0 or features.max() > 1.0 or not np.all(np.isfinite(features))
        ):
            raise ConfigError(
                f"{self.address(field)}: per-step spike probabilities must lie in [0, 1] "
                f"(got min {features.min()}, max {features.max()})"
            )
        self.rates.reshape(-1, features.size)[...] = features

    def _spikes_at(self, step: int) -> np.ndarray:
        self.rng.random(out=self._uniform)
        np.less(self._uniform, self.rates, out=self._spikes)
        return self._spikes

    def _spike_rows(self, start: int, out: np.ndarray) -> None:
        # one block of uniforms: the numbers len(out) calls of _spikes_at would draw, in order
        np.less(self.rng.random(out.shape), self.rates, out=out)
