"""Conformance checks for plugin authors.

Run :func:`check_part` over every part your plugin registers, in your own test suite::

    from spikey_core.testing import check_part
    from my_plugin.noisy import Noisy

    def test_noisy_conforms():
        check_part("neuron", Noisy)

It builds the part the way the network does, exercises its protocol with small inputs and checks
what the kernel relies on: a documented attrs config, shapes and dtypes, ``reset``, seeded
determinism, copies and pickling, for weights every method of the weight protocol against a
brute-force form of its equation (propagation summed synapse by synapse with the part's delays,
``update`` with one clip per synapse, synapse ids), and for learning rules that ``eval()``
freezes learning.
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
from spikey_core.weights import DenseWeight

__all__ = ["check_config_class", "check_part", "check_registered", "conformance_problems"]

PART_KINDS = ("input", "neuron", "weight", "synapse", "readout", "rewarder", "modifier")


def check_config_class(cls: Any) -> list[str]:
    """Problems with a part's ``Config``: missing, not frozen attrs, fields without doc or check."""
    config_cls = getattr(cls, "Config", None)
    name = getattr(cls, "__name__", repr(cls))
    declare = "declare it with @attrs.frozen(kw_only=True) and fields made by spikey_core.param"
    if config_cls is None:
        return [f"{name}: has no class attribute 'Config'; {declare}"]
    if not cfg.is_config_class(config_cls):
        shown = getattr(config_cls, "__qualname__", repr(config_cls))
        return [f"{name}.Config ({shown}) is not an attrs class; {declare}"]
    problems = []
    if not _is_frozen(config_cls):
        problems.append(
            f"{name}.Config is a mutable attrs class; declare it @attrs.frozen(kw_only=True) "
            "(configs are immutable: a part's live values are its tunable attributes)"
        )
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
        probe: Any = object.__new__(config_cls)
        if instance_fields:
            setattr(probe, instance_fields[0].name, None)
        else:
            probe.__spikey_probe__ = None
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


def _stand_in_weight(sizes: Mapping[str, int], dtype: np.dtype, rng: np.random.Generator) -> DenseWeight:
    units = sizes["n_inputs"] + sizes["n_neurons"]
    ctx = BuildContext(
        n_inputs=sizes["n_inputs"],
        n_neurons=sizes["n_neurons"],
        n_outputs=sizes["n_outputs"],
        processing_time=sizes["processing_time"],
        dtype=dtype,
        rng=rng,
    )
    weight = DenseWeight(None, ctx)
    mask = rng.random((units, sizes["n_neurons"])) < 0.8
    weight.install(rng.random(mask.shape) * 0.5 * mask, mask)
    return weight


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
    return {
        "input": _StandInInput(sizes["n_inputs"], dtype),
        "neuron": _StandInNeuron(sizes["n_neurons"], dtype),
        "weight": _stand_in_weight(sizes, dtype, seeding.generator(0, "stand-in weight")),
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
        required = [f.name for f in attrs.fields(cls.Config) if f.init and f.default is attrs.NOTHING]
        hint = ""
        if required and not settings:
            example = ", ".join(f"{r!r}: ..." for r in required)
            hint = f"; its Config has required fields: pass them as settings={{{example}}}"
        return [f"{name}: cannot build its Config from {dict(settings or {})}: {error}{hint}"]
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
    if not np.all(np.isfinite(runs[0][1])):
        problems.append(
            f"{name}: potentials became non-finite (NaN or inf) under a constant input of 5.0 per step "
            f"for {sizes['processing_time'] * 4} steps; check the update equation and its parameters"
        )
    same = np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1], equal_nan=True)
    if not same:
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
    if tuple(part.shape) != shape:
        return [f"{name}: shape is {tuple(part.shape)}; expected {shape} = (n_inputs + n_neurons, n_neurons)"]
    dense, mask = part.to_dense(), part.dense_mask()
    problems = _array_problem(name, "to_dense()", dense, shape, dtype)
    problems += _array_problem(name, "dense_mask()", mask, shape, bool)
    if problems:
        return problems
    if np.any(dense[~mask] != 0):
        problems.append(f"{name}: absent synapses (dense_mask() False) must be exactly 0")
    if np.any(dense < 0) or np.any(dense > part.max_weight):
        problems.append(f"{name}: weights must lie in [0, max_weight]")
    if part.n_synapses != np.count_nonzero(mask):
        problems.append(f"{name}: n_synapses is {part.n_synapses}; dense_mask() has {np.count_nonzero(mask)}")
    if not np.array_equal(build(0).to_dense(), build(0).to_dense()):
        problems.append(f"{name}: same seed gave different weights; draw only from self.rng")
    problems += _propagation_problems(build(0), name, dtype)
    problems += _update_problems(build(0), name)
    problems += _synapse_id_problems(build(0), name)
    problems += _synapse_delay_problems(build(0), name)
    fresh = build(0)
    fresh.values[...] += 10 * fresh.max_weight
    fresh.clip()
    after = fresh.to_dense()
    if np.any(after[~mask] != 0) or not np.allclose(after[mask], fresh.max_weight):
        problems.append(f"{name}: clip() must keep absent synapses at 0 and cap at max_weight")
    return problems


