"""Potentiation-only variant of the original windowed reward-modulated rule."""

from __future__ import annotations

import attrs

from spikey_parts.synapses.rlstdp import RLSTDP, RLSTDPConfig


@attrs.frozen(kw_only=True)
class LTPConfig(RLSTDPConfig):
    """Same settings as ``rlstdp``."""


class LTP(RLSTDP):
    """Reward-modulated long-term potentiation only (Spikey 0.5's ``LTP``).

    As :class:`~spikey_parts.synapses.rlstdp.RLSTDP` without the depression term and with the
    kernel normalised by ``w`` instead of ``w - 2``:

    .. math:: D_j = \\eta\\, z\\, p_j \\sum_{dt=1}^{w-2} \\frac{w-1-dt}{w}\\, s_{t-dt, j},
              \\qquad W[j, k] \\mathrel{+}= D_j \\text{ for body neurons } k \\text{ spiking now}

    (``w = 5``: 0.6, 0.4, 0.2 and 0 for ``dt = 1, 2, 3, >= 4``). Polarities are floats, so integer
    polarities no longer crash it as they did in 0.5.
    """

    Config = LTPConfig
    depression = False

    def kernel_norm(self) -> float:
        return float(self.stdp_window)
