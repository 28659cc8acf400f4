"""Fixtures for the core tests: a registry holding the toy parts, isolated from installed plugins."""

from __future__ import annotations

import types

import pytest
import toy_parts

from spikey_core import hookimpl, load_registry, set_registry


def toy_plugin():
    module = types.SimpleNamespace()

    @hookimpl
    def spikey_register_parts(registry):
        registry.add("input", "pattern", toy_parts.PatternInput)
        registry.add("neuron", "threshold_neuron", toy_parts.ThresholdNeuron)
        registry.add("weight", "constant", toy_parts.ConstantWeight)
        registry.add("synapse", "counting", toy_parts.CountingSynapse)
        registry.add("readout", "count", toy_parts.CountReadout)
        registry.add("rewarder", "constant", toy_parts.ConstantRewarder)
        registry.add("neuron", "exploding", toy_parts.ExplodingNeuron)
        registry.add("game", "echo", toy_parts.EchoGame)

    module.spikey_register_parts = spikey_register_parts
    return module


@pytest.fixture
def toy_registry():
    """The process registry replaced by core + toy parts only (installed plugins not loaded)."""
    registry = load_registry(entry_points=[], plugins=[("toy", toy_plugin())])
    set_registry(registry)
    yield registry
    set_registry(None)