def _delays_of(part: Any) -> np.ndarray:
    """Per-synapse delays as a dense int (U, N) array (1 where the part has none)."""
    dense_delays = getattr(part, "dense_delays", None)
    if callable(dense_delays):
        return np.asarray(dense_delays())
    return np.ones(part.shape, dtype=int)


def _synapse_delay_problems(part: Any, name: str) -> list[str]:
    """``synapse_delays()`` (optional), read by id, against the dense delays at the same synapses."""
    synapse_delays = getattr(part, "synapse_delays", None)
    if not callable(synapse_delays):
        return []
    delays, size = np.asarray(synapse_delays()), np.asarray(part.values).size
    if delays.shape != (size,) or delays.dtype.kind not in "iu":
        return [f"{name}: synapse_delays() must be int ({size},), one per stored value"]
    ids, pre, post = part.synapses_from(np.arange(part.shape[0]))
    if np.any(delays[ids] != _delays_of(part)[pre, post]) or np.any(delays[ids] < 1):
        return [f"{name}: synapse_delays()[id] must be the delay (>= 1) of synapse id, as in dense_delays()"]
    return []


def _propagation_problems(part: Any, name: str, dtype: Any) -> list[str]:
    """``propagate`` against the brute-force sum over synapses, delays included."""
    units, n = part.shape
    rng = np.random.default_rng(7)
    weights, delays = part.to_dense(), _delays_of(part)
    steps = int(delays.max()) + 4
    spikes = rng.random((steps, units)) < 0.3
    emit = np.where(rng.random(units) < 0.7, 1.0, -1.0).astype(dtype) * 2.0
    out = np.zeros(n, dtype=dtype)
    part.reset()
    for t in range(steps):
        part.propagate(spikes[t], emit, out)
        expected = np.zeros(n)
        for j, k in zip(*np.nonzero(weights), strict=True):
            source = t - delays[j, k] + 1
            if source >= 0 and spikes[source, j]:
                expected[k] += emit[j] * weights[j, k]
        if not np.allclose(out, expected, rtol=1e-5, atol=1e-6):
            return [f"{name}: propagate() at step {t} gave {out}; the sum over synapses is {expected}"]
    part.reset()
    part.propagate(np.zeros(units, dtype=bool), emit, out)
    if np.any(out != 0):
        return [f"{name}: reset() must clear input in flight (got {out} after reset)"]
    return []


