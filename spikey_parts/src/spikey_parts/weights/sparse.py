"""Sparse weights: only existing synapses are stored (compressed rows), memory proportional to them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from spikey_core.config import Check, Integer, Optional, param, probability
from spikey_core.kernels import Kernel, clipped, compiled_as, jitable, take, take_intp, true_indices
from spikey_core.weights import (
    WEIGHT_KERNEL_METHODS,
    DelayLine,
    add_clipped_at,
    clip_values,
    read_only,
    ring_deliver,
    ring_schedule,
)

from spikey_core import ConfigError, Part
from spikey_parts.weights.base import max_weight_param
from spikey_parts.weights.delays import DelaySpec, delay_param, row_delays


# -- pure kernels over the compressed-row layout ------------------------------------------------------
# Each primitive below is vectorised numpy as written (the numpy engine) and, through
# compiled_as, plain loops doing the same operations in the same order under numba.
@jitable
def range_total(pointers: np.ndarray, keys: np.ndarray) -> int:
    """How many positions :func:`gather_ranges` returns: ``sum(pointers[k+1] - pointers[k])``."""
    total = 0
    for i in range(keys.shape[0]):
        total += pointers[keys[i] + 1] - pointers[keys[i]]
    return total


def _gather_ranges_loops(pointers, keys):
    out = np.empty(range_total(pointers, keys), dtype=np.intp)
    n = 0
    for i in range(keys.shape[0]):
        for position in range(pointers[keys[i]], pointers[keys[i] + 1]):
            out[n] = position
            n += 1
    return out


@compiled_as(_gather_ranges_loops)
def gather_ranges(pointers: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Positions ``pointers[k] .. pointers[k+1]-1`` for every ``k`` in ``keys``, concatenated (intp)."""
    if keys.size == 1:
        key = int(keys[0])
        return np.arange(pointers[key], pointers[key + 1], dtype=np.intp)
    if 1 < keys.size <= 4:  # a few units (sparse activity): fewer numpy calls than the vectorised form
        bounds = zip(pointers[keys].tolist(), pointers[keys + 1].tolist(), strict=True)
        return np.concatenate([np.arange(start, end, dtype=np.intp) for start, end in bounds])
    starts = pointers[keys]
    return concatenated_ranges(starts, pointers[keys + 1] - starts)


def concatenated_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Positions ``starts[i] .. starts[i] + counts[i] - 1`` for every ``i``, concatenated (intp)."""
    ends = np.cumsum(counts)
    return np.arange(ends[-1] if ends.size else 0, dtype=np.intp) + np.repeat(starts - ends + counts, counts)


def range_owners(pointers: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For :func:`gather_ranges`' output: the index into ``keys`` of each position's range."""
    return np.repeat(np.arange(keys.size), pointers[keys + 1] - pointers[keys])


def _per_range_loops(pointers, keys, per_key):
    out = np.empty(range_total(pointers, keys), dtype=per_key.dtype)
    n = 0
    for i in range(keys.shape[0]):
        for _ in range(pointers[keys[i]], pointers[keys[i] + 1]):
            out[n] = per_key[i]
            n += 1
    return out


@compiled_as(_per_range_loops)
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


def _sparse_deliver_loops(pointers, post, values, active, emit, out):
    out.fill(0.0)
    for i in range(active.shape[0]):
        unit = active[i]
        size = emit[unit]
        for s in range(pointers[unit], pointers[unit + 1]):
            out[post[s]] += values[s] * size


@compiled_as(_sparse_deliver_loops)
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
    adds in input order, as the compiled loop), so every path gives the same bits. A row has at
    most one synapse onto each neuron, so a few active rows are added one by one with a plain
    indexed add.
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


def _sparse_schedule_loops(pointers, post, values, delays, active, emit, pending, position):
    depth = pending.shape[0]
    for i in range(active.shape[0]):
        unit = active[i]
        size = emit[unit]
        for s in range(pointers[unit], pointers[unit + 1]):
            pending[(position[0] + delays[s] - 1) % depth, post[s]] += values[s] * size


