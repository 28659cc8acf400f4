"""Fixtures for the core tests: a registry holding the toy parts, isolated from installed plugins."""

from __future__ import annotations

import pytest
import toy_parts

from spikey_core import load_registry, set_registry


@pytest.fixture
def toy_registry():
    """The process registry replaced by core + toy parts only (installed plugins not loaded)."""
    registry = load_registry(entry_points=[], plugins=[("toy", toy_parts.toy_plugin())])
    set_registry(registry)
    yield registry
    set_registry(None)
