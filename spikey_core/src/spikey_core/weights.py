"""The dense weight layout: the reference implementation of the weight protocol.

A weight part owns the network's connectivity (see :class:`spikey_core.protocols.Weight`): it
delivers the step's spikes to the body neurons (:meth:`DenseWeight.propagate`) and applies the
plasticity the learning rules ask for (row, column and per-synapse updates), so neither the
kernel nor a rule ever indexes a matrix. This module holds the dense layout as pure functions
over arrays (what a compiled engine re-implements) and :class:`DenseWeight`, the part base that
owns those arrays. Third-party dense weights subclass :class:`DenseWeight`, fill ``matrix`` and
``mask`` and inherit the whole protocol.

Layout: ``matrix`` float (U, N), ``U = n_inputs + n_neurons``, rows presynaptic units (inputs
first), columns postsynaptic body neurons; ``mask`` bool (U, N), True where a synapse exists.
Synapse ids (for the per-synapse methods) index ``matrix.reshape(-1)``: synapse ``(j, k)`` is
``j * N + k``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey_core.kernels import (
    Kernel,
    add_outer_to_rows,
    add_scaled_clipped,
    add_to_columns,
    clip_columns,
    clip_rows,
    clipped,
    compiled_as,
    compiled_by,
    jitable,
    true_indices,
    weighted_row_sum,
)
from spikey_core.part import BuildContext, Part

#: Kept for compatibility: propagation now always adds the active rows in unit order.
DENSE_ACTIVITY = 0.15


def read_only(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` that cannot be written through (for accessors that hand out internals)."""
    view = array.view()
    view.flags.writeable = False
    return view


# -- pure kernels ----------------------------------------------------------------------------------
def clip_values(values: np.ndarray, max_weight: float) -> None:
    """``values`` clipped to ``[0, max_weight]`` in place (two ufuncs: cheaper than ``np.clip``)."""
    np.maximum(values, 0.0, out=values)
    np.minimum(values, max_weight, out=values)


def dense_propagate(
    matrix: np.ndarray, spikes: np.ndarray, emit: np.ndarray, signed: np.ndarray, out: np.ndarray
) -> None:
    """Synaptic input of one step: ``out[k] = sum_j spikes[j] * emit[j] * matrix[j, k]``.

    Parameters
    ----------
    matrix : ndarray, float, shape (U, N)
    spikes : ndarray, bool, shape (U,)
        Who spiked this step.
    emit : ndarray, float, shape (U,)
        What one spike of each unit delivers per unit weight: ``polarity * magnitude``.
    signed : ndarray, float, shape (U,)
        Scratch buffer.
    out : ndarray, float, shape (N,)
        Written in place.

    The rows of the units that spiked are added in unit order (:func:`~spikey_core.kernels.
    weighted_row_sum`), the same order as the compiled engine, so both give the same bits.
    """
    weighted_row_sum(matrix, emit, spikes, signed, out)


def row_terms(row_change: np.ndarray, row_scale: np.ndarray | None) -> np.ndarray:
    """The row term as (R, N) or broadcastable (N,): ``row_scale[r] * row_change[k]`` when scaled."""
    if row_scale is None:
        return row_change
    return np.multiply.outer(row_scale, row_change)


def dense_add_to_columns(
    matrix: np.ndarray, mask: np.ndarray, max_weight: float, columns: np.ndarray, change: np.ndarray
) -> None:
    """``W[:, c] = clip(W[:, c] + change)`` for every ``c`` in ``columns``, existing synapses only.

    ``columns`` int (C,), unique; ``change`` float (U,): the change of each presynaptic unit's
    synapse onto every one of those neurons.
    """
    values = matrix[:, columns]
    values += change[:, None]
    clip_values(values, max_weight)
    values *= mask[:, columns]
    matrix[:, columns] = values


def dense_add_to_rows(
    matrix: np.ndarray,
    mask: np.ndarray,
    max_weight: float,
    rows: np.ndarray,
    change: np.ndarray,
    row_scale: np.ndarray | None = None,
) -> None:
    """``W[r, :] = clip(W[r, :] + change)`` for every ``r`` in ``rows``, existing synapses only.

    ``rows`` int (R,), unique; ``change`` float (N,) (the same for every row) or (R, N);
    with ``row_scale`` float (R,), row ``r`` gets ``row_scale[r] * change`` (change (N,)).
    """
    values = matrix[rows]
    values += row_terms(change, row_scale)
    clip_values(values, max_weight)
    values *= mask[rows]
    matrix[rows] = values