@compiled_as(_sparse_schedule_loops)
def sparse_schedule(
    pointers: np.ndarray,
    post: np.ndarray,
    values: np.ndarray,
    delays: np.ndarray,
    active: np.ndarray,
    emit: np.ndarray,
    pending: np.ndarray,
    position: np.ndarray,
) -> None:
    """The spikes of ``active`` (int (A,), ascending) into the delay ring ``pending`` (D, N).

    Synapse ``s`` of unit ``j`` adds ``values[s] * emit[j]`` to the slot ``delays[s] - 1`` steps
    ahead of ``position`` (int (1,)), synapse by synapse in row order
    (:func:`~spikey_core.weights.ring_schedule`).
    """
    if active.size:
        ids = gather_ranges(pointers, active)
        amounts = values[ids]
        amounts *= per_range(pointers, active, emit[active])
        ring_schedule(pending, position, post[ids], delays[ids], amounts)


def _sparse_update_loops(values, max_weight, column_ids, column_values, overlap, row_ids, row_values):
    for i in range(column_ids.shape[0]):
        s = column_ids[i]
        value = values[s] + column_values[i]
        values[s] = value if overlap[i] else clipped(value, max_weight)
    for i in range(row_ids.shape[0]):
        s = row_ids[i]
        values[s] = clipped(values[s] + row_values[i], max_weight)


@compiled_as(_sparse_update_loops)
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
        column = take(values, column_ids)
        column += column_values
        held = column[overlap]
        clip_values(column, max_weight)
        column[overlap] = held
        values[column_ids] = column
    if row_ids.size:
        row = take(values, row_ids)
        row += row_values
        clip_values(row, max_weight)
        values[row_ids] = row


def _add_values_at_loops(target, ids, change):
    for i in range(ids.shape[0]):
        target[ids[i]] += change[i]


@compiled_as(_add_values_at_loops)
def add_values_at(target: np.ndarray, ids: np.ndarray, change: np.ndarray) -> None:
    """``target[ids] += change`` (``ids`` int (k,), unique)."""
    target[ids] += change


def _add_scaled_values_loops(values, source, scale, max_weight):
    for s in range(values.shape[0]):
        values[s] = clipped(values[s] + scale * source[s], max_weight)


@compiled_as(_add_scaled_values_loops)
def add_scaled_values(values: np.ndarray, source: np.ndarray, scale: float, max_weight: float) -> None:
    """``values = clip(values + scale * source, 0, max_weight)``, all float (S,)."""
    values += scale * source
    clip_values(values, max_weight)


# -- the compiled engine's kernels ------------------------------------------------------------------------
# state = (values, pointers, post, by_post, pre_by_post, post_pointers, delays, pending, position (1,),
#          in_rows); params = (max_weight,). See Sparse for the layout.
@jitable
def sparse_kernel_propagate(state, params, emit, spikes, signed, out) -> None:
    """The input arriving now from ``spikes`` (bool (U,)), into ``out`` (float (N,)).

    Delay 1 everywhere (a ring of depth 1): :func:`sparse_deliver`. Otherwise the step's spikes
    are scheduled into the ring (:func:`sparse_schedule`), then the slot of this step is
    delivered and the ring advances (:func:`~spikey_core.weights.ring_deliver`). ``signed`` unused.
    """
    values, pointers, post = state[0], state[1], state[2]
    pending, position = state[7], state[8]
    active = true_indices(spikes)
    if pending.shape[0] == 1:
        sparse_deliver(pointers, post, values, active, emit, out)
        return
    sparse_schedule(pointers, post, values, state[6], active, emit, pending, position)
    ring_deliver(pending, position, out)


