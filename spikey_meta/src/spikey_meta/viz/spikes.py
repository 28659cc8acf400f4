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


def _key(with_inhibitory: bool) -> list[Any]:
    """Legend entries for the raster's colours."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=EXCITATORY, label="spike (excitatory unit)")]
    if with_inhibitory:
        handles += [
            Patch(facecolor=INHIBITORY, label="spike (inhibitory unit)"),
            Patch(facecolor=INHIBITORY_ROW, edgecolor="0.7", label="inhibitory unit's row"),
        ]
    return handles


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
        A reward per step (T,) or per tick; drawn under the raster on a red (negative) - yellow (0) -
        green (positive) scale with a colour bar.
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

    figure = new_figure(figsize=(9, 4.8))
    if rewards is None:
        raster = figure.add_subplot()
    else:
        grid = figure.add_gridspec(2, 1, height_ratios=[8, 1])
        raster = figure.add_subplot(grid[0])
        strip = figure.add_subplot(grid[1], sharex=raster)
        values = _reward_per_step(rewards, n_steps)
        scale = float(np.max(np.abs(values))) or 1.0
        shown = strip.imshow(
            values[None, :], aspect="auto", interpolation="nearest", cmap="RdYlGn", vmin=-scale, vmax=scale
        )
        # the colour key sits beside the strip, so the strip keeps the raster's width and time axis
        figure.colorbar(shown, cax=strip.inset_axes([1.01, 0.0, 0.012, 1.0]), label="reward")
        strip.set_yticks([])
        strip.set_xlabel("network step")
    raster.imshow(image, aspect="auto", interpolation="nearest")
    raster.set_ylabel("unit (inputs first, outputs last)")
    raster.set_title(title)
    raster.legend(
        handles=_key(inhibitory.any()), loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0
    )
    if rewards is None:
        raster.set_xlabel("network step")
    return finish(figure, path)
