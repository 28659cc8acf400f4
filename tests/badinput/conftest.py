"""Fixtures for the bad-input suite: a small real experiment and a way to prove nothing changed.

These tests use the installed plugins, as a user's ``spikey`` does: the registry loaded on first
use, which no test replaces.
"""

from __future__ import annotations

import pytest
from badinput_kit import SMALL


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder (the current directory during the test) holding ``small.toml``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.toml").write_text(SMALL)
    return tmp_path