@jitable
def sparse_column_terms(state, columns, change) -> tuple:
    """``(ids, change of each, pre of each)`` of the synapses onto body neurons ``columns`` (int)."""
    positions = gather_ranges(state[5], columns)
    pre = take_intp(state[4], positions)
    return take_intp(state[3], positions), take(change, pre), pre


@jitable
def sparse_row_terms(state, rows, change, row_scale) -> tuple:
    """``(ids, row_scale[r] * change[post])`` of the synapses leaving units ``rows`` (int)."""
    pointers = state[1]
    ids = gather_ranges(pointers, rows)
    values = take(change, take(state[2], ids))
    values *= per_range(pointers, rows, row_scale)
    return ids, values


@jitable
def sparse_kernel_update(state, params, columns, column_change, rows, row_change, row_scale) -> None:
    """The weight protocol's ``update`` with a separable row term (see :func:`sparse_update`).

    ``w += column_change[pre]`` on the synapses onto ``columns``, ``w += row_scale[i] *
    row_change[post]`` on those leaving ``rows[i]``, one clip per touched synapse.
    """
    column_ids, column_values, column_pre = sparse_column_terms(state, columns, column_change)
    row_ids, row_values = sparse_row_terms(state, rows, row_change, row_scale)
    in_rows = state[9]
    in_rows[rows] = True
    overlap = in_rows[column_pre]
    in_rows[rows] = False
    sparse_update(state[0], params[0], column_ids, column_values, overlap, row_ids, row_values)


@jitable
def sparse_kernel_accumulate(state, params, target, columns, column_change, rows, row_change, row_scale):
    """``target`` (S,) gains the terms of :func:`sparse_kernel_update`, unclipped."""
    ids, values, _ = sparse_column_terms(state, columns, column_change)
    add_values_at(target, ids, values)
    ids, values = sparse_row_terms(state, rows, row_change, row_scale)
    add_values_at(target, ids, values)


@jitable
def sparse_kernel_add_scaled(state, params, source, scale) -> None:
    """``w = clip(w + scale * source)`` on every synapse (``source`` float (S,))."""
    add_scaled_values(state[0], source, scale, params[0])


@jitable
def sparse_kernel_synapses_from(state, params, rows) -> tuple:
    """``(ids, pre, post)``, intp, of the synapses leaving units ``rows`` (int, unique), row by row."""
    pointers = state[1]
    ids = gather_ranges(pointers, rows)
    return ids, per_range(pointers, rows, rows), take_intp(state[2], ids)


@jitable
def sparse_kernel_synapses_into(state, params, columns) -> tuple:
    """``(ids, pre, post)``, intp, of the synapses onto body neurons ``columns`` (int, unique)."""
    post_pointers = state[5]
    positions = gather_ranges(post_pointers, columns)
    ids = take_intp(state[3], positions)
    return ids, take_intp(state[4], positions), per_range(post_pointers, columns, columns)


