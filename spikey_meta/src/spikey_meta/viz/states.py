"""State-action counts and state transition counts as annotated heat maps."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from spikey_meta.viz._figure import finish, new_figure
from spikey_meta.viz.data import label, state_action_table, transition_table


def _heatmap(
    counts: np.ndarray, rows: list, columns: list, xlabel: str, ylabel: str, title: str, path: Any
) -> Any:
    figure = new_figure(figsize=(max(4, 1.5 + 0.6 * len(columns)), max(3, 1.2 + 0.4 * len(rows))))
    axes = figure.add_subplot()
    image = axes.imshow(counts, cmap="Blues", aspect="auto")
    figure.colorbar(image, ax=axes, label="count")
    axes.set_xticks(range(len(columns)), [label(c) for c in columns], rotation=30 if len(columns) > 6 else 0)
    axes.set_yticks(range(len(rows)), [label(r) for r in rows])
    if counts.size <= 400:  # numbers stay legible up to about 20 x 20 cells
        for (i, j), value in np.ndenumerate(counts):
            axes.text(j, i, str(value), ha="center", va="center", color=_ink(image, value))
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    return finish(figure, path)


def _ink(image: Any, value: float) -> str:
    """Black on light cells, white on dark ones, judged by the cell colour's luminance."""
    red, green, blue, _ = image.cmap(image.norm(value))
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"


def state_action_counts(
    states: Any, actions: Any, *, title: str = "state-action counts", path: str | os.PathLike | None = None
) -> Any:
    """How often each action was taken in each state (states may be numbers, tuples or arrays;
    continuous states are binned, see :func:`spikey_meta.viz.data.discretise`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    state_keys, action_keys, counts, described = state_action_table(states, actions)
    return _heatmap(counts, state_keys, action_keys, "action", described, title, path)


def state_transition_matrix(
    states: Any, *, title: str = "state transitions", path: str | os.PathLike | None = None
) -> Any:
    """Counts of state i (row) followed by state j (column), within episodes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    keys, counts, described = transition_table(states)
    return _heatmap(counts, keys, keys, f"next {described}", described, title, path)
