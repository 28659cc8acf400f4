"""Each ``compiled_as`` primitive and its loop form (what numba compiles) give the same bits.

The loop forms are plain Python functions, so they run here without numba: on random inputs
both forms must leave identical arrays (and return identical values).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from spikey_core.kernels import _COMPILED_AS
from spikey_core.weights import (
    DenseWeight,
    _deliver_delayed_loops,
    _deliver_form,
    _deliver_now_loops,
    _dense_schedule_loops,
    _dense_synapses_from_loops,
    _dense_synapses_into_loops,
    _ring_deliver_loops,
    _update_clipped_loops,
    deliver_state,
    dense_schedule,
    dense_synapses_from,
    dense_synapses_into,
    ring_deliver,
    update_clipped,
)
from spikey_parts.neurons.izhikevich import _izhikevich_euler_loops, izhikevich_euler
from spikey_parts.neurons.izhikevich_network import _drive_loops, thalamic_drive
from spikey_parts.synapses.da_stdp import (
    _add_arrival_traces_loops,
    _add_traces_loops,
    _delivering_synapses_loops,
    _lazy_change_loops,
    _plastic_synapses_loops,
    _record_spikes_loops,
    add_arrival_traces,
    add_traces,
    delivering_synapses,
    lazy_change,
    plastic_synapses,
    record_spikes,
)
from spikey_parts.weights.sparse import (
    _add_scaled_values_loops,
    _gather_ranges_loops,
    _per_range_loops,
    _sparse_deliver_loops,
    _sparse_schedule_loops,
    _sparse_update_loops,
    add_scaled_values,
    gather_ranges,
    per_range,
    sparse_deliver,
    sparse_schedule,
    sparse_update,
)

rng = np.random.default_rng(11)
U, N, D = 12, 9, 4
pointers = np.concatenate([[0], np.cumsum(rng.integers(0, 5, U))]).astype(np.int64)
S = int(pointers[-1])
post = np.concatenate(
    [np.sort(rng.choice(N, pointers[j + 1] - pointers[j], replace=False)) for j in range(U)]
)
post = post.astype(np.int32)
values = rng.uniform(0, 1, S)
emit = rng.choice([-1.5, 1.0], U)
mask = rng.random((U, N)) < 0.4
matrix = rng.uniform(0, 1, (U, N)) * mask
position = np.array([1], dtype=np.intp)


def both(numpy_form, loop_form, *arguments):
    """Run both forms on copies of ``arguments``; returns (numpy result, loop result) with the arrays."""
    first, second = copy.deepcopy(arguments), copy.deepcopy(arguments)
    return (numpy_form(*first), first), (loop_form(*second), second)


def assert_same(pair):
    (result_a, args_a), (result_b, args_b) = pair
    for a, b in zip((result_a, *args_a), (result_b, *args_b), strict=True):
        if isinstance(a, tuple):
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y)
        elif a is not None:
            np.testing.assert_array_equal(a, b)
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes()  # bits, signed zeros included


@pytest.mark.parametrize("active", [[], [3], [0, 5, 7], [1, 2, 4, 6, 8, 10, 11]])
def test_sparse_primitives(active):
    active = np.array(active, dtype=np.intp)
    assert_same(both(gather_ranges, _gather_ranges_loops, pointers, active))
    assert_same(both(per_range, _per_range_loops, pointers, active, rng.random(active.size)))
    assert_same(both(sparse_deliver, _sparse_deliver_loops, pointers, post, values, active, emit, np.ones(N)))
    delays = rng.integers(1, D + 1, S).astype(np.int16)
    pending = rng.random((D, N))
    assert_same(
        both(
            sparse_schedule,
            _sparse_schedule_loops,
            pointers,
            post,
            values,
            delays,
            active,
            emit,
            pending,
            position,
        )
    )


def test_sparse_update_and_scaled_adds():
    ids = rng.choice(S, 8, replace=False)
    rows = rng.choice(S, 6, replace=False)
    overlap = np.isin(ids, rows)
    change = rng.normal(0, 0.7, 8)
    assert_same(
        both(
            sparse_update,
            _sparse_update_loops,
            values,
            0.9,
            ids,
            change,
            overlap,
            rows,
            rng.normal(0, 0.7, 6),
        )
    )
    assert_same(both(add_scaled_values, _add_scaled_values_loops, values, rng.normal(0, 1, S), 0.3, 0.8))


def test_dense_primitives_and_the_ring():
    rows, columns = np.array([0, 4, 7], dtype=np.intp), np.array([2, 5], dtype=np.intp)
    assert_same(both(dense_synapses_from, _dense_synapses_from_loops, mask, rows))
    assert_same(both(dense_synapses_into, _dense_synapses_into_loops, mask, columns))
    delays = rng.integers(1, D + 1, (U, N))
    assert_same(
        both(
            dense_schedule,
            _dense_schedule_loops,
            matrix,
            mask,
            delays,
            rows,
            emit,
            rng.random((D, N)),
            position,
        )
    )
    assert_same(both(ring_deliver, _ring_deliver_loops, rng.random((D, N)), position, np.zeros(N)))


@pytest.mark.parametrize("per_neuron", [False, True])
def test_izhikevich_euler(per_neuron):
    n = 50
    v, u = rng.uniform(-80, 35, n), rng.uniform(-20, 5, n)
    fired = v >= 30
    a, b, c, d = (0.02, 0.2, -65.0, 8.0)
    if per_neuron:
        a, b, c, d = (rng.uniform(0.01, 0.1, n), np.full(n, 0.2), np.full(n, -65.0), rng.uniform(2, 8, n))
    current = rng.normal(0, 6, n)
    (_, first), (_, second) = both(
        izhikevich_euler, _izhikevich_euler_loops, v, u, fired, np.zeros(n), current, a, b, c, d, 1.0, 2
    )
    for index in (0, 1):  # v and u (the slope scratch is not part of the contract)
        assert first[index].tobytes() == second[index].tobytes()
    assert_same(both(thalamic_drive, _drive_loops, rng.random(n), 13.0, current, np.zeros(n)))


def test_da_stdp_primitives():
    c_ref, e_at = rng.normal(0, 1, S), rng.uniform(0, 2, S)
    ids = rng.choice(S, 7, replace=False)
    assert_same(both(lazy_change, _lazy_change_loops, c_ref, e_at, ids, 2.5, 0.1))
    units = rng.integers(0, U, 7)
    assert_same(both(add_traces, _add_traces_loops, c_ref, ids, -0.15, rng.random(U), units))
    assert_same(both(plastic_synapses, _plastic_synapses_loops, ids, units, rng.random(U) < 0.5))


@pytest.mark.parametrize("position", [0, 2, 3])
def test_da_stdp_arrival_primitives(position):
    # a ring of D steps: who spiked when, and each unit's plastic synapses grouped by delay
    ids, c_ref = rng.choice(S, 7, replace=False), rng.normal(0, 1, S)
    delays, units = rng.integers(1, D + 1, S), rng.integers(0, U, 7)
    history = rng.random((D, U))
    assert_same(
        both(add_arrival_traces, _add_arrival_traces_loops, c_ref, ids, 0.1, history, position, delays, units)
    )
    ring_units, ring_counts = np.zeros((D, U), dtype=np.intp), rng.integers(0, 4, D)
    for slot in range(D):
        ring_units[slot, : ring_counts[slot]] = np.sort(rng.choice(U, ring_counts[slot], replace=False))
    counts = rng.integers(0, 3, (U, D))
    ends = np.cumsum(counts.reshape(-1)).reshape(U, D)
    starts = np.concatenate([ends[:, :1] - counts[:, :1], ends], axis=1)
    delivery = rng.permutation(int(ends[-1, -1]))
    arguments = (ring_units, ring_counts, position, starts, delivery, delivery % N)
    (found, _), _ = pair = both(delivering_synapses, _delivering_synapses_loops, *arguments)
    assert_same(pair)
    expected = [  # the units that spiked lag steps ago, their synapses of delay lag + 1
        p
        for slot in range(D)
        for unit in ring_units[slot, : ring_counts[slot]]
        for p in range(starts[unit, (position - slot) % D], starts[unit, (position - slot) % D + 1])
    ]
    assert (
        found[0].tolist() == delivery[expected].tolist()
        and found[1].tolist() == (delivery[expected] % N).tolist()
    )
    now = np.array([1, 5, 6], dtype=np.intp)
    assert_same(both(record_spikes, _record_spikes_loops, ring_units, ring_counts, position, now))


@pytest.mark.parametrize("overlap", [True, False])
def test_update_clipped_fused_loop_gives_the_separate_passes_bits(overlap):
    # rows and columns that share synapses (both terms before the one clip), bounds that bind
    weights = rng.uniform(-0.2, 1.3, (U, N)) * mask
    columns = np.array([1, 4, 7])
    rows = np.array([5, 0, 11]) if overlap else np.array([2, 3])
    column_change = rng.normal(0, 0.8, U)
    row_scale, row_change = rng.normal(0, 1, rows.size), rng.normal(0, 0.6, N)
    (_, first), (_, second) = both(
        update_clipped, _update_clipped_loops, weights, mask, columns, column_change, rows, row_scale,
        row_change, 1.0,
    )  # fmt: skip
    assert first[0].tobytes() == second[0].tobytes()
    touched = np.zeros((U, N), dtype=bool)
    touched[:, columns] = True
    touched[rows] = True
    np.testing.assert_array_equal(first[0][~touched], weights[~touched])  # nothing else moved
    assert np.all(first[0][touched] <= 1.0) and np.all(first[0][touched] >= 0.0)
    expected = np.clip(
        weights[rows[0], columns[0]] + column_change[rows[0]] + row_scale[0] * row_change[columns[0]], 0, 1
    )
    assert first[0][rows[0], columns[0]] == pytest.approx(expected * mask[rows[0], columns[0]])


@pytest.mark.parametrize("delayed", [False, True])
def test_deliver_state_is_the_weights_own_propagation_and_compiles_one_branch(delayed):
    # the kernel form (chosen by the delays' type when compiling) against DenseWeight.propagate
    kernel, reference = (DenseWeight.from_arrays(matrix, mask, max_weight=1.0) for _ in range(2))
    if delayed:
        delays = rng.integers(1, D + 1, (U, N))
        kernel.set_delays(delays)
        reference.set_delays(delays)
    signed, out, expected = np.zeros(U), np.zeros(N), np.zeros(N)
    for _ in range(6):
        spikes = rng.random(U) < 0.4
        deliver_state(kernel.kernel_state(), emit, spikes, signed, out)
        reference.propagate(spikes, emit, expected)
        assert out.tobytes() == expected.tobytes()
    numba = pytest.importorskip("numba")
    chosen = _deliver_form(numba.typeof(kernel.kernel_state()), None, None, None, None)
    assert chosen is (_deliver_delayed_loops if delayed else _deliver_now_loops)


def test_every_shipped_primitive_is_covered_here():
    covered = {
        gather_ranges, per_range, sparse_deliver, sparse_schedule, sparse_update, add_scaled_values,
        dense_synapses_from, dense_synapses_into, dense_schedule, ring_deliver, izhikevich_euler,
        thalamic_drive, lazy_change, add_traces, update_clipped, plastic_synapses,
        deliver_state, add_arrival_traces, delivering_synapses, record_spikes,
    }  # fmt: skip
    trivial = {"ring_schedule", "add_clipped_at", "add_values_at", "scale", "threshold_and_keep"}
    shipped = {function for function, _ in _COMPILED_AS if function.__module__.startswith("spikey_")}
    assert {f.__name__ for f in shipped - covered} <= trivial
