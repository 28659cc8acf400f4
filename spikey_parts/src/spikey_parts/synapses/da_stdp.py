"""Izhikevich (2007) dopamine-modulated STDP, integrated exactly and lazily (cost per spike)."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param
from spikey_core.kernels import (
    Kernel,
    add_at,
    body_units,
    compiled_as,
    copy_into,
    jitable,
    put_at,
    select,
    true_indices,
    weight_add_at,
    weight_synapses_from,
    weight_synapses_into,
)

from spikey_core import ConfigError
from spikey_parts.synapses.base import SynapseBase
from spikey_parts.weights.sparse import concatenated_ranges


def _tau(default: float, what: str) -> Any:
    return param(default=default, check=Real(gt=0), doc=f"time constant of {what}, in ms, > 0")


@attrs.frozen(kw_only=True)
class DASTDPConfig:
    a_plus: float = param(
        default=0.1, check=Real(ge=0), doc="A+: eligibility added per pre-before-post pair at zero lag"
    )
    a_minus: float = param(
        default=0.15, check=Real(ge=0), doc="A-: eligibility removed per post-before-pre pair at zero lag"
    )
    tau_plus: float = _tau(20.0, "the presynaptic STDP trace")
    tau_minus: float = _tau(20.0, "the postsynaptic STDP trace")
    tau_c: float = _tau(1000.0, "the eligibility trace c")
    tau_d: float = _tau(200.0, "the dopamine trace d")
    learning_rate: float = param(
        default=0.1,
        check=Real(ge=0),
        doc="eta in dw/dt = eta c (d + baseline), per ms (0.1 = daspnet's 10 ms step)",
    )
    baseline: float = param(
        default=0.002, check=Real(ge=0), doc="tonic dopamine added to d in the weight equation (d units)"
    )
    trace_mode: str = param(
        default="nearest",
        check=OneOf(("nearest", "additive")),
        doc="STDP traces: nearest = a spike sets its unit's trace to 1 (daspnet); additive = adds 1",
    )
    plastic: str = param(
        default="excitatory",
        check=OneOf(("excitatory", "excitatory_neurons", "all")),
        doc=(
            "which synapses learn: those of excitatory presynaptic units (Izhikevich 2007), of excitatory "
            "body neurons only (input synapses stay fixed: external stimulation), or all"
        ),
    )


# -- primitives: numpy as written, one loop each under numba (kernels.compiled_as) -----------------------
def _lazy_change_loops(c_ref, e_at, ids, e, learning_rate):
    change = np.empty(ids.shape[0], dtype=c_ref.dtype)
    for i in range(ids.shape[0]):
        s = ids[i]
        change[i] = learning_rate * c_ref[s] * (e - e_at[s])
        e_at[s] = e
    return change


@compiled_as(_lazy_change_loops)
def lazy_change(
    c_ref: np.ndarray, e_at: np.ndarray, ids: np.ndarray, e: float, learning_rate: float
) -> np.ndarray:
    """``eta c_ref[ids] (E - e_at[ids])`` (float (k,)), the weight change since each synapse's last
    touch; then ``e_at[ids] = E``."""
    change = learning_rate * c_ref[ids] * (e - e_at[ids])
    e_at[ids] = e
    return change


def _add_traces_loops(c_ref, ids, factor, trace, units):
    for i in range(ids.shape[0]):
        c_ref[ids[i]] += factor * trace[units[i]]


@compiled_as(_add_traces_loops)
def add_traces(
    c_ref: np.ndarray, ids: np.ndarray, factor: float, trace: np.ndarray, units: np.ndarray
) -> None:
    """``c_ref[ids] += factor * trace[units]`` (``ids`` unique)."""
    c_ref[ids] += factor * trace[units]


def _plastic_synapses_loops(ids, pre, plastic):
    count = 0
    for i in range(ids.shape[0]):
        if plastic[pre[i]]:
            count += 1
    kept_ids, kept_pre = np.empty(count, dtype=ids.dtype), np.empty(count, dtype=pre.dtype)
    count = 0
    for i in range(ids.shape[0]):
        if plastic[pre[i]]:
            kept_ids[count], kept_pre[count] = ids[i], pre[i]
            count += 1
    return kept_ids, kept_pre


@compiled_as(_plastic_synapses_loops)
def plastic_synapses(ids: np.ndarray, pre: np.ndarray, plastic: np.ndarray) -> tuple:
    """``(ids, pre)`` of the synapses whose presynaptic unit is plastic (``plastic[pre]`` True)."""
    keep = plastic[pre]
    return ids[keep], pre[keep]


def _add_arrival_traces_loops(c_ref, ids, factor, history, position, delays, units):
    depth = history.shape[0]
    for i in range(ids.shape[0]):
        s = ids[i]
        c_ref[s] += factor * history[(position - delays[s]) % depth, units[i]]


@compiled_as(_add_arrival_traces_loops)
def add_arrival_traces(
    c_ref: np.ndarray,
    ids: np.ndarray,
    factor: float,
    history: np.ndarray,
    position: int,
    delays: np.ndarray,
    units: np.ndarray,
) -> None:
    """``c_ref[ids] += factor * history[(position - delays[ids]) % D, units]`` (``ids`` unique).

    ``history`` float (D, U): row ``(t - d) % D`` holds the presynaptic traces as of step
    ``t - d``; ``position`` is ``t % D``. So each synapse reads its presynaptic trace as of its
    own delay ago: the trace of the spikes that have arrived through it by now.
    """
    slots = (position - np.take(delays, ids)) % history.shape[0]
    c_ref[ids] += factor * history[slots, units]


def _record_spikes_loops(ring_units, ring_counts, position, units):
    for i in range(units.shape[0]):
        ring_units[position, i] = units[i]
    ring_counts[position] = units.shape[0]


@compiled_as(_record_spikes_loops)
def record_spikes(ring_units: np.ndarray, ring_counts: np.ndarray, position: int, units: np.ndarray) -> None:
    """The units spiking at step ``t`` (int (k,)) into row ``position = t % D`` of the ring (D, U)."""
    ring_units[position, : units.size] = units
    ring_counts[position] = units.size


def _delivering_synapses_loops(ring_units, ring_counts, position, starts, delivery_ids, delivery_post):
    depth = ring_units.shape[0]
    count = 0
    for slot in range(depth):
        lag = (position - slot) % depth
        for i in range(ring_counts[slot]):
            unit = ring_units[slot, i]
            count += starts[unit, lag + 1] - starts[unit, lag]
    ids, post = np.empty(count, dtype=np.intp), np.empty(count, dtype=np.intp)
    count = 0
    for slot in range(depth):
        lag = (position - slot) % depth
        for i in range(ring_counts[slot]):
            unit = ring_units[slot, i]
            for p in range(starts[unit, lag], starts[unit, lag + 1]):
                ids[count], post[count] = delivery_ids[p], delivery_post[p]
                count += 1
    return ids, post


@compiled_as(_delivering_synapses_loops)
def delivering_synapses(
    ring_units: np.ndarray,
    ring_counts: np.ndarray,
    position: int,
    starts: np.ndarray,
    delivery_ids: np.ndarray,
    delivery_post: np.ndarray,
) -> tuple:
    """``(ids, post)`` (intp) of the plastic synapses delivering at step ``t`` (``position = t % D``).

    A synapse of delay ``d`` delivers the spikes of step ``t - d + 1``: for every unit ``j`` in
    ring row ``slot`` (it spiked ``lag = (position - slot) % D`` steps ago) its synapses of delay
    ``lag + 1``, which are ``delivery_ids[starts[j, lag] : starts[j, lag + 1]]`` (the plastic
    synapses grouped by unit, then by delay). Ring rows in order, units in spiking order.
    """
    depth = ring_units.shape[0]
    slots = np.repeat(np.arange(depth), ring_counts)
    within = np.arange(slots.size) - np.repeat(np.cumsum(ring_counts) - ring_counts, ring_counts)
    units = ring_units[slots, within]
    lags = (position - slots) % depth
    first = starts[units, lags]
    positions = concatenated_ranges(first, starts[units, lags + 1] - first)
    return np.take(delivery_ids, positions), np.take(delivery_post, positions)


def _scale_loops(values, factor):
    for i in range(values.shape[0]):
        values[i] *= factor


@compiled_as(_scale_loops)
def scale(values: np.ndarray, factor: float) -> None:
    """``values *= factor`` in place."""
    np.multiply(values, factor, values)


# -- kernels -------------------------------------------------------------------------------------------
# state = (c_ref (S,), e_at (S,), pre_trace (U,), post_trace (N,), globals (4,) = [d, E, steps since
#          the epoch, 1.0 once this step has been advanced], plastic_unit bool (U,), plastic_ids int
#          (the ids of every plastic synapse),
#          and for pairing by arrival time (D > 1; empty otherwise): delays int (S,), history float
#          (D, U) (pre traces of the last D steps), ring_units int (D, U) + ring_counts int (D,) (who
#          spiked in the last D steps), starts int (U, D + 1) + delivery_ids, delivery_post int (P,)
#          (plastic synapses by unit, then delay), clock int (1,) (t % D))
# params = (c_decay, d_decay, pre_decay, post_decay, d_window, baseline_window, epoch_steps, a_plus,
#           a_minus, learning_rate, nearest, all_plastic, n_inputs, D); see DASTDP for the equations.
@jitable
def da_stdp_catch_up(state, params, weight_state, weight_params, ids) -> None:
    """Weights of synapses ``ids`` integrated up to now: ``w += eta c_ref (E - e_at)``, ``e_at = E``."""
    change = lazy_change(state[0], state[1], ids, state[4][1], params[9])
    weight_add_at(weight_state, weight_params, ids, change)


@jitable
def da_stdp_catch_up_rows(state, params, weight_state, weight_params, rows) -> None:
    """:func:`da_stdp_catch_up` of the plastic synapses leaving units ``rows`` (int, ascending)."""
    rows = select(rows, state[5])
    if rows.size:
        da_stdp_catch_up(
            state,
            params,
            weight_state,
            weight_params,
            weight_synapses_from(weight_state, weight_params, rows)[0],
        )


@jitable
def da_stdp_new_epoch(state, params, weight_state, weight_params) -> None:
    """Every plastic synapse brought up to date, ``c`` referred to now, ``E`` and the step count reset."""
    da_stdp_catch_up(state, params, weight_state, weight_params, state[6])
    g = state[4]
    scale(state[0], params[0] ** g[2])
    state[1].fill(0.0)
    g[1] = 0.0
    g[2] = 0.0


@jitable
def da_stdp_advance(state, params, weight_state, weight_params) -> None:
    """Move the clock one step (once per step: a second call in the same step does nothing).

    ``E += c_decay^age (d d_window + b b_window)``, ``d *= d_decay``, ``age += 1``; a new epoch
    every ``epoch_steps``.
    """
    g = state[4]
    if g[3] != 0.0:
        return
    d, e, age = g[0], g[1], g[2]
    g[1] = e + params[0] ** age * (d * params[4] + params[5])
    g[0] = d * params[1]
    g[2] = age + 1.0
    g[3] = 1.0
    if age + 1.0 >= params[6]:
        da_stdp_new_epoch(state, params, weight_state, weight_params)


@jitable
def da_stdp_refresh(state, params, weight_state, weight_params, spikes) -> None:
    """Before the weight reads this step's spikes (bool (U,)): advance, then bring the plastic
    synapses of the spiking units up to date, so propagation delivers their current weights."""
    da_stdp_advance(state, params, weight_state, weight_params)
    da_stdp_catch_up_rows(state, params, weight_state, weight_params, true_indices(spikes))


@jitable
def da_stdp_pair(state, params, weight_state, weight_params, now, body, refreshed) -> None:
    """The STDP jumps of ``c`` for the units ``now`` (int) spiking at this step (``body``: the body ones).

    Potentiation first: every plastic synapse onto ``body`` gets ``c += A+ x_pre`` (the pre traces
    of the previous steps); then depression: every plastic synapse out of ``now`` gets ``c -= A-
    y_post`` (post traces including this step). Each synapse is brought up to date before its
    ``c`` changes; changes of ``c`` now are referred to the epoch (``c_decay^-age``). With
    ``refreshed`` (:func:`da_stdp_refresh` ran at this step) the depressed synapses are up to
    date already: bringing them up to date again would add exactly 0, so it is skipped.
    """
    c_ref, pre_trace, post_trace, plastic = state[0], state[2], state[3], state[5]
    to_epoch = params[0] ** -state[4][2]
    if body.size:
        ids, pre, _ = weight_synapses_into(weight_state, weight_params, body)
        if not params[11]:
            ids, pre = plastic_synapses(ids, pre, plastic)
        da_stdp_catch_up(state, params, weight_state, weight_params, ids)
        add_traces(c_ref, ids, params[7] * to_epoch, pre_trace, pre)
    rows = select(now, plastic)
    ids, _, post_of = weight_synapses_from(weight_state, weight_params, rows)
    if not refreshed:
        da_stdp_catch_up(state, params, weight_state, weight_params, ids)
    add_traces(c_ref, ids, -(params[8] * to_epoch), post_trace, post_of)


@jitable
def da_stdp_pair_on_arrival(state, params, weight_state, weight_params, body) -> None:
    """The STDP jumps of ``c`` at step ``t`` when synapses have delays (``D > 1``).

    Potentiation: every plastic synapse onto ``body`` (spiking now) gets ``c += A+ x_j(t - d)``,
    its presynaptic trace as of its delay ``d`` ago (:func:`add_arrival_traces`); depression:
    every plastic synapse delivering now (delay ``d``, its unit spiked at ``t - d + 1``) gets
    ``c -= A- y_k(t)``, the post trace including this step. Each synapse is brought up to date
    first.
    """
    c_ref, clock = state[0], state[14]
    to_epoch = params[0] ** -state[4][2]
    if body.size:
        ids, pre, _ = weight_synapses_into(weight_state, weight_params, body)
        if not params[11]:
            ids, pre = plastic_synapses(ids, pre, state[5])
        da_stdp_catch_up(state, params, weight_state, weight_params, ids)
        add_arrival_traces(c_ref, ids, params[7] * to_epoch, state[8], clock[0], state[7], pre)
    ids, post = delivering_synapses(state[9], state[10], clock[0], state[11], state[12], state[13])
    if ids.size:
        da_stdp_catch_up(state, params, weight_state, weight_params, ids)
        add_traces(c_ref, ids, -(params[8] * to_epoch), state[3], post)


@jitable
def da_stdp_step_delayed(state, params, weight_state, weight_params, now) -> None:
    """:func:`da_stdp_step` with delays: record the spikes, post traces, pair on arrival, pre traces."""
    pre_trace, post_trace, history, clock = state[2], state[3], state[8], state[14]
    position = clock[0]
    record_spikes(state[9], state[10], position, now)
    body = body_units(now, params[12])
    if params[10]:
        put_at(post_trace, body, 1.0)
    else:
        add_at(post_trace, body, 1.0)
    da_stdp_pair_on_arrival(state, params, weight_state, weight_params, body)
    scale(pre_trace, params[2])
    if params[10]:
        put_at(pre_trace, now, 1.0)
    else:
        add_at(pre_trace, now, 1.0)
    copy_into(history[position], pre_trace)
    clock[0] = (position + 1) % history.shape[0]


@jitable
def da_stdp_step(state, params, weight_state, weight_params, spikes) -> None:
    """One step's spikes (bool (U,)): advance, decay the post traces, pair, then the pre traces."""
    refreshed = state[4][3] != 0.0  # da_stdp_refresh advanced this step already
    da_stdp_advance(state, params, weight_state, weight_params)
    state[4][3] = 0.0  # the next step advances again
    pre_trace, post_trace = state[2], state[3]
    now = true_indices(spikes)
    scale(post_trace, params[3])
    if params[13] > 1:
        da_stdp_step_delayed(state, params, weight_state, weight_params, now)
        return
    if now.size == 0:
        scale(pre_trace, params[2])
        return
    body = body_units(now, params[12])
    if params[10]:
        put_at(post_trace, body, 1.0)
    else:
        add_at(post_trace, body, 1.0)
    da_stdp_pair(state, params, weight_state, weight_params, now, body, refreshed)
    scale(pre_trace, params[2])
    if params[10]:
        put_at(pre_trace, now, 1.0)
    else:
        add_at(pre_trace, now, 1.0)


