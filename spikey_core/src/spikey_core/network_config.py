"""The ``[network]`` section: sizes and kernel settings, declared before the specification layer.

It sits below :mod:`spikey_core.spec` (which needs its field names to route ``--set`` keys) and
:mod:`spikey_core.network` (which builds from it), so neither imports the other for it.
"""

from __future__ import annotations

import attrs

from spikey_core.config import Integer, OneOf, Real, String, param
from spikey_core.errors import ConfigError

__all__ = ["REWARD_MODES", "NetworkConfig"]

REWARD_MODES = ("none", "tick", "step")


@attrs.frozen(kw_only=True)
class NetworkConfig:
    """Sizes and kernel settings of a network (the ``[network]`` section)."""

    n_inputs: int = param(check=Integer(ge=0), doc="number of input (sensory) units")
    n_neurons: int = param(check=Integer(ge=1), doc="number of body neurons, hidden plus outputs")
    n_outputs: int = param(
        check=Integer(ge=0), doc="number of output neurons: the last n_outputs body neurons"
    )
    processing_time: int = param(check=Integer(ge=1), doc="network steps per game step (one tick)")
    reward_mode: str = param(
        default="none",
        check=OneOf(REWARD_MODES),
        doc="learning signal: none, tick (one reward per game step) or step (a reward every network step)",
    )
    dt: float = param(default=1.0, check=Real(gt=0), doc="duration of one network step, in ms")
    dtype: str = param(
        default="float64", check=OneOf(("float32", "float64")), doc="floating dtype of all state"
    )
    engine: str = param(
        default="auto",
        check=String(non_empty=True),
        doc=(
            'what runs the network steps: "numpy" (reference), "numba" (compiled, spikey-parts[fast]) '
            'or "auto" (numba when installed and every part has a compiled kernel, else numpy)'
        ),
    )

    def __attrs_post_init__(self) -> None:
        if self.n_outputs > self.n_neurons:
            raise ConfigError(
                f"NetworkConfig.n_outputs: must be <= n_neurons ({self.n_neurons}) (got {self.n_outputs})"
            )
