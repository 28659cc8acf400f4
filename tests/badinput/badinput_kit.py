"""Shared material of the bad-input suite: a small real experiment and helpers."""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: A small real experiment (registered parts only): 4 inputs, 3 neurons, 20 game steps.
SMALL = """\
seed = 0
[network]
n_inputs = 4
n_neurons = 3
n_outputs = 1
processing_time = 10
reward_mode = "tick"
[input]
type = "rate_map"
state_rate_map = [0.0, 0.5]
[neuron]
type = "neuron"
firing_threshold = 1.0
[weight]
type = "random"
layers = [4, 2, 1]
max_weight = 2.0
[synapse]
type = "rlstdp"
learning_rate = 0.01
[readout]
type = "threshold"
action_threshold = 0.0
[rewarder]
type = "florian"
[game]
type = "logic"
preset = "XOR"
[loop]
type = "generic"
n_episodes = 1
len_episode = 20
[callback]
type = "rl"
reduced = true
"""


def nested(text: str, table: str) -> str:
    """A TOML document moved under ``[table]`` (its tables become ``[table.name]``)."""
    lines = [f"[{table}." + line[1:] if line.startswith("[") else line for line in text.splitlines()]
    return f"[{table}]\n" + "\n".join(lines) + "\n"


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below ``folder`` (folders as ``<dir>``)."""
    result = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        result[key] = "<dir>" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def toml_value(value: Any) -> str:
    """``value`` as a TOML literal (floats keep ``inf`` / ``nan``; dicts become inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def to_toml(document: Mapping[str, Any]) -> str:
    """A TOML document of top-level scalars and one level of tables (what experiments use)."""
    lines = [f"{key} = {toml_value(v)}" for key, v in document.items() if not isinstance(v, Mapping)]
    for key, table in document.items():
        if isinstance(table, Mapping):
            lines.append(f"\n[{key}]")
            lines += [f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def small_spec() -> dict[str, Any]:
    """A fresh copy of :data:`SMALL` as a dict."""
    return tomllib.loads(SMALL)


class Troublesome:
    """A meta-game whose agents fail by their genotype: ``x`` = 0 raises, 1 kills its worker
    process, anything else scores ``x``. Importable by worker processes (module level)."""

    GENOTYPE_CONSTRAINTS = {"x": [0, 1, 2, 3, 4, 5]}

    def __init__(self, deaths: int = 1):
        self.deaths = deaths

    @property
    def genotype_constraints(self) -> dict[str, Any]:
        return dict(self.GENOTYPE_CONSTRAINTS)

    def get_fitness(self, genotype: dict[str, Any], seed: int) -> tuple[float, bool]:
        import os

        if genotype["x"] == 0:
            raise RuntimeError("deliberate failure of agent x=0")
        if genotype["x"] == 1 and os.environ.get("SPIKEY_TEST_IN_PARENT") != str(os.getpid()):
            os._exit(3)  # the worker process dies while evaluating
        return float(genotype["x"]), False

    def describe(self) -> dict[str, Any]:
        return {"class": "Troublesome"}
