"""Fixtures for the spikey-meta tests: a registry of core + meta + the core's toy parts.

The installed sibling plugins are not loaded, so these tests depend only on the core contract.
"""

from __future__ import annotations

import matplotlib
import pytest
import spikey_meta.plugin
import toy_parts

from spikey_core import load_registry, set_registry

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def meta_registry():
    """The process registry replaced by core + spikey-meta + toy parts."""
    plugins = [("meta", spikey_meta.plugin), ("toy", toy_parts.toy_plugin())]
    registry = load_registry(entry_points=[], plugins=plugins)
    set_registry(registry)
    yield registry
    set_registry(None)


def named_spec(**network):
    """The toy experiment with every part named by its registered name (as a TOML file would)."""
    spec = toy_parts.toy_spec(**network)
    names = {
        "input": "pattern",
        "neuron": "threshold_neuron",
        "weight": "constant",
        "synapse": "counting",
        "readout": "count",
        "rewarder": "constant",
        "game": "echo",
    }
    for section, name in names.items():
        spec[section] = {"type": name}
    return spec


@pytest.fixture(name="named_spec")
def named_spec_fixture():
    """``named_spec(**network)`` builds the toy experiment with registered part names."""
    return named_spec