def dense_update(
    matrix: np.ndarray,
    mask: np.ndarray,
    max_weight: float,
    columns: np.ndarray,
    column_change: np.ndarray,
    rows: np.ndarray,
    row_change: np.ndarray,
    row_scale: np.ndarray | None = None,
) -> None:
    """Both terms of a pair-based rule, then one clip of every touched synapse:

    .. math:: W_{jk} \\leftarrow \\mathrm{clip}\\big(W_{jk} + [k \\in C]\\, a_j
              + [j \\in R]\\, b_{jk}, 0, W_{max}\\big)

    ``a`` = ``column_change`` float (U,), ``b`` = ``row_change`` float (N,) or (R, N) (times
    ``row_scale[r]`` (R,) when given); a synapse in a touched row and a touched column gets both
    terms before the clip.
    """
    if rows.size:
        matrix[rows] += row_terms(row_change, row_scale)
    if columns.size:
        matrix[:, columns] += column_change[:, None]
    # clipping is idempotent: a synapse in a touched row and column has both terms before either clip
    if rows.size:
        clip_rows(matrix, mask, rows, max_weight)
    if columns.size:
        clip_columns(matrix, mask, columns, max_weight)


def dense_accumulate(
    target: np.ndarray,
    columns: np.ndarray,
    column_change: np.ndarray,
    rows: np.ndarray,
    row_change: np.ndarray,
    row_scale: np.ndarray | None = None,
) -> None:
    """``target`` (U, N) gains the same two terms as :func:`dense_update`, unclipped.

    For per-synapse state kept in the weight's layout (eligibility traces). Entries of absent
    synapses are left unspecified (skipping the mask keeps this as cheap as a plain block add):
    every consumer of such state goes through :meth:`DenseWeight.add_scaled`, which masks.
    """
    if columns.size:
        target[:, columns] += column_change[:, None]
    if rows.size:
        target[rows] += row_terms(row_change, row_scale)


def _add_clipped_at_loops(values, ids, change, max_weight):
    for i in range(ids.shape[0]):
        values[ids[i]] = clipped(values[ids[i]] + change[i], max_weight)


@compiled_as(_add_clipped_at_loops)
def add_clipped_at(values: np.ndarray, ids: np.ndarray, change: np.ndarray, max_weight: float) -> None:
    """``values[ids] = clip(values[ids] + change, 0, max_weight)`` (``ids`` int (k,), unique)."""
    updated = values[ids] + change
    clip_values(updated, max_weight)
    values[ids] = updated


def _dense_synapses_from_loops(mask, rows):
    n = mask.shape[1]
    count = 0
    for i in range(rows.shape[0]):
        for k in range(n):
            if mask[rows[i], k]:
                count += 1
    ids, pre, post = np.empty(count, np.intp), np.empty(count, np.intp), np.empty(count, np.intp)
    count = 0
    for i in range(rows.shape[0]):
        for k in range(n):
            if mask[rows[i], k]:
                ids[count], pre[count], post[count] = rows[i] * n + k, rows[i], k
                count += 1
    return ids, pre, post


@compiled_as(_dense_synapses_from_loops)
def dense_synapses_from(mask: np.ndarray, rows: np.ndarray) -> tuple:
    """``(ids, pre, post)`` (intp) of the synapses leaving units ``rows``, row by row; id ``j N + k``."""
    position, post = np.nonzero(mask[rows])
    pre = np.asarray(rows)[position]
    return pre * mask.shape[1] + post, pre, post


def _dense_synapses_into_loops(mask, columns):
    n = mask.shape[1]
    count = 0
    for j in range(mask.shape[0]):
        for i in range(columns.shape[0]):
            if mask[j, columns[i]]:
                count += 1
    ids, pre, post = np.empty(count, np.intp), np.empty(count, np.intp), np.empty(count, np.intp)
    count = 0
    for j in range(mask.shape[0]):
        for i in range(columns.shape[0]):
            if mask[j, columns[i]]:
                ids[count], pre[count], post[count] = j * n + columns[i], j, columns[i]
                count += 1
    return ids, pre, post


