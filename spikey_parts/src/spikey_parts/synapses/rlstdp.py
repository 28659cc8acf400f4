"""The original Spikey reward-modulated STDP: a windowed linear kernel scaled by a reward trace."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, Real, param, probability

from spikey_core import ConfigError
from spikey_parts.synapses.base import RampHistory, SynapseBase, add_to_columns, add_to_rows


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


class RLSTDP(SynapseBase):
    """Windowed reward-modulated STDP with symmetric potentiation and depression (Spikey 0.5).

    At every network step ``t`` with spikes ``s_t`` (bool (U,)), for ``dt`` in ``1 .. w-2``:

    .. math::

        D_j = \\eta\\, z\\, p_j \\sum_{dt=1}^{w-2} \\frac{w-1-dt}{w-2}\\, s_{t-dt, j}

    * potentiation: every unit ``j`` with ``D_j != 0`` onto every body neuron ``k`` spiking now:
      ``W[j, k] += D_j``;
    * depression: every unit ``k`` spiking now (input or body) onto every body neuron ``j``
      with ``D_j != 0``: ``W[k, j] -= D_j``;
    * the touched weights are clipped to ``[0, max_weight]``; absent synapses never change.

    ``p_j`` is the polarity of the earlier-firing unit, so inhibitory units get sign-inverted
    plasticity, as in the original. The kernel for a pair ``dt`` steps apart is
    ``eta z (w-1-dt)/(w-2)``: with ``w = 5``, 1, 2/3, 1/3 and 0 for ``dt = 1, 2, 3, >= 4``.
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
        "_pending_credit",
        "_has_pending",
    )
    depression = True

    def __init__(self, config: RLSTDPConfig, ctx: Any):
        super().__init__(config, ctx)
        self.stdp_window = int(config.stdp_window)  # fixed: it sizes the spike history
        self.history = RampHistory(ctx.n_units, self.stdp_window - 2, ctx.dtype)
        self.trace = 0.0
        self._pending_spikes = np.zeros(ctx.n_units, dtype=bool)
        self._pending_credit = np.zeros(ctx.n_units, dtype=ctx.dtype)  # p_j * ramp_j of the pending step
        self._credit = np.zeros(ctx.n_units, dtype=ctx.dtype)
        self._has_pending = False

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
        self._pending_credit.fill(0.0)
        self._has_pending = False

    def load_state_dict(self, state: Any) -> None:
        super().load_state_dict(state)
        self.trace = float(self.trace)  # scalars come back as 0-d arrays
        self._has_pending = bool(self._has_pending)

    def step(self, spikes: np.ndarray) -> None:
        if self._has_pending and self.trace != 0.0:
            self._apply(self.trace)
        self.trace *= 1.0 - self.trace_decay
        np.copyto(self._pending_spikes, spikes)
        np.multiply(self.history.ramp, self.polarities, out=self._pending_credit)
        self._has_pending = True
        self.history.push(spikes)

    def reward(self, reward: float) -> None:
        if not self.training:
            return
        self.trace += float(reward)
        if self._has_pending and self.trace != 0.0:
            self._apply(self.trace)
        self._has_pending = False

    def _apply(self, z: float) -> None:
        """Apply the pending step's pairings with reward trace ``z``."""
        now = self._pending_spikes.nonzero()[0]
        if now.size == 0:
            return
        credit = self._credit
        np.multiply(self._pending_credit, self.learning_rate * z / self.kernel_norm(), out=credit)
        n_in = self.n_inputs
        post = now[np.searchsorted(now, n_in) :] - n_in
        if post.size:
            add_to_columns(self.weight, post, credit)
        if self.depression:
            np.negative(credit, out=credit)
            add_to_rows(self.weight, now, credit[n_in:])
