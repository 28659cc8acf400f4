"""No learning: the weights stay as the weight part built them."""

from __future__ import annotations

from spikey_core import EmptyConfig
from spikey_parts.synapses.base import SynapseBase


class Static(SynapseBase):
    """A learning rule that changes nothing (``step`` and ``reward`` are no-ops)."""

    Config = EmptyConfig
