"""Protocol checks run when a network is built, so a non-conforming part fails before the first step.

Each check returns problem lines addressed like every configuration error: the section, then the
part class, then what is wrong and what was expected, e.g.
``$.neuron: Leaky.fire() returned float64 of shape (3,); the neuron protocol needs bool of shape
(4,) = (n_neurons,)``. The network raises them together as one
:class:`~spikey_core.errors.ConfigError`. Calls that would move a part's state or generator are
made on a deep copy of the part.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from spikey_core.protocols import PROTOCOLS

__all__ = [
    "check_array",
    "check_fire",
    "check_members",
    "check_polarities",
    "check_readout",
    "check_weight",
    "protocol_members",
]


#: What to do about a missing member, for kinds that have a base class implementing the protocol.
HINTS = {"weight": "; subclass spikey_core.weights.DenseWeight, which implements all of it"}


def protocol_members(protocol: type) -> tuple[list[str], list[str]]:
    """``(attributes, methods)`` a protocol declares (annotations, and functions incl. ``__call__``)."""
    attributes = [name for name in getattr(protocol, "__annotations__", {}) if not name.startswith("_")]
    methods = [
        name
        for name, value in vars(protocol).items()
        if callable(value) and (not name.startswith("_") or name == "__call__")
    ]
    return attributes, methods


def _name(part: Any) -> str:
    return type(part).__name__


def check_members(kind: str, part: Any, address: str) -> list[str]:
    """Attributes and methods of the ``kind`` protocol that ``part`` lacks (or has not callable)."""
    protocol = PROTOCOLS[kind]
    attributes, methods = protocol_members(protocol)
    missing = [f"attribute {a!r}" for a in attributes if not hasattr(part, a)]
    for method in methods:
        if method == "__call__":
            if not callable(part):
                missing.append("method '__call__' (the part must be callable)")
        elif not callable(getattr(part, method, None)):
            missing.append(f"method {method!r}")
    if not missing:
        return []
    where = f"{protocol.__module__}.{protocol.__qualname__}"
    hint = HINTS.get(kind, "")
    return [f"{address}: {_name(part)} lacks {', '.join(missing)} of the {kind} protocol ({where}){hint}"]


def check_array(
    value: Any, address: str, what: str, *, shape: tuple[int, ...], meaning: str, kinds: str, kind_name: str
) -> list[str]:
    """``value`` must be an ndarray of ``shape`` whose dtype kind is in ``kinds`` (``"b"``, ``"f"``...)."""
    if not isinstance(value, np.ndarray):
        return [
            f"{address}: {what} is {type(value).__name__}; expected a {kind_name} ndarray of shape {shape}"
        ]
    problems = []
    if value.shape != shape:
        problems.append(f"{address}: {what} has shape {value.shape}; expected {shape} = {meaning}")
    if value.dtype.kind not in kinds:
        problems.append(f"{address}: {what} has dtype {value.dtype}; expected {kind_name}")
    return problems


def check_polarities(part: Any, address: str, n: int, meaning: str) -> list[str]:
    """``part.polarities``: float ndarray (n,), every entry +1 or -1."""
    what = f"{_name(part)}.polarities"
    problems = check_array(
        part.polarities, address, what, shape=(n,), meaning=meaning, kinds="f", kind_name="float"
    )
    if problems:
        return problems
    bad = part.polarities[(part.polarities != 1) & (part.polarities != -1)]
    if bad.size:
        return [f"{address}: {what} must be +1 or -1 for every unit (found {bad[0].item()!r})"]
    return []


def check_fire(
    part: Any,
    address: str,
    n: int,
    meaning: str,
    prepare: Callable[[Any], None],
    *,
    report_errors: bool = True,
) -> list[str]:
    """``fire()`` of a copy of ``part`` (after ``prepare(copy)``) returns a bool ndarray (n,).

    With ``report_errors`` an exception becomes a problem line; without, it propagates as the
    real call would have raised it (used on the first tick, where it is a run failure).
    """
    probe = copy.deepcopy(part)
    try:
        prepare(probe)
        spikes = probe.fire()
    except Exception as error:  # a part may fail in any way; report it with its section
        if not report_errors:
            raise
        return [f"{address}: {_name(part)}.fire() raised {type(error).__name__}: {error}"]
    return check_array(
        spikes,
        address,
        f"{_name(part)}.fire() result",
        shape=(n,),
        meaning=meaning,
        kinds="b",
        kind_name="bool",
    )


def check_weight(weight: Any, address: str, n_units: int, n_neurons: int) -> list[str]:
    """``shape`` == (U, N), ``values`` a float ndarray, ``max_weight`` a positive number."""
    expected = (n_units, n_neurons)
    name = _name(weight)
    problems = []
    shape = getattr(weight, "shape", None)
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else shape
    if shape != expected:
        problems.append(
            f"{address}: {name} has shape {shape}; the network needs {expected} "
            "= (n_inputs + n_neurons, n_neurons)"
        )
    values = weight.values
    if not isinstance(values, np.ndarray) or values.dtype.kind != "f":
        found = values.dtype if isinstance(values, np.ndarray) else type(values).__name__
        problems.append(f"{address}: {name}.values is {found}; expected a float ndarray")
    limit = weight.max_weight
    if isinstance(limit, bool) or not isinstance(limit, numbers.Real) or not float(limit) > 0:
        problems.append(f"{address}: {name}.max_weight must be a positive number (got {limit!r})")
    return problems


def check_readout(readout: Any, address: str, n_steps: int, n_outputs: int, game: Any) -> list[str]:
    """A copy of ``readout`` called on silent outputs runs, and for a game with a discrete action
    space (``n`` actions) returns one of them. Continuous spaces are not checked: games may adapt
    what a readout returns to them."""
    probe = copy.deepcopy(readout)
    spikes = np.zeros((n_steps, n_outputs), dtype=bool)
    polarities = np.ones(n_outputs, dtype=np.float64)
    try:
        action = probe(spikes, polarities)
    except Exception as error:  # a part may fail in any way; report it with its section
        return [
            f"{address}: {_name(readout)}(spikes bool {spikes.shape}, polarities float ({n_outputs},)) "
            f"raised {type(error).__name__}: {error}"
        ]
    space = getattr(game, "action_space", None)
    contains = getattr(space, "contains", None)
    discrete = hasattr(space, "n") and getattr(space, "shape", ()) in ((), None)
    if discrete and callable(contains):
        try:
            accepted = bool(contains(action))
        except Exception:  # a space may refuse foreign types by raising
            accepted = False
        if not accepted:
            return [
                f"{address}: {_name(readout)} returned {action!r} for silent outputs, which the game's "
                f"action space {space} does not contain; choose a readout that matches the game"
            ]
    return []
