"""Mean firing rates per game state."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from spikey_meta.viz._figure import finish, new_figure
from spikey_meta.viz.data import label, rates_table


def rates_per_state(
    states: Any,
    inrates: Any,
    outrates: Any,
    sysrates: Any = None,
    *,
    title: str = "rates per state",
    path: str | os.PathLike | None = None,
) -> Any:
    """Grouped bars: mean input, (hidden) and output rate for every distinct state.

    Parameters
    ----------
    states, inrates, outrates, sysrates
        Per-step signals, flat or per episode, as :class:`~spikey_meta.callbacks.RLCallback`
        records them with ``measure_rates`` (``step_states``, ``step_inrates``, ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    signals = {"input": inrates, "hidden": sysrates, "output": outrates}
    signals = {name: s for name, s in signals.items() if s is not None}
    keys, means, described = rates_table(states, *signals.values())
    figure = new_figure(figsize=(min(max(5, 2 + 0.9 * len(keys)), 16), 3.8))
    axes = figure.add_subplot()
    width = 0.8 / len(signals)
    x = np.arange(len(keys))
    for k, name in enumerate(signals):
        axes.bar(x + (k - (len(signals) - 1) / 2) * width, means[:, k], width, label=name)
    axes.set_xticks(x, [label(key) for key in keys], rotation=30 if len(keys) > 6 else 0)
    axes.set_xlabel(described)
    axes.set_ylabel("spikes per unit per step")
    axes.set_title(title)
    axes.legend(title="units", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return finish(figure, path)
