"""Spikey core: the plugin microkernel of the Spikey spiking-network framework.

Nothing is discovered at import time; the registry of plugins loads on first use
(:func:`get_registry`).
"""

from spikey_core.callbacks import EVENTS, Callback
from spikey_core.config import describe, from_dict, param
from spikey_core.errors import (
    ConfigError,
    GameError,
    PluginConflictError,
    PluginError,
    SimulationError,
    SpikeyError,
    UnknownNameError,
)
from spikey_core.experiment import Experiment, FileExperiment
from spikey_core.loops import GenericLoop, TrainingLoop, build_game, make_loop
from spikey_core.network import Network, NetworkConfig
from spikey_core.part import BuildContext, EmptyConfig, Part
from spikey_core.plugins import get_registry, hookimpl, load_registry, set_registry
from spikey_core.version import __version__

__all__ = [
    "EVENTS",
    "BuildContext",
    "Callback",
    "ConfigError",
    "EmptyConfig",
    "Experiment",
    "FileExperiment",
    "GameError",
    "GenericLoop",
    "Network",
    "NetworkConfig",
    "Part",
    "PluginConflictError",
    "PluginError",
    "SimulationError",
    "SpikeyError",
    "TrainingLoop",
    "UnknownNameError",
    "__version__",
    "build_game",
    "describe",
    "from_dict",
    "get_registry",
    "hookimpl",
    "load_registry",
    "make_loop",
    "param",
    "set_registry",
]
