"""Registrations of spikey-example."""

from spikey_core import hookimpl
from spikey_example.adaptive_threshold import AdaptiveThreshold


@hookimpl
def spikey_register_parts(registry):
    registry.add("neuron", "adaptive_threshold", AdaptiveThreshold)
