"""Binary action from the signed firing rate of the output neurons against a threshold."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from spikey_core.config import AnyOf, ArrayLike, OneOf, Real, param

from spikey_core import ConfigError, Part


@attrs.frozen(kw_only=True)
class ThresholdConfig:
    action_threshold: Any = param(
        tunable=True,
        default=0.0,
        check=AnyOf(Real(), OneOf(("mean",))),
        doc=(
            "signed output rate (spikes per output per step, in [-1, 1]) at or above which the second "
            "action is chosen; 'mean' = the mean rate of every previous game step (kept across episodes)"
        ),
    )
    output_range: tuple = param(
        default=(0, 1),
        check=ArrayLike(ndim=1),
        converter=tuple,
        doc="the two actions: [below threshold, at or above threshold]",
    )

    def __attrs_post_init__(self) -> None:
        if len(self.output_range) != 2:
            raise ConfigError(
                f"ThresholdConfig.output_range: must hold exactly 2 actions (got {len(self.output_range)})"
            )


class Threshold(Part):
    """``action = output_range[rate >= threshold]``.

    With ``spikes`` s (P, O) and polarities p (O,), the signed rate is

    .. math:: r = \\frac{1}{P\\,O} \\sum_{t, k} s_{t k}\\, p_k \\in [-1, 1],

    so inhibitory outputs pull it down; with no outputs, ``r = 0``. With ``action_threshold =
    "mean"`` the threshold is the mean of the rates of all previous calls (0 at the first call).
    That history survives ``reset()`` on purpose: it is a slowly adapting baseline of the whole
    training run, as in the original Spikey, and lives in ``STATE`` so save/load keeps it.

    Attributes
    ----------
    action_threshold : float or "mean"
        Runtime-tunable copy of the config value.
    rate_history : ndarray, float64, shape (2,)
        Sum and count of the rates seen so far (used by ``"mean"``).
    """

    Config = ThresholdConfig
    STATE = ("rate_history",)

    def __init__(self, config: ThresholdConfig, ctx: Any):
        super().__init__(config, ctx)
        self.output_range = tuple(config.output_range)
        self.rate_history = np.zeros(2, dtype=np.float64)

    def __call__(self, spikes: np.ndarray, polarities: np.ndarray) -> Any:
        rate = signed_rate(spikes, polarities)
        if isinstance(self.action_threshold, str):
            total, count = self.rate_history
            threshold = total / count if count else 0.0
            self.rate_history += (rate, 1.0)
        else:
            threshold = self.action_threshold
        return self.output_range[int(rate >= threshold)]


def signed_rate(spikes: np.ndarray, polarities: np.ndarray) -> float:
    """Mean of ``spikes * polarities`` over steps and outputs; 0 when there are no outputs."""
    if spikes.size == 0:
        return 0.0
    return float(np.dot(np.count_nonzero(spikes, axis=0), polarities)) / spikes.size
