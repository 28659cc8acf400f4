"""Conformance checks for plugin authors.

Run :func:`check_part` over every part your plugin registers, in your own test suite::

    from spikey_core.testing import check_part
    from my_plugin.noisy import Noisy

    def test_noisy_conforms():
        check_part("neuron", Noisy)

It builds the part the way the network does, exercises its protocol with small inputs and checks
what the kernel relies on: a documented attrs config, shapes and dtypes, ``reset``, seeded
determinism, copies and pickling, and (for learning rules) that ``eval()`` freezes learning.
Every problem found is reported at once in one ``AssertionError``.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from spikey_core import config as cfg
from spikey_core import seeding
from spikey_core.part import BuildContext
from spikey_core.protocols import PROTOCOLS
from spikey_core.registry import Registry, registry_or_loaded

__all__ = ["check_config_class", "check_part", "check_registered", "conformance_problems"]

PART_KINDS = ("input", "neuron", "weight", "synapse", "readout", "rewarder", "modifier")


def check_config_class(cls: Any) -> list[str]:
    """Problems with a part's ``Config``: missing, not frozen attrs, fields without doc or check."""
    config_cls = getattr(cls, "Config", None)
    name = getattr(cls, "__name__", repr(cls))
    if config_cls is None or not cfg.is_config_class(config_cls):
        return [f"{name}: needs a class attribute 'Config' that is an attrs class"]
    problems = []
    if not _is_frozen(config_cls):
        problems.append(f"{name}.Config: must be @attrs.frozen (configs are immutable)")
    for field in attrs.fields(config_cls):
        if field.init and not field.kw_only:
            problems.append(f"{name}.Config.{field.name}: must be keyword-only (@attrs.frozen(kw_only=True))")
        if not field.metadata.get("doc"):
            problems.append(
                f"{name}.Config.{field.name}: has no doc; declare it with spikey_core.param(doc=...)"
            )
        if field.metadata.get("check") is None:
            problems.append(f"{name}.Config.{field.name}: has no check; pass check=... to spikey_core.param")
    return problems


def _is_frozen(config_cls: type) -> bool:
    try:
        instance_fields = attrs.fields(config_cls)
        probe = object.__new__(config_cls)
        if instance_fields:
            setattr(probe, instance_fields[0].name, None)
        else:
            probe.__spikey_probe__ = None  # type: ignore[attr-defined]
    except attrs.exceptions.FrozenInstanceError:
        return True
    except AttributeError:  # slotted classes refuse unknown names; frozen ones refuse all
        return True
    return False


class _StandInInput:
    def __init__(self, n: int, dtype: np.dtype):
        self.polarities = np.ones(n, dtype=dtype)
        self.magnitude = 1.0


class _StandInNeuron(_StandInInput):
    def __init__(self, n: int, dtype: np.dtype):
        super().__init__(n, dtype)
        self.potentials = np.zeros(n, dtype=dtype)


class _StandInWeight:
    def __init__(self, n_units: int, n_neurons: int, dtype: np.dtype, rng: np.random.Generator):
        self.max_weight = 1.0
        self.mask = rng.random((n_units, n_neurons)) < 0.8
        self.matrix = (rng.random((n_units, n_neurons)) * 0.5 * self.mask).astype(dtype)

    def clip(self) -> None:
        np.clip(self.matrix, 0.0, self.max_weight, out=self.matrix)
        self.matrix[~self.mask] = 0.0


def _context(
    kind: str, sizes: Mapping[str, int], dtype: Any, seed: int, parts: Mapping[str, Any]
) -> BuildContext:
    return BuildContext(
        n_inputs=sizes["n_inputs"],
        n_neurons=sizes["n_neurons"],
        n_outputs=sizes["n_outputs"],
        processing_time=sizes["processing_time"],
        dtype=np.dtype(dtype),
        rng=seeding.generator(seed, kind),
        parts=dict(parts),
    )


def _stand_in_parts(sizes: Mapping[str, int], dtype: Any) -> dict[str, Any]:
    dtype = np.dtype(dtype)
    units = sizes["n_inputs"] + sizes["n_neurons"]
    return {
        "input": _StandInInput(sizes["n_inputs"], dtype),
        "neuron": _StandInNeuron(sizes["n_neurons"], dtype),
        "weight": _StandInWeight(units, sizes["n_neurons"], dtype, seeding.generator(0, "stand-in weight")),
    }


