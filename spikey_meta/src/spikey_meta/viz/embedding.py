"""Delay-coordinate embedding of a series in 2-D or 3-D."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from spikey_meta.viz._figure import finish, new_figure
from spikey_meta.viz.data import delay_vectors


def delay_embedding(
    x: Any,
    lag: int = 1,
    dimensions: int = 2,
    *,
    n_show: int = 100,
    name: str = "x",
    unit: str = "",
    title: str = "delay embedding",
    path: str | os.PathLike | None = None,
) -> Any:
    """The first ``n_show`` samples of ``x`` beside its embedding ``(x[t], x[t+lag], ...)``.

    Parameters
    ----------
    x : 1-D array-like
        The series (e.g. output rates per tick).
    lag : int
        Delay in samples, >= 1.
    dimensions : {2, 3}
        Embedding dimension.
    name, unit : str
        What ``x`` is and its unit, for the axis labels (e.g. ``"output rate"``, ``"spikes/step"``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if dimensions not in (2, 3):
        raise ValueError(f"dimensions must be 2 or 3 (got {dimensions})")
    series = np.asarray(x, dtype=float).ravel()
    vectors = delay_vectors(series, lag, dimensions)
    figure = new_figure(figsize=(9, 4))
    left = figure.add_subplot(1, 2, 1)
    left.plot(series[:n_show])
    unit_text = f" ({unit})" if unit else ""
    left.set_xlabel("sample (game step)")
    left.set_ylabel(f"{name}{unit_text}")
    left.set_title(f"first {min(n_show, len(series))} samples")
    if dimensions == 2:
        right = figure.add_subplot(1, 2, 2)
        right.plot(vectors[:, 0], vectors[:, 1], ".-", alpha=0.6)
    else:
        right = figure.add_subplot(1, 2, 2, projection="3d")
        right.plot(vectors[:, 0], vectors[:, 1], vectors[:, 2], ".-", alpha=0.6)
        right.set_zlabel(f"{name}(t+{2 * lag})")
    right.set_xlabel(f"{name}(t){unit_text}")
    right.set_ylabel(f"{name}(t+{lag}){unit_text}")
    right.set_title(title)
    return finish(figure, path)
