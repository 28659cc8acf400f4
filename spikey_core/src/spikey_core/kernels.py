"""Kernels: the pure step functions of a part, one definition run by every engine.

A part that wants to run on a compiled engine declares, as the class attribute ``KERNEL``, a
:class:`Kernel`: the pure functions (Norse style) that hold its mathematics, written over state
arrays and scalar parameters with numpy ufuncs (positional ``out``), slicing, loops and the
primitives of this module. The part's own protocol methods call the very same functions, so the
numpy engine runs them as plain Python and the ``numba`` engine compiles them
(``numba.njit``, ``cache=True``): one definition, the same arithmetic on both.

Roles
-----
What each kind's kernel provides, with the part methods that feed it (called once per game
step, before the compiled steps run; ``N_in``, ``N``, ``U``, ``P`` as in :mod:`spikey_core.protocols`):

``neuron``
    ``fire(state, params, noise, out)``: write the spikes emitted at this step into ``out``
    (bool (N,)); ``noise`` is this step's row of :meth:`kernel_noise` (float64 (k,)).
    ``integrate(state, params, current)``: the end-of-step update with ``current`` (float (N,)).
    Part methods: ``kernel_state()`` (tuple of arrays, changed in place), ``kernel_params()``
    (tuple of numbers, read once per game step) and ``kernel_noise(steps)`` (float64
    (steps, k), the uniform numbers ``steps`` calls of ``fire()`` would draw, in the same order).
``input``
    No compiled function: the part's ``spike_block(out)`` writes the spikes of the whole game
    step into ``out`` (bool (P, N_in)) with one vectorised call, leaving the part as ``P`` calls
    of ``fire()`` would. Inputs never see the network's state, so this is exact.
``weight``
    ``propagate(state, params, emit, spikes, signed, current)``: ``current[k] = sum_j W[j, k] *
    emit[j] * spikes[j]`` (``signed`` float (U,) scratch); ``update``, ``accumulate`` and
    ``add_scaled``: the weight protocol's methods of the same names over ``(state, params, ...)``.
    Optional roles, for lazy learning rules that touch single synapses (see
    :attr:`Kernel.weight_roles`): ``synapses_from(state, params, rows)`` and
    ``synapses_into(state, params, columns)`` return ``(ids, pre, post)`` (int arrays) of the
    synapses leaving units ``rows`` / entering body neurons ``columns``, ``add_at(state, params,
    ids, change)`` clips ``w[ids] + change`` into place.
``synapse``
    ``step(state, params, weight_state, weight_params, spikes)`` and
    ``reward(state, params, weight_state, weight_params, reward)``; they change the weights only
    through :func:`weight_update`, :func:`weight_accumulate` and :func:`weight_add_scaled` (and,
    when the kernel lists them in ``weight_roles``, :func:`weight_synapses_from`,
    :func:`weight_synapses_into`, :func:`weight_add_at`). Optional ``refresh(state, params,
    weight_state, weight_params, spikes)``: called after the neurons fire and before the weight
    reads the step's spikes (while learning), for rules that bring the weights of the spiking
    units up to date lazily; on the numpy engine the weight's ``before_read`` hook calls it.
``rewarder``
    ``step_reward(state, params, spikes) -> float`` for ``reward_mode = "step"``; ``spikes`` is
    the step's output spikes, bool (O,), or with ``Kernel(spikes="units")`` the spikes of every
    unit, bool (U,). The part's ``kernel_state()`` (tuple of arrays it changes in place, e.g. a
    rate estimate) and ``kernel_params(state)`` (the parameters for the game step's state; called
    once at the start of every game step, so a part may draw the random numbers of the game step
    there).

Random numbers never come from inside a kernel: the part draws them from its own
``numpy.random.Generator`` (``kernel_noise``), so every engine sees the same numbers.

A kernel counts only for the class that declares it: a subclass that overrides one of the
``methods`` the kernel stands for (say ``fire``) without declaring its own ``KERNEL`` has no
kernel, and the ``auto`` engine choice says so and runs it on the numpy engine.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

#: Functions every kernel of a kind must provide.
ROLES: dict[str, tuple[str, ...]] = {
    "input": (),
    "neuron": ("fire", "integrate"),
    "weight": ("propagate", "update", "accumulate", "add_scaled"),
    "synapse": ("step", "reward"),
    "rewarder": ("step_reward",),
}

#: Part methods each kind needs beside the kernel functions.
PART_METHODS: dict[str, tuple[str, ...]] = {
    "input": ("spike_block",),
    "neuron": ("kernel_state", "kernel_params", "kernel_noise"),
    "weight": ("kernel_state", "kernel_params"),
    "synapse": ("kernel_state", "kernel_params"),
    "rewarder": ("kernel_state", "kernel_params"),
}

_JITABLE: list[Callable[..., Any]] = []
_COMPILED_AS: list[tuple[Callable[..., Any], Any]] = []  # (function, loop form or _Chooser)
_NUMBA_READY = False


def _clipped(value: float, high: float) -> float:
    # np.maximum then np.minimum, element by element (NaN stays NaN, as with the ufuncs)
    if value < 0.0:
        value = 0.0
    if value > high:
        value = high
    return value


#: ``min(max(value, 0), high)`` for one number, as ``numpy.maximum`` then ``numpy.minimum`` do it
#: element by element (NaN stays NaN); callable from compiled kernels.
clipped = _clipped


def jitable(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a helper as callable from compiled kernels (it stays a plain Python function).

    Kernel functions may call numpy, the primitives of this module and functions marked with
    this decorator; the ``numba`` engine registers them with ``numba.extending.register_jitable``.
    """
    _JITABLE.append(function)
    if _NUMBA_READY:
        from numba.extending import register_jitable

        register_jitable(function)
    return function


