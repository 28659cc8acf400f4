"""Leaky integrate-and-fire neurons whose threshold rises with every spike and relaxes back."""

from __future__ import annotations

import attrs
import numpy as np
from spikey_core.config import Real, probability

from spikey_core import Part, param


@attrs.frozen(kw_only=True)
class AdaptiveThresholdConfig:
    firing_threshold: float = param(
        tunable=True, default=1.0, check=Real(gt=0), doc="resting threshold theta_0, potential units"
    )
    threshold_increment: float = param(
        tunable=True,
        default=0.5,
        check=Real(ge=0),
        doc="threshold added by each spike of the neuron, potential units",
    )
    adaptation_decay: float = param(
        tunable=True,
        default=0.05,
        check=probability(),
        doc="fraction of the threshold excess lost per step, in [0, 1]",
    )
    potential_decay: float = param(
        tunable=True, default=0.05, check=probability(), doc="fraction of V lost per step, in [0, 1]"
    )
    magnitude: float = param(tunable=True, default=1.0, check=Real(gt=0), doc="amplitude of an emitted spike")
    pct_inhibitory: float = param(
        default=0.0, check=probability(), doc="fraction of inhibitory neurons, in [0, 1]"
    )


class AdaptiveThreshold(Part):
    """Spike-frequency adaptation through a moving threshold.

    State per neuron: potential ``V`` and threshold excess ``a`` (float, shape (n_neurons,)).
    At each step, with input current ``I``:

    .. math::

        s_t = [V_t \\ge \\theta_0 + a_t], \\qquad
        V_{t+1} = (1 - s_t)(1 - d_V) V_t + I_t, \\qquad
        a_{t+1} = (1 - d_a)\\, a_t + \\Delta\\theta\\, s_t

    A spike resets ``V`` to 0 and raises the threshold by ``threshold_increment``; the excess
    relaxes geometrically by ``adaptation_decay`` per step, so a constantly driven neuron fires
    ever less often until increments and relaxation balance.
    """

    Config = AdaptiveThresholdConfig
    STATE = ("potentials", "excess")

    def __init__(self, config: AdaptiveThresholdConfig, ctx):
        super().__init__(config, ctx)
        n = ctx.n_neurons
        self.polarities = np.where(self.rng.random(n) < config.pct_inhibitory, -1.0, 1.0).astype(ctx.dtype)
        self.potentials = np.zeros(n, dtype=ctx.dtype)
        self.excess = np.zeros(n, dtype=ctx.dtype)
        self._spikes = np.zeros(n, dtype=bool)
        self._threshold = np.zeros(n, dtype=ctx.dtype)  # scratch: no allocation per step

    def reset(self) -> None:
        self.potentials.fill(0.0)
        self.excess.fill(0.0)
        self._spikes.fill(False)

    def fire(self) -> np.ndarray:
        np.add(self.excess, self.firing_threshold, out=self._threshold)
        np.greater_equal(self.potentials, self._threshold, out=self._spikes)
        return self._spikes

    def integrate(self, current: np.ndarray) -> None:
        self.potentials *= 1.0 - self.potential_decay
        np.copyto(self.potentials, 0.0, where=self._spikes)
        self.potentials += current
        self.excess *= 1.0 - self.adaptation_decay
        np.add(self.excess, self.threshold_increment, out=self.excess, where=self._spikes)
