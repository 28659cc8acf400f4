"""Fixtures for the spikey-meta tests: injected registries, never the process-wide one.

``meta_registry`` holds core + meta + the core's toy parts (the installed sibling plugins are not
loaded, so tests using it depend only on the core contract); ``first_party_registry`` holds the
first-party plugins (parts, games, meta) for the shipped experiments. Tests pass them explicitly
(``Series(..., registry=meta_registry)``, ``main(argv, registry=meta_registry)``).
"""

from __future__ import annotations

import matplotlib
import pytest
import spikey_games.plugin
import spikey_meta.plugin
import spikey_parts.plugin
import toy_parts

from spikey_core import load_registry

matplotlib.use("Agg")


def toy_registry():
    """A fresh registry of core + spikey-meta + toy parts."""
    return load_registry(
        entry_points=[], plugins=[("meta", spikey_meta.plugin), ("toy", toy_parts.toy_plugin())]
    )


@pytest.fixture(scope="session")
def meta_registry():
    """Core + spikey-meta + toy parts (one per session: nothing a test does changes a registry)."""
    return toy_registry()


@pytest.fixture(scope="session")
def first_party_registry():
    """Core + spikey-parts + spikey-games + spikey-meta, whatever else is installed."""
    plugins = [("parts", spikey_parts.plugin), ("games", spikey_games.plugin), ("meta", spikey_meta.plugin)]
    return load_registry(entry_points=[], plugins=plugins)


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
