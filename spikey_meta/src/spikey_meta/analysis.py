"""Reading meta-analysis logs back: DataFrames of a population or a series, and their plots.

``population_frame(folder)``: one row per agent evaluation with columns ``epoch``, ``agent``,
``fitness``, ``age``, ``cached`` and one column per genotype key, for any meta-game.
``series_frame(folder)``: one row per run (the :class:`~spikey_meta.reader.Reader` table, whose
results hold each run's series settings and seed).
Plots use matplotlib, imported only when a plot is drawn (``pip install 'spikey-meta[plot]'``).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from spikey_meta.reader import Reader

AGENT_COLUMNS = ("epoch", "agent", "fitness", "age", "cached")


def _reader(folder: str | Path) -> Reader:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # foreign files are listed in reader.skipped instead
        return Reader(folder)


def population_frame(folder: str | Path) -> pd.DataFrame:
    """Every agent evaluation logged by a Population in ``folder``, sorted by epoch and agent.

    Raises
    ------
    ValueError
        The folder holds no population agent logs.
    """
    frame = _reader(folder).results
    if not set(AGENT_COLUMNS) <= set(frame.columns):
        raise ValueError(f"{folder}: no population agent logs (columns {', '.join(AGENT_COLUMNS)} missing)")
    frame = frame.dropna(subset=["epoch", "agent"])
    genes = [c for c in frame.columns if c not in AGENT_COLUMNS]
    frame = frame[list(AGENT_COLUMNS) + genes].astype({"epoch": int, "agent": int})
    return frame.sort_values(["epoch", "agent"]).reset_index(drop=True)


def series_frame(folder: str | Path) -> pd.DataFrame:
    """One row per run of a Series logged in ``folder`` (network, game and results columns)."""
    return _reader(folder).df


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6, 4))[1]


def plot_fitness(frame: pd.DataFrame, ax: Any = None) -> Any:
    """Every agent's fitness per epoch (dots) with the epoch's best and mean (lines); returns the axes."""
    ax = _axes(ax)
    ax.scatter(frame["epoch"], frame["fitness"], s=6, alpha=0.3, color="grey", label="agents")
    per_epoch = frame.groupby("epoch")["fitness"]
    ax.plot(per_epoch.max().index, per_epoch.max().values, label="best")
    ax.plot(per_epoch.mean().index, per_epoch.mean().values, label="mean")
    ax.set_xlabel("epoch")
    ax.set_ylabel("fitness")
    ax.legend()
    return ax


def plot_parameter(frame: pd.DataFrame, parameter: str, metric: str, ax: Any = None) -> Any:
    """Mean of ``metric`` per value of ``parameter`` with one standard deviation as error bars."""
    for column in (parameter, metric):
        if column not in frame.columns:
            raise KeyError(
                f"plot_parameter: no column {column!r} (columns: {', '.join(map(str, frame.columns))})"
            )
    stats = frame.groupby(parameter)[metric].agg(["mean", "std", "count"]).reset_index()
    ax = _axes(ax)
    ax.errorbar(stats[parameter], stats["mean"], yerr=stats["std"].fillna(0), marker="o", capsize=3)
    ax.set_xlabel(parameter)
    ax.set_ylabel(f"{metric} (mean ± sd over runs)")
    return ax


__all__ = ["plot_fitness", "plot_parameter", "population_frame", "series_frame"]
