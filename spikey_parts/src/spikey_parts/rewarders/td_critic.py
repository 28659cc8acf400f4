"""A linear TD(lambda) critic whose temporal-difference error is the actor's reward (actor-critic)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, Optional, Real, param, probability

from spikey_core import ConfigError
from spikey_parts.rewarders.base import RewardConfig, RewarderBase


def _pairs(value: Any) -> Any:
    """``[[i, j], ...]`` as a tuple of integer pairs; anything else is left for the check to report."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value
    if array.size == 0:
        return ()
    if array.ndim != 2 or array.shape[1] != 2 or np.any(array != np.round(array)):
        return value
    return tuple((int(i), int(j)) for i, j in array)


@attrs.frozen(kw_only=True)
class TDCriticConfig(RewardConfig):
    gamma: float = param(default=0.95, check=Real(ge=0, lt=1), doc="discount factor per game step, in [0, 1)")
    trace_decay: float = param(
        default=0.8, check=probability(), doc="lambda of the critic's eligibility trace, in [0, 1]"
    )
    critic_rate: float = param(
        default=0.05,
        check=Real(ge=0),
        doc="learning rate of the critic weights, per unit of normalised feature, >= 0",
        tunable=True,
    )
    reward_per_step: float = param(
        default=1.0, check=Real(), doc="environment reward of every step (CartPole-v1: +1)"
    )
    terminal_reward: float | None = param(
        default=None,
        check=Optional(Real()),
        doc=(
            "reward of a step whose next observation is terminal, instead of reward_per_step; none = "
            "reward_per_step (gymnasium's CartPole-v1 pays +1 on that step too). Barto, Sutton & "
            "Anderson (1983): 0 per step and -1 on failure"
        ),
    )
    joint_dims: tuple = param(
        default=(),
        check=ArrayLike(ndim=(1, 2), ge=0),
        converter=_pairs,
        doc=(
            "pairs [i, j] of the encoder's encoded dimensions (positions in its dims) whose 2-D "
            "Gaussian fields (products of the two dimensions' fields, n_fields^2 per pair) the critic "
            "adds to its features; [] = the encoder's fields only"
        ),
    )
    terminal_bounds: tuple | None = param(
        default=None,
        check=Optional(ArrayLike(ndim=1, finite=False, ge=0)),
        converter=lambda v: v if v is None else tuple(float(x) for x in v),
        doc=(
            "a next observation with |obs[i]| > terminal_bounds[i] for some i ends the episode "
            "(its value is 0); CartPole-v1: [2.4, inf, 0.2095, inf]; none = never terminal"
        ),
    )

    def __attrs_post_init__(self) -> None:
        if not all(isinstance(pair, tuple) and len(pair) == 2 for pair in self.joint_dims):
            raise ConfigError(
                f"TDCriticConfig.joint_dims: must be a list of [i, j] integer pairs (got {self.joint_dims!r})"
            )