@compiled_as(_dense_synapses_into_loops)
def dense_synapses_into(mask: np.ndarray, columns: np.ndarray) -> tuple:
    """``(ids, pre, post)`` (intp) of the synapses onto body neurons ``columns``, by presynaptic unit."""
    pre, position = np.nonzero(mask[:, columns])
    post = np.asarray(columns)[position]
    return pre * mask.shape[1] + post, pre, post


# -- the compiled engine's kernels -----------------------------------------------------------------
# state = (matrix, mask, delays (U, N) or (0,), pending (D, N), position (1,)); params = (max_weight,)
@jitable
def dense_kernel_propagate(state, params, emit, spikes, signed, out) -> None:
    """:func:`dense_propagate` over the kernel state; with delays through the ring.

    With delays (``state[2]`` (U, N)) the step's spikes are scheduled (:func:`dense_schedule`),
    then the slot of this step is delivered (:func:`ring_deliver`), as :class:`DelayLine` does.
    """
    deliver_state(state, emit, spikes, signed, out)


def _deliver_now_loops(state, emit, spikes, signed, out):
    weighted_row_sum(state[0], emit, spikes, signed, out)


def _deliver_delayed_loops(state, emit, spikes, signed, out):
    dense_schedule(state[0], state[1], state[2], true_indices(spikes), emit, state[3], state[4])
    ring_deliver(state[3], state[4], out)


def _deliver_form(state, emit, spikes, signed, out):
    # chosen by the type of the delays: a weight without delays (a 1-D marker) compiles no ring
    return _deliver_now_loops if state.types[2].ndim == 1 else _deliver_delayed_loops


@compiled_by(_deliver_form)
def deliver_state(state: tuple, emit: np.ndarray, spikes: np.ndarray, signed: np.ndarray, out: np.ndarray):
    """This step's input into ``out`` from the dense kernel state (see :func:`dense_kernel_propagate`)."""
    if state[2].ndim == 1:
        _deliver_now_loops(state, emit, spikes, signed, out)
    else:
        _deliver_delayed_loops(state, emit, spikes, signed, out)


def _update_clipped_loops(matrix, mask, columns, column_change, rows, row_scale, row_change, high):
    units, n = matrix.shape
    touched_row = np.zeros(units, dtype=np.bool_)
    for i in range(rows.shape[0]):
        touched_row[rows[i]] = True
    touched_column = np.zeros(n, dtype=np.bool_)
    for i in range(columns.shape[0]):
        touched_column[columns[i]] = True
    for i in range(rows.shape[0]):  # a touched row: its column terms, its row term, one clip
        row, size = rows[i], row_scale[i]
        change = column_change[row]
        for k in range(n):
            value = matrix[row, k]
            if touched_column[k]:
                value += change
            value += size * row_change[k]
            matrix[row, k] = clipped(value, high) * mask[row, k]
    for j in range(units):  # the touched columns of every other row, in one pass
        if touched_row[j]:
            continue
        change = column_change[j]
        for i in range(columns.shape[0]):
            k = columns[i]
            matrix[j, k] = clipped(matrix[j, k] + change, high) * mask[j, k]


@compiled_as(_update_clipped_loops)
def update_clipped(
    matrix: np.ndarray,
    mask: np.ndarray,
    columns: np.ndarray,
    column_change: np.ndarray,
    rows: np.ndarray,
    row_scale: np.ndarray,
    row_change: np.ndarray,
    high: float,
) -> None:
    """``W[j, c] += column_change[j]``, then ``W[r_i, k] += row_scale[i] * row_change[k]``, one clip.

    Every touched synapse ends at ``clip(W + terms, 0, high) * mask``. ``matrix`` float (U, N),
    ``mask`` bool (U, N), ``columns`` int (C,) and ``rows`` int (R,) unique, ``column_change``
    float (U,), ``row_scale`` float (R,), ``row_change`` float (N,). Compiled, each touched
    synapse is read and written once (a fused pass; the separate column, row and clip passes
    read the touched columns twice, which bounds large networks by memory traffic); both forms
    add the column term first, then the row term, so they give the same bits.
    """
    if columns.size:
        add_to_columns(matrix, columns, column_change)
    if rows.size:
        add_outer_to_rows(matrix, rows, row_scale, row_change)
        clip_rows(matrix, mask, rows, high)
    if columns.size:
        clip_columns(matrix, mask, columns, high)


