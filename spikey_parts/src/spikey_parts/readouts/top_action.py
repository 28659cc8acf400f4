"""The index of the most active group of output neurons."""

from __future__ import annotations

import numpy as np

from spikey_parts.readouts.population_vector import PopulationVector, PopulationVectorConfig


class TopAction(PopulationVector):
    """``action = argmax_g v_g`` of :class:`PopulationVector`, ties broken at random.

    Ties (including a silent game step, where every group ties) are resolved uniformly among
    the tied groups with the readout's own generator, so a seed fixes them.

    Returns
    -------
    int
        Index of the chosen group, in ``[0, n_actions)``.
    """

    Config = PopulationVectorConfig

    def __call__(self, spikes: np.ndarray, polarities: np.ndarray) -> int:
        rates = self.group_rates(spikes)
        # group rates are count / size: equal rates of groups of different sizes may differ in the last bit
        best = np.flatnonzero(np.isclose(rates, rates.max(), rtol=1e-12, atol=0.0))
        if best.size == 1:
            return int(best[0])
        return int(best[self.rng.integers(best.size)])
