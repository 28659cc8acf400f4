"""Spike raster with inhibitory units tinted and an optional reward strip."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from spikey_meta.viz._figure import finish, new_figure

EXCITATORY = (0.0, 0.0, 0.0)
INHIBITORY = (0.8, 0.1, 0.1)
INHIBITORY_ROW = (1.0, 0.92, 0.92)


def as_spike_matrix(spike_log: Any) -> np.ndarray:
    """Spikes as bool (T, U) from a (T, U) array, a (ticks, P, U) array, or (nested) lists of ticks.

    Per-episode lists of ticks (``[[tick, tick], [tick]]``) are concatenated in time.
    """
    blocks = list(_blocks(spike_log))
    if not blocks:
        raise ValueError("the spike log is empty")
    return np.concatenate(blocks).astype(bool)


def _blocks(data: Any) -> Any:
    if isinstance(data, np.ndarray) and data.ndim <= 2:
        yield np.atleast_2d(data)
    elif isinstance(data, (list, tuple)) and data and not isinstance(data[0], (list, tuple, np.ndarray)):
        yield np.atleast_2d(np.asarray(data))  # one row of spikes
    else:
        for item in data:
            yield from _blocks(item)


def _reward_per_step(rewards: Any, n_steps: int) -> np.ndarray:
    values = np.asarray(rewards, dtype=float).ravel()
    if len(values) == n_steps:
        return values
    if len(values) and n_steps % len(values) == 0:
        return np.repeat(values, n_steps // len(values))  # one reward per tick, spread over its steps
    raise ValueError(f"{len(values)} rewards cannot be laid under {n_steps} network steps")


def spike_raster(
    spike_log: Any,
    polarities: Any = None,
    rewards: Any = None,
    *,
    title: str = "spike raster",
    path: str | os.PathLike | None = None,
) -> Any:
    """Image of who spiked when: units down, network steps across.

    Parameters
    ----------
    spike_log : bool array (T, U), (ticks, P, U) or list of (P, U)
        Spikes, e.g. ``network.spike_log`` of one tick or a tracked list of them.
    polarities : float array (U,), optional
        Sign of every unit (``network.polarities``); inhibitory rows are tinted and their spikes red.
    rewards : array, optional
        A reward per step (T,) or per tick; drawn under the raster: green > 0, grey 0, red < 0.
    path : path, optional
        Save the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
    """
    spikes = as_spike_matrix(spike_log).T  # (U, T)
    n_units, n_steps = spikes.shape
    inhibitory = np.zeros(n_units, dtype=bool) if polarities is None else np.asarray(polarities) < 0
    if inhibitory.shape != (n_units,):
        raise ValueError(f"polarities has shape {inhibitory.shape}; the spike log has {n_units} units")
    image = np.ones((n_units, n_steps, 3))
    image[inhibitory] = INHIBITORY_ROW
    image[spikes & ~inhibitory[:, None]] = EXCITATORY
    image[spikes & inhibitory[:, None]] = INHIBITORY

    figure = new_figure(figsize=(8, 4.5))
    if rewards is None:
        raster = figure.add_subplot()
    else:
        grid = figure.add_gridspec(2, 1, height_ratios=[8, 1])
        raster = figure.add_subplot(grid[0])
        strip = figure.add_subplot(grid[1], sharex=raster)
        values = _reward_per_step(rewards, n_steps)
        colors = np.ones((1, n_steps, 3)) * 0.85
        colors[0, values > 0] = (0.1, 0.6, 0.1)
        colors[0, values < 0] = (0.8, 0.1, 0.1)
        strip.imshow(colors, aspect="auto", interpolation="nearest")
        strip.set_yticks([])
        strip.set_ylabel("reward")
        strip.set_xlabel("network step")
    raster.imshow(image, aspect="auto", interpolation="nearest")
    raster.set_ylabel("unit")
    raster.set_title(title)
    if rewards is None:
        raster.set_xlabel("network step")
    return finish(figure, path)
