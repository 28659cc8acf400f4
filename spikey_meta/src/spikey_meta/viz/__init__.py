"""Plots of recorded signals (needs the optional extra ``plot``: ``pip install spikey-meta[plot]``).

Every function returns a ``matplotlib.figure.Figure`` and saves it as PNG when given ``path=``.
matplotlib is imported only when a plot is drawn; :mod:`spikey_meta.viz.data` holds the
matplotlib-free computations behind them.
"""

from spikey_meta.viz._figure import INSTALL_HINT, PlotDependencyError
from spikey_meta.viz.embedding import delay_embedding
from spikey_meta.viz.learning import learning_curve
from spikey_meta.viz.rates import rates_per_state
from spikey_meta.viz.spikes import spike_raster
from spikey_meta.viz.states import state_action_counts, state_transition_matrix

__all__ = [
    "INSTALL_HINT",
    "PlotDependencyError",
    "delay_embedding",
    "learning_curve",
    "rates_per_state",
    "spike_raster",
    "state_action_counts",
    "state_transition_matrix",
]
