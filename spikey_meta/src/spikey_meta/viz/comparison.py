"""Comparison across runs: one metric per setting, mean with the spread over repeats."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from spikey_meta.viz._figure import finish, new_figure


def setting_comparison(
    table: Any,
    metric: str,
    keys: list[str],
    *,
    title: str | None = None,
    path: str | os.PathLike | None = None,
) -> Any:
    """Plot ``metric`` for every setting of a :func:`spikey_meta.summaries.by_setting` table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per setting with the ``keys`` columns, ``n_runs``, ``<metric>_mean`` and
        ``<metric>_std``.
    metric : str
        The metric to show.
    keys : list of str
        The setting columns; each row's label is ``key=value`` joined by commas.

    Returns
    -------
    matplotlib.figure.Figure
        A dot per setting at the mean over its runs, error bars of one sample standard deviation
        (none for a single run), the number of runs under each label.
    """
    means = np.asarray(table[f"{metric}_mean"], dtype=float)
    spread = np.nan_to_num(np.asarray(table[f"{metric}_std"], dtype=float), nan=0.0)
    labels = [
        ", ".join(f"{k.rsplit('.', 1)[-1]}={row[k]}" for k in keys) or "all runs"
        for _, row in table.iterrows()
    ]
    labels = [f"{label}\n(n={n})" for label, n in zip(labels, table["n_runs"], strict=True)]
    width = min(max(4.0, 0.9 * len(labels) + 2.0), 16.0)
    figure = new_figure(figsize=(width, 3.8))
    axes = figure.add_subplot()
    x = np.arange(len(labels))
    axes.errorbar(x, means, yerr=spread, fmt="o", capsize=4)
    axes.set_xticks(
        x, labels, rotation=30 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center"
    )
    axes.set_xlabel("setting")
    axes.set_ylabel(f"{metric} (mean ± s.d. over runs)")
    axes.set_title(title or f"{metric} per setting")
    axes.grid(axis="y", alpha=0.3)
    return finish(figure, path)
