"""The plots a reference experiment writes after ``spikey run``."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from spikey_meta.report import plots_for


def write_run_plots(folder: Path, stem: str, network: Any, info: dict) -> list[Path]:
    """Every plot the run's ``info`` has data for, plus a raster of the last game step (when the
    run had a spiking network).

    Returns the written PNG paths; without matplotlib nothing is drawn and a warning says how to
    install it.
    """
    from spikey_meta import viz

    plots = dict(plots_for(info))
    if getattr(network, "spike_log", None) is not None:
        plots["spike_raster"] = lambda path: viz.spike_raster(
            network.spike_log,
            network.polarities,
            network.tick_rewards if network.reward_mode == "step" else None,
            title="last game step",
            path=path,
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in plots.items():
        path = folder / f"{stem}-{name}.png"
        try:
            draw(path)
        except viz.PlotDependencyError as error:
            warnings.warn(str(error), stacklevel=2)
            return written
        written.append(path)
    return written
