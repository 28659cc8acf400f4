"""Izhikevich (2007) distal reward: a delayed reward each time one synapse's pre-post pair fires in order."""

from __future__ import annotations

import numbers
from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, OneOf, Optional, Real, param
from spikey_core.kernels import Kernel, jitable

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
    trigger: str = param(
        default="pairing",
        check=OneOf(("pairing", "pre")),
        doc=(
            "what earns a reward: post firing within the window after pre (Izhikevich 2007 Fig. 1), or "
            "every spike of pre (a conditioned stimulus, Fig. 2; post is not used)"
        ),
    )
    count_from: str = param(
        default="spike",
        check=OneOf(("spike", "arrival")),
        doc=(
            "when a pre spike starts the window: when it is fired (daspnet) or when it arrives through "
            "the rewarded synapse, delay - 1 steps later (the same with 1 ms delays)"
        ),
    )

    def __attrs_post_init__(self) -> None:
        if self.delay_min > self.delay_max:
            raise ConfigError(f"DistalRewardConfig.delay_min: must be <= delay_max ({self.delay_max})")


@jitable
def distal_step_reward(state: tuple, params: tuple, spikes: np.ndarray) -> float:
    """One network step of the distal reward; returns ``amount`` when a reward is due, else 0.

    ``state = (clock, due, pool, cursor, delivered, pre_ring)``: ``clock`` int64 (3,) = [step
    since reset, step the last pre spike counts from, rewards in ``delivered``]; ``due`` int64
    (delay_max + 1,), a ring counting the rewards due at each step (modulo its length); ``pool``
    int64 (2P,) of pre-drawn delays, ``cursor`` int64 (2,) = [next, end] into it; ``delivered``
    int64 (P,), the steps of the rewards given since the part last collected them; ``pre_ring``
    bool (L,), the pre spikes of the last ``L`` steps (``L = 1``, or the synapse's delay when
    counting from the arrival: a spike of step ``t`` counts from ``t + L - 1``). ``params = (pre,
    post, window, amount, on_pre)`` with ``pre`` and ``post`` unit indices into ``spikes`` (bool
    (U,)).

    Order as ``daspnet.m``: the pre spike first (pre and post in the same step earn nothing), then
    a post spike ``0 < now - last_pre < window`` schedules a reward ``pool[next]`` steps ahead
    (with ``on_pre``: the counted pre spike itself does), then a reward is paid if one is due now.
    """
    clock, due, pool, cursor, delivered, pre_ring = state
    pre, post, window, amount, on_pre = params
    clock[0] += 1
    now = clock[0]
    length = pre_ring.shape[0]
    pre_ring[now % length] = spikes[pre]
    counted = pre_ring[(now + 1) % length]  # the pre spike of step now - length + 1 counts from now
    if counted:
        clock[1] = now
    if counted if on_pre else spikes[post] and 0 < now - clock[1] < window:
        if cursor[0] >= cursor[1]:
            raise ValueError("distal_reward: no reward delay left in the pool (top up once per game step)")
        due[(now + pool[cursor[0]]) % due.shape[0]] += 1
        cursor[0] += 1
    slot = now % due.shape[0]
    if due[slot] == 0:
        return 0.0
    due[slot] = 0
    if clock[2] < delivered.shape[0]:
        delivered[clock[2]] = now
        clock[2] += 1
    return amount


