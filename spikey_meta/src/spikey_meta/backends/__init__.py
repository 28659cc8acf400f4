"""Execution backends for Series and Population, behind the core's ``Backend`` protocol.

A backend runs independent jobs and returns their results in job order::

    with backend:                                   # close() releases workers deterministically
        results = backend.map(function, [(a, b), (c, d)])   # == [function(a, b), function(c, d)]

``function`` and every job must be picklable for the parallel backends (top-level functions and
classes, no lambdas). The backends shipped by spikey-meta also accept
``map(..., on_result=f)``: ``f(index, result)`` is called in the calling process as each job
finishes, so callers can log and show progress while the rest still run; they say so with
``supports_on_result = True``. :func:`map_jobs` gives every backend that interface.

Registered names: ``serial`` (spikey-core), ``multiprocessing`` (default on one machine) and
``ray`` (optional: ``pip install 'spikey-meta[ray]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from spikey_core.backends.serial import SerialBackend
from spikey_core.errors import ConfigError, UnknownNameError
from spikey_core.registry import Registry, registry_or_loaded

DEFAULT_BACKEND = "multiprocessing"


def make_backend(
    backend: Any = None, *, workers: int | None = None, registry: Registry | None = None
) -> tuple[Any, bool]:
    """The backend ``backend`` names, and whether the caller owns it (and must close it).

    Parameters
    ----------
    backend : None, str, mapping or backend instance
        ``None`` means ``"multiprocessing"``; a string is a registered backend name; a mapping
        ``{"type": name, **options}`` passes options to the backend class (e.g. ``{"type": "ray",
        "address": "head:6379"}`` joins a Ray cluster); an object with ``map`` and ``close`` is
        used as is (its owner closes it).
    workers : int, optional
        Number of worker processes for a backend created here (ignored by ``serial``).
    registry : Registry, optional
        Where a backend name is looked up; default: the loaded one (:func:`spikey_core.get_registry`).

    Raises
    ------
    ConfigError
        Unknown name (with the installed names) or a backend that cannot start (e.g. Ray missing).
    """
    if backend is None:
        backend = DEFAULT_BACKEND
    backend, options = _split(backend, registry)
    if not isinstance(backend, str):
        if not (callable(getattr(backend, "map", None)) and callable(getattr(backend, "close", None))):
            raise ConfigError(
                "backend: must be a registered backend name or an object with map() and close() "
                f"(got {backend!r})"
            )
        return backend, False
    cls = _lookup(backend, registry)
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise ConfigError(f"workers: must be a positive integer (got {workers!r})")
    kwargs = {} if workers is None or backend == "serial" else {"workers": workers}
    return cls(**kwargs, **options), True


def _split(backend: Any, registry: Registry | None) -> tuple[Any, dict[str, Any]]:
    """``(name or instance, options)`` of a backend given by name, instance or ``{"type": ...}`` table."""
    if not isinstance(backend, Mapping):
        return backend, {}
    options = dict(backend)
    name = options.pop("type", None)
    if not isinstance(name, str):
        raise ConfigError(
            f"backend: a backend table needs type = a registered backend name (got {backend!r})"
        )
    cls = _lookup(name, registry)
    known = getattr(cls, "OPTIONS", ())
    unknown = [key for key in options if key not in known]
    if unknown:
        listing = ", ".join(known) or "none"
        raise ConfigError(f"backend {name!r}: unknown option(s) {', '.join(unknown)} (options: {listing})")
    return name, options


def check_backend(backend: Any, *, workers: int | None = None, registry: Registry | None = None) -> None:
    """Fail now, with the fix, if ``make_backend(backend, registry=registry)`` would fail; starts nothing.

    A backend class may define ``check_available()`` (e.g. Ray: is it installed?).
    """
    backend, options = _split(backend, registry)
    if not isinstance(backend, str):
        make_backend(backend)
        return
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise ConfigError(f"workers: must be a positive integer (got {workers!r})")
    cls = _lookup(backend, registry)
    check = getattr(cls, "check_available", None)
    if callable(check):
        check(**options)


def _lookup(name: str, registry: Registry | None) -> Any:
    try:
        return registry_or_loaded(registry).get("backend", name)
    except (LookupError, UnknownNameError) as error:
        hint = " (the Ray backend: pip install 'spikey-meta[ray]')" if name == "ray" else ""
        raise ConfigError(f"backend: {error}{hint}") from None


def map_jobs(
    backend: Any,
    function: Callable[..., Any],
    jobs: Sequence[tuple],
    progress: Any = None,
    on_result: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """``backend.map(function, jobs)``, reporting each finished job as early as the backend allows.

    Parameters
    ----------
    progress : object with ``update(n)``, optional
        Advanced once per finished job (e.g. a tqdm bar).
    on_result : callable, optional
        ``on_result(index, result)`` per finished job, in this process.

    Notes
    -----
    Backends with ``supports_on_result`` report as jobs finish; the serial backend is driven one
    job at a time for the same effect; any other backend reports after its whole ``map``.
    """
    jobs = list(jobs)

    def report(index: int, result: Any) -> None:
        if on_result is not None:
            on_result(index, result)
        if progress is not None:
            progress.update(1)

    if progress is None and on_result is None:
        return backend.map(function, jobs)
    if getattr(backend, "supports_on_result", False):
        return backend.map(function, jobs, on_result=report)
    if isinstance(backend, SerialBackend):
        results = []
        for index, job in enumerate(jobs):
            results += backend.map(function, [job])
            report(index, results[-1])
        return results
    results = backend.map(function, jobs)
    for index, result in enumerate(results):
        report(index, result)
    return results


__all__ = ["DEFAULT_BACKEND", "check_backend", "make_backend", "map_jobs"]
