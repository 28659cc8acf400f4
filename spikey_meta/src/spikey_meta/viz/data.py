"""Plain-numpy preparation of recorded signals for the plots (no matplotlib needed)."""

from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass(frozen=True, order=True)
class Bin:
    """A range of a continuous state, ordered by its bounds and shown as ``[low, high)``."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"[{self.low:.3g}, {self.high:.3g})"


#: At most this many state categories are drawn; numeric states with more distinct values are binned.
MAX_CATEGORIES = 20


def discretise(states: Sequence[Any]) -> tuple[list[Any], str]:
    """One category key per state, and how the categories were made (for an axis label).

    Up to :data:`MAX_CATEGORIES` distinct states are kept as they are. Numeric states with more
    distinct values (continuous observations) are binned: ``b`` equal-width bins per dimension over
    the observed range, ``b = max(2, floor(MAX_CATEGORIES ** (1 / d)))`` for ``d`` dimensions, so the
    categories never exceed :data:`MAX_CATEGORIES`; a one-dimensional state is labelled by its bin
    range, a vector by its bin index per dimension. Other states keep the most frequent
    ``MAX_CATEGORIES - 1`` values and group the rest as ``"other"``.
    """
    keys = [state_key(s) for s in states]
    if len(set(keys)) <= MAX_CATEGORIES:
        return keys, "state"
    try:
        values = np.asarray([np.ravel(np.asarray(s, dtype=float)) for s in states])
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim != 2 or not np.isfinite(values).all():
        counts: dict[Any, int] = {}
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        kept = set(sorted(counts, key=counts.get, reverse=True)[: MAX_CATEGORIES - 1])
        return [k if k in kept else "other" for k in keys], f"state (top {MAX_CATEGORIES - 1}, rest 'other')"
    n_dims = values.shape[1]
    n_bins = max(2, int(MAX_CATEGORIES ** (1 / n_dims)))
    low, high = values.min(axis=0), values.max(axis=0)
    width = np.where(high > low, (high - low) / n_bins, 1.0)
    bins = np.clip(((values - low) / width).astype(int), 0, n_bins - 1)
    if n_dims == 1:
        edges = [Bin(float(low[0] + i * width[0]), float(low[0] + (i + 1) * width[0])) for i in range(n_bins)]
        return [edges[b] for b in bins[:, 0]], f"state, {n_bins} equal-width bins"
    return (
        [tuple(int(b) for b in row) for row in bins],
        f"state, bin per dimension (0-{n_bins - 1}, {n_bins} equal-width bins each)",
    )


def _ordered(keys: Sequence[Any]) -> list[Any]:
    distinct = list(dict.fromkeys(keys))
    try:
        return sorted(distinct)
    except TypeError:
        return distinct


def state_action_matrix(states: Any, actions: Any) -> tuple[list[Any], list[Any], np.ndarray]:
    """How often each action followed each state (continuous states binned, see :func:`discretise`).

    Returns
    -------
    state_keys, action_keys : list
    counts : int ndarray (n_states, n_actions)
    """
    state_keys, action_keys, counts, _ = state_action_table(states, actions)
    return state_keys, action_keys, counts


def state_action_table(states: Any, actions: Any) -> tuple[list[Any], list[Any], np.ndarray, str]:
    """:func:`state_action_matrix` plus the description of the state categories."""
    states, actions = flat(states), flat(actions)
    if len(states) != len(actions):
        raise ValueError(f"states and actions differ in length ({len(states)} vs {len(actions)})")
    codes, described = discretise(states)
    actions_codes, _ = discretise(actions)
    state_keys, action_keys = _ordered(codes), _ordered(actions_codes)
    s_index = {k: i for i, k in enumerate(state_keys)}
    a_index = {k: i for i, k in enumerate(action_keys)}
    counts = np.zeros((len(state_keys), len(action_keys)), dtype=np.int64)
    for state, action in zip(codes, actions_codes, strict=True):
        counts[s_index[state], a_index[action]] += 1
    return state_keys, action_keys, counts, described


def transition_matrix(states: Any) -> tuple[list[Any], np.ndarray]:
    """Counts of consecutive state pairs ``counts[i, j]``: state i followed by state j.

    Pairs are counted within each episode only (the last state of one episode is not followed by
    the first of the next); continuous states are binned (see :func:`discretise`).
    """
    keys, counts, _ = transition_table(states)
    return keys, counts


def transition_table(states: Any) -> tuple[list[Any], np.ndarray, str]:
    """:func:`transition_matrix` plus the description of the state categories."""
    episodes = episodes_of(states)
    codes, described = discretise([s for episode in episodes for s in episode])
    keys = _ordered(codes)
    index = {k: i for i, k in enumerate(keys)}
    counts = np.zeros((len(keys), len(keys)), dtype=np.int64)
    start = 0
    for episode in episodes:
        episode_codes = [index[c] for c in codes[start : start + len(episode)]]
        start += len(episode)
        for a, b in zip(episode_codes, episode_codes[1:], strict=False):
            counts[a, b] += 1
    return keys, counts, described


def rates_by_state(states: Any, *rates: Any) -> tuple[list[Any], np.ndarray]:
    """Mean of each rate signal per state: ``means[i, k]`` = mean of ``rates[k]`` over state i."""
    keys, means, _ = rates_table(states, *rates)
    return keys, means


def rates_table(states: Any, *rates: Any) -> tuple[list[Any], np.ndarray, str]:
    """:func:`rates_by_state` plus the description of the state categories."""
    states = flat(states)
    series = [np.asarray(flat(r), dtype=float) for r in rates]
    for r in series:
        if len(r) != len(states):
            raise ValueError(f"a rate signal has {len(r)} values for {len(states)} states")
    codes, described = discretise(states)
    keys = _ordered(codes)
    index = {k: i for i, k in enumerate(keys)}
    code_array = np.array([index[c] for c in codes], dtype=np.int64)
    means = np.full((len(keys), len(series)), np.nan)
    for i in range(len(keys)):
        chosen = code_array == i
        for k, r in enumerate(series):
            means[i, k] = r[chosen].mean()
    return keys, means, described


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