class DistalReward(Part):
    """The reward of Izhikevich (2007), Fig. 1 (ModelDB 84167 ``daspnet.m``), for the ``"step"`` reward mode.

    Called once per network step, it reads the step's spikes from the network (``step_spikes``).
    When ``post`` fires at step ``T`` and the last spike of ``pre`` counts from ``T - window < t
    < T`` (strictly before), a reward of ``amount`` is scheduled at ``T + r`` with ``r`` uniform
    in ``delay_min .. delay_max`` steps (``daspnet.m``: ``1000 + ceil(2000 rand)``); with
    ``trigger = "pre"``, every spike of ``pre`` (a conditioned stimulus) schedules one. A pre
    spike fired at ``t`` counts from ``t`` (``count_from = "spike"``, ``daspnet.m``), or from ``t
    + delay - 1``, the step the rewarded synapse delivers it (``"arrival"``). The call returns
    ``amount`` at a step where one or more rewards are due, else 0. ``reset()`` forgets spikes
    and pending rewards.

    The delays are drawn ahead, from the part's generator: at the start of every game step (the
    first call after ``reset()`` and every ``processing_time`` calls; on the compiled engine,
    :meth:`kernel_params`) the pool of unused delays is topped up with a block of
    ``processing_time`` draws whenever fewer than that are left, so a game step never runs out
    (at most one reward is scheduled per step). Both engines consume the pool in order, so they
    see the same delays. The step itself is :func:`distal_step_reward`.

    Attributes
    ----------
    reward_times : list of int
        Steps (since reset) at which rewards were delivered.
    delay : int
        Conduction delay of the rewarded synapse, in steps (set with ``pre`` and ``post``; used
        with ``count_from = "arrival"``).
    """

    Config = DistalRewardConfig
    KERNEL = Kernel(
        functions={"step_reward": distal_step_reward},
        methods=("__call__", "kernel_state", "kernel_params"),
        spikes="units",
    )

    def __init__(self, config: DistalRewardConfig, ctx: Any):
        super().__init__(config, ctx)
        self.network = ctx.network
        self.n_inputs = ctx.n_inputs
        self.pre, self.post = config.pre, config.post
        self.block = int(ctx.processing_time)
        self._clock = np.zeros(3, dtype=np.int64)
        self._due = np.zeros(int(config.delay_max) + 1, dtype=np.int64)
        self._pool = np.zeros(2 * self.block, dtype=np.int64)
        self._cursor = np.zeros(2, dtype=np.int64)
        self._delivered = np.zeros(self.block, dtype=np.int64)
        self._pre_ring = np.zeros(1, dtype=np.bool_)
        self.delay = 1
        self._times: list[int] = []
        self._params: tuple | None = None
        self.reset()

    @property
    def delay(self) -> int:
        return self._delay

    @delay.setter
    def delay(self, steps: int) -> None:
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ConfigError(f"$.rewarder.delay (DistalReward): must be an integer >= 1 (got {steps!r})")
        self._delay = int(steps)
        length = self._delay if self.config.count_from == "arrival" else 1
        if self._pre_ring.size != length:  # set between runs: no pre spike of the old delay is kept
            self._pre_ring = np.zeros(length, dtype=np.bool_)

    def reset(self) -> None:
        """Forget spikes, pending and delivered rewards (the drawn delays stay in the pool)."""
        self._clock[:] = (-1, -(10**9), 0)
        self._due.fill(0)
        self._pre_ring.fill(False)
        self._times = []

    @property
    def time(self) -> int:
        """The current step since reset (-1 before the first call)."""
        return int(self._clock[0])

    @property
    def reward_times(self) -> list[int]:
        self._collect()
        return self._times

    def _collect(self) -> None:
        count = int(self._clock[2])
        if count:
            self._times.extend(self._delivered[:count].tolist())
            self._clock[2] = 0

    def _top_up(self) -> None:
        """Collect the delivered rewards; refill the pool to >= ``processing_time`` unused delays."""
        self._collect()
        start, end = (int(v) for v in self._cursor)
        left = end - start
        if left >= self.block:
            return
        pool = self._pool
        pool[:left] = pool[start:end]
        config = self.config
        pool[left : left + self.block] = self.rng.integers(config.delay_min, config.delay_max + 1, self.block)
        self._cursor[:] = (0, left + self.block)

    def kernel_state(self) -> tuple:
        """See :func:`distal_step_reward`."""
        return self._clock, self._due, self._pool, self._cursor, self._delivered, self._pre_ring

    def kernel_params(self, state: Any = None) -> tuple:
        """``(pre, post, window, amount, on_pre)``; tops the delay pool up (called once per game step)."""
        on_pre = self.config.trigger == "pre"
        if self.pre is None or (self.post is None and not on_pre):
            raise ConfigError("$.rewarder.pre/post (DistalReward): set the rewarded synapse before running")
        self._top_up()
        return (
            int(self.pre),
            int(self.pre if on_pre else self.n_inputs + self.post),
            int(self.config.window),
            float(self.config.amount),
            on_pre,
        )

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        params = self._params
        if params is None or (self._clock[0] + 1) % self.block == 0:  # the first step of a game step
            params = self._params = self.kernel_params(state)
        return distal_step_reward(self.kernel_state(), params, self.network.step_spikes)
