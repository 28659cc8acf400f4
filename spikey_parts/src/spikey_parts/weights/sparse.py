"""Sparse weights: only existing synapses are stored (compressed rows), memory proportional to them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from spikey_core.config import Check, Integer, Optional, param, probability
from spikey_core.weights import DelayLine, clip_values

from spikey_core import ConfigError, Part
from spikey_parts.weights.base import max_weight_param
from spikey_parts.weights.delays import DelaySpec, delay_param, row_delays


# -- pure kernels over the compressed-row layout ------------------------------------------------------
def gather_ranges(pointers: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Positions ``pointers[k] .. pointers[k+1]-1`` for every ``k`` in ``keys``, concatenated (int)."""
    if keys.size == 1:
        key = int(keys[0])
        return np.arange(pointers[key], pointers[key + 1])
    if 1 < keys.size <= 4:  # a few units (sparse activity): fewer numpy calls than the vectorised form
        bounds = zip(pointers[keys].tolist(), pointers[keys + 1].tolist(), strict=True)
        return np.concatenate([np.arange(start, end) for start, end in bounds])
    starts = pointers[keys]
    counts = pointers[keys + 1] - starts
    ends = np.cumsum(counts)
    return np.arange(ends[-1] if ends.size else 0) + np.repeat(starts - ends + counts, counts)


def range_owners(pointers: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For :func:`gather_ranges`' output: the index into ``keys`` of each position's range."""
    return np.repeat(np.arange(keys.size), pointers[keys + 1] - pointers[keys])


def per_range(pointers: np.ndarray, keys: np.ndarray, per_key: np.ndarray) -> np.ndarray:
    """For :func:`gather_ranges`' output: ``per_key[i]`` (one value per key) at each position of range ``i``.

    ``per_key[range_owners(pointers, keys)]`` in one pass.
    """
    return np.repeat(per_key, pointers[keys + 1] - pointers[keys])


def sparse_propagate(
    pointers: np.ndarray,
    post: np.ndarray,
    values: np.ndarray,
    spikes: np.ndarray,
    emit: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[k] = sum over synapses (j, k) of spiked_j * emit[j] * w_jk`` (delay 1).

    ``pointers`` int (U+1,), ``post`` int (S,), ``values`` float (S,): row ``j``'s synapses are
    ``pointers[j] .. pointers[j+1]-1``. Touches only the rows of units that spiked.
    """
    sparse_deliver(pointers, post, values, spikes.nonzero()[0], emit, out)


def sparse_deliver(
    pointers: np.ndarray,
    post: np.ndarray,
    values: np.ndarray,
    active: np.ndarray,
    emit: np.ndarray,
    out: np.ndarray,
) -> None:
    """:func:`sparse_propagate` given the spiking units ``active`` (int (A,), ascending).

    Each neuron's input is summed from 0 over the active rows in ascending order (``bincount``
    adds in input order), so every path gives the same bits. A row has at most one synapse onto
    each neuron, so a few active rows are added one by one with a plain indexed add.
    """
    if active.size > 4:
        ids = gather_ranges(pointers, active)
        amounts = values[ids]
        amounts *= per_range(pointers, active, emit[active])
        out[...] = np.bincount(post[ids], weights=amounts, minlength=out.shape[0])
        return
    out.fill(0.0)
    for unit in active.tolist():
        start, end = int(pointers[unit]), int(pointers[unit + 1])
        out[post[start:end]] += values[start:end] * emit[unit]


def sparse_update(
    values: np.ndarray,
    max_weight: float,
    column_ids: np.ndarray,
    column_values: np.ndarray,
    overlap: np.ndarray,
    row_ids: np.ndarray,
    row_values: np.ndarray,
) -> None:
    """Column terms, then row terms, one clip per touched synapse, in place.

    .. math:: w_s \\leftarrow \\mathrm{clip}\\big((w_s + a_s) + b_s, 0, W_{max}\\big)

    ``column_ids`` int (C,) and ``row_ids`` int (R,), each unique; ``column_values`` (C,) and
    ``row_values`` (R,) float: ``a`` and ``b`` (0 for a synapse not in that term); ``overlap``
    bool (C,): the column synapse is also in ``row_ids``. Each synapse is read and written once
    per term: a synapse in both terms keeps ``w + a`` unclipped until the row term adds ``b``
    (the same operations in the same order as adding both terms, then clipping each, so the
    same bits), so the randomly placed column synapses are visited once instead of twice.
    """
    if column_ids.size:
        column = values[column_ids]
        column += column_values
        held = column[overlap]
        clip_values(column, max_weight)
        column[overlap] = held
        values[column_ids] = column
    if row_ids.size:
        row = values[row_ids]
        row += row_values
        clip_values(row, max_weight)
        values[row_ids] = row


# -- configuration ------------------------------------------------------------------------------------
PROJECTION_KEYS = ("pre", "post", "fan_out", "connection_probability", "low", "high", "delay")


class Projections(Check):
    """A list of projection tables (see :class:`SparseConfig.projections`)."""

    def problem(self, value: Any) -> str | None:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence) or not value:
            return f"must be a non-empty list of projection tables (got {value!r:.60})"
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                return f"[{i}] must be a table with keys {', '.join(PROJECTION_KEYS)} (got {item!r:.40})"
            unknown = sorted(set(item) - set(PROJECTION_KEYS))
            if unknown:
                return f"[{i}]: unknown key(s) {', '.join(unknown)}; known: {', '.join(PROJECTION_KEYS)}"
        return None

    def summary(self) -> str:
        return "list of projection tables"