def conformance_problems(
    kind: str,
    cls: Any,
    *,
    settings: Mapping[str, Any] | None = None,
    sizes: Mapping[str, int] | None = None,
    state: Any = None,
    parts: Mapping[str, Any] | None = None,
    dtype: str = "float64",
) -> list[str]:
    """Every conformance problem of part class ``cls`` of ``kind`` (empty list: conforms).

    Parameters
    ----------
    kind : str
        ``input``, ``neuron``, ``weight``, ``synapse``, ``readout``, ``rewarder`` or ``modifier``.
    cls : type
        The part class.
    settings : mapping, optional
        Config values needed to build it (required fields).
    sizes : mapping, optional
        ``n_inputs``, ``n_neurons``, ``n_outputs``, ``processing_time`` (defaults 4, 6, 2, 5).
    state : object, optional
        A game state valid for an input or rewarder (default ``(1, 0)``).
    parts : mapping, optional
        Parts to offer in ``ctx.parts`` instead of the stand-ins (input, neuron, weight).
    dtype : str
        ``"float32"`` or ``"float64"``.
    """
    if kind not in PART_KINDS:
        return [f"unknown part kind {kind!r}; kinds are {', '.join(PART_KINDS)}"]
    problems = check_config_class(cls)
    if problems:
        return problems
    sizes = {"n_inputs": 4, "n_neurons": 6, "n_outputs": 2, "processing_time": 5, **(sizes or {})}
    state = (1, 0) if state is None else state
    name = cls.__name__
    try:
        config = cfg.from_dict(cls.Config, dict(settings or {}), address=f"${name}")
    except Exception as error:  # report, do not crash the checker
        return [f"{name}: cannot build its Config from {dict(settings or {})}: {error}"]
    offered = {**_stand_in_parts(sizes, dtype), **(parts or {})}

    def build(seed: int) -> Any:
        return cls(config, _context(kind, sizes, dtype, seed, offered))

    try:
        part = build(0)
    except Exception as error:
        return [f"{name}: construction failed: {type(error).__name__}: {error}"]
    protocol = PROTOCOLS[kind]
    if not isinstance(part, protocol):
        missing = [m for m in _protocol_members(protocol) if not hasattr(part, m)]
        problems.append(f"{name}: does not implement the {kind} protocol (missing: {', '.join(missing)})")
        return problems
    check = _BEHAVIOUR[kind]
    try:
        problems += check(part, build, sizes, state, dtype)
    except Exception as error:
        problems.append(f"{name}: raised while exercising its protocol: {type(error).__name__}: {error}")
    problems += _copy_problems(part, name)
    return problems


def _protocol_members(protocol: type) -> list[str]:
    members = set(getattr(protocol, "__annotations__", {}))
    members |= {m for m in vars(protocol) if not m.startswith("_") and callable(getattr(protocol, m))}
    if "__call__" in vars(protocol):
        members.add("__call__")
    return sorted(members)


def _copy_problems(part: Any, name: str) -> list[str]:
    problems = []
    try:
        copy.deepcopy(part)
    except Exception as error:
        problems.append(f"{name}: copy.deepcopy failed ({error}); copies of networks need it")
    try:
        pickle.loads(pickle.dumps(part))
    except Exception as error:
        problems.append(f"{name}: is not picklable ({error}); parallel backends need it")
    return problems


def _array_problem(name: str, what: str, value: Any, shape: tuple, dtype: Any = None) -> list[str]:
    if not isinstance(value, np.ndarray):
        return [f"{name}: {what} must be an ndarray (got {type(value).__name__})"]
    out = []
    if value.shape != shape:
        out.append(f"{name}: {what} has shape {value.shape}; expected {shape}")
    if dtype is not None and value.dtype != np.dtype(dtype):
        out.append(f"{name}: {what} has dtype {value.dtype}; expected {np.dtype(dtype)}")
    return out


def _polarity_problems(part: Any, n: int, dtype: str) -> list[str]:
    name = type(part).__name__
    problems = _array_problem(name, "polarities", np.asarray(part.polarities), (n,))
    if not problems and not np.all(np.isin(part.polarities, (-1, 1))):
        problems.append(f"{name}: polarities must be +1 or -1")
    return problems


def _check_input(part, build, sizes, state, dtype) -> list[str]:
    name, n = type(part).__name__, sizes["n_inputs"]
    problems = _polarity_problems(part, n, dtype)
    runs = []
    for seed in (0, 0):
        fresh = build(seed)
        fresh.reset()
        fresh.update(state)
        runs.append(np.array([np.array(fresh.fire(), copy=True) for _ in range(sizes["processing_time"])]))
    problems += _array_problem(name, "fire()", runs[0][0], (n,), bool)
    if not np.array_equal(runs[0], runs[1]):
        problems.append(f"{name}: same seed gave different spikes; draw only from self.rng")
    return problems


