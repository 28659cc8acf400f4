"""Fixtures for the core tests: a registry holding the toy parts, isolated from installed plugins.

Tests pass it explicitly (``Network(..., registry=toy_registry)``, ``main(argv,
registry=toy_registry)``); the process-wide registry is never replaced.
"""

from __future__ import annotations

import pytest
import toy_parts

from spikey_core import load_registry


@pytest.fixture
def toy_registry():
    """Core + toy parts only (installed plugins not loaded)."""
    return load_registry(entry_points=[], plugins=[("toy", toy_parts.toy_plugin())])