@attrs.frozen(kw_only=True)
class SparseConfig:
    max_weight: float = max_weight_param()
    fan_out: Any = param(
        default=None,
        check=Optional(Integer(ge=0)),
        doc=(
            "synapses per presynaptic unit onto distinct body neurons drawn without replacement "
            "(no self-synapse); None: use connection_probability"
        ),
    )
    connection_probability: float = param(
        default=0.1, check=probability(), doc="probability that each allowed synapse exists (fan_out None)"
    )
    low: float = param(default=0.0, check=probability(), doc="initial weights U(low, high) x max_weight")
    high: float = param(default=1.0, check=probability(), doc="initial weights U(low, high) x max_weight")
    delay: Any = delay_param()
    projections: Any = param(
        default=None,
        check=Optional(Projections()),
        doc=(
            "instead of one all-to-all projection: a list of tables {pre = [first, end), post = "
            "[first, end), fan_out or connection_probability, low, high, delay}, pre over units "
            "(inputs first), post over body neurons; unset keys take the values above"
        ),
    )

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise ConfigError(f"SparseConfig.low: must be <= high ({self.high}) (got {self.low})")


class Sparse(Part):
    """Only existing synapses are stored, in compressed rows: memory is O(synapses), never (U, N).

    Layout (synapse ids are positions in these arrays; ``S`` synapses):

    * ``pointers`` int64 (U+1,): unit ``j``'s outgoing synapses are ``pointers[j] .. pointers[j+1]-1``;
    * ``post`` int32 (S,), ``pre`` int32 (S,): the neurons each synapse connects;
    * ``values`` float (S,): weights in ``[0, max_weight]``;
    * ``delays`` int (S,): conduction delay in steps (see :mod:`spikey_parts.weights.delays`);
    * ``by_post`` int32 (S,), ``post_pointers`` int64 (N+1,): the same synapses grouped by
      postsynaptic neuron, for column updates; ``pre_by_post`` int32 (S,) is ``pre[by_post]``, so
      a column's presynaptic units are a contiguous slice (no random read per synapse).

    Construction (every draw from ``self.rng``): the topology per projection in order, unit by
    unit: with ``fan_out = m`` each presynaptic unit gets ``m`` distinct targets among the
    projection's body neurons (itself excluded), drawn without replacement; otherwise each allowed
    pair exists with ``connection_probability`` (a binomial count per unit, then that many targets
    without replacement, so nothing of size (U, N) is ever drawn). Delays follow ``delay`` in
    draw order (so a spread pairs delays with random targets). Then the weights,
    ``U(low, high) * max_weight`` per projection (no draw when ``low == high``). A pair that two
    projections both draw keeps the first projection's synapse.

    Propagation and every learning update touch only the synapses of the units involved, so a
    step costs O(synapses of the units that spiked).

    Raises
    ------
    ConfigError
        A projection range outside the network, or a fan-out larger than its targets.
    """

    Config = SparseConfig
    STATE = ("values", "pointers", "post", "delays", "pending", "position")

    def __init__(self, config: SparseConfig, ctx: Any):
        super().__init__(config, ctx)
        self.n_inputs, self.n_neurons = ctx.n_inputs, ctx.n_neurons
        self.shape = (ctx.n_units, ctx.n_neurons)
        self.max_weight = float(config.max_weight)
        pre, post, values, delays = self._draw(config, ctx)
        if config.projections is not None and len(config.projections) > 1:
            order = np.lexsort((post, pre))  # projections may overlap: sort, keep each pair's first
            pre, post, values, delays = pre[order], post[order], values[order], delays[order]
            keep = np.ones(pre.size, dtype=bool)
            keep[1:] = (pre[1:] != pre[:-1]) | (post[1:] != post[:-1])
            pre, post, values, delays = pre[keep], post[keep], values[keep], delays[keep]
        self.pre, self.post, self.values, self.delays = pre, post, values, delays
        self.pointers = np.searchsorted(self.pre, np.arange(ctx.n_units + 1)).astype(np.int64)
        self._index_columns()
        self.line = DelayLine(int(self.delays.max(initial=1)), ctx.n_neurons, ctx.dtype)
        self.before_read: Any = None  # see spikey_core.weights.DenseWeight.before_read
        self.clip()

    # -- construction ------------------------------------------------------------------------------
    def _draw(self, config: SparseConfig, ctx: Any) -> tuple[np.ndarray, ...]:
        defaults = {k: getattr(config, k) for k in PROJECTION_KEYS[2:]}
        tables = config.projections or [{"pre": [0, ctx.n_units], "post": [0, ctx.n_neurons]}]
        parts = [self._project(i, {**defaults, **table}) for i, table in enumerate(tables)]
        pre, post, delays = (np.concatenate([p[k] for p in parts]) for k in range(3))
        values = np.empty(pre.size, dtype=ctx.dtype)
        start = 0
        for i, table in enumerate(tables):  # weights after the topology, projection by projection
            low, high = float({**defaults, **table}["low"]), float({**defaults, **table}["high"])
            size = parts[i][0].size
            values[start : start + size] = low if low == high else self.rng.uniform(low, high, size)
            start += size
        values *= self.max_weight
        return pre, post, values, delays

    def _range(self, table: Mapping, key: str, end: int, where: str) -> tuple[int, int]:
        value = table.get(key, [0, end])
        if np.ndim(value) != 1 or len(value) != 2 or not 0 <= int(value[0]) <= int(value[1]) <= end:
            raise ConfigError(
                f"{where}.{key} (Sparse): must be [first, end) with 0 <= first <= end <= {end} (got {value})"
            )
        return int(value[0]), int(value[1])

    def _project(self, i: int, table: Mapping) -> tuple[np.ndarray, ...]:
        """One projection's synapses, grouped by presynaptic unit, targets ascending within a unit."""
        where = f"$.weight.projections[{i}]" if self.config.projections else "$.weight"
        pre0, pre1 = self._range(table, "pre", self.shape[0], where)
        post0, post1 = self._range(table, "post", self.shape[1], where)
        delay_spec = table["delay"]
        problem = DelaySpec().problem(delay_spec)
        if problem is not None:
            raise ConfigError(f"{where}.delay (Sparse): {problem}")
        pre_list, post_list, delay_list = [], [], []
        for unit in range(pre0, pre1):
            body = unit - self.n_inputs
            excluded = 1 if post0 <= body < post1 else 0
            allowed = post1 - post0 - excluded
            count = self._count(table, allowed, where)
            chosen = self.rng.choice(allowed, size=count, replace=False) + post0
            if excluded:
                chosen[chosen >= body] += 1  # skip the unit's own body neuron
            delays = row_delays(delay_spec, count)  # by draw order, so delays pair with random targets
            order = np.argsort(chosen)
            pre_list.append(np.full(count, unit, dtype=np.int32))
            post_list.append(chosen[order].astype(np.int32))
            delay_list.append(delays[order])
        empty = np.zeros(0, dtype=np.int32)
        return tuple(np.concatenate(lists) if lists else empty for lists in (pre_list, post_list, delay_list))

    def _count(self, table: Mapping, allowed: int, where: str) -> int:
        if table["fan_out"] is None:
            return int(self.rng.binomial(allowed, float(table["connection_probability"])))
        fan_out = int(table["fan_out"])
        if fan_out > allowed:
            raise ConfigError(
                f"{where}.fan_out (Sparse): {fan_out} exceeds the {allowed} distinct targets a unit has; "
                "lower fan_out or widen post"
            )
        return fan_out

    def _index_columns(self) -> None:
        self.by_post = np.argsort(self.post, kind="stable").astype(np.int32)
        self.pre_by_post = self.pre[self.by_post].astype(np.int32)
        counts = np.bincount(self.post, minlength=self.shape[1])
        self.post_pointers = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._in_rows = np.zeros(self.shape[0], dtype=bool)  # scratch of update()

    def load_state_dict(self, state: Any) -> None:
        super().load_state_dict(state)
        self.pre = np.repeat(np.arange(self.shape[0], dtype=np.int32), np.diff(self.pointers))
        self._index_columns()
        self.line.pending, self.line.position = self.pending, self.position

    # -- inspection --------------------------------------------------------------------------------
    pending = property(lambda self: self.line.pending)
    position = property(lambda self: self.line.position)

    @property
    def n_synapses(self) -> int:
        return int(self.values.size)

    def to_dense(self) -> np.ndarray:
        """The weights as a (U, N) float array (allocates U * N: for small networks)."""
        dense = np.zeros(self.shape, dtype=self.values.dtype)
        dense[self.pre, self.post] = self.values
        return dense

    def dense_mask(self) -> np.ndarray:
        mask = np.zeros(self.shape, dtype=bool)
        mask[self.pre, self.post] = True
        return mask

    def dense_delays(self) -> np.ndarray:
        """Delays as an int (U, N) array (1 where no synapse)."""
        delays = np.ones(self.shape, dtype=int)
        delays[self.pre, self.post] = self.delays
        return delays

    # -- the kernel's side ------------------------------------------------------------------------------
    def reset(self) -> None:
        self.line.clear()

    def propagate(self, spikes: np.ndarray, emit: np.ndarray, out: np.ndarray) -> None:
        """The input arriving now (see :class:`spikey_core.protocols.Weight`); delays via the ring."""
        active = spikes.nonzero()[0]
        if self.before_read is not None:
            self.before_read(active)
        if self.line.depth == 1:
            sparse_deliver(self.pointers, self.post, self.values, active, emit, out)
            return
        if active.size:
            ids = gather_ranges(self.pointers, active)
            amounts = self.values[ids]
            amounts *= per_range(self.pointers, active, emit[active])
            self.line.schedule(self.post[ids], self.delays[ids], amounts)
        self.line.deliver(out)

    # -- the learning rules' side -------------------------------------------------------------------------
    def clip(self) -> None:
        clip_values(self.values, self.max_weight)

    def synapses_from(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.intp)
        if rows.size == 1:  # one unit: its synapses are one slice
            start, end = int(self.pointers[rows[0]]), int(self.pointers[rows[0] + 1])
            return np.arange(start, end), rows.repeat(end - start), self.post[start:end].astype(np.intp)
        ids = gather_ranges(self.pointers, rows)
        return ids, per_range(self.pointers, rows, rows), self.post[ids].astype(np.intp)

    def synapses_into(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # intp ids and units: indexing with int32 arrays costs a cast per call, more than the copy
        columns = np.asarray(columns, dtype=np.intp)
        if columns.size == 1:  # one neuron: its synapses are one slice of the column index
            start, end = int(self.post_pointers[columns[0]]), int(self.post_pointers[columns[0] + 1])
            ids, pre = self.by_post[start:end].astype(np.intp), self.pre_by_post[start:end].astype(np.intp)
            return ids, pre, columns.repeat(end - start)
        positions = gather_ranges(self.post_pointers, columns)
        post = np.repeat(columns, self.post_pointers[columns + 1] - self.post_pointers[columns])
        return self.by_post[positions].astype(np.intp), self.pre_by_post[positions].astype(np.intp), post

    def _column_terms(
        self, columns: np.ndarray, change: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ids, change of each, pre of each)`` of the synapses onto ``columns``."""
        positions = gather_ranges(self.post_pointers, np.asarray(columns, dtype=np.intp))
        pre = self.pre_by_post[positions]
        return self.by_post[positions].astype(np.intp), change[pre], pre

    def _row_terms(
        self, rows: np.ndarray, change: np.ndarray, row_scale: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.intp)
        ids = gather_ranges(self.pointers, rows)
        post = self.post[ids]
        if change.ndim == 1:
            values = change[post]
        else:
            values = change[range_owners(self.pointers, rows), post]
        if row_scale is not None:
            values *= per_range(self.pointers, rows, row_scale)
        return ids, values

    def add_at(self, ids: np.ndarray, change: np.ndarray) -> None:
        values = self.values[ids] + change
        clip_values(values, self.max_weight)
        self.values[ids] = values

    def add_to_columns(self, columns: np.ndarray, change: np.ndarray) -> None:
        self.add_at(*self._column_terms(columns, change)[:2])

    def add_to_rows(self, rows: np.ndarray, change: np.ndarray, row_scale: np.ndarray | None = None) -> None:
        self.add_at(*self._row_terms(rows, change, row_scale))

    def update(
        self,
        columns: np.ndarray,
        column_change: np.ndarray,
        rows: np.ndarray,
        row_change: np.ndarray,
        row_scale: np.ndarray | None = None,
    ) -> None:
        """Column and row terms summed per synapse, then one clip (see :func:`sparse_update`)."""
        column_ids, column_values, column_pre = self._column_terms(columns, column_change)
        row_ids, row_values = self._row_terms(rows, row_change, row_scale)
        in_rows = self._in_rows
        in_rows[rows] = True
        overlap = in_rows[column_pre]
        in_rows[rows] = False
        sparse_update(self.values, self.max_weight, column_ids, column_values, overlap, row_ids, row_values)

    def zeros(self, dtype: Any = None) -> np.ndarray:
        return np.zeros(self.values.shape, dtype=self.values.dtype if dtype is None else dtype)

    def accumulate(
        self,
        target: np.ndarray,
        columns: np.ndarray,
        column_change: np.ndarray,
        rows: np.ndarray,
        row_change: np.ndarray,
        row_scale: np.ndarray | None = None,
    ) -> None:
        ids, values, _ = self._column_terms(columns, column_change)
        target[ids] += values
        ids, values = self._row_terms(rows, row_change, row_scale)
        target[ids] += values

    def add_scaled(self, source: np.ndarray, scale: float) -> None:
        self.values += scale * source
        self.clip()