@jitable
def dense_kernel_update(state, params, columns, column_change, rows, row_change, row_scale) -> None:
    """:func:`dense_update` with a separable row term (``row_scale`` (R,), ``row_change`` (N,)).

    Columns first, then rows, then one clip of everything touched (:func:`update_clipped`).
    """
    if columns.size or rows.size:
        update_clipped(state[0], state[1], columns, column_change, rows, row_scale, row_change, params[0])


@jitable
def dense_kernel_accumulate(
    state, params, target, columns, column_change, rows, row_change, row_scale
) -> None:
    """:func:`dense_accumulate` with a separable row term, over the kernel state."""
    if columns.size:
        add_to_columns(target, columns, column_change)
    if rows.size:
        add_outer_to_rows(target, rows, row_scale, row_change)


@jitable
def dense_kernel_add_scaled(state, params, source, scale) -> None:
    """:meth:`DenseWeight.add_scaled` over the kernel state."""
    add_scaled_clipped(state[0], state[1], source, scale, params[0])


@jitable
def dense_kernel_synapses_from(state, params, rows) -> tuple:
    """:func:`dense_synapses_from` over the kernel state."""
    return dense_synapses_from(state[1], rows)


@jitable
def dense_kernel_synapses_into(state, params, columns) -> tuple:
    """:func:`dense_synapses_into` over the kernel state."""
    return dense_synapses_into(state[1], columns)


@jitable
def dense_kernel_add_at(state, params, ids, change) -> None:
    """``W.flat[ids] = clip(W.flat[ids] + change)`` (existing synapses' ids, unique)."""
    add_clipped_at(state[0].reshape(-1), ids, change, params[0])


# -- conduction delays ------------------------------------------------------------------------------
def _ring_schedule_loops(pending, position, post, delays, amounts) -> None:
    depth = pending.shape[0]
    for i in range(post.shape[0]):
        pending[(position[0] + delays[i] - 1) % depth, post[i]] += amounts[i]


@compiled_as(_ring_schedule_loops)
def ring_schedule(
    pending: np.ndarray, position: np.ndarray, post: np.ndarray, delays: np.ndarray, amounts: np.ndarray
) -> None:
    """``pending[(p + delays[i] - 1) % D, post[i]] += amounts[i]`` for every ``i`` in order.

    ``pending`` float (D, N); ``position`` int (1,), ``p``: the slot delivered at the end of the
    current step; ``post`` int (k,); ``delays`` int (k,), each in ``1 .. D``; ``amounts`` float
    (k,). Entries are added one at a time in input order (``numpy.add.at``), as the compiled loop
    does, so both engines hold the same bits.
    """
    depth, n = pending.shape
    slots = (int(position[0]) + delays.astype(np.intp) - 1) % depth
    np.add.at(pending.reshape(-1), slots * n + post, amounts)


def _ring_deliver_loops(pending, position, out) -> None:
    slot = position[0]
    for k in range(out.shape[0]):
        out[k] = pending[slot, k]
        pending[slot, k] = 0.0
    position[0] = (slot + 1) % pending.shape[0]


@compiled_as(_ring_deliver_loops)
def ring_deliver(pending: np.ndarray, position: np.ndarray, out: np.ndarray) -> None:
    """``out`` = ``pending[p]`` (what arrives now); that slot is cleared and ``p`` advances (mod D)."""
    slot = int(position[0])
    out[...] = pending[slot]
    pending[slot].fill(0.0)
    position[0] = (slot + 1) % pending.shape[0]


def _dense_schedule_loops(matrix, mask, delays, active, emit, pending, position) -> None:
    depth = pending.shape[0]
    for i in range(active.shape[0]):
        row = active[i]
        size = emit[row]
        for k in range(matrix.shape[1]):
            if mask[row, k]:
                pending[(position[0] + delays[row, k] - 1) % depth, k] += matrix[row, k] * size


