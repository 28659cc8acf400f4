"""The serial backend: runs jobs one after another in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spikey_core.part import EmptyConfig


class SerialBackend:
    """Run every job in the calling process, in order.

    The reference every parallel backend must agree with: same jobs, same seeds, same results.
    """

    Config = EmptyConfig

    def __init__(self, **_: Any) -> None:
        self.closed = False

    def map(self, function: Callable[..., Any], jobs: Iterable[tuple]) -> list[Any]:
        """``[function(*job) for job in jobs]``."""
        return [function(*job) for job in jobs]

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> SerialBackend:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


__all__ = ["SerialBackend"]
