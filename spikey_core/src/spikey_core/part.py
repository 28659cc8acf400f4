"""The base every network part builds on: config, build context, own generator, train/eval, state.

A part is constructed by the network as ``PartClass(config, ctx)``: ``config`` is an instance of
the class attribute ``PartClass.Config`` (a frozen attrs class, validated) and ``ctx`` a
:class:`BuildContext` carrying the network sizes, the dtype, the part's own random generator and
the parts built before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np


@attrs.frozen(kw_only=True)
class EmptyConfig:
    """Config of a part that has no settings."""


@attrs.frozen(kw_only=True)
class BuildContext:
    """What a part learns about the network it is built into.

    Attributes
    ----------
    n_inputs : int
        Number of input units (rows ``0 .. n_inputs-1`` of the weight matrix).
    n_neurons : int
        Number of body neurons (hidden + outputs; columns of the weight matrix).
    n_outputs : int
        Number of output neurons: the last ``n_outputs`` body neurons.
    processing_time : int
        Network steps per game step (one ``tick``).
    dt : float
        Duration of one network step in milliseconds (used by parts with time constants).
    dtype : numpy.dtype
        Floating dtype of state arrays (float32 or float64).
    rng : numpy.random.Generator
        The part's own generator, derived from the network seed and the part's slot.
    parts : mapping of str to object
        Parts built before this one, by slot (``"input"``, ``"neuron"``, ``"weight"``, ...).
    game_params : mapping of str to object
        Values the game offers to parts (lowest priority, used for fields not set explicitly).
    network : object or None
        The network being built (modifiers use it to find the parameter they change).
    """

    n_inputs: int
    n_neurons: int
    n_outputs: int
    processing_time: int
    dt: float = 1.0
    dtype: np.dtype = attrs.field(default=np.dtype(np.float64), converter=np.dtype)
    rng: np.random.Generator = attrs.field(factory=np.random.default_rng)
    parts: Mapping[str, Any] = attrs.field(factory=dict)
    game_params: Mapping[str, Any] = attrs.field(factory=dict)
    network: Any = None

    @property
    def n_units(self) -> int:
        """Rows of the weight matrix: inputs plus body neurons."""
        return self.n_inputs + self.n_neurons


class Part:
    """Optional base class for parts: stores config and generator, implements train/eval and state.

    Subclasses set ``Config`` and list in ``STATE`` the names of the array attributes that make up
    their dynamic state; :meth:`state_dict` / :meth:`load_state_dict` then save and restore those
    arrays together with the generator state, which is what save/load and copies rely on.
    """

    Config: ClassVar[type] = EmptyConfig
    STATE: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Any, ctx: BuildContext):
        self.config = config
        self.rng = ctx.rng
        self.dtype = ctx.dtype
        self.training = True

    def reset(self) -> None:
        """Start of an episode; the default keeps everything."""

    def train(self) -> None:
        """Enable learning / adaptation."""
        self.training = True

    def eval(self) -> None:
        """Freeze learning / adaptation."""
        self.training = False

    def state_dict(self) -> dict[str, Any]:
        """Arrays named in ``STATE`` (copied) plus the generator state under ``"rng"``."""
        state: dict[str, Any] = {name: np.array(getattr(self, name), copy=True) for name in self.STATE}
        state["rng"] = self.rng.bit_generator.state
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        for name in self.STATE:
            current = getattr(self, name)
            value = np.asarray(state[name])
            if isinstance(current, np.ndarray) and current.shape == value.shape:
                current[...] = value
            else:
                setattr(self, name, np.array(value, copy=True))
        if "rng" in state:
            self.rng.bit_generator.state = state["rng"]
