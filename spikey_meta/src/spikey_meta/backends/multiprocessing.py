"""The multiprocessing backend: independent jobs on a pool of local worker processes.

Every worker owns one pipe; the parent hands each idle worker one job at a time and waits on the
pipes *and* on the workers' process sentinels together, so it always knows which job a worker was
running. A worker that dies (killed, segfault, ``os._exit``) therefore raises
:class:`WorkerDiedError` naming that job instead of hanging the caller, and the pool replaces the
dead worker for the next ``map``.

Seeds never depend on the process: Series and Population give every job its own seed, so the
start method ("spawn", "forkserver" or "fork") changes start-up time, not results.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from typing import Any

import attrs
from spikey_core.config import Integer, OneOf, Optional, param
from spikey_core.errors import ConfigError

START_METHODS = ("spawn", "forkserver", "fork")


def default_start_method() -> str:
    """The start method used when none is given, decided when the workers start.

    "fork" on Linux while this process runs no other Python thread and no Ray session (the
    fastest start, and safe then); "spawn" otherwise (portable and thread-safe). "forkserver" is
    never chosen implicitly: its server process puts the working directory first on ``sys.path``,
    where a checkout's member folders would shadow the installed packages.
    """
    ray = sys.modules.get("ray")
    single_threaded = threading.active_count() == 1 and not (ray is not None and ray.is_initialized())
    return "fork" if sys.platform.startswith("linux") and single_threaded else "spawn"


class WorkerDiedError(BrokenProcessPool):
    """A worker process ended while running a job.

    Attributes
    ----------
    job_index : int
        The job the worker was running (the first such job when several died).
    exitcode : int or None
        The process's exit code (negative: killed by that signal).
    results : list
        Every job's result, ``None`` for the jobs whose worker died; the other jobs still ran.
    deaths : dict
        ``{job_index: WorkerDiedError}`` for every job whose worker died.
    """

    def __init__(self, message: str, *, job_index: int, exitcode: int | None):
        super().__init__(message)
        self.job_index = job_index
        self.exitcode = exitcode
        self.results: list[Any] = []
        self.deaths: dict[int, WorkerDiedError] = {}


@attrs.frozen(kw_only=True)
class MultiprocessingConfig:
    workers: int | None = param(
        default=None, check=Optional(Integer(ge=1)), doc="worker processes; default: the number of CPUs"
    )
    start_method: str | None = param(
        default=None,
        check=Optional(OneOf(list(START_METHODS))),
        doc="how workers start: 'fork', 'forkserver' or 'spawn'; default: 'fork' on Linux when this process "
        "runs no other thread, else 'spawn'",
    )


def _worker_main(connection: Any) -> None:
    """Run ``(index, pickled (function, job))`` messages until ``None``; reply ``(index, ok, value)``."""
    # Ctrl-C is the parent's to handle: it stops dispatching and closes (joins or terminates) the
    # workers, instead of every worker printing its own KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the parent went away
            return
        if message is None:
            return
        index, payload = message
        try:
            function, job = pickle.loads(payload)
        except BaseException as error:
            connection.send((index, False, _portable_error(error, UNPICKLABLE)))
            continue
        try:
            reply = (index, True, function(*job))
        except BaseException as error:  # every failure goes back to the parent, which decides
            reply = (index, False, _portable_error(error))
        try:
            connection.send(reply)
        except Exception as error:  # the result itself would not pickle
            connection.send((index, False, _portable_error(error, "the job's result cannot be sent back")))


UNPICKLABLE = (
    "a worker process cannot load the job (functions and classes it uses must be importable by "
    "the workers: define them in an importable module, not in an interactive session or a test file)"
)


def _portable_error(error: BaseException, context: str = "") -> BaseException:
    """The exception itself when it pickles (and needs no context), else a RuntimeError with its text."""
    text = "".join(traceback.format_exception(error))
    try:
        if context:
            raise TypeError(context)
        pickle.dumps(error)
        error.__spikey_traceback__ = text  # type: ignore[attr-defined]
        return error
    except Exception:
        prefix = f"{context}: " if context else ""
        return RuntimeError(f"{prefix}{type(error).__name__}: {error}\n{text}")


class _Worker:
    def __init__(self, context: Any):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.job: int | None = None


class MultiprocessingBackend:
    """Run jobs on ``workers`` local processes; results come back in job order.

    Parameters
    ----------
    workers : int, optional
        Number of worker processes (default ``os.cpu_count()``); never more than there are jobs.
    start_method : {"fork", "forkserver", "spawn"}, optional
        How workers are created. Default (:func:`default_start_method`, decided when the workers
        start): "fork" on Linux while this process runs no other thread, else "spawn". Every
        method gives the same results: each job carries its own seed.

    Notes
    -----
    Workers start on the first ``map`` and are reused by later calls (a Population's epochs);
    :meth:`close` (or leaving the ``with`` block) stops and joins them. A job that raises makes
    ``map`` raise that exception after the jobs already running have finished (no new job starts,
    as with the serial backend); a worker that dies is replaced, the remaining jobs run, and then
    ``map`` raises :class:`WorkerDiedError` naming the job, with every other result attached.
    """

    Config = MultiprocessingConfig
    supports_on_result = True

    def __init__(self, workers: int | None = None, start_method: str | None = None):
        if start_method is not None and start_method not in START_METHODS:
            raise ConfigError(
                f"multiprocessing.start_method: must be one of {', '.join(START_METHODS)} "
                f"(got {start_method!r})"
            )
        if start_method is not None and start_method not in multiprocessing.get_all_start_methods():
            raise ConfigError(
                f"multiprocessing.start_method: {start_method!r} is not available on this platform"
            )
        if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
            raise ConfigError(f"multiprocessing.workers: must be a positive integer (got {workers!r})")
        self.workers = workers or os.cpu_count() or 1
        self.start_method = start_method
        self._context: Any = None
        self._pool: list[_Worker] = []
        self.closed = False

    # -- pool ----------------------------------------------------------------------------------
    def _get_context(self) -> Any:
        if self._context is None:
            self.start_method = self.start_method or default_start_method()
            self._context = multiprocessing.get_context(self.start_method)
        return self._context

    def _grow(self, n_jobs: int) -> None:
        self._get_context()
        self._pool = [w for w in self._pool if w.process.is_alive()]
        while len(self._pool) < min(self.workers, n_jobs):
            self._pool.append(_Worker(self._context))

    def _discard(self, worker: _Worker) -> None:
        worker.connection.close()
        worker.process.join(timeout=1)
        self._pool.remove(worker)

    # -- protocol ------------------------------------------------------------------------------
    def map(
        self,
        function: Callable[..., Any],
        jobs: Sequence[tuple],
        on_result: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """``[function(*job) for job in jobs]`` on the worker processes, in job order.

        ``on_result(index, result)`` is called in this process as each job finishes (any order).
        """
        if self.closed:
            raise RuntimeError("multiprocessing backend: map() after close()")
        jobs = list(jobs)
        if not jobs:
            return []
        payloads = [_dumps(function, job, i) for i, job in enumerate(jobs)]  # fail before any job starts
        self._grow(len(jobs))
        results: list[Any] = [None] * len(jobs)
        pending = deque(range(len(jobs)))
        idle = list(self._pool)
        busy: dict[Any, _Worker] = {}
        failure: BaseException | None = None
        deaths: dict[int, WorkerDiedError] = {}
        while busy or (pending and failure is None):
            while idle and pending and failure is None:
                worker = idle.pop()
                worker.job = pending.popleft()
                worker.connection.send((worker.job, payloads[worker.job]))
                busy[worker.connection] = busy[worker.process.sentinel] = worker
            for ready in wait(list(busy)):
                worker = busy.get(ready)
                if worker is None:  # both its pipe and its sentinel fired; handled already
                    continue
                outcome = self._collect(worker, jobs)
                del busy[worker.connection], busy[worker.process.sentinel]
                if isinstance(outcome, WorkerDiedError):
                    self._discard(worker)
                    deaths[outcome.job_index] = outcome
                    if pending:  # replace it so the remaining jobs still run
                        self._pool.append(_Worker(self._context))
                        idle.append(self._pool[-1])
                    continue
                index, ok, value = outcome
                idle.append(worker)
                if ok:
                    results[index] = value
                    if on_result is not None:
                        on_result(index, value)
                elif failure is None:
                    failure = value
        if failure is not None:
            raise failure
        if deaths:
            first = deaths[min(deaths)]
            first.results, first.deaths = results, deaths
            raise first
        return results

    def _collect(self, worker: _Worker, jobs: Sequence[tuple]) -> Any:
        """The worker's reply, or a WorkerDiedError when it ended instead of replying."""
        try:
            if worker.connection.poll():
                return worker.connection.recv()
        except (EOFError, OSError):
            pass
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        return WorkerDiedError(
            f"multiprocessing backend: worker process {worker.process.pid} died (exit code {code}) "
            "while running "
            f"job {worker.job} of {len(jobs)}: {_describe(jobs[worker.job])}",
            job_index=worker.job,
            exitcode=code,
        )

    def close(self) -> None:
        """Stop the workers: ask each to exit, join, and terminate any that does not."""
        for worker in self._pool:
            try:
                worker.connection.send(None)
            except (OSError, ValueError):
                pass
        for worker in self._pool:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join()
            worker.connection.close()
            worker.process.close()
        self._pool = []
        self.closed = True

    def __enter__(self) -> MultiprocessingBackend:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten close() must not leave processes behind
        if not getattr(self, "closed", True) and getattr(self, "_pool", None):
            self.close()


def _dumps(function: Callable[..., Any], job: tuple, index: int) -> bytes:
    try:
        return pickle.dumps((function, tuple(job)))
    except Exception as error:
        raise TypeError(
            f"multiprocessing backend: job {index} cannot be sent to a worker process "
            f"({type(error).__name__}: {error}); "
            f"use top-level functions and classes, not lambdas or local functions"
        ) from error


def _describe(job: tuple) -> str:
    text = ", ".join(_short(item) for item in job)
    return f"({text})"


def _short(item: Any) -> str:
    text = getattr(item, "label", None) or repr(item)
    return text if len(text) <= 80 else text[:77] + "..."


__all__ = ["MultiprocessingBackend", "WorkerDiedError"]