def _update_problems(part: Any, name: str) -> list[str]:
    """``update`` against its equation, bounds binding, and the single-term methods."""
    units, n = part.shape
    rng = np.random.default_rng(3)
    mask = part.dense_mask()
    columns = np.array(sorted(rng.choice(n, size=max(1, n // 2), replace=False)))
    rows = np.array(sorted(rng.choice(units, size=max(1, units // 2), replace=False)))
    column_change = rng.normal(0.0, part.max_weight, units)
    row_change = rng.normal(0.0, part.max_weight, (rows.size, n))
    expected = part.to_dense()
    expected[:, columns] += column_change[:, None]
    expected[rows] += row_change
    expected = np.clip(expected, 0.0, part.max_weight) * mask
    touched = np.zeros(mask.shape, dtype=bool)
    touched[:, columns] = touched[rows] = True
    expected[~touched] = part.to_dense()[~touched]
    part.update(columns, column_change, rows, row_change)
    if not np.allclose(part.to_dense(), expected, rtol=1e-5, atol=1e-6):
        return [f"{name}: update() differs from clip(W + column term + row term) (one clip per synapse)"]
    before = part.to_dense()
    part.add_to_columns(columns, column_change)
    after_columns = before.copy()
    after_columns[:, columns] = np.clip(before[:, columns] + column_change[:, None], 0, part.max_weight)
    after_columns *= mask
    if not np.allclose(part.to_dense(), after_columns, rtol=1e-5, atol=1e-6):
        return [f"{name}: add_to_columns() differs from clip(W[:, c] + change)"]
    source = part.zeros()
    part.accumulate(source, columns, column_change, rows, row_change)
    before = part.to_dense()
    part.add_scaled(source, 0.5)
    scaled = before.copy()
    scaled[:, columns] += 0.5 * column_change[:, None]
    scaled[rows] += 0.5 * row_change
    scaled = np.clip(scaled, 0.0, part.max_weight) * mask
    if not np.allclose(part.to_dense(), scaled, rtol=1e-5, atol=1e-6):
        return [f"{name}: accumulate() + add_scaled() differ from clip(W + scale * terms)"]
    return []


def _synapse_id_problems(part: Any, name: str) -> list[str]:
    """Synapse ids list each existing synapse once and address (pre, post) in ``values``."""
    units, n = part.shape
    mask = part.dense_mask()
    flat = part.values.reshape(-1)
    for what, (ids, pre, post) in (
        ("synapses_from", part.synapses_from(np.arange(units))),
        ("synapses_into", part.synapses_into(np.arange(n))),
    ):
        found = np.zeros(mask.shape, dtype=bool)
        found[pre, post] = True
        if ids.size != np.count_nonzero(mask) or not np.array_equal(found, mask):
            return [f"{name}: {what}() must list every existing synapse once as (pre, post)"]
        if ids.size and (ids.min() < 0 or ids.max() >= flat.size or np.unique(ids).size != ids.size):
            return [f"{name}: {what}() ids must be unique indices into values.reshape(-1)"]
        marks = (np.arange(ids.size) + 1.0) / (ids.size + 1.0) * part.max_weight
        flat[ids] = marks
        if not np.allclose(part.to_dense()[pre, post], marks):
            return [f"{name}: {what}() ids do not address their (pre, post) synapse in values.reshape(-1)"]
    ids, pre, post = part.synapses_from(np.arange(units))
    part.add_at(ids, np.full(ids.size, 10.0 * part.max_weight))
    after = part.to_dense()
    if not np.allclose(after[mask], part.max_weight) or np.any(after[~mask] != 0):
        return [f"{name}: add_at() must add to the given synapses and clip to max_weight"]
    return []


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
    frozen = None if weight is None else weight.to_dense()
    part.reward(1.0)
    part.reward(-1.0)
    if weight is not None and frozen is not None and not np.array_equal(frozen, weight.to_dense()):
        problems.append(f"{name}: reward() changed weights after eval(); eval must freeze learning")
    if weight is not None and np.any(weight.to_dense()[~weight.dense_mask()] != 0):
        problems.append(f"{name}: learning created absent synapses (mask False entries changed)")
    fresh = build(0)
    fresh.reward(1.0)  # a reward before any step must be harmless
    return problems


def _weight_of(part: Any) -> Any:
    for attribute in ("weight", "weights"):
        candidate = getattr(part, attribute, None)
        if candidate is not None and hasattr(candidate, "to_dense"):
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