def compiled_as(loops: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a numpy primitive whose compiled form is ``loops`` (plain loops, the same signature).

    The decorated function runs as written in Python (vectorised numpy); compiled kernels that
    call it get ``loops`` instead (``numba.extending.overload``). The two must do the same
    floating-point operations in the same order, so both engines give the same bits (the engine
    identity tests, ``tests/parts/test_engine_identity.py``, run every shipped pair both ways).

    Parameters
    ----------
    loops : callable
        The loop version; it may call other primitives and :func:`jitable` helpers.
    """

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        _COMPILED_AS.append((function, loops))
        if _NUMBA_READY:
            _overload_with(function, loops)
        return function

    return mark


def compiled_by(choose: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """As :func:`compiled_as`, with the loop form chosen by the argument types when compiling.

    ``choose(*types)`` receives the numba types of the call's arguments and returns the loop
    function for them, so compiled code holds only the branch those types need (say, no delay
    ring for a weight without delays). In Python the decorated function runs as written.
    """

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        _COMPILED_AS.append((function, _Chooser(choose)))
        if _NUMBA_READY:
            _overload_with(function, _Chooser(choose))
        return function

    return mark


class _Chooser:
    """A :func:`compiled_by` choice (told apart from a plain loop form when registering)."""

    def __init__(self, choose: Callable[..., Any]):
        self.choose = choose


def _overload_with(function: Callable[..., Any], loops: Any) -> None:
    from numba.extending import overload

    # strict=False: the typing function takes any arguments and answers ``loops`` (or the choice)
    if isinstance(loops, _Chooser):
        overload(function, jit_options={}, strict=False)(loops.choose)
        return
    overload(function, jit_options={}, strict=False)(lambda *args: loops)


@attrs.frozen(kw_only=True)
class Kernel:
    """A part's compiled-engine declaration (the class attribute ``KERNEL``).

    Attributes
    ----------
    functions : mapping of str to callable
        Role name -> pure step function (see the module docstring for the roles of each kind).
    methods : tuple of str
        The part's Python methods these functions implement; a subclass overriding one of them
        without its own ``KERNEL`` has no kernel.
    weight_roles : tuple of str
        Learning rules: the optional weight roles (``synapses_from``, ``synapses_into``,
        ``add_at``) the rule's functions call; the compiled engine runs the rule only on weights
        whose kernel has them.
    spikes : str
        Rewarders: what ``step_reward`` receives, ``"outputs"`` (bool (O,)) or ``"units"``
        (bool (U,), every unit's spike of the step).
    """

    functions: Mapping[str, Callable[..., Any]] = attrs.field(factory=dict)
    methods: tuple[str, ...] = ()
    weight_roles: tuple[str, ...] = ()
    spikes: str = "outputs"

    def sources(self) -> str:
        """Source of every module holding one of the functions (the compiled cache's key)."""
        modules = sorted({inspect.getmodule(f).__name__ for f in self.functions.values()})  # type: ignore[union-attr]
        texts = []
        for name in modules:
            module = __import__(name, fromlist=["_"])
            try:
                texts.append(inspect.getsource(module))
            except (OSError, TypeError):
                texts.append(name)
        return "\n".join(texts)


def kernel_of(part: Any, kind: str) -> tuple[Kernel | None, str]:
    """The kernel a part runs with, or None and the reason it has none.

    Parameters
    ----------
    part : object
        A built part.
    kind : str
        Its kind (``"neuron"``, ``"input"``, ``"weight"``, ``"synapse"``, ``"rewarder"``).

    Returns
    -------
    (Kernel or None, str)
        The declaration and an empty string, or None and a one-line reason naming the class.
    """
    cls = type(part)
    owner = next((c for c in cls.__mro__ if "KERNEL" in c.__dict__), None)
    name = cls.__name__
    if owner is None or owner.__dict__["KERNEL"] is None:
        return None, f"{kind} {name} declares no compiled KERNEL"
    kernel = owner.__dict__["KERNEL"]
    for klass in cls.__mro__[: cls.__mro__.index(owner)]:
        overridden = [m for m in kernel.methods if m in klass.__dict__]
        if overridden:
            return None, (
                f"{kind} {name} overrides {overridden[0]}() of {owner.__name__} without declaring "
                "its own KERNEL"
            )
    missing = [r for r in ROLES.get(kind, ()) if r not in kernel.functions]
    missing += [m for m in PART_METHODS.get(kind, ()) if not callable(getattr(part, m, None))]
    if missing:
        return None, f"{kind} {name}: its KERNEL lacks {', '.join(missing)}"
    return kernel, ""


# -- primitives: plain numpy here, loops under numba (see register_numba) ------------------------
def put_where(target: np.ndarray, value: Any, mask: np.ndarray) -> None:
    """``target[mask] = value`` in place (``numpy.copyto`` with ``where``); ``value`` a number or (N,)."""
    np.copyto(target, value, where=mask)


def add_where(target: np.ndarray, value: Any, mask: np.ndarray) -> None:
    """``target[mask] += value`` in place; ``value`` a number or an array shaped like ``target``."""
    np.add(target, value, out=target, where=mask)


def copy_into(target: np.ndarray, source: np.ndarray) -> None:
    """``target[:] = source`` for 1-D arrays of the same length (``numpy.copyto``).

    Kernels copy through this primitive rather than slice assignment: numba compiles an array
    slice assignment with a formatted shape-mismatch error that costs seconds of compile time.
    (Here, in plain Python, the slice assignment is the cheapest copy.)
    """
    target[:] = source


def take(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``values[indices]`` (a new 1-D array of ``values``' dtype; ``indices`` int (k,)).

    Compiled as a loop: numba compiles a fancy-indexing expression into a large general routine
    for every pair of array types, seconds of a first compile; these primitives avoid that.
    (``numpy.take`` gathers a 1-D array several times faster than ``values[indices]``.)
    """
    return np.take(values, indices)


def take_intp(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``values[indices]`` as intp (e.g. int32 synapse ids or units, ready to index with)."""
    return np.take(values, indices).astype(np.intp)


def select(units: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``units[mask[units]]``: the entries of ``units`` (int (k,)) whose ``mask`` entry is True."""
    return units[mask[units]]


def put_at(target: np.ndarray, indices: np.ndarray, value: float) -> None:
    """``target[indices] = value`` (``indices`` int (k,); ``value`` a number)."""
    target[indices] = value


def add_at(target: np.ndarray, indices: np.ndarray, value: float) -> None:
    """``target[indices] += value`` (``indices`` int (k,), unique; ``value`` a number)."""
    target[indices] += value


def true_indices(mask: np.ndarray) -> np.ndarray:
    """Indices of the True entries of the bool (k,) ``mask``, ascending, intp (``mask.nonzero()[0]``).

    Compiled as a counting loop: numba's general ``nonzero`` costs about a microsecond per call on
    a thousand units, more than a whole sparse step.
    """
    return mask.nonzero()[0]


def element(value: Any, i: int) -> Any:
    """``value[i]`` for an array, ``value`` itself for a number (a per-unit or a shared parameter)."""
    return value[i] if np.ndim(value) else value


def count_true(mask: np.ndarray) -> int:
    """How many entries of the bool (k,) ``mask`` are True (``numpy.count_nonzero``)."""
    return int(np.count_nonzero(mask))


def body_units(units: np.ndarray, n_inputs: int) -> np.ndarray:
    """The body neurons among sorted unit indices: ``units[units >= n_inputs] - n_inputs``.

    ``units`` int (k,), ascending (as ``nonzero()`` returns them); returns int (m,), a new array.
    """
    return units[units.searchsorted(n_inputs) :] - n_inputs


def weighted_row_sum(
    matrix: np.ndarray, emit: np.ndarray, spikes: np.ndarray, signed: np.ndarray, out: np.ndarray
) -> None:
    """``out = (spikes * emit) @ matrix``: the sum of the rows of the units that spiked.

    Parameters
    ----------
    matrix : ndarray, float, shape (U, N)
    emit : ndarray, float, shape (U,)
        What one spike of each unit delivers (polarity times magnitude).
    spikes : ndarray, bool, shape (U,)
    signed : ndarray, float, shape (U,)
        Scratch buffer.
    out : ndarray, float, shape (N,)

    Notes
    -----
    Both engines add the active rows in unit order (numpy: ``add.reduce`` over the gathered
    rows, which sums axis 0 sequentially; numba: a loop), so the currents are bit for bit the
    same on both. A BLAS product would be faster for dense activity but sums in an order of its
    own, and chaotic models (Izhikevich) turn that last-bit difference into different spikes.
    """
    active = spikes.nonzero()[0]
    if active.size == 0:
        out.fill(0.0)
        return
    rows = matrix[active]
    np.multiply(rows, emit[active, None], out=rows)
    np.add.reduce(rows, axis=0, out=out)


def add_to_rows(matrix: np.ndarray, rows: np.ndarray, change: np.ndarray) -> None:
    """``matrix[rows] += change`` (``rows`` int (m,), unique; ``change`` float (m, N))."""
    matrix[rows] += change


def add_to_columns(matrix: np.ndarray, columns: np.ndarray, change: np.ndarray) -> None:
    """``matrix[:, columns] += change[:, None]`` (``columns`` int (k,), unique; ``change`` float (U,))."""
    matrix[:, columns] += change[:, None]


def clip_rows(matrix: np.ndarray, mask: np.ndarray, rows: np.ndarray, high: float) -> None:
    """Rows ``rows`` of ``matrix`` clipped to ``[0, high]`` and zeroed where ``mask`` is False."""
    values = matrix[rows]
    np.maximum(values, 0.0, out=values)
    np.minimum(values, high, out=values)
    values *= mask[rows]
    matrix[rows] = values


def clip_columns(matrix: np.ndarray, mask: np.ndarray, columns: np.ndarray, high: float) -> None:
    """Columns ``columns`` of ``matrix`` clipped to ``[0, high]`` and zeroed where ``mask`` is False."""
    values = matrix[:, columns]
    np.maximum(values, 0.0, out=values)
    np.minimum(values, high, out=values)
    values *= mask[:, columns]
    matrix[:, columns] = values


def clip_masked(matrix: np.ndarray, mask: np.ndarray, high: float) -> None:
    """``matrix`` clipped to ``[0, high]`` and zeroed where ``mask`` is False, in place."""
    np.maximum(matrix, 0.0, out=matrix)
    np.minimum(matrix, high, out=matrix)
    np.multiply(matrix, mask, out=matrix)


def add_outer_to_rows(matrix: np.ndarray, rows: np.ndarray, scale: np.ndarray, change: np.ndarray) -> None:
    """``matrix[rows[i], k] += scale[i] * change[k]``.

    ``rows`` int (R,), unique; ``scale`` float (R,); ``change`` float (N,).
    """
    matrix[rows] += np.multiply.outer(scale, change)


def add_scaled_clipped(
    matrix: np.ndarray, mask: np.ndarray, source: np.ndarray, scale: float, high: float
) -> None:
    """``matrix <- clip(matrix + scale * source, 0, high)`` where ``mask``, 0 elsewhere (all (U, N))."""
    matrix += np.multiply(source, scale)
    clip_masked(matrix, mask, high)


# -- plasticity through the weight ------------------------------------------------------------
class WeightHandle:
    """What a learning rule's kernel receives as ``weight_state`` on the numpy engine: the weight part.

    :func:`weight_update`, :func:`weight_accumulate` and :func:`weight_add_scaled` then call the
    weight protocol's methods. On the compiled engine the rule receives the weight's kernel state
    instead and the same three names resolve, by that state's type, to the weight kernel's
    ``update`` / ``accumulate`` / ``add_scaled`` (see :func:`register_weight_kernel`).
    """

    def __init__(self, weight: Any):
        self.weight = weight


def weight_update(state: Any, params: tuple, columns, column_change, rows, row_change, row_scale) -> None:
    """The weight protocol's ``update``: column and row terms, one clip per synapse.

    ``W[j, c] += column_change[j]`` for ``c`` in ``columns`` and ``W[r, k] += row_scale[i] *
    row_change[k]`` for ``r = rows[i]``, then every touched synapse clipped once.
    """
    state.weight.update(columns, column_change, rows, row_change, row_scale)


def weight_accumulate(
    state: Any, params: tuple, target, columns, column_change, rows, row_change, row_scale
) -> None:
    """The weight protocol's ``accumulate``: the terms of :func:`weight_update` added to ``target``."""
    state.weight.accumulate(target, columns, column_change, rows, row_change, row_scale)


def weight_add_scaled(state: Any, params: tuple, source: np.ndarray, scale: float) -> None:
    """The weight protocol's ``add_scaled``: ``W <- clip(W + scale * source)`` on existing synapses."""
    state.weight.add_scaled(source, scale)


def weight_synapses_from(state: Any, params: tuple, rows: np.ndarray) -> tuple:
    """The weight protocol's ``synapses_from``: ``(ids, pre, post)`` of the synapses leaving ``rows``."""
    return state.weight.synapses_from(rows)


def weight_synapses_into(state: Any, params: tuple, columns: np.ndarray) -> tuple:
    """The weight protocol's ``synapses_into``: ``(ids, pre, post)`` of the synapses onto ``columns``."""
    return state.weight.synapses_into(columns)


def weight_add_at(state: Any, params: tuple, ids: np.ndarray, change: np.ndarray) -> None:
    """The weight protocol's ``add_at``: ``w[ids] <- clip(w[ids] + change)`` (ids unique)."""
    state.weight.add_at(ids, change)


_WEIGHT_KERNELS: dict[Any, Kernel] = {}


def register_weight_kernel(state_type: Any, kernel: Kernel) -> None:
    """Let compiled rules reach ``kernel``'s plasticity functions for weight states of ``state_type``.

    Parameters
    ----------
    state_type : numba type
        ``numba.typeof(weight.kernel_state())``.
    kernel : Kernel
        The weight's kernel (with ``update``, ``accumulate`` and ``add_scaled``).

    Raises
    ------
    TypeError
        Another weight kernel already claimed the same state type (give the state a distinct
        array, e.g. a marker, so compiled code can tell the two apart).
    """
    known = _WEIGHT_KERNELS.get(state_type)
    if known is not None and known.functions != kernel.functions:
        raise TypeError(
            f"two weight kernels share the state type {state_type}; add a distinguishing array to "
            "one of their kernel_state() tuples"
        )
    _WEIGHT_KERNELS[state_type] = kernel


def _same_parameters(first: Callable[..., Any], second: Callable[..., Any]) -> bool:
    """Whether two functions take the same parameter names (then one can stand for the other)."""
    return list(inspect.signature(first).parameters) == list(inspect.signature(second).parameters)


def _weight_role(state: Any, role: str) -> Any:
    kernel = _WEIGHT_KERNELS.get(state)
    return None if kernel is None else kernel.functions.get(role)


def register_numba() -> None:
    """Teach numba the primitives and every :func:`jitable` helper (idempotent; needs numba)."""
    global _NUMBA_READY
    if _NUMBA_READY:
        return
    from numba import types
    from numba.extending import overload, register_jitable

    jit_options: Any = {}  # not cached one by one (see below): run_steps is cached whole

    @overload(put_where, jit_options=jit_options)
    def _put_where(target, value, mask):
        if isinstance(value, types.Array):

            def per_element(target, value, mask):
                for i in range(target.shape[0]):
                    if mask[i]:
                        target[i] = value[i]

            return per_element

        def implementation(target, value, mask):
            for i in range(target.shape[0]):
                if mask[i]:
                    target[i] = value

        return implementation

    @overload(add_where, jit_options=jit_options)
    def _add_where(target, value, mask):
        if isinstance(value, types.Array):

            def per_element(target, value, mask):
                for i in range(target.shape[0]):
                    if mask[i]:
                        target[i] += value[i]

            return per_element

        def implementation(target, value, mask):
            for i in range(target.shape[0]):
                if mask[i]:
                    target[i] += value

        return implementation

    @overload(copy_into, jit_options=jit_options)
    def _copy_into(target, source):
        def implementation(target, source):
            for i in range(target.shape[0]):
                target[i] = source[i]

        return implementation

    @overload(add_at, jit_options=jit_options)
    def _add_at(target, indices, value):
        def implementation(target, indices, value):
            for i in range(indices.shape[0]):
                target[indices[i]] += value

        return implementation

    @overload(true_indices, jit_options=jit_options)
    def _true_indices(mask):
        def implementation(mask):
            count = 0
            for i in range(mask.shape[0]):
                if mask[i]:
                    count += 1
            out = np.empty(count, dtype=np.intp)
            count = 0
            for i in range(mask.shape[0]):
                if mask[i]:
                    out[count] = i
                    count += 1
            return out

        return implementation

    @overload(element, jit_options=jit_options)
    def _element(value, i):
        if isinstance(value, types.Array):
            return lambda value, i: value[i]
        return lambda value, i: value

    @overload(take, jit_options=jit_options)
    def _take(values, indices):
        def implementation(values, indices):
            out = np.empty(indices.shape[0], dtype=values.dtype)
            for i in range(indices.shape[0]):
                out[i] = values[indices[i]]
            return out

        return implementation

    @overload(take_intp, jit_options=jit_options)
    def _take_intp(values, indices):
        def implementation(values, indices):
            out = np.empty(indices.shape[0], dtype=np.intp)
            for i in range(indices.shape[0]):
                out[i] = values[indices[i]]
            return out

        return implementation

    @overload(select, jit_options=jit_options)
    def _select(units, mask):
        def implementation(units, mask):
            count = 0
            for i in range(units.shape[0]):
                if mask[units[i]]:
                    count += 1
            out = np.empty(count, dtype=units.dtype)
            count = 0
            for i in range(units.shape[0]):
                if mask[units[i]]:
                    out[count] = units[i]
                    count += 1
            return out

        return implementation

    @overload(put_at, jit_options=jit_options)
    def _put_at(target, indices, value):
        def implementation(target, indices, value):
            for i in range(indices.shape[0]):
                target[indices[i]] = value

        return implementation

    @overload(count_true, jit_options=jit_options)
    def _count_true(mask):
        def implementation(mask):
            count = 0
            for i in range(mask.shape[0]):
                if mask[i]:
                    count += 1
            return count

        return implementation

    @overload(body_units, jit_options=jit_options)
    def _body_units(units, n_inputs):
        def implementation(units, n_inputs):
            first = 0
            while first < units.shape[0] and units[first] < n_inputs:
                first += 1
            return units[first:] - n_inputs

        return implementation

    @overload(weighted_row_sum, jit_options=jit_options)
    def _weighted_row_sum(matrix, emit, spikes, signed, out):
        def implementation(matrix, emit, spikes, signed, out):
            out[:] = 0.0
            columns = matrix.shape[1]
            for j in range(spikes.shape[0]):
                if spikes[j]:
                    size = emit[j]
                    for k in range(columns):
                        out[k] += size * matrix[j, k]

        return implementation

    @overload(add_to_rows, jit_options=jit_options)
    def _add_to_rows(matrix, rows, change):
        def implementation(matrix, rows, change):
            for i in range(rows.shape[0]):
                row = rows[i]
                for k in range(matrix.shape[1]):
                    matrix[row, k] += change[i, k]

        return implementation

    @overload(add_to_columns, jit_options=jit_options)
    def _add_to_columns(matrix, columns, change):
        def implementation(matrix, columns, change):
            for j in range(matrix.shape[0]):
                size = change[j]
                for i in range(columns.shape[0]):
                    matrix[j, columns[i]] += size

        return implementation

    @overload(clip_rows, jit_options=jit_options)
    def _clip_rows(matrix, mask, rows, high):
        def implementation(matrix, mask, rows, high):
            for i in range(rows.shape[0]):
                row = rows[i]
                for k in range(matrix.shape[1]):
                    matrix[row, k] = _clipped(matrix[row, k], high) * mask[row, k]

        return implementation

    @overload(clip_columns, jit_options=jit_options)
    def _clip_columns(matrix, mask, columns, high):
        def implementation(matrix, mask, columns, high):
            for j in range(matrix.shape[0]):
                for i in range(columns.shape[0]):
                    k = columns[i]
                    matrix[j, k] = _clipped(matrix[j, k], high) * mask[j, k]

        return implementation

    @overload(clip_masked, jit_options=jit_options)
    def _clip_masked(matrix, mask, high):
        def implementation(matrix, mask, high):
            for j in range(matrix.shape[0]):
                for k in range(matrix.shape[1]):
                    matrix[j, k] = _clipped(matrix[j, k], high) * mask[j, k]

        return implementation

    # A weight kernel taking the protocol function's own parameters is compiled in its place: a
    # wrapper would be one more function for LLVM to optimise and emit with all it calls.
    @overload(weight_update, jit_options=jit_options)
    def _weight_update(state, params, columns, column_change, rows, row_change, row_scale):
        update = _weight_role(state, "update")
        if update is None or _same_parameters(update, weight_update):
            return update

        def implementation(state, params, columns, column_change, rows, row_change, row_scale):
            update(state, params, columns, column_change, rows, row_change, row_scale)

        return implementation

    @overload(weight_accumulate, jit_options=jit_options)
    def _weight_accumulate(state, params, target, columns, column_change, rows, row_change, row_scale):
        accumulate = _weight_role(state, "accumulate")
        if accumulate is None or _same_parameters(accumulate, weight_accumulate):
            return accumulate

        def implementation(state, params, target, columns, column_change, rows, row_change, row_scale):
            accumulate(state, params, target, columns, column_change, rows, row_change, row_scale)

        return implementation

    @overload(weight_add_scaled, jit_options=jit_options)
    def _weight_add_scaled(state, params, source, scale):
        add_scaled = _weight_role(state, "add_scaled")
        if add_scaled is None or _same_parameters(add_scaled, weight_add_scaled):
            return add_scaled

        def implementation(state, params, source, scale):
            add_scaled(state, params, source, scale)

        return implementation

    @overload(weight_synapses_from, jit_options=jit_options)
    def _weight_synapses_from(state, params, rows):
        synapses_from = _weight_role(state, "synapses_from")
        if synapses_from is None or _same_parameters(synapses_from, weight_synapses_from):
            return synapses_from
        return lambda state, params, rows: synapses_from(state, params, rows)

    @overload(weight_synapses_into, jit_options=jit_options)
    def _weight_synapses_into(state, params, columns):
        synapses_into = _weight_role(state, "synapses_into")
        if synapses_into is None or _same_parameters(synapses_into, weight_synapses_into):
            return synapses_into
        return lambda state, params, columns: synapses_into(state, params, columns)

    @overload(weight_add_at, jit_options=jit_options)
    def _weight_add_at(state, params, ids, change):
        add_at = _weight_role(state, "add_at")
        if add_at is None or _same_parameters(add_at, weight_add_at):
            return add_at
        return lambda state, params, ids, change: add_at(state, params, ids, change)

    @overload(add_outer_to_rows, jit_options=jit_options)
    def _add_outer_to_rows(matrix, rows, scale, change):
        def implementation(matrix, rows, scale, change):
            for i in range(rows.shape[0]):
                row, size = rows[i], scale[i]
                for k in range(matrix.shape[1]):
                    matrix[row, k] += size * change[k]

        return implementation

    @overload(add_scaled_clipped, jit_options=jit_options)
    def _add_scaled_clipped(matrix, mask, source, scale, high):
        def implementation(matrix, mask, source, scale, high):
            for j in range(matrix.shape[0]):
                for k in range(matrix.shape[1]):
                    matrix[j, k] = _clipped(matrix[j, k] + source[j, k] * scale, high) * mask[j, k]

        return implementation

    # No cache=True here: caching every helper on its own would emit machine code for each one
    # (measured +30 % on a first compile); the generated run_steps is cached whole instead.
    register_jitable(_clipped)
    for function in _JITABLE:
        register_jitable(function)
    for function, loops in _COMPILED_AS:
        _overload_with(function, loops)
    _NUMBA_READY = True
