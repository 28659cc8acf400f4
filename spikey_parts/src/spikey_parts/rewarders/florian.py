"""Per-output-spike reward of Florian (2007): reward spikes for true patterns, punish them for false ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from spikey_core.kernels import Kernel, count_true, jitable

from spikey_parts.rewarders.base import RewardConfig, RewarderBase, expected_value_param


@attrs.frozen(kw_only=True)
class FlorianConfig(RewardConfig):
    expected_value: Callable[[Any], Any] = expected_value_param()


@jitable
def florian_reward(size: float, n_spikes: int) -> float:
    """``r = size * n``: the reward of ``n`` output spikes, each worth ``size``."""
    return float(size * n_spikes)


@jitable
def florian_step_reward(state: tuple, params: tuple, output_spikes: np.ndarray) -> float:
    """The kernel of the per-step reward: no ``state``, ``params = (size,)``, ``output_spikes`` bool (O,)."""
    return florian_reward(params[0], count_true(output_spikes))


class Florian(RewarderBase):
    """Reward every output spike by whether the current pattern should make the outputs fire.

    Meant for ``reward_mode = "step"``, where ``action`` is the bool vector (O,) of output
    spikes at this network step. With ``n`` the number of outputs that spiked:

    .. math:: r = \\begin{cases} m_r\\, n & \\text{expected\\_value(state) is true} \\\\
                                 -m_p\\, n & \\text{otherwise} \\end{cases}

    so a silent step earns 0. With one output (Florian 2007 XOR) this is ``+m_r`` / ``-m_p``
    when the output fires; with several outputs every spike counts. In ``"tick"`` mode a scalar
    action counts as one spike when non-zero.

    References
    ----------
    Florian, R. V. (2007). Reinforcement learning through modulation of spike-timing-dependent
    synaptic plasticity. Neural Computation 19(6), 1468-1502.
    """

    Config = FlorianConfig

    def __init__(self, config: FlorianConfig, ctx: Any):
        super().__init__(config, ctx)
        self.expected_value = config.expected_value

    KERNEL = Kernel(
        functions={"step_reward": florian_step_reward}, methods=("__call__", "kernel_state", "kernel_params")
    )

    def kernel_state(self) -> tuple:
        """No state: ``()``."""
        return ()

    def kernel_params(self, state: Any) -> tuple:
        """``(size,)``: the reward of one output spike in ``state`` (``+m_r`` or ``-m_p``)."""
        return (float(self.reward_mult if self.expected_value(state) else -self.punish_mult),)

    def __call__(self, state: Any, action: Any, state_next: Any) -> float:
        n_spikes = np.count_nonzero(action)
        if n_spikes == 0:
            return 0.0  # nothing to judge; skips the expected_value call on most steps
        return florian_reward(self.kernel_params(state)[0], n_spikes)