class TDCritic(RewarderBase):
    """Critic of an actor-critic: the reward it hands the learning rule is the TD error.

    The state value is linear in features ``phi(s)``: the input encoder's normalised field rates
    ``g(s) = rates / max_rate_hz`` (an encoder with ``rates_hz``, e.g. ``gaussian_fields``, whose
    fields form a (D, K) grid) and, for every pair ``(i, j)`` of ``joint_dims``, the products
    ``g_ik(s) g_jl(s)`` (k, l = 0 .. K-1): 2-D Gaussian fields over dimensions i and j, so the value
    can depend on their combination (in CartPole whether the pole falls depends on angle and angular
    velocity together, which a sum of per-dimension terms cannot express).
    ``V(s) = w . phi(s)``. For every game step ``(s, a, s')``::

        delta = r + gamma * V(s') * (1 - terminal(s')) - V(s)
        e     = gamma * lambda * e + phi(s)
        w     = w + critic_rate * delta * e / |phi(s)|_1          (training only)

    with ``r = reward_per_step`` (``terminal_reward`` instead where given and ``s'`` is terminal)
    and ``terminal(s')`` from ``terminal_bounds``. With ``reward_per_step = 0`` and
    ``terminal_reward = -1`` (the failure signal of Barto, Sutton & Anderson 1983) the TD error is
    zero until the critic has learned which states lead to failure, so a new critic does not hand
    the actor a long run of positive errors while its values grow towards ``1 / (1 - gamma)``. The rewarder
    returns ``reward_mult * delta`` (the reward-modulated rule, e.g. ``mstdpet``, turns it into
    weight changes of the spiking actor). ``reset()`` clears ``e`` (a new episode); ``w`` persists
    and is saved with the network. In ``eval()`` mode the critic does not learn.

    This is the actor-critic structure of Frémaux, Sprekeler & Gerstner (2013, PLoS Comput Biol
    9:e1003024), where a TD error modulates the actor's STDP; it departs from the paper in the
    critic, which here is a rate-based linear TD(lambda) learner (Sutton & Barto, ch. 12) on the
    encoder's place-field rates instead of a spiking critic trained by TD-LTP.
    """

    Config = TDCriticConfig
    STATE = ("critic_weights", "critic_trace")

    def __init__(self, config: TDCriticConfig, ctx: Any):
        super().__init__(config, ctx)
        encoder = ctx.parts.get("input")
        if not callable(getattr(encoder, "rates_hz", None)):
            raise ConfigError(
                "$.rewarder (TDCritic): needs an input encoder with rates_hz (e.g. gaussian_fields) "
                "for its features"
            )
        self.encoder = encoder
        self._grid = np.shape(encoder.centres)
        size = int(np.size(encoder.centres))
        self._joint = [(int(i), int(j)) for i, j in config.joint_dims]
        dims = self._grid[0] if len(self._grid) == 2 else 1
        outside = sorted({d for pair in self._joint for d in pair if d >= dims})
        if outside or any(len(set(pair)) != 2 for pair in self._joint):
            raise ConfigError(
                f"$.rewarder.joint_dims (TDCritic): pairs of two different encoded dimensions in "
                f"[0, {dims}) (got {[list(p) for p in config.joint_dims]}); the encoder encodes {dims}"
            )
        size += len(self._joint) * int(self._grid[-1]) ** 2
        self.critic_weights = np.zeros(size, dtype=np.float64)
        self.critic_trace = np.zeros(size, dtype=np.float64)
        bounds = config.terminal_bounds
        self._bounds = None if bounds is None else np.asarray(bounds, dtype=np.float64)

    def features(self, state: Any) -> np.ndarray:
        """``phi(s)``: the field rates over their peak, then every joint pair's products, float64, a copy."""
        fields = self.encoder.rates_hz(state) / self.encoder.max_rate_hz
        if not self._joint:
            return fields
        grid = fields.reshape(self._grid)
        products = [np.outer(grid[i], grid[j]).ravel() for i, j in self._joint]
        return np.concatenate([fields, *products])

    def value(self, state: Any) -> float:
        """``V(s) = w . phi(s)``."""
        return float(self.critic_weights @ self.features(state))

    def terminal(self, state: Any) -> bool:
        if self._bounds is None:
            return False
        values = np.ravel(np.asarray(state, dtype=np.float64))[: self._bounds.size]
        return bool(np.any(np.abs(values) > self._bounds))

    def reset(self) -> None:
        self.critic_trace.fill(0.0)

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        phi = self.features(state)
        reward = self.config.reward_per_step
        if self.terminal(state_next):
            following = 0.0
            if self.config.terminal_reward is not None:
                reward = self.config.terminal_reward
        else:
            following = self.value(state_next)
        delta = reward + self.config.gamma * following - float(self.critic_weights @ phi)
        if self.training:
            self.critic_trace *= self.config.gamma * self.config.trace_decay
            self.critic_trace += phi
            self.critic_weights += (self.critic_rate * delta / max(phi.sum(), 1e-12)) * self.critic_trace
        return self.reward_mult * delta
