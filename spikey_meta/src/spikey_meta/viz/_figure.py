"""Creating and saving figures without pyplot's global state; matplotlib is imported lazily."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

INSTALL_HINT = "plots need matplotlib, the optional extra 'plot': pip install spikey-meta[plot]"


class PlotDependencyError(ImportError):
    """matplotlib is not installed."""


def new_figure(**kwargs: Any) -> Any:
    """A ``matplotlib.figure.Figure`` (not registered with pyplot, so loops of plots leak nothing)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotDependencyError(INSTALL_HINT) from None
    kwargs.setdefault("layout", "constrained")
    return Figure(**kwargs)


def finish(figure: Any, path: str | os.PathLike | None) -> Any:
    """Save the figure as PNG when ``path`` is given, and return it."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png", dpi=100)
    return figure
