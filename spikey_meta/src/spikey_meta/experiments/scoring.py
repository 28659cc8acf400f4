"""Scores of the reference experiments, computed from a finished run's per-game-step signals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

XOR_STATES = ((0, 0), (0, 1), (1, 0), (1, 1))
STATE_NAMES = {(0, 0): "FF", (0, 1): "FT", (1, 0): "TF", (1, 1): "TT"}
#: The keys of :func:`florian_scores` and of :func:`xor_frozen_scores`.
FLORIAN_KEYS = (*(f"rate_{name}" for name in STATE_NAMES.values()), "high", "low", "win", "train_accuracy")
XOR_FROZEN_KEYS = (
    "eval_accuracy",
    "eval_auc",
    "eval_threshold",
    *(f"eval_rate_{name}" for name in STATE_NAMES.values()),
)


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
    """The "Florian win" of the original XOR notebooks, with its accuracy, on *training* data.

    This is Spikey 0.5's notebook score, kept for the comparison with 0.5: it is computed on the
    last training patterns, with learning on and the per-step reward still flowing, against a
    threshold fitted on those same patterns, so it is reported as ``train_accuracy``; the
    frozen score is :func:`xor_frozen_scores`. For each of the four input patterns, the output
    rate is averaged over the last ``eval_steps // 4`` game steps that showed it. ``high`` is the
    lower of the two XOR-true patterns' rates, ``low`` the higher of the two XOR-false ones; the
    network *wins* when ``high > low + margin``. ``train_accuracy`` is the fraction of the last
    ``eval_steps`` game steps classified correctly by thresholding that step's output rate at
    ``(high + low) / 2``.

    Parameters
    ----------
    states : sequence of pairs of bools, one per game step
    rates : sequence of float, one per game step
        The output neurons' firing rate (spikes per neuron per network step) in that game step.

    Returns
    -------
    dict
        ``rate_FF``, ``rate_FT``, ``rate_TF``, ``rate_TT``, ``high``, ``low``, ``win``,
        ``train_accuracy``.
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
        high=high, low=low, win=bool(high > low + margin), train_accuracy=float(np.mean(predicted == truth))
    )
    return scores


def conditioning_scores(
    states: Sequence[Any],
    rates: Sequence[float],
    rewarded: Sequence[int],
    *,
    last: int = 100,
    stimuli: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Output rates per stimulus over the last ``last`` game steps, rewarded against the rest.

    Returns ``rate_<s>`` per stimulus (every one of ``stimuli``, NaN for one the window did not
    show; default: the stimuli shown), ``rewarded_rate`` and ``baseline_rate`` (means over the
    rewarded and the other stimuli) and their ``ratio``.
    """
    states = np.asarray([int(np.asarray(s).ravel()[0]) for s in states])[-last:]
    rates = np.asarray(rates, dtype=float)[-last:]
    scores: dict[str, Any] = {}
    for stimulus in np.unique(states).tolist() if stimuli is None else stimuli:
        seen = rates[states == stimulus]
        scores[f"rate_{stimulus}"] = float(seen.mean()) if seen.size else float("nan")
    chosen = np.isin(states, list(rewarded))
    rewarded_rate = float(rates[chosen].mean()) if chosen.any() else float("nan")
    baseline = float(rates[~chosen].mean()) if (~chosen).any() else float("nan")
    scores.update(
        rewarded_rate=rewarded_rate,
        baseline_rate=baseline,
        ratio=rewarded_rate / baseline if baseline > 0 else float("inf"),
    )
    return scores


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties count half.

    NaN when either class is absent.
    """
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    positive, negative = scores[labels], scores[~labels]
    if positive.size == 0 or negative.size == 0:
        return float("nan")
    greater = np.count_nonzero(positive[:, None] > negative[None, :])
    ties = np.count_nonzero(positive[:, None] == negative[None, :])
    return float((greater + 0.5 * ties) / (positive.size * negative.size))


def best_threshold(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The threshold ``c`` maximising the accuracy of ``score > c`` on these (training) scores.

    Candidates are the midpoints between consecutive distinct scores and one value beyond
    each end; the lowest best candidate wins, so the choice is deterministic.
    """
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    if scores.size == 0:
        return float("nan")
    distinct = np.unique(scores)
    candidates = np.concatenate(
        [[distinct[0] - 1.0], (distinct[:-1] + distinct[1:]) / 2, [distinct[-1] + 1.0]]
    )
    accuracy = [np.mean((scores > c) == labels) for c in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def xor_frozen_scores(
    frozen_states: Sequence[Any],
    frozen_rates: Sequence[float],
    training_states: Sequence[Any],
    training_rates: Sequence[float],
    *,
    threshold_patterns: int = 100,
) -> dict[str, Any]:
    """XOR scored on a frozen run, with the threshold chosen from training data only.

    The threshold is the most accurate one on the output rates of the last
    ``threshold_patterns`` *training* game steps (:func:`best_threshold`); each frozen game step
    is then classified XOR-true when its output rate exceeds it. The AUC needs no threshold.

    Returns
    -------
    dict
        ``eval_accuracy``, ``eval_auc``, ``eval_threshold`` and ``eval_rate_<FF|FT|TF|TT>``
        (mean frozen output rate per pattern, spikes per network step).
    """
    truth = np.array([a != b for a, b in map(_bits, frozen_states)], dtype=bool)
    rates = np.asarray(frozen_rates, dtype=float)
    train_truth = [a != b for a, b in map(_bits, training_states)][-threshold_patterns:]
    threshold = best_threshold(list(training_rates)[-threshold_patterns:], train_truth)
    scores: dict[str, Any] = {
        "eval_accuracy": float(np.mean((rates > threshold) == truth)) if rates.size else float("nan"),
        "eval_auc": auc(rates, truth),
        "eval_threshold": threshold,
    }
    bits = [_bits(s) for s in frozen_states]
    for pattern in XOR_STATES:
        seen = rates[[i for i, b in enumerate(bits) if b == pattern]]
        scores[f"eval_rate_{STATE_NAMES[pattern]}"] = float(seen.mean()) if seen.size else float("nan")
    return scores


#: The keys of :func:`conditioning_frozen_scores`.
CONDITIONING_FROZEN_KEYS = ("eval_ratio", "eval_rewarded_rate", "eval_baseline_rate")


def conditioning_frozen_scores(
    frozen_states: Sequence[Any], frozen_rates: Sequence[float], rewarded: Sequence[int]
) -> dict[str, Any]:
    """The frozen conditioning score: ``eval_ratio``, the rewarded stimuli's mean output rate over
    the other stimuli's, plus ``eval_rewarded_rate`` and ``eval_baseline_rate``."""
    scores = conditioning_scores(frozen_states, frozen_rates, rewarded, last=len(frozen_states))
    return {
        "eval_ratio": scores["ratio"],
        "eval_rewarded_rate": scores["rewarded_rate"],
        "eval_baseline_rate": scores["baseline_rate"],
    }
