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
    ``propagate(state, params, emit, spikes, current)``: ``current[k] = sum_j W[j, k] *
    emit[j] * spikes[j]``. Plasticity functions follow the weight protocol.
``synapse``
    ``step(state, params, weight_state, weight_params, spikes)`` and
    ``reward(state, params, weight_state, weight_params, reward)``.
``rewarder``
    ``step_reward(params, output_spikes) -> float`` for ``reward_mode = "step"``; the part's
    ``kernel_params(state)`` gives the parameters for the game step's state.

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
    "weight": ("propagate",),
    "synapse": ("step", "reward"),
    "rewarder": ("step_reward",),
}

#: Part methods each kind needs beside the kernel functions.
PART_METHODS: dict[str, tuple[str, ...]] = {
    "input": ("spike_block",),
    "neuron": ("kernel_state", "kernel_params", "kernel_noise"),
    "weight": ("kernel_state", "kernel_params"),
    "synapse": ("kernel_state", "kernel_params"),
    "rewarder": ("kernel_params",),
}

_JITABLE: list[Callable[..., Any]] = []
_NUMBA_READY = False


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
    """

    functions: Mapping[str, Callable[..., Any]] = attrs.field(factory=dict)
    methods: tuple[str, ...] = ()

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
def put_where(target: np.ndarray, value: float, mask: np.ndarray) -> None:
    """``target[mask] = value`` in place (``numpy.copyto`` with ``where``)."""
    np.copyto(target, value, where=mask)


def add_where(target: np.ndarray, value: float, mask: np.ndarray) -> None:
    """``target[mask] += value`` in place."""
    np.add(target, value, out=target, where=mask)


def register_numba() -> None:
    """Teach numba the primitives and every :func:`jitable` helper (idempotent; needs numba)."""
    global _NUMBA_READY
    if _NUMBA_READY:
        return
    from numba.extending import overload, register_jitable

    @overload(put_where, jit_options={"cache": True})
    def _put_where(target, value, mask):
        def implementation(target, value, mask):
            for i in range(target.shape[0]):
                if mask[i]:
                    target[i] = value

        return implementation

    @overload(add_where, jit_options={"cache": True})
    def _add_where(target, value, mask):
        def implementation(target, value, mask):
            for i in range(target.shape[0]):
                if mask[i]:
                    target[i] += value

        return implementation

    for function in _JITABLE:
        register_jitable(function)
    _NUMBA_READY = True