@jitable
def sparse_kernel_add_at(state, params, ids, change) -> None:
    """``w[ids] = clip(w[ids] + change)`` (``ids`` int (k,), unique; ``change`` float (k,))."""
    add_clipped_at(state[0], ids, change, params[0])


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
    KERNEL = Kernel(
        functions={
            "propagate": sparse_kernel_propagate,
            "update": sparse_kernel_update,
            "accumulate": sparse_kernel_accumulate,
            "add_scaled": sparse_kernel_add_scaled,
            "synapses_from": sparse_kernel_synapses_from,
            "synapses_into": sparse_kernel_synapses_into,
            "add_at": sparse_kernel_add_at,
        },
        methods=WEIGHT_KERNEL_METHODS,
    )

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

    def synapse_delays(self) -> np.ndarray:
        """Delay of every synapse in this layout, int (S,): ``synapse_delays()[id]`` (read-only view)."""
        return read_only(self.delays)

    # -- the kernel's side ------------------------------------------------------------------------------
    def kernel_state(self) -> tuple:
        """The arrays of the compiled kernels, changed in place (see :func:`sparse_kernel_propagate`)."""
        return (
            self.values,
            self.pointers,
            self.post,
            self.by_post,
            self.pre_by_post,
            self.post_pointers,
            self.delays,
            self.line.pending,
            self.line.position.reshape(1),
            self._in_rows,
        )

    def kernel_params(self) -> tuple:
        """``(max_weight,)``."""
        return (float(self.max_weight),)

    def reset(self) -> None:
        self.line.clear()

    def propagate(self, spikes: np.ndarray, emit: np.ndarray, out: np.ndarray) -> None:
        """The input arriving now (see :class:`spikey_core.protocols.Weight`); delays via the ring."""
        if self.before_read is not None:
            self.before_read(spikes.nonzero()[0])
        sparse_kernel_propagate(self.kernel_state(), self.kernel_params(), emit, spikes, None, out)

    # -- the learning rules' side -------------------------------------------------------------------------
    def clip(self) -> None:
        clip_values(self.values, self.max_weight)

    def synapses_from(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.intp)
        if rows.size == 1:  # one unit: its synapses are one slice
            start, end = int(self.pointers[rows[0]]), int(self.pointers[rows[0] + 1])
            return np.arange(start, end), rows.repeat(end - start), self.post[start:end].astype(np.intp)
        return sparse_kernel_synapses_from(self.kernel_state(), (), rows)

    def synapses_into(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # intp ids and units: indexing with int32 arrays costs a cast per call, more than the copy
        columns = np.asarray(columns, dtype=np.intp)
        if columns.size == 1:  # one neuron: its synapses are one slice of the column index
            start, end = int(self.post_pointers[columns[0]]), int(self.post_pointers[columns[0] + 1])
            ids, pre = self.by_post[start:end].astype(np.intp), self.pre_by_post[start:end].astype(np.intp)
            return ids, pre, columns.repeat(end - start)
        return sparse_kernel_synapses_into(self.kernel_state(), (), columns)

    def _row_terms(
        self, rows: np.ndarray, change: np.ndarray, row_scale: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.intp)
        if change.ndim == 1:
            scale = np.ones(rows.size, dtype=change.dtype) if row_scale is None else row_scale
            return sparse_row_terms(self.kernel_state(), rows, change, scale)
        ids = gather_ranges(self.pointers, rows)  # a full (R, N) row change (not separable)
        values = change[range_owners(self.pointers, rows), self.post[ids]]
        if row_scale is not None:
            values *= per_range(self.pointers, rows, row_scale)
        return ids, values

    def add_at(self, ids: np.ndarray, change: np.ndarray) -> None:
        add_clipped_at(self.values, ids, change, self.max_weight)

    def add_to_columns(self, columns: np.ndarray, change: np.ndarray) -> None:
        columns = np.asarray(columns, dtype=np.intp)
        self.add_at(*sparse_column_terms(self.kernel_state(), columns, change)[:2])

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
        columns, rows = np.asarray(columns, dtype=np.intp), np.asarray(rows, dtype=np.intp)
        if row_change.ndim == 1:
            scale = np.ones(rows.size, dtype=row_change.dtype) if row_scale is None else row_scale
            sparse_kernel_update(
                self.kernel_state(), self.kernel_params(), columns, column_change, rows, row_change, scale
            )
            return
        column_ids, column_values, column_pre = sparse_column_terms(
            self.kernel_state(), columns, column_change
        )
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
        columns = np.asarray(columns, dtype=np.intp)
        ids, values, _ = sparse_column_terms(self.kernel_state(), columns, column_change)
        add_values_at(target, ids, values)
        ids, values = self._row_terms(rows, row_change, row_scale)
        add_values_at(target, ids, values)

    def add_scaled(self, source: np.ndarray, scale: float) -> None:
        add_scaled_values(self.values, source, scale, self.max_weight)
