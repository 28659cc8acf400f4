"""Imports work from the checkout root: the member folders do not shadow the installed packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = ("spikey_core", "spikey_parts", "spikey_games", "spikey_meta", "spikey_example")


def _run_at_root(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("package", MEMBERS)
def test_each_member_imports_as_a_real_package_from_the_root(package):
    # A member folder picked up as a namespace package has no __file__ and an "unknown location".
    result = _run_at_root(f"import {package}; print({package}.__file__)")
    assert result.returncode == 0, result.stderr
    location = Path(result.stdout.strip())
    assert location.name == "__init__.py"
    assert location.parent.parent.name == "src", location


def test_readme_import_and_gymnasium_registration_from_the_root():
    code = (
        "from spikey_core import make_loop\n"
        "import gymnasium, spikey_games\n"
        "env = gymnasium.make('spikey/Logic-v0')\n"
        "print(make_loop.__module__, sorted(i for i in gymnasium.registry if i.startswith('spikey/')))\n"
    )
    result = _run_at_root(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[0] == "spikey_core.loops"
    for env_id in ("spikey/CartPole-v0", "spikey/Logic-v0", "spikey/RandomState-v0"):
        assert env_id in result.stdout
