"""An example third-party Spikey plugin: the ``adaptive_threshold`` neuron."""

from spikey_example.adaptive_threshold import AdaptiveThreshold

__all__ = ["AdaptiveThreshold"]
