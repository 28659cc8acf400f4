"""Honest packaging: license shipped, versions from one source, every cross-member need declared."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import spikey_core

ROOT = Path(__file__).resolve().parents[2]
#: member folder -> (distribution, import package)
MEMBERS = {
    "spikey_core": ("spikey-core", "spikey_core"),
    "spikey_parts": ("spikey-parts", "spikey_parts"),
    "spikey_games": ("spikey-games", "spikey_games"),
    "spikey_meta": ("spikey-meta", "spikey_meta"),
    "plugins_example": ("spikey-example", "spikey_example"),
}
FIRST_PARTY = ("spikey_core", "spikey_parts", "spikey_games", "spikey_meta")
#: import name -> distribution, for the third-party imports the members make
THIRD_PARTY = {
    "numpy": "numpy",
    "attrs": "attrs",
    "pluggy": "pluggy",
    "gymnasium": "gymnasium",
    "pygame": "pygame",
    "pandas": "pandas",
    "tqdm": "tqdm",
    "matplotlib": "matplotlib",
    "ray": "ray",
    "numba": "numba",
    "optuna": "optuna",
}
DIST_OF_IMPORT = {pkg: dist for dist, pkg in MEMBERS.values()} | THIRD_PARTY


def _project(member: str) -> dict:
    return tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].strip().lower() for r in requirements}


def _declared(member: str) -> set[str]:
    project = _project(member)
    names = _requirement_names(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        names |= _requirement_names(extra)
    return names | {MEMBERS[member][0]}


def _imports(member: str) -> set[str]:
    package = ROOT / member / "src" / MEMBERS[member][1]
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("member", MEMBERS)
def test_license_text_is_shipped_with_every_distribution(member):
    root_license = (ROOT / "LICENSE").read_text()
    assert root_license.startswith("MIT License") and "Copyright (c)" in root_license
    project = _project(member)
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / member / "LICENSE").read_text() == root_license, f"{member}/LICENSE differs from LICENSE"
    installed = metadata.metadata(MEMBERS[member][0])
    assert installed["License-Expression"] == "MIT"
    assert "LICENSE" in (installed.get_all("License-File") or [])


@pytest.mark.parametrize("member", MEMBERS)
def test_authors_urls_and_classifiers(member):
    project = _project(member)
    assert project["authors"] and all(a.get("name") for a in project["authors"])
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])
    assert "Intended Audience :: Science/Research" in project["classifiers"]
    assert "Typing :: Typed" in project["classifiers"]
    py_typed = ROOT / member / "src" / MEMBERS[member][1] / "py.typed"
    assert py_typed.exists() or member == "plugins_example"


@pytest.mark.parametrize("member", MEMBERS)
def test_version_has_one_source_the_distribution_metadata(member):
    dist, package = MEMBERS[member]
    module = __import__(package)
    assert module.__version__ == metadata.version(dist) == _project(member)["version"]


def test_first_party_distributions_are_released_together():
    versions = {m: _project(m)["version"] for m in FIRST_PARTY}
    assert len(set(versions.values())) == 1, versions
    major_minor = tuple(int(p) for p in spikey_core.__version__.split(".")[:2])
    for member in (*FIRST_PARTY[1:], "plugins_example"):
        pins = [r for r in _project(member)["dependencies"] if r.startswith("spikey-core")]
        assert pins == [
            f"spikey-core>={major_minor[0]}.{major_minor[1]},<{major_minor[0]}.{major_minor[1] + 1}"
        ]


@pytest.mark.parametrize("member", MEMBERS)
def test_every_imported_distribution_is_declared(member):
    stdlib = set(sys.stdlib_module_names)
    undeclared = []
    for name in sorted(_imports(member) - stdlib - {"__future__"}):
        dist = DIST_OF_IMPORT.get(name)
        assert dist is not None, f"{member} imports {name!r}: add it to DIST_OF_IMPORT and to the pyproject"
        if dist not in _declared(member):
            undeclared.append(dist)
    assert not undeclared, f"{member} imports {undeclared} without declaring them in its pyproject.toml"


def test_shipped_experiments_use_only_parts_of_declared_distributions():
    # spikey-meta's experiments name parts and games by registered name: whoever registers
    # each name must be spikey-meta itself or one of its declared dependencies.
    from spikey_core import get_registry

    registry = get_registry()
    declared = _declared("spikey_meta")
    sections = ("input", "neuron", "weight", "synapse", "readout", "rewarder", "game", "loop", "callback")
    needed = set()
    for path in (ROOT / "spikey_meta" / "src" / "spikey_meta" / "experiments").glob("*.toml"):
        spec = tomllib.loads(path.read_text())
        for section in sections:
            value = spec.get(section)
            name = value.get("type") if isinstance(value, dict) else value
            if isinstance(name, str) and ":" not in name:
                needed.add(registry.entry(section, name).provider.distribution)
    assert "spikey-games" in needed  # the XOR experiments play type = "logic"
    assert needed <= declared, f"spikey-meta's experiments need {sorted(needed - declared)} undeclared"
