"""Learning curve: reward per episode (or per step for a single episode) and its moving average,
with the frozen score measured during training below it when the run has one."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from spikey_meta.viz._figure import finish, new_figure
from spikey_meta.viz.data import episodes_of, moving_average


def learning_curve(
    rewards: Any,
    *,
    window: int | None = None,
    title: str = "learning curve",
    frozen_steps: Any = None,
    frozen_values: Any = None,
    frozen_label: str = "frozen score",
    chance: float | None = None,
    path: str | os.PathLike | None = None,
) -> Any:
    """Plot learning progress from per-step rewards.

    Parameters
    ----------
    rewards : per-episode list of lists, or a flat series
        E.g. ``info["step_rewards"]``. With several episodes the curve is the total reward per
        episode; with one episode it is the reward per game step.
    window : int, optional
        Moving-average window (default: a tenth of the points, at least 1).
    frozen_steps, frozen_values : sequences of numbers, optional
        A learning curve measured with learning frozen on fresh patterns (``info["curve_step"]``
        and e.g. ``info["curve_eval_accuracy"]``): drawn in a second panel against the training
        game step, labelled ``frozen_label``, with a dotted line at ``chance`` when given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    episodes = episodes_of(rewards)
    if len(episodes) > 1:
        values = np.array([np.sum(np.asarray(e, dtype=float)) for e in episodes])
        xlabel, ylabel = "episode", "total reward"
    else:
        values = np.asarray(episodes[0] if episodes else [], dtype=float)
        xlabel, ylabel = "game step", "reward"
    window = max(1, len(values) // 10) if window is None else window
    frozen = frozen_steps is not None and frozen_values is not None and len(frozen_steps) > 0
    figure = new_figure(figsize=(8, 5.5 if frozen else 3.5))
    if frozen:
        axes, below = figure.subplots(2, 1, sharex=len(episodes) <= 1)
    else:
        axes = figure.add_subplot()
    x = np.arange(1, len(values) + 1)
    axes.plot(x, values, ".", alpha=0.5, label=ylabel)
    if len(values):
        axes.plot(x, moving_average(values, window), "-", label=f"moving average ({window})")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)  # beside, never on data
    if frozen:
        below.plot(np.asarray(frozen_steps), np.asarray(frozen_values, dtype=float), "o-", color="tab:green")
        if chance is not None:
            below.axhline(chance, linestyle=":", color="gray", label=f"chance ({chance:g})")
            below.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        below.set_xlabel("training game step")
        below.set_ylabel(frozen_label)
        below.set_title("learning frozen, fresh patterns")
    return finish(figure, path)
