"""Izhikevich (2007) distal reward: a delayed reward each time one synapse's pre-post pair fires in order."""

from __future__ import annotations

from typing import Any

import attrs
from spikey_core.config import Integer, Optional, Real, param

from spikey_core import ConfigError, Part


@attrs.frozen(kw_only=True)
class DistalRewardConfig:
    pre: Any = param(
        default=None, check=Optional(Integer(ge=0)), doc="presynaptic unit (inputs first); None: set later"
    )
    post: Any = param(
        default=None, check=Optional(Integer(ge=0)), doc="postsynaptic body neuron; None: set later"
    )
    window: int = param(
        default=20, check=Integer(ge=1), doc="post fires less than this many steps after pre (daspnet: 20)"
    )
    delay_min: int = param(default=1001, check=Integer(ge=1), doc="shortest reward delay, in steps")
    delay_max: int = param(default=3000, check=Integer(ge=1), doc="longest reward delay, in steps")
    amount: float = param(default=0.5, check=Real(), doc="dopamine delivered per reward (daspnet: DA += 0.5)")

    def __attrs_post_init__(self) -> None:
        if self.delay_min > self.delay_max:
            raise ConfigError(f"DistalRewardConfig.delay_min: must be <= delay_max ({self.delay_max})")


class DistalReward(Part):
    """The reward of Izhikevich (2007), Fig. 1 (ModelDB 84167 ``daspnet.m``), for the ``"step"`` reward mode.

    Called once per network step, it reads the step's spikes from the network (``step_spikes``).
    When ``post`` fires at step ``T`` and the last spike of ``pre`` came at ``T - window < t <
    T`` (strictly before), a reward of ``amount`` is scheduled at ``T + delay`` with the delay
    drawn uniformly from ``delay_min .. delay_max`` steps (``daspnet.m``: ``1000 + ceil(2000
    rand)``). The call returns ``amount`` at a step where one or more rewards are due, else 0.
    ``reset()`` forgets spikes and pending rewards.

    Attributes
    ----------
    reward_times : list of int
        Steps (since reset) at which rewards were delivered.
    """

    Config = DistalRewardConfig

    def __init__(self, config: DistalRewardConfig, ctx: Any):
        super().__init__(config, ctx)
        self.network = ctx.network
        self.n_inputs = ctx.n_inputs
        self.pre, self.post = config.pre, config.post
        self.reset()

    def reset(self) -> None:
        self.time = -1
        self.last_pre = -(10**9)
        self.pending: list[int] = []
        self.reward_times: list[int] = []

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        self.time += 1
        if self.pre is None or self.post is None:
            raise ConfigError("$.rewarder.pre/post (DistalReward): set the rewarded synapse before running")
        spikes = self.network.step_spikes
        now = self.time
        if spikes[self.pre]:  # first, as daspnet.m: pre and post in the same step earn nothing
            self.last_pre = now
        if spikes[self.n_inputs + self.post] and 0 < now - self.last_pre < self.config.window:
            delay = int(self.rng.integers(self.config.delay_min, self.config.delay_max + 1))
            self.pending.append(now + delay)
        due = [t for t in self.pending if t <= now]
        if not due:
            return 0.0
        self.pending = [t for t in self.pending if t > now]
        self.reward_times.append(now)
        return float(self.config.amount)
