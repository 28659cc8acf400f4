"""The original Spikey reward-modulated STDP: a windowed linear kernel scaled by a reward trace."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, Real, param, probability
from spikey_core.kernels import Kernel, body_units, copy_into, jitable, weight_update

from spikey_core import ConfigError
from spikey_parts.synapses.base import RampHistory, SynapseBase, ramp_push


@attrs.frozen(kw_only=True)
class RLSTDPConfig:
    stdp_window: int = param(
        default=20,
        check=Integer(),
        doc="w: the rule pairs spikes up to w-2 steps apart (kernel (w-1-dt)/(w-2)), >= 3",
    )
    learning_rate: float = param(
        tunable=True, default=0.025, check=Real(ge=0), doc="eta: weight change per unit of kernel and reward"
    )
    trace_decay: float = param(
        tunable=True,
        default=1.0,
        check=probability(),
        doc=(
            "fraction of the reward trace z lost per network step, in [0, 1]; 1 = rewards apply at "
            "once to the most recent step (deferred mode)"
        ),
    )

    def __attrs_post_init__(self) -> None:
        if self.stdp_window < 3:
            raise ConfigError(
                f"RLSTDPConfig.stdp_window: must be >= 3 (got {self.stdp_window}): the kernel "
                "(w-1-dt)/(w-2) pairs spikes 1 .. w-2 steps apart, so a shorter window pairs none"
            )


@jitable
def rlstdp_step(state, params, weight_state, weight_params, spikes) -> None:
    """Apply the previous step's unclaimed pairings, decay ``z``, keep this step's pairings pending.

    ``state = (history, pending_spikes bool (U,), pending_ramp (U,), credit (U,) scratch,
    polarities (U,), scalars (2,) = [z, has_pending])`` with ``history`` the tuple of
    :func:`~spikey_parts.synapses.base.ramp_push`; ``params = (learning_rate, trace_decay,
    kernel_norm, n_inputs, depression)``.
    """
    history, pending_spikes, pending_ramp, credit, polarities, scalars = state
    if scalars[1] != 0.0 and scalars[0] != 0.0:
        rlstdp_apply(state, params, weight_state, weight_params, scalars[0])
    scalars[0] *= 1.0 - params[1]
    copy_into(pending_spikes, spikes)
    copy_into(pending_ramp, history[0])
    scalars[1] = 1.0
    ramp_push(history, spikes)


@jitable
def rlstdp_reward(state, params, weight_state, weight_params, reward) -> None:
    """``z <- z + r``, then apply the pending pairings with ``z`` (arguments as in :func:`rlstdp_step`)."""
    scalars = state[5]
    scalars[0] += reward
    if scalars[1] != 0.0 and scalars[0] != 0.0:
        rlstdp_apply(state, params, weight_state, weight_params, scalars[0])
    scalars[1] = 0.0


@jitable
def rlstdp_apply(state, params, weight_state, weight_params, z: float) -> None:
    """The pending step's pairings with reward trace ``z``, one clip per synapse.

    Column change ``p_i K_i`` for every presynaptic unit ``i`` onto the body neurons spiking now;
    with depression, row change ``-p_i K_k`` out of every unit ``i`` spiking now onto every body
    neuron ``k`` (separable), both scaled by ``eta z / norm`` (``K`` the pending ramp).
    """
    history, pending_spikes, pending_ramp, credit, polarities, scalars = state
    learning_rate, trace_decay, norm, n_inputs, depression = params
    now = pending_spikes.nonzero()[0]
    if now.size == 0:
        return
    scale = learning_rate * z / norm
    columns = body_units(now, n_inputs)
    np.multiply(pending_ramp, polarities, credit)
    np.multiply(credit, scale, credit)  # column change: p_i K_i for every presynaptic unit i
    rows = now if depression else now[:0]
    row_scale = -scale * polarities[rows]
    weight_update(weight_state, weight_params, columns, credit, rows, pending_ramp[n_inputs:], row_scale)


class RLSTDP(SynapseBase):
    """Windowed reward-modulated STDP with symmetric potentiation and depression (Spikey 0.5).

    At every network step ``t`` with spikes ``s_t`` (bool (U,)), the ramp of unit ``j`` weighs
    its spikes ``dt`` steps ago, ``dt`` in ``1 .. w-2``, by the kernel:

    .. math::

        K_j = \\frac{\\eta\\, z}{w-2} \\sum_{dt=1}^{w-2} (w-1-dt)\\, s_{t-dt, j}

    and, for every presynaptic unit ``i`` (input or body) and postsynaptic body neuron ``k``,

    .. math::

        W_{ik} \\leftarrow \\mathrm{clip}\\big(W_{ik} + p_i\\, (K_i\\, s_{t,k} - K_k\\, s_{t,i}),
            \\, 0, W_{max}\\big)

    on existing synapses, clipped once per update: potentiation when ``i`` fired before ``k``
    fires now, depression when ``k`` fired before ``i`` fires now. Both terms carry the
    polarity ``p_i`` of the *presynaptic* unit, as ``zeta`` does in ``stdp``/``mstdp`` (Florian
    2007): the weights are magnitudes and ``p_i W_ik`` is the signed efficacy, so the signed
    efficacy of every synapse, excitatory or inhibitory, changes by the same timing rule
    (``K_i s_k - K_k s_i``); for an inhibitory unit the magnitude moves the opposite way.
    Spikey 0.5 signed the depression term with the postsynaptic
    polarity instead, so for an inhibitory input both terms pushed the same way (its inhibitory
    input weights ran to ``max_weight``); that is fixed here. The kernel for a pair ``dt`` steps
    apart is ``eta z (w-1-dt)/(w-2)``: with ``w = 5``, 1, 2/3, 1/3 and 0 for ``dt = 1, 2, 3, >= 4``.
    Unlike Spikey 0.5, the rule sees the spikes of the current step (0.5 lagged one step) and
    ``stdp_window`` must be at least 3 (0.5 produced NaN weights at 2).

    Reward and timing: the pairings of step ``t`` are applied with the reward trace

    .. math:: z(t) = (1 - d)\\, z(t-1) + r(t), \\qquad d = \\mathrm{trace\\_decay}

    where ``r(t)`` is what ``reward`` delivered right after step ``t`` (every step in the
    ``"step"`` reward mode; the tick's last step in ``"tick"`` mode). So the reward earned by what
    the network did at step ``t`` modulates exactly the pairings that produced it, and then
    fades geometrically over the following steps. Concretely ``step(s_t)`` applies the previous
    step's pairings if no reward claimed them, decays ``z`` and keeps the pairings of ``t``
    pending; ``reward(r)`` adds ``r`` to ``z`` and applies the pending pairings. With
    ``trace_decay = 1`` only the step a reward follows learns, scaled by that reward (Spikey
    0.5's default mode, which with one reward per game step learns from the tick's last step and
    the ``w-2`` steps before it). ``reset()`` clears the history, the trace and anything pending;
    weights persist. In ``eval()`` mode ``reward`` changes nothing.
    """

    Config = RLSTDPConfig
    STATE = (
        "trace",
        "_ramp",
        "_count",
        "_ring",
        "_position",
        "_pending_spikes",
        "_pending_ramp",
        "_has_pending",
    )
    depression = True
    KERNEL = Kernel(
        functions={"step": rlstdp_step, "reward": rlstdp_reward},
        methods=("step", "reward", "kernel_state", "kernel_params", "learn"),
    )

    def __init__(self, config: RLSTDPConfig, ctx: Any):
        super().__init__(config, ctx)
        self.stdp_window = int(config.stdp_window)  # fixed: it sizes the spike history
        self.history = RampHistory(ctx.n_units, self.stdp_window - 2, ctx.dtype)
        self._scalars = np.zeros(2, dtype=np.float64)  # [trace z, 1.0 while a step's pairings are pending]
        self._pending_spikes = np.zeros(ctx.n_units, dtype=bool)
        self._pending_ramp = np.zeros(ctx.n_units, dtype=ctx.dtype)  # the ramp of the pending step
        self._credit = np.zeros(ctx.n_units, dtype=ctx.dtype)

    # the history arrays are state too (save/load, copies)
    _ramp = property(lambda self: self.history.ramp)
    _count = property(lambda self: self.history.count)
    _ring = property(lambda self: self.history.ring)
    _position = property(lambda self: self.history.position)

    def kernel_norm(self) -> float:
        """Denominator of the kernel: ``w - 2``."""
        return float(self.stdp_window - 2)

    def reset(self) -> None:
        self.history.clear()
        self.trace = 0.0
        self._pending_spikes.fill(False)
        self._pending_ramp.fill(0.0)
        self._has_pending = False

    def load_state_dict(self, state: Any) -> None:
        super().load_state_dict(state)
        self.trace = float(self.trace)  # scalars come back as 0-d arrays
        self._has_pending = bool(self._has_pending)

    @property
    def trace(self) -> float:
        """The reward trace ``z``."""
        return float(self._scalars[0])

    @trace.setter
    def trace(self, value: float) -> None:
        self._scalars[0] = value

    @property
    def _has_pending(self) -> bool:
        return bool(self._scalars[1])

    @_has_pending.setter
    def _has_pending(self, value: bool) -> None:
        self._scalars[1] = float(bool(value))

    def kernel_state(self) -> tuple:
        """See :func:`rlstdp_step`."""
        return (
            self.history.kernel_state(),
            self._pending_spikes,
            self._pending_ramp,
            self._credit,
            self.polarities,
            self._scalars,
        )

    def kernel_params(self) -> tuple:
        """``(learning_rate, trace_decay, kernel_norm, n_inputs, depression)``."""
        return (
            float(self.learning_rate),
            float(self.trace_decay),
            float(self.kernel_norm()),
            int(self.n_inputs),
            bool(self.depression),
        )

    def step(self, spikes: np.ndarray) -> None:
        self.learn(rlstdp_step, spikes)

    def reward(self, reward: float) -> None:
        if self.training:
            self.learn(rlstdp_reward, float(reward))