@jitable
def da_stdp_reward(state, params, weight_state, weight_params, reward) -> None:
    """``d += r`` at the current step."""
    if reward != 0.0:
        state[4][0] += reward


class DASTDP(SynapseBase):
    """Dopamine-modulated STDP (Izhikevich 2007, Cerebral Cortex 17:2443, eqs. 1-3).

    Per synapse ``(j, k)`` an eligibility trace ``c``, one global dopamine level ``d``:

    .. math::

        \\dot c = -c / \\tau_c + \\mathrm{STDP}(\\Delta t)\\, \\delta(t - t_{pre/post}), \\qquad
        \\dot d = -d / \\tau_d + \\sum_n r_n \\delta(t - t_n), \\qquad
        \\dot w = \\eta\\, c\\, (d + b)

    with weights clipped to ``[0, max_weight]``. STDP pairs the post spike with the pre spike's
    **arrival** (as Izhikevich's ``spnet.m`` and ``daspnet.m`` do): a spike of unit ``j`` at step
    ``t_j`` through a synapse of delay ``d`` arrives at ``a = t_j + d`` (the first step its post
    neuron can respond to it; see :class:`spikey_core.weights.DelayLine`). When body neuron
    ``k`` fires at step ``t`` every plastic synapse onto it gets ``c += A+ x_jk`` with ``x_jk``
    the trace of the arrivals up to ``t`` (an arrival ``m >= 0`` steps earlier counts ``exp(-m
    dt / tau+)``); at step ``a - 1``, when the synapse delivers, it gets ``c -= A- y_k`` with the
    postsynaptic trace ``y_k`` including that step (a post spike ``n >= 0`` steps earlier counts
    ``exp(-n dt / tau-)``). With every delay 1 (``daspnet.m``: ``D = 1``) this is pairing by
    spike time: a pre spike ``n`` steps before the post spike counts ``exp(-(n - 1) dt /
    tau+)``, none at zero lag, and depression happens at the pre spike's own step. With delays,
    ``x_jk`` is the presynaptic unit's trace as of step ``t - d`` (kept for the last ``D``
    steps), and the synapses that deliver at a step are found from the units that spiked in the
    last ``D`` steps, grouped by delay, so a step still costs the synapses of the spikes.
    Traces are 1 at a spike (``nearest``) or grow by 1 (``additive``) and decay by ``exp(-dt /
    tau)`` per step. ``reward(r)`` adds ``r`` to ``d`` at the current step.

    **Lazy exact integration.** Events (spikes, rewards) happen at step times; between them
    ``c`` and ``d`` decay exponentially. A synapse's ``c`` jumps only when its post unit spikes
    or it delivers a pre spike, and exactly then the rule touches it, so between two touches ``t0 < t1``
    ``c(s) = c(t0) e^{-(s - t0)/tau_c}`` and

    .. math::

        w(t_1) - w(t_0) = \\eta\\, c(t_0)\\, e^{(t_0 - T)/\\tau_c}\\, [E(t_1) - E(t_0)], \\qquad
        E(t) = \\int_T^t e^{-(s - T)/\\tau_c} (d(s) + b)\\, ds .

    ``E`` is one global number, advanced every step in closed form (within a step ``d`` is a
    pure exponential): ``E += e^{-(t - T)/tau_c} [d tau' (1 - e^{-dt/tau'}) + b tau_c (1 -
    e^{-dt/tau_c})]`` with ``tau' = tau_c tau_d / (tau_c + tau_d)``. Each synapse stores
    ``c`` referred to the epoch ``T`` and the ``E`` of its last touch, so a step costs O(synapses
    of the units that spiked). Clipping is exact too: between touches ``c`` keeps its sign and
    ``d + b >= 0`` (non-negative rewards), so ``w`` is monotone and clipping at ``t1`` equals
    clipping the continuous trajectory. (With negative rewards ``d + b`` may change sign between
    touches; the unclipped integral stays exact and the bound is then applied at touches.)
    Every ``tau_c`` the epoch moves to the present (every plastic synapse is brought up to date,
    O(synapses) once per ``tau_c / dt`` steps) so that ``E`` differences keep full precision.

    Weights are read by propagation: the rule registers with the weight part, which asks it to
    bring the outgoing synapses of the units spiking now up to date before delivering them.
    Anything else reading weights mid-run calls :meth:`sync` first (``eval()`` does).
    """

    Config = DASTDPConfig
    STATE = (
        "c_ref",
        "e_at",
        "pre_trace",
        "post_trace",
        "_globals",
        "_history",
        "_ring_units",
        "_ring_counts",
        "_clock",
    )
    KERNEL = Kernel(
        functions={"step": da_stdp_step, "reward": da_stdp_reward, "refresh": da_stdp_refresh},
        methods=("step", "reward", "refresh", "sync", "kernel_state", "kernel_params", "learn"),
        weight_roles=("synapses_from", "synapses_into", "add_at"),
    )

    def __init__(self, config: DASTDPConfig, ctx: Any):
        super().__init__(config, ctx)
        self.dt = float(ctx.dt)
        for name in ("tau_c", "tau_d"):
            if getattr(config, name) <= self.dt:
                raise ConfigError(f"$.synapse.{name} (DASTDP): must be > dt = {self.dt} ms")
        tau_c, tau_d = float(config.tau_c), float(config.tau_d)
        self.c_decay = math.exp(-self.dt / tau_c)
        self.d_decay = math.exp(-self.dt / tau_d)
        self.pre_decay = math.exp(-self.dt / config.tau_plus)
        self.post_decay = math.exp(-self.dt / config.tau_minus)
        tau_mix = tau_c * tau_d / (tau_c + tau_d)
        self.d_window = tau_mix * (
            1.0 - math.exp(-self.dt / tau_mix)
        )  # integral of e^{-s/tau_c} e^{-s/tau_d}
        self.b_window = tau_c * (1.0 - self.c_decay)
        self.epoch_steps = max(1, int(round(tau_c / self.dt)))
        self.c_ref = self.weight.zeros().reshape(-1)
        self.e_at = self.weight.zeros().reshape(-1)
        self.pre_trace = np.zeros(ctx.n_units, dtype=ctx.dtype)
        self.post_trace = np.zeros(ctx.n_neurons, dtype=ctx.dtype)
        # d, E, steps since the epoch, steps advanced ahead of step() (by a propagation read)
        self._globals = np.zeros(4)
        self.plastic_unit = self.polarities > 0 if config.plastic != "all" else self.polarities != 0
        if config.plastic == "excitatory_neurons":
            self.plastic_unit[: self.n_inputs] = False
        self._plastic_rows = np.flatnonzero(self.plastic_unit).astype(np.intp)
        self._plastic_ids = self.weight.synapses_from(self._plastic_rows)[0]
        self._index_delays()
        depth = self._starts.shape[1] - 1 if self._starts.size else 1
        self._history = np.zeros((depth, ctx.n_units) if depth > 1 else (1, 0), dtype=ctx.dtype)
        self._ring_units = np.zeros((depth, ctx.n_units) if depth > 1 else (1, 0), dtype=np.intp)
        self._ring_counts = np.zeros(depth, dtype=np.intp)
        self._clock = np.zeros(1, dtype=np.intp)
        self._params = (  # plain numbers, once: reading config per step would rebuild it
            self.c_decay,
            self.d_decay,
            self.pre_decay,
            self.post_decay,
            self.d_window,
            float(config.baseline) * self.b_window,
            float(self.epoch_steps),
            float(config.a_plus),
            float(config.a_minus),
            float(config.learning_rate),
            config.trace_mode == "nearest",
            bool(self.plastic_unit.all()),
            int(self.n_inputs),
            int(depth),
        )
        self.weight.before_read = self.refresh

    def _index_delays(self) -> None:
        """The plastic synapses grouped by unit, then by delay, for pairing by arrival time.

        Without delays (every plastic synapse of delay 1) the arrays stay empty and the rule
        pairs at spike time, which is then the same thing.
        """
        delays = self._synapse_delays()
        plastic_delays = delays[self._plastic_ids] if delays.size else delays
        depth = int(plastic_delays.max(initial=1))
        self._delays = delays.astype(np.intp) if depth > 1 else np.zeros(0, dtype=np.intp)
        self._starts = np.zeros((0, 2), dtype=np.intp)
        self._delivery_ids = np.zeros(0, dtype=np.intp)
        self._delivery_post = np.zeros(0, dtype=np.intp)
        if depth == 1:
            return
        ids, pre, post = self.weight.synapses_from(self._plastic_rows)
        lag = delays[ids].astype(np.intp) - 1
        order = np.lexsort((lag, pre))  # by unit, then delay, stable
        self._delivery_ids = np.asarray(ids, dtype=np.intp)[order]
        self._delivery_post = np.asarray(post, dtype=np.intp)[order]
        counts = np.zeros((self.polarities.size, depth), dtype=np.intp)
        np.add.at(counts, (np.asarray(pre, dtype=np.intp), lag), 1)
        ends = np.cumsum(counts.reshape(-1)).reshape(counts.shape)
        self._starts = np.concatenate([ends[:, :1] - counts[:, :1], ends], axis=1)

    def _synapse_delays(self) -> np.ndarray:
        """The weight's per-synapse delays (int, by synapse id), or empty when it has none."""
        synapse_delays = getattr(self.weight, "synapse_delays", None)
        if callable(synapse_delays):
            return np.asarray(synapse_delays())
        dense_delays = getattr(self.weight, "dense_delays", None)
        if callable(dense_delays) and np.max(dense_delays()) > 1:
            raise ConfigError(
                f"$.weight ({type(self.weight).__name__}): has conduction delays but no synapse_delays(); "
                "da_stdp pairs spikes by arrival time and needs each synapse's delay by id "
                "(see spikey_core.protocols.Weight)"
            )
        return np.zeros(0, dtype=np.intp)

    def kernel_state(self) -> tuple:
        """See the comment above :func:`da_stdp_catch_up`."""
        return (
            self.c_ref,
            self.e_at,
            self.pre_trace,
            self.post_trace,
            self._globals,
            self.plastic_unit,
            self._plastic_ids,
            self._delays,
            self._history,
            self._ring_units,
            self._ring_counts,
            self._starts,
            self._delivery_ids,
            self._delivery_post,
            self._clock,
        )

    def kernel_params(self) -> tuple:
        """``(c_decay, d_decay, pre_decay, post_decay, d_window, baseline_window, epoch_steps, a_plus,
        a_minus, learning_rate, nearest, all_plastic, n_inputs, D)``."""
        return self._params

    def _run(self, kernel_function: Any, *arguments: Any) -> None:
        """``kernel_function(state, params, weight, (), *arguments)`` on the numpy engine."""
        held = self._held_arguments
        kernel_function(*(self._kernel_arguments() if held is None else held), *arguments)

    # -- scalars ----------------------------------------------------------------------------
    @property
    def dopamine(self) -> float:
        """``d`` at the current step."""
        return float(self._globals[0])

    def eligibility(self, ids: np.ndarray) -> np.ndarray:
        """``c`` of synapse ids at the current step."""
        return self.c_ref[ids] * self.c_decay ** self._globals[2]

    def sync(self, ids: np.ndarray | None = None) -> None:
        """Bring every plastic synapse's weight up to the current step (O(synapses)), or only ``ids``.

        ``ids`` int, unique synapse ids of plastic synapses (e.g. one synapse to record).
        """
        self._run(da_stdp_catch_up, self._plastic_ids if ids is None else np.asarray(ids, dtype=np.intp))

    def refresh(self, rows: np.ndarray) -> None:
        """Before the weight delivers the spikes of ``rows`` at this step: their synapses up to date."""
        if self.training:
            self._run(da_stdp_advance)
            self._run(da_stdp_catch_up_rows, rows)

    def load_state_dict(self, state: Any) -> None:
        super().load_state_dict({**self.state_dict(), **state})  # older saves hold no arrivals in flight
        self._plastic_ids = self.weight.synapses_from(self._plastic_rows)[0]  # the loaded layout's ids
        self._index_delays()

    # -- protocol -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Start of an episode: weights brought up to date, then traces, eligibility and dopamine cleared."""
        self.sync()
        self.c_ref.fill(0.0)
        self.e_at.fill(0.0)
        self.pre_trace.fill(0.0)
        self.post_trace.fill(0.0)
        self._globals[:] = 0.0
        self._history.fill(0.0)
        self._ring_counts.fill(0)
        self._clock.fill(0)

    def eval(self) -> None:
        self.sync()
        super().eval()

    def step(self, spikes: np.ndarray) -> None:
        self.learn(da_stdp_step, spikes)

    def reward(self, reward: float) -> None:
        if self.training:
            self.learn(da_stdp_reward, float(reward))