@compiled_as(_dense_schedule_loops)
def dense_schedule(
    matrix: np.ndarray,
    mask: np.ndarray,
    delays: np.ndarray,
    active: np.ndarray,
    emit: np.ndarray,
    pending: np.ndarray,
    position: np.ndarray,
) -> None:
    """The spikes of units ``active`` (int (A,), ascending) into the delay ring, synapse by synapse.

    Synapse ``(j, k)`` (``mask`` True) adds ``matrix[j, k] * emit[j]`` to the slot ``delays[j, k]
    - 1`` steps ahead, in row-major order (:func:`ring_schedule`). ``matrix`` float, ``mask``
    bool, ``delays`` int, all (U, N); ``pending`` float (D, N); ``position`` int (1,).
    """
    if active.size:
        index, post = np.nonzero(mask[active])
        rows = active[index]
        ring_schedule(pending, position, post, delays[rows, post], matrix[rows, post] * emit[rows])


class DelayLine:
    """Input in flight: a ring buffer of what arrives at each body neuron in the next ``depth`` steps.

    ``pending`` float (depth, N); ``pending[position]`` is what arrives at the end of the current
    step. Step order inside ``propagate`` at step ``t``: :meth:`schedule` the spikes of ``t`` (a
    synapse of delay ``d`` lands in the slot delivered at step ``t + d - 1``), then :meth:`deliver`
    the slot of ``t``, clear it and advance. So delay 1 is the kernel's default (a spike reaches
    its targets at the end of its own step; they can respond at ``t + 1``), and delay ``d``
    reaches them ``d - 1`` steps later (they can respond at ``t + d``). The arithmetic is that of
    :func:`ring_schedule` and :func:`ring_deliver`, which the compiled weight kernels call too.

    Parameters
    ----------
    depth : int
        The longest delay ``D`` (>= 1).
    n : int
        Body neurons.
    dtype : numpy dtype
    """

    def __init__(self, depth: int, n: int, dtype: Any):
        self.depth = int(depth)
        self.pending = np.zeros((self.depth, n), dtype=dtype)
        self.position = np.zeros((), dtype=np.intp)

    def clear(self) -> None:
        self.pending.fill(0.0)
        self.position[...] = 0

    def schedule(self, post: np.ndarray, delays: np.ndarray, amounts: np.ndarray) -> None:
        """Add ``amounts`` (float) for neurons ``post`` (int) arriving after ``delays`` (int >= 1) steps."""
        ring_schedule(self.pending, self.position.reshape(1), post, delays, amounts)

    def deliver(self, out: np.ndarray) -> None:
        """``out`` = what arrives now; that slot is cleared and the ring advances one step."""
        ring_deliver(self.pending, self.position.reshape(1), out)


_NO_DELAYS = np.zeros(0, dtype=np.int64)  # 1-D: compiled code tells it apart by type

#: The weight protocol methods a weight kernel stands for (``Kernel.methods`` of the shipped weights).
WEIGHT_KERNEL_METHODS = (
    "propagate",
    "update",
    "accumulate",
    "add_scaled",
    "synapses_from",
    "synapses_into",
    "add_at",
    "kernel_state",
    "kernel_params",
)


