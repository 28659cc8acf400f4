"""Learning curve: reward per episode (or per step for a single episode) and its moving average."""

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
    figure = new_figure(figsize=(6, 3.5))
    axes = figure.add_subplot()
    x = np.arange(1, len(values) + 1)
    axes.plot(x, values, ".", alpha=0.5, label=ylabel)
    if len(values):
        axes.plot(x, moving_average(values, window), "-", label=f"moving average ({window})")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend()
    return finish(figure, path)
