"""No learning: the weights stay as the weight part built them."""

from __future__ import annotations

from spikey_core.kernels import Kernel

from spikey_core import EmptyConfig
from spikey_parts.synapses.base import SynapseBase, no_learning


class Static(SynapseBase):
    """A learning rule that changes nothing (``step`` and ``reward`` are no-ops)."""

    Config = EmptyConfig
    KERNEL = Kernel(functions={"step": no_learning, "reward": no_learning}, methods=("step", "reward"))

    def kernel_state(self) -> tuple:
        return ()

    def kernel_params(self) -> tuple:
        return ()