# -- the part base -----------------------------------------------------------------------------------
class DenseWeight(Part):
    """A weight part storing every possible synapse in a dense (U, N) matrix.

    Subclasses fill ``matrix`` and ``mask`` in their constructor (or call :meth:`install`);
    everything else of the weight protocol comes from here.

    Attributes
    ----------
    matrix : ndarray, ctx.dtype, shape (U, N)
        Weights in ``[0, max_weight]``; exactly 0 where ``mask`` is False.
    mask : ndarray, bool, shape (U, N)
        True where a synapse exists. An existing synapse clipped to 0 stays present and can grow.
    max_weight : float
        Upper clipping bound (runtime-tunable).
    shape : tuple (U, N)
    """

    STATE = ("matrix", "mask")
    KERNEL = Kernel(
        functions={
            "propagate": dense_kernel_propagate,
            "update": dense_kernel_update,
            "accumulate": dense_kernel_accumulate,
            "add_scaled": dense_kernel_add_scaled,
            "synapses_from": dense_kernel_synapses_from,
            "synapses_into": dense_kernel_synapses_into,
            "add_at": dense_kernel_add_at,
        },
        methods=WEIGHT_KERNEL_METHODS,
    )

    def kernel_state(self) -> tuple:
        """``(matrix, mask, delays, pending, position)``: the arrays the compiled kernels use in place.

        ``delays`` int64 (U, N), or (0,) without delays; ``pending`` float (D, N) and
        ``position`` int (1,): the :class:`DelayLine`.
        """
        delays = _NO_DELAYS if self.delays is None else self.delays
        return self.matrix, self.mask, delays, self.line.pending, self.line.position.reshape(1)

    def kernel_params(self) -> tuple:
        """``(max_weight,)``."""
        return (float(self.max_weight),)

    def __init__(self, config: Any, ctx: Any):
        super().__init__(config, ctx)
        self.n_inputs = ctx.n_inputs
        self.n_neurons = ctx.n_neurons
        self.max_weight = float(getattr(config, "max_weight", 1.0))
        self.matrix = np.zeros((ctx.n_units, ctx.n_neurons), dtype=ctx.dtype)
        self.mask = np.zeros((ctx.n_units, ctx.n_neurons), dtype=bool)
        self._signed = np.zeros(ctx.n_units, dtype=ctx.dtype)
        self._scaled: np.ndarray | None = None  # scratch of add_scaled, allocated on first use
        self.delays: np.ndarray | None = None  # int (U, N) when some synapse has a delay > 1
        #: called with the spiking units (int) before their synapses are read (lazy learning rules)
        self.before_read: Any = None
        self.line = DelayLine(1, ctx.n_neurons, ctx.dtype)

    @classmethod
    def from_arrays(cls, matrix: Any, mask: Any = None, *, max_weight: float = 1.0) -> Any:
        """A standalone dense weight holding ``matrix`` (U, N) (clipped), outside any network.

        ``mask`` defaults to where ``matrix`` is non-zero; the first ``U - N`` rows are inputs.
        For tests and for driving a learning rule by hand.
        """
        matrix = np.asarray(matrix, dtype=np.float64)
        mask = matrix != 0 if mask is None else np.asarray(mask, dtype=bool)
        units, n = matrix.shape
        ctx = BuildContext(n_inputs=units - n, n_neurons=n, n_outputs=0, processing_time=1)
        weight = cls.__new__(cls)
        DenseWeight.__init__(weight, None, ctx)
        weight.max_weight = float(max_weight)
        weight.install(matrix, mask)
        return weight

    @property
    def shape(self) -> tuple[int, int]:
        """Logical shape (U, N)."""
        return self.matrix.shape

    def install(self, matrix: np.ndarray, mask: np.ndarray) -> None:
        """Adopt ``matrix`` and ``mask`` (both (U, N)), then clip."""
        self.matrix[...] = matrix
        self.mask[...] = mask
        self.clip()

    def set_delays(self, delays: np.ndarray) -> None:
        """Per-synapse conduction delays, int (U, N), each >= 1 (entries of absent synapses ignored)."""
        delays = np.where(self.mask, np.asarray(delays), 1).astype(np.int64)
        depth = int(delays.max(initial=1))
        self.delays = delays if depth > 1 else None
        self.line = DelayLine(depth, self.shape[1], self.matrix.dtype)

    def dense_delays(self) -> np.ndarray:
        """Delays as an int (U, N) array (1 where there is no synapse or no delay)."""
        return np.ones(self.shape, dtype=np.int64) if self.delays is None else self.delays.copy()

    def synapse_delays(self) -> np.ndarray:
        """Delay of every synapse in this part's layout, int (U * N,): ``synapse_delays()[id]``.

        A read-only view, no copy (without delays a broadcast 1, which allocates nothing).
        """
        if self.delays is None:
            return np.broadcast_to(np.int64(1), (self.matrix.size,))
        return read_only(self.delays.reshape(-1))

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["pending"] = self.line.pending.copy()
        state["position"] = self.line.position.copy()
        return state

    def load_state_dict(self, state: Any) -> None:
        super().load_state_dict(state)
        if "pending" in state:
            self.line.pending[...] = state["pending"]
            self.line.position[...] = state["position"]

    # -- inspection ----------------------------------------------------------------------------
    @property
    def values(self) -> np.ndarray:
        """Every stored weight in this part's layout: the (U, N) matrix itself (a view)."""
        return self.matrix

    @property
    def n_synapses(self) -> int:
        """Number of existing synapses."""
        return int(np.count_nonzero(self.mask))

    def to_dense(self) -> np.ndarray:
        """The weights as a (U, N) float array (a copy)."""
        return np.array(self.matrix, copy=True)

    def dense_mask(self) -> np.ndarray:
        """Where synapses exist, bool (U, N) (a copy)."""
        return np.array(self.mask, copy=True)

    # -- the kernel's side -------------------------------------------------------------------------
    def reset(self) -> None:
        """Start of an episode: input in flight is dropped (weights persist)."""
        self.line.clear()

    def propagate(self, spikes: np.ndarray, emit: np.ndarray, out: np.ndarray) -> None:
        """Write into ``out`` (float (N,)) the input arriving this step from ``spikes`` (bool (U,)).

        ``emit`` float (U,) is ``polarity * magnitude`` per unit. Without delays (every synapse
        delay 1) the spikes of step ``t`` arrive in the current integrated at the end of ``t``;
        with delays they go through :class:`DelayLine` (see there for the step order).
        """
        if self.before_read is not None:
            self.before_read(spikes.nonzero()[0])
        if self.delays is None:
            dense_propagate(self.matrix, spikes, emit, self._signed, out)
            return
        line = self.line
        position = line.position.reshape(1)
        dense_schedule(self.matrix, self.mask, self.delays, spikes.nonzero()[0], emit, line.pending, position)
        ring_deliver(line.pending, position, out)

    # -- the learning rules' side ----------------------------------------------------------------
    def clip(self) -> None:
        """Clip to ``[0, max_weight]`` in place and zero absent synapses."""
        clip_values(self.matrix, self.max_weight)
        np.multiply(self.matrix, self.mask, out=self.matrix)

    def add_to_columns(self, columns: np.ndarray, change: np.ndarray) -> None:
        """Incoming synapses of body neurons ``columns`` (int): ``W[j, c] += change[j]`` (U,), clipped."""
        dense_add_to_columns(self.matrix, self.mask, self.max_weight, columns, change)

    def add_to_rows(self, rows: np.ndarray, change: np.ndarray, row_scale: np.ndarray | None = None) -> None:
        """Outgoing synapses of units ``rows`` (int): ``W[r, k] += change[k]`` ((N,) or (R, N)), clipped.

        With ``row_scale`` (R,): ``W[r, k] += row_scale[r] * change[k]``.
        """
        dense_add_to_rows(self.matrix, self.mask, self.max_weight, rows, change, row_scale)

    def update(
        self,
        columns: np.ndarray,
        column_change: np.ndarray,
        rows: np.ndarray,
        row_change: np.ndarray,
        row_scale: np.ndarray | None = None,
    ) -> None:
        """Column and row terms together, one clip per synapse (see :func:`dense_update`)."""
        dense_update(
            self.matrix, self.mask, self.max_weight, columns, column_change, rows, row_change, row_scale
        )

    def zeros(self, dtype: Any = None) -> np.ndarray:
        """A zero array in this part's layout, for per-synapse state (float (U, N))."""
        return np.zeros(self.shape, dtype=self.matrix.dtype if dtype is None else dtype)

    def accumulate(
        self,
        target: np.ndarray,
        columns: np.ndarray,
        column_change: np.ndarray,
        rows: np.ndarray,
        row_change: np.ndarray,
        row_scale: np.ndarray | None = None,
    ) -> None:
        """Add the terms of :meth:`update` to ``target`` (from :meth:`zeros`), unclipped."""
        dense_accumulate(target, columns, column_change, rows, row_change, row_scale)

    def add_scaled(self, source: np.ndarray, scale: float) -> None:
        """``W = clip(W + scale * source)`` on every existing synapse; ``source`` from :meth:`zeros`."""
        if self._scaled is None or self._scaled.shape != self.shape:
            self._scaled = np.zeros(self.shape, dtype=self.matrix.dtype)
        np.multiply(source, scale, out=self._scaled)
        self.matrix += self._scaled
        self.clip()

    def synapses_from(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Existing synapses leaving units ``rows``: ``(ids, pre, post)``, int arrays of equal length."""
        return dense_synapses_from(self.mask, rows)

    def synapses_into(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Existing synapses onto body neurons ``columns``: ``(ids, pre, post)``."""
        return dense_synapses_into(self.mask, columns)

    def add_at(self, ids: np.ndarray, change: np.ndarray) -> None:
        """``W[id] = clip(W[id] + change)`` for synapse ids (unique, existing), float change."""
        add_clipped_at(self.matrix.reshape(-1), ids, change, self.max_weight)
