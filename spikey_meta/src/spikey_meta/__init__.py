"""Spikey meta: experiment management — callbacks, lossless run logs, the log Reader, plots and
the ``spikey report`` command.

>>> from spikey_meta import RLCallback, MultiLogger, Reader     # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

from spikey_meta.callbacks import ExperimentCallback, RLCallback
from spikey_meta.logs import MultiLogger, log, read_log

__all__ = [
    "ExperimentCallback",
    "MultiLogger",
    "Population",
    "RLCallback",
    "Reader",
    "Series",
    "log",
    "read_log",
]

try:  # the one source of the version is the distribution's metadata (its pyproject.toml)
    __version__ = _distribution_version("spikey-meta")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled source tree
    __version__ = "0+unknown"


def __getattr__(name: str):
    # imported on first use: the Reader needs pandas, Series and Population the backends
    if name == "Reader":
        from spikey_meta.reader import Reader

        return Reader
    if name == "Series":
        from spikey_meta.series import Series

        return Series
    if name == "Population":
        from spikey_meta.population import Population

        return Population
    raise AttributeError(f"module 'spikey_meta' has no attribute {name!r}")
