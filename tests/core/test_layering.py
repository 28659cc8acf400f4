"""The core's modules form one order without cycles; no module imports a later one."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import spikey_core

PACKAGE = Path(spikey_core.__file__).parent

#: errors -> config -> registry -> spec -> network -> loops -> built-in plugin -> CLI, with the
#: smaller modules slotted in where their imports put them. A new module must be placed here.
LAYERS = (
    "version",
    "errors",
    "result_keys",
    "callbacks",
    "config",
    "seeding",
    "part",
    "protocols",
    "kernels",
    "weights",
    "registry",
    "catalogue",
    "hookspecs",
    "network_config",
    "spec",
    "protocol_checks",
    "engines",
    "saved",
    "network",
    "evaluation",
    "loops",
    "experiment",
    "backends",
    "backends.serial",
    "plugin",
    "plugins",
    "testing",
    "cli",
    "__main__",
)


def _module_files() -> dict[str, Path]:
    files = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    files.pop("", None)  # the package's __init__ re-exports everything, by design
    return files


def _imported(module: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package that ``module`` imports anywhere (function bodies included)."""
    found = set()
    package = module.rsplit(".", 1)[0] if "." in module else ""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = package.split(".")[: max(0, len(package.split(".")) - node.level + 1)]
                prefix = ".".join(["spikey_core", *filter(None, base)])
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            if target == "spikey_core":
                names = [f"spikey_core.{alias.name}" for alias in node.names]
            else:
                names = [target]
        else:
            continue
        for name in names:
            if name == "spikey_core" or name.startswith("spikey_core."):
                short = name.removeprefix("spikey_core").removeprefix(".")
                found.add(short if short in known else f"<the package itself: {name}>")
    return found


def test_every_module_of_the_core_is_placed_in_the_layer_order():
    missing = sorted(set(_module_files()) - set(LAYERS))
    assert not missing, f"place {missing} in LAYERS of {__file__} (after every module they import)"


def test_no_module_imports_a_later_one():
    files = _module_files()
    rank = {name: i for i, name in enumerate(LAYERS)}
    problems = []
    for module in LAYERS:
        if module not in files:
            continue
        for imported in sorted(_imported(module, files[module], set(files))):
            if imported not in rank:
                problems.append(f"{module} imports {imported} (import the defining module instead)")
            elif rank[imported] >= rank[module]:
                problems.append(f"{module} imports {imported}, which comes after it in the layer order")
    assert not problems, "\n".join(problems)


def test_the_scan_sees_late_imports_inside_functions(tmp_path):
    # the checker itself: an import hidden in a function body is found
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from spikey_core.cli import main\n    from spikey_core import spec\n")
    assert _imported("network", source, {"cli", "spec", "network"}) == {"cli", "spec"}


def test_each_module_imports_first_in_a_fresh_interpreter():
    # Entering the package through any one module must not hit a partially initialised module.
    code = (
        "import importlib, sys\n"
        f"for name in {list(LAYERS)!r}:\n"
        "    for loaded in [m for m in sys.modules if m == 'spikey_core' or m.startswith('spikey_core.')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module('spikey_core.' + name)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
