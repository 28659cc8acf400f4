"""Spikey meta: experiment management — callbacks, lossless run logs, the log Reader, plots and
the ``spikey report`` command.

>>> from spikey_meta import RLCallback, MultiLogger, Reader     # doctest: +SKIP
"""

from spikey_meta.callbacks import ExperimentCallback, RLCallback
from spikey_meta.logs import MultiLogger, log, read_log

__all__ = ["ExperimentCallback", "MultiLogger", "RLCallback", "Reader", "log", "read_log"]


def __getattr__(name: str):
    if name == "Reader":  # pandas is imported only when the Reader is used
        from spikey_meta.reader import Reader

        return Reader
    raise AttributeError(f"module 'spikey_meta' has no attribute {name!r}")
