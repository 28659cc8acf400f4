"""The adapter between meta-analysis and the run-log format of :mod:`spikey_meta.logs`.

Series and Population build each run's log *document* where the run happened (a worker process)
and the parent process writes the files, so run names follow job order and every log and the
summary come from one writer. This module is the only place that touches the log API.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from spikey_meta import logs


def document(
    network: Any = None,
    game: Any = None,
    results: Mapping | None = None,
    info: Mapping | None = None,
    *,
    registry: Any = None,
) -> dict:
    """The encoded log document of one run (plain JSON data, cheap to send between processes)."""
    return logs.make_document(network, game, plain(results or {}), plain(info or {}), registry=registry)


class RunLogger:
    """Writes pre-built documents as ``YYYY-MM-DD-HH-MM-<id>.json`` (or several runs to one
    ``.jsonl`` file) plus a ``~SUMMARY.json``."""

    def __init__(self, folder: str | Path):
        self._logger = logs.MultiLogger(folder)
        self.folder = self._logger.folder

    def reserve(self, n: int) -> list[str]:
        """The next ``n`` run names, so runs finishing in any order are named in job order."""
        return list(itertools.islice(self._logger.names(), n))

    def write(self, doc: Mapping[str, Any], name: str | None = None) -> Path:
        """Write ``doc`` as ``name`` (a reserved name), or under the next free name if it is taken."""
        return self._logger.log_document(doc, name)

    def write_records(self, docs: list[Mapping[str, Any]], stem: str) -> Path:
        """Write ``docs`` as one JSON-lines file ``<stem>.jsonl`` (``<stem>-1.jsonl``, ... if taken)."""
        return self._logger.log_records(docs, stem)

    def summarize(self, results: Mapping | None = None, info: Mapping | None = None) -> Path:
        return self._logger.summarize(results=plain(results or {}), info=plain(info or {}))


def plain(value: Any) -> Any:
    """``value`` with classes and functions replaced by ``"module:qualname"`` strings.

    Specifications may name parts by class (``{"type": LIF}``); logs keep such names as text on
    purpose, so the log encoder need not warn about them.
    """
    if isinstance(value, Mapping):
        return {(k if isinstance(k, str) else str(k)): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return f"{value.__module__}:{value.__qualname__}"
    if isinstance(value, np.generic):
        return value.item()
    return value


__all__ = ["RunLogger", "document", "plain"]
