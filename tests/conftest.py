"""Test-suite wide: tests that import a first-party distribution which is not installed are skipped.

CI also installs each member alone with only its declared dependencies (``.ci/members``) and runs
its tests there; a test that also exercises a sibling distribution (an integration test) is then
skipped with the reason, while the full-workspace run executes it. Only first-party packages are
treated so: a missing third-party dependency still fails loudly.
"""

from __future__ import annotations

import ast
import inspect
import os
import shutil
import tempfile
import textwrap
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

FIRST_PARTY = ("spikey_core", "spikey_parts", "spikey_games", "spikey_meta", "spikey_example")
#: third-party packages that only a first-party sibling brings (spikey-games brings gymnasium)
BROUGHT_BY = {"gymnasium": "spikey_games"}


@cache
def _installed(package: str) -> bool:
    # by distribution, not find_spec: from the checkout root a member folder (spikey_games/)
    # would pass for the package as an empty namespace package
    try:
        metadata.version(package.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return False
    return True


def _missing(tree: ast.AST) -> set[str]:
    wanted = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            wanted |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            wanted.add(node.module.split(".")[0])
    wanted = {BROUGHT_BY.get(name, name) for name in wanted}
    return {name for name in wanted if name in FIRST_PARTY and not _installed(name)}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    tree = ast.parse(collection_path.read_text())
    top_level = ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))])
    return True if _missing(top_level) else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs(*distributions): skip unless these first-party distributions are installed "
        "(for tests that use a sibling's registered names, which no import reveals)",
    )
    _temporary_folders_in_memory(config)


#: A memory file system, when the machine has one (Linux).
MEMORY_FS = Path("/dev/shm")


def _temporary_folders_in_memory(config: pytest.Config) -> None:
    """``tmp_path`` in memory: run logs and checkpoints fsync every file they write (crash safety),
    which on a disk costs ~20 ms a file and dominates the suite; on tmpfs the same calls are free.
    An explicit ``--basetemp`` wins. The folder is removed after a passing run, kept after a failure.
    """
    if config.option.basetemp is not None or not (MEMORY_FS.is_dir() and os.access(MEMORY_FS, os.W_OK)):
        return
    config.option.basetemp = tempfile.mkdtemp(prefix="spikey-pytest-", dir=MEMORY_FS)
    config.stash[_IN_MEMORY] = Path(config.option.basetemp)


_IN_MEMORY = pytest.StashKey[Path]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = session.config.stash.get(_IN_MEMORY, None)
    if folder is not None and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    folder = config.stash.get(_IN_MEMORY, None)
    if folder is not None and folder.exists():
        terminalreporter.write_line(f"temporary folders of this run kept in {folder}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in item.iter_markers("needs"):
            missing = [d for d in marker.args if not _installed(d.replace("-", "_"))]
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)} installed"))
        function = getattr(item, "function", None)
        if function is None:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError, SyntaxError):
            continue
        missing = _missing(tree)
        if missing:
            reason = f"needs {', '.join(sorted(missing))} installed (an integration test)"
            item.add_marker(pytest.mark.skip(reason=reason))
