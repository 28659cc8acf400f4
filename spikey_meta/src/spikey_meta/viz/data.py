"""Plain-numpy preparation of recorded signals for the plots (no matplotlib needed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def episodes_of(signal: Any) -> list[list[Any]]:
    """A per-episode signal as a list of episodes; a flat series counts as one episode.

    ``[[a, b], [c]]`` stays as is; ``[a, b, c]`` (or a 1-D array) becomes ``[[a, b, c]]``.
    """
    if isinstance(signal, np.ndarray):
        return [list(signal)] if signal.ndim <= 1 else [list(row) for row in signal]
    signal = list(signal)
    if signal and all(isinstance(item, list) for item in signal):
        return signal
    return [signal]


def flat(signal: Any) -> list[Any]:
    """Every value of a per-episode signal, episodes concatenated."""
    return [value for episode in episodes_of(signal) for value in episode]


def state_key(state: Any) -> Any:
    """A hashable, printable stand-in for a state (arrays and lists become tuples of numbers)."""
    if isinstance(state, np.ndarray):
        return tuple(state.tolist()) if state.ndim else state.item()
    if isinstance(state, (list, tuple)):
        return tuple(state_key(s) for s in state)
    if isinstance(state, np.generic):
        return state.item()
    return state


def unique_keys(values: Sequence[Any]) -> list[Any]:
    """Distinct state keys, sorted when comparable, else in order of first appearance."""
    keys = list(dict.fromkeys(state_key(v) for v in values))
    try:
        return sorted(keys)
    except TypeError:
        return keys


def label(key: Any) -> str:
    if isinstance(key, tuple):
        return "(" + ", ".join(label(k) for k in key) + ")"
    if isinstance(key, float):
        return f"{key:.3g}"
    return str(key)


def state_action_matrix(states: Any, actions: Any) -> tuple[list[Any], list[Any], np.ndarray]:
    """How often each action followed each state.

    Returns
    -------
    state_keys, action_keys : list
    counts : int ndarray (n_states, n_actions)
    """
    states, actions = flat(states), flat(actions)
    if len(states) != len(actions):
        raise ValueError(f"states and actions differ in length ({len(states)} vs {len(actions)})")
    state_keys, action_keys = unique_keys(states), unique_keys(actions)
    s_index = {k: i for i, k in enumerate(state_keys)}
    a_index = {k: i for i, k in enumerate(action_keys)}
    counts = np.zeros((len(state_keys), len(action_keys)), dtype=np.int64)
    for state, action in zip(states, actions, strict=False):
        counts[s_index[state_key(state)], a_index[state_key(action)]] += 1
    return state_keys, action_keys, counts


def transition_matrix(states: Any) -> tuple[list[Any], np.ndarray]:
    """Counts of consecutive state pairs ``counts[i, j]``: state i followed by state j.

    Pairs are counted within each episode only (the last state of one episode is not followed by
    the first of the next).
    """
    episodes = episodes_of(states)
    keys = unique_keys([s for episode in episodes for s in episode])
    index = {k: i for i, k in enumerate(keys)}
    counts = np.zeros((len(keys), len(keys)), dtype=np.int64)
    for episode in episodes:
        codes = [index[state_key(s)] for s in episode]
        for a, b in zip(codes, codes[1:], strict=False):
            counts[a, b] += 1
    return keys, counts


def rates_by_state(states: Any, *rates: Any) -> tuple[list[Any], np.ndarray]:
    """Mean of each rate signal per state: ``means[i, k]`` = mean of ``rates[k]`` over state i."""
    states = flat(states)
    series = [np.asarray(flat(r), dtype=float) for r in rates]
    for r in series:
        if len(r) != len(states):
            raise ValueError(f"a rate signal has {len(r)} values for {len(states)} states")
    keys = unique_keys(states)
    codes = np.array([keys.index(state_key(s)) for s in states], dtype=np.int64)
    means = np.full((len(keys), len(series)), np.nan)
    for i in range(len(keys)):
        chosen = codes == i
        for k, r in enumerate(series):
            means[i, k] = r[chosen].mean()
    return keys, means


def moving_average(values: Any, window: int) -> np.ndarray:
    """Trailing mean over up to ``window`` values (shorter at the start), same length as ``values``."""
    values = np.asarray(values, dtype=float)
    if window < 1:
        raise ValueError(f"window must be >= 1 (got {window})")
    sums = np.cumsum(np.concatenate([[0.0], values]))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def delay_vectors(x: Any, lag: int, dimensions: int) -> np.ndarray:
    """Delay-coordinate embedding: row t is ``(x[t], x[t + lag], ..., x[t + (d-1) lag])``."""
    x = np.asarray(x, dtype=float).ravel()
    if lag < 1 or dimensions < 1:
        raise ValueError(f"lag and dimensions must be >= 1 (got {lag}, {dimensions})")
    n = len(x) - (dimensions - 1) * lag
    if n < 1:
        raise ValueError(f"a series of {len(x)} values is too short for lag {lag} in {dimensions} dimensions")
    return np.stack([x[i * lag : i * lag + n] for i in range(dimensions)], axis=1)
