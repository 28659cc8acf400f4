"""Shared material of the bad-input suite: a small real experiment and helpers."""

from __future__ import annotations

import hashlib
from pathlib import Path

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
