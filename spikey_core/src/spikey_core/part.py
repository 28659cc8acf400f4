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

from spikey_core import config as cfg


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
    """Optional base class for parts: config, generator, tunable attributes, train/eval and state.

    Subclasses set ``Config`` and list in ``STATE`` the names of the array attributes that make up
    their dynamic state; :meth:`state_dict` / :meth:`load_state_dict` then save and restore those
    arrays together with the generator state, which is what save/load and copies rely on.

    Every config field declared ``param(..., tunable=True)`` becomes an instance attribute of the
    same name (numbers as Python ``float`` / ``int``), which the model reads at every step. That
    attribute is the one source of truth: :attr:`config` reads the tunable values back from the
    part, so ``network.neuron.firing_threshold = 99`` is what ``spec()``, ``save()``, logs and
    modifiers see.
    """

    Config: ClassVar[type] = EmptyConfig
    STATE: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cfg.document(cls.__dict__.get("Config"), owner=cls)  # help(cls.Config) shows every setting

    def __init__(self, config: Any, ctx: BuildContext):
        self.config = config
        self.rng = ctx.rng
        self.dtype = ctx.dtype
        self.training = True

    @property
    def config(self) -> Any:
        """The part's configuration with every tunable field at its live value (validated).

        Raises
        ------
        ConfigError
            A tunable attribute was set to a value its field rejects.
        """
        built = self.__dict__.get("_built_config")
        tunable = self.__dict__.get("_tunable", ())
        if not tunable:
            return built
        live = {name: getattr(self, name) for name in tunable}
        return cfg.with_values(built, live, address=f"{type(self).__name__}.config")

    @config.setter
    def config(self, config: Any) -> None:
        """Adopt ``config``: its tunable fields become the part's live attributes."""
        self._built_config = config
        self._tunable = cfg.tunable_fields(type(config))
        for name in self._tunable:
            setattr(self, name, cfg.live_value(type(config), name, getattr(config, name)))

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
