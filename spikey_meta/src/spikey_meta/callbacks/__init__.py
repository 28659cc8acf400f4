"""Callbacks that record what happens during a run (see :mod:`spikey_core.callbacks` for the events)."""

from spikey_meta.callbacks.experiment import EVENT_KEYWORDS, ExperimentCallback, Signal
from spikey_meta.callbacks.rl import RLCallback, RLCallbackConfig

__all__ = ["EVENT_KEYWORDS", "ExperimentCallback", "RLCallback", "RLCallbackConfig", "Signal"]
