"""Izhikevich (2007) dopamine-modulated STDP, integrated exactly and lazily (cost per spike)."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from spikey_core.config import OneOf, Real, param

from spikey_core import ConfigError
from spikey_parts.synapses.base import SynapseBase


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
        check=OneOf(("excitatory", "all")),
        doc="which synapses learn: those of excitatory presynaptic units (Izhikevich 2007) or all",
    )


_NO_SYNAPSES = (np.zeros(0, dtype=np.intp),) * 3


class DASTDP(SynapseBase):
    """Dopamine-modulated STDP (Izhikevich 2007, Cerebral Cortex 17:2443, eqs. 1-3).

    Per synapse ``(j, k)`` an eligibility trace ``c``, one global dopamine level ``d``:

    .. math::

        \\dot c = -c / \\tau_c + \\mathrm{STDP}(\\Delta t)\\, \\delta(t - t_{pre/post}), \\qquad
        \\dot d = -d / \\tau_d + \\sum_n r_n \\delta(t - t_n), \\qquad
        \\dot w = \\eta\\, c\\, (d + b)

    with weights clipped to ``[0, max_weight]``. STDP pairs by spike time (a synapse's delay is
    not used): when body neuron ``k`` fires at step ``t`` every plastic synapse onto it gets
    ``c += A+ x_j`` with the presynaptic trace ``x_j`` of the previous steps (a pre spike ``n``
    steps earlier counts ``exp(-(n - 1) dt / tau+)``: daspnet's convention, no pairing at zero
    lag); when unit ``j`` fires at ``t`` every plastic synapse out of it gets ``c -= A- y_k`` with
    the postsynaptic trace ``y_k`` including this step (a post spike ``n >= 0`` steps earlier
    counts ``exp(-n dt / tau-)``). Traces are 1 at a spike (``nearest``) or grow by 1
    (``additive``) and decay by ``exp(-dt / tau)`` per step. ``reward(r)`` adds ``r`` to ``d``
    at the current step.

    **Lazy exact integration.** Events (spikes, rewards) happen at step times; between them
    ``c`` and ``d`` decay exponentially. A synapse's ``c`` jumps only when its pre or post unit
    spikes, and exactly then the rule touches it, so between two touches ``t0 < t1``
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
    STATE = ("c_ref", "e_at", "pre_trace", "post_trace", "_globals")

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
        self._baseline_window = float(config.baseline) * self.b_window
        self.epoch_steps = max(1, int(round(tau_c / self.dt)))
        self.c_ref = self.weight.zeros().reshape(-1)
        self.e_at = self.weight.zeros().reshape(-1)
        self.pre_trace = np.zeros(ctx.n_units, dtype=ctx.dtype)
        self.post_trace = np.zeros(ctx.n_neurons, dtype=ctx.dtype)
        # d, E, steps since the epoch, steps advanced ahead of step() (by a propagation read)
        self._globals = np.zeros(4)
        self.plastic_unit = self.polarities > 0 if config.plastic == "excitatory" else self.polarities != 0
        self._all_plastic = bool(self.plastic_unit.all())
        # plain floats for the per-step code (reading config rebuilds it)
        self.a_plus, self.a_minus = float(config.a_plus), float(config.a_minus)
        self.learning_rate, self.baseline = float(config.learning_rate), float(config.baseline)
        self.nearest = config.trace_mode == "nearest"
        self._refreshed: Any = None  # (ids, pre, post) brought up to date by this step's propagation
        self.weight.before_read = self.refresh

    # -- scalars ----------------------------------------------------------------------------
    @property
    def dopamine(self) -> float:
        """``d`` at the current step."""
        return float(self._globals[0])

    def eligibility(self, ids: np.ndarray) -> np.ndarray:
        """``c`` of synapse ids at the current step."""
        return self.c_ref[ids] * self.c_decay ** self._globals[2]

    # -- time ----------------------------------------------------------------------------------
    def _advance(self) -> None:
        """Move the clock one step (from the previous step's events to this step's)."""
        g = self._globals
        d, e, age, ahead = g.tolist()  # Python floats: the same IEEE arithmetic, cheaper per step
        if ahead:
            return
        g[1] = e + self.c_decay**age * (d * self.d_window + self._baseline_window)
        g[0] = d * self.d_decay
        g[2] = age + 1.0
        g[3] = 1.0
        if age + 1.0 >= self.epoch_steps:
            self._new_epoch()

    def _new_epoch(self) -> None:
        self._bring_up_to_date(self._plastic_ids())
        g = self._globals
        self.c_ref *= self.c_decay ** g[2]
        self.e_at.fill(0.0)
        g[1] = 0.0
        g[2] = 0.0

    def _plastic_ids(self) -> np.ndarray:
        rows = np.flatnonzero(self.plastic_unit)
        return self.weight.synapses_from(rows)[0]

    def _bring_up_to_date(self, ids: np.ndarray, c_change: Any = None) -> None:
        """Weights of synapses ``ids`` integrated up to now; then ``c_ref[ids] += c_change`` if given."""
        e = float(self._globals[1])
        c = self.c_ref[ids]
        self.weight.add_at(ids, self.learning_rate * c * (e - self.e_at[ids]))
        self.e_at[ids] = e
        if c_change is not None:
            c += c_change
            self.c_ref[ids] = c

    def sync(self) -> None:
        """Bring every plastic synapse's weight up to the current step (O(synapses))."""
        self._bring_up_to_date(self._plastic_ids())

    def refresh(self, rows: np.ndarray) -> None:
        """Before the weight delivers the spikes of ``rows`` at this step: their synapses up to date."""
        if not self.training:
            return
        self._advance()
        if rows.size:
            rows = rows[self.plastic_unit[rows]]
        if not rows.size:
            self._refreshed = _NO_SYNAPSES
            return
        self._refreshed = self.weight.synapses_from(rows)  # the depression of this step reuses them
        self._bring_up_to_date(self._refreshed[0])

    # -- protocol -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Start of an episode: weights brought up to date, then traces, eligibility and dopamine cleared."""
        self.sync()
        self.c_ref.fill(0.0)
        self.e_at.fill(0.0)
        self.pre_trace.fill(0.0)
        self.post_trace.fill(0.0)
        self._globals[:] = 0.0

    def eval(self) -> None:
        self.sync()
        super().eval()

    def step(self, spikes: np.ndarray) -> None:
        self._advance()
        self._globals[3] = 0.0  # the next step advances again
        refreshed, self._refreshed = self._refreshed, None
        now = spikes.nonzero()[0]
        n_in = self.n_inputs
        self.post_trace *= self.post_decay
        if not now.size:
            self.pre_trace *= self.pre_decay
            return
        body = now[now >= n_in] - n_in if n_in else now
        if self.nearest:
            self.post_trace[body] = 1.0
        else:
            self.post_trace[body] += 1.0
        self._pair(now, body, refreshed)  # with the presynaptic traces of the previous steps
        self.pre_trace *= self.pre_decay
        if self.nearest:
            self.pre_trace[now] = 1.0
        else:
            self.pre_trace[now] += 1.0

    def _pair(self, now: np.ndarray, post: np.ndarray, refreshed: Any) -> None:
        to_epoch = self.c_decay ** -float(self._globals[2])  # refer a change of c now to the epoch
        if post.size:  # potentiation: pre traces of earlier steps onto the neurons firing now
            ids, pre, _ = self.weight.synapses_into(post)
            if not self._all_plastic:
                keep = self.plastic_unit[pre]
                ids, pre = ids[keep], pre[keep]
            self._bring_up_to_date(ids, (self.a_plus * to_epoch) * self.pre_trace[pre])
        # depression: post traces (this step included) of the targets of units firing now
        if refreshed is None:
            rows = now[self.plastic_unit[now]]
            refreshed = self.weight.synapses_from(rows) if rows.size else _NO_SYNAPSES
            self._bring_up_to_date(refreshed[0])
        # else propagation brought exactly these synapses up to date this step
        ids, _, post_of = refreshed
        if ids.size:
            self.c_ref[ids] -= (self.a_minus * to_epoch) * self.post_trace[post_of]

    def reward(self, reward: float) -> None:
        if self.training and reward:
            self._globals[0] += float(reward)