def _check_neuron(part, build, sizes, state, dtype) -> list[str]:
    name, n = type(part).__name__, sizes["n_neurons"]
    problems = _polarity_problems(part, n, dtype)
    problems += _array_problem(name, "potentials", part.potentials, (n,), dtype)
    runs = []
    for seed in (0, 0):
        fresh = build(seed)
        fresh.reset()
        spikes = []
        for _ in range(sizes["processing_time"] * 4):
            spikes.append(np.array(fresh.fire(), copy=True))
            fresh.integrate(np.full(n, 5.0, dtype=dtype))
        runs.append((np.array(spikes), np.array(fresh.potentials, copy=True)))
    problems += _array_problem(name, "fire()", runs[0][0][0], (n,), bool)
    if not (np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])):
        problems.append(f"{name}: same seed gave different dynamics; draw only from self.rng")
    fresh = build(0)
    fresh.reset()
    before = np.array(fresh.potentials, copy=True)
    fresh.integrate(np.full(n, 3.0, dtype=dtype))
    fresh.reset()
    if not np.array_equal(before, fresh.potentials):
        problems.append(f"{name}: reset() does not restore the starting potentials")
    return problems


def _check_weight(part, build, sizes, state, dtype) -> list[str]:
    name = type(part).__name__
    shape = (sizes["n_inputs"] + sizes["n_neurons"], sizes["n_neurons"])
    problems = _array_problem(name, "matrix", part.matrix, shape, dtype)
    problems += _array_problem(name, "mask", part.mask, shape, bool)
    if problems:
        return problems
    if np.any(part.matrix[~part.mask] != 0):
        problems.append(f"{name}: absent synapses (mask False) must be exactly 0")
    if np.any(part.matrix < 0) or np.any(part.matrix > part.max_weight):
        problems.append(f"{name}: weights must lie in [0, max_weight]")
    part.matrix += 10 * part.max_weight
    part.clip()
    if np.any(part.matrix[~part.mask] != 0) or np.any(part.matrix > part.max_weight):
        problems.append(f"{name}: clip() must keep absent synapses at 0 and cap at max_weight")
    if not np.array_equal(build(0).matrix, build(0).matrix):
        problems.append(f"{name}: same seed gave different matrices; draw only from self.rng")
    return problems


def _check_synapse(part, build, sizes, state, dtype) -> list[str]:
    name = type(part).__name__
    units = sizes["n_inputs"] + sizes["n_neurons"]
    rng = np.random.default_rng(1)
    pattern = rng.random((sizes["processing_time"] * 4, units)) < 0.4
    problems = []
    part.reset()
    part.train()
    for row in pattern:
        part.step(row)
        part.reward(1.0)
    part.eval()
    weight = _weight_of(part)
    frozen = None if weight is None else np.array(weight.matrix, copy=True)
    part.reward(1.0)
    part.reward(-1.0)
    if weight is not None and not np.array_equal(frozen, weight.matrix):
        problems.append(f"{name}: reward() changed weights after eval(); eval must freeze learning")
    if weight is not None and np.any(weight.matrix[~weight.mask] != 0):
        problems.append(f"{name}: learning created absent synapses (mask False entries changed)")
    fresh = build(0)
    fresh.reward(1.0)  # a reward before any step must be harmless
    return problems


def _weight_of(part: Any) -> Any:
    for attribute in ("weight", "weights"):
        candidate = getattr(part, attribute, None)
        if candidate is not None and hasattr(candidate, "matrix"):
            return candidate
    return None


def _check_readout(part, build, sizes, state, dtype) -> list[str]:
    shape = (sizes["processing_time"], sizes["n_outputs"])
    polarities = np.ones(sizes["n_outputs"], dtype=dtype)
    part.reset()
    for spikes in (np.zeros(shape, bool), np.ones(shape, bool)):
        part(spikes, polarities)
    return []


def _check_rewarder(part, build, sizes, state, dtype) -> list[str]:
    name = type(part).__name__
    part.reset()
    value = part(state, 1, state)
    try:
        float(value)
    except (TypeError, ValueError):
        return [f"{name}: must return a number (got {value!r})"]
    return []


def _check_modifier(part, build, sizes, state, dtype) -> list[str]:
    part.reset()
    return []


_BEHAVIOUR = {
    "input": _check_input,
    "neuron": _check_neuron,
    "weight": _check_weight,
    "synapse": _check_synapse,
    "readout": _check_readout,
    "rewarder": _check_rewarder,
    "modifier": _check_modifier,
}


def check_part(kind: str, cls: Any, **kwargs: Any) -> None:
    """Raise ``AssertionError`` listing every conformance problem of ``cls``.

    See :func:`conformance_problems` for the checks.
    """
    problems = conformance_problems(kind, cls, **kwargs)
    if problems:
        raise AssertionError(f"{len(problems)} conformance problem(s):\n  " + "\n  ".join(problems))


def check_registered(kind: str, name: str, *, registry: Registry | None = None, **kwargs: Any) -> None:
    """:func:`check_part` on a part looked up by its registered name (default: the loaded registry)."""
    check_part(kind, registry_or_loaded(registry).get(kind, name), **kwargs)
