"""Scores of the reference experiments, computed from a finished run's per-game-step signals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

XOR_STATES = ((0, 0), (0, 1), (1, 0), (1, 1))
STATE_NAMES = {(0, 0): "FF", (0, 1): "FT", (1, 0): "TF", (1, 1): "TT"}


def flatten_episodes(signal: Sequence[Any]) -> list[Any]:
    """One value per game step from a list signal split per episode (``[[ep 1], [ep 2], ...]``)."""
    if len(signal) and all(isinstance(item, list) for item in signal):
        return [value for episode in signal for value in episode]
    return list(signal)


def _bits(state: Any) -> tuple[int, int]:
    a, b = np.asarray(state).ravel()[:2]
    return int(bool(a)), int(bool(b))


def florian_scores(
    states: Sequence[Any], rates: Sequence[float], *, eval_steps: int = 50, margin: float = 0.02
) -> dict[str, Any]:
    """The "Florian win" of the original XOR notebooks, with its accuracy.

    For each of the four input patterns, the output rate is averaged over the last
    ``eval_steps // 4`` game steps that showed it. ``high`` is the lower of the two XOR-true
    patterns' rates, ``low`` the higher of the two XOR-false ones; the network *wins* when
    ``high > low + margin``. ``accuracy`` is the fraction of the last ``eval_steps`` game steps
    classified correctly by thresholding that step's output rate at ``(high + low) / 2``.

    Parameters
    ----------
    states : sequence of pairs of bools, one per game step
    rates : sequence of float, one per game step
        The output neurons' firing rate (spikes per neuron per network step) in that game step.

    Returns
    -------
    dict
        ``rate_FF``, ``rate_FT``, ``rate_TF``, ``rate_TT``, ``high``, ``low``, ``win``, ``accuracy``.
    """
    bits = [_bits(s) for s in states]
    rates = np.asarray(rates, dtype=float)
    if len(bits) != rates.size:
        raise ValueError(f"florian_scores: {len(bits)} states but {rates.size} rates")
    per_state = {}
    window = max(eval_steps // 4, 1)
    for pattern in XOR_STATES:
        seen = rates[[i for i, b in enumerate(bits) if b == pattern]]
        per_state[pattern] = float(seen[-window:].mean()) if seen.size else float("nan")
    high = min(per_state[(0, 1)], per_state[(1, 0)])
    low = max(per_state[(0, 0)], per_state[(1, 1)])
    threshold = (high + low) / 2
    last = slice(-eval_steps, None)
    predicted = rates[last] > threshold
    truth = np.array([a != b for a, b in bits[last]])
    scores: dict[str, Any] = {f"rate_{STATE_NAMES[p]}": per_state[p] for p in XOR_STATES}
    scores.update(
        high=high, low=low, win=bool(high > low + margin), accuracy=float(np.mean(predicted == truth))
    )
    return scores


def conditioning_scores(
    states: Sequence[Any], rates: Sequence[float], rewarded: Sequence[int], *, last: int = 100
) -> dict[str, Any]:
    """Output rates per stimulus over the last ``last`` game steps, rewarded against the rest.

    Returns ``rate_<s>`` per stimulus, ``rewarded_rate`` and ``baseline_rate`` (means over the
    rewarded and the other stimuli) and their ``ratio``.
    """
    states = np.asarray([int(np.asarray(s).ravel()[0]) for s in states])[-last:]
    rates = np.asarray(rates, dtype=float)[-last:]
    scores: dict[str, Any] = {}
    for stimulus in np.unique(states):
        scores[f"rate_{stimulus}"] = float(rates[states == stimulus].mean())
    chosen = np.isin(states, list(rewarded))
    rewarded_rate = float(rates[chosen].mean()) if chosen.any() else float("nan")
    baseline = float(rates[~chosen].mean()) if (~chosen).any() else float("nan")
    scores.update(
        rewarded_rate=rewarded_rate,
        baseline_rate=baseline,
        ratio=rewarded_rate / baseline if baseline > 0 else float("inf"),
    )
    return scores
