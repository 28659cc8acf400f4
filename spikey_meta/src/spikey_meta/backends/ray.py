"""The Ray backend: the same jobs on a Ray cluster (or a local Ray instance).

Install with ``pip install 'spikey-meta[ray]'``. Connect to a running cluster with
``RayBackend(address="ray://head:10001")`` (or ``"auto"``), or start a local instance with
``RayBackend(num_cpus=4)``. Results are identical to the serial backend's because every job
carries its own seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from spikey_core.config import Integer, MappingCheck, Optional, String, param
from spikey_core.errors import ConfigError

INSTALL_HINT = "pip install 'spikey-meta[ray]'"


@attrs.frozen(kw_only=True)
class RayConfig:
    address: str | None = param(
        default=None,
        check=Optional(String()),
        doc="cluster to join ('auto', 'ray://host:10001'); default: start a local instance",
    )
    num_cpus: int | None = param(
        default=None, check=Optional(Integer(ge=1)), doc="CPUs of a local instance (ignored with address)"
    )
    workers: int | None = param(
        default=None,
        check=Optional(Integer(ge=1)),
        doc="alias of num_cpus, so --workers works for every backend",
    )
    runtime_env: Mapping[str, Any] | None = param(
        default=None,
        check=Optional(MappingCheck()),
        doc="Ray runtime_env for the workers (env_vars, py_modules, ...)",
    )


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(f"backend 'ray': Ray is not installed; install it with {INSTALL_HINT}") from None
    return ray


def _address_ok(address: str) -> bool:
    if address == "auto":
        return True
    host, _, port = address.removeprefix("ray://").rpartition(":")
    return bool(host) and port.isdigit() and 0 < int(port) < 65536


def _call(function: Callable[..., Any], job: tuple) -> Any:
    return function(*job)


class RayBackend:
    """Run jobs as Ray tasks; results come back in job order.

    Parameters
    ----------
    address : str, optional
        A running cluster to connect to; default starts a local Ray instance.
    num_cpus, workers : int, optional
        CPUs of the local instance (``workers`` is an alias).
    runtime_env : mapping, optional
        Passed to ``ray.init`` (e.g. ``{"env_vars": {"PYTHONPATH": ...}}`` so workers can import
        code that is not installed).

    Raises
    ------
    ConfigError
        Ray is not installed (says how to install it).

    Notes
    -----
    ``close()`` shuts Ray down only if this backend started it; a cluster joined by address, or a
    Ray session the caller already opened, is left running.
    """

    Config = RayConfig
    supports_on_result = True

    #: Options a ``{"type": "ray", ...}`` backend table (``--address``) may set.
    OPTIONS = ("address", "num_cpus", "runtime_env")

    @staticmethod
    def check_available(address: str | None = None, **_: Any) -> None:
        """Raise ConfigError (with the fix) when Ray is not installed or ``address`` is malformed."""
        _import_ray()
        if address is not None and not _address_ok(address):
            raise ConfigError(
                f"backend 'ray': address {address!r} must be HOST:PORT (the head node's GCS, e.g. "
                "127.0.0.1:6379), 'ray://HOST:PORT' (Ray Client) or 'auto'"
            )

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        workers: int | None = None,
        runtime_env: Mapping[str, Any] | None = None,
    ):
        self._ray = _import_ray()
        self.started = False
        if not self._ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": True}
            if address is not None:
                options["address"] = address
            else:
                options["num_cpus"] = num_cpus or workers
            if runtime_env:
                options["runtime_env"] = dict(runtime_env)
            try:
                self._ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as error:
                if address is None:
                    raise
                raise ConfigError(
                    f"backend 'ray': cannot join the cluster at {address}: {str(error).splitlines()[0]}; "
                    "start it with 'ray start --head' (same RAY_AUTH_MODE / RAY_AUTH_TOKEN on every "
                    "node and here when token authentication is on) or fix --address"
                ) from None
            self.started = True
        self._remote = self._ray.remote(_call)
        self.closed = False

    def map(
        self,
        function: Callable[..., Any],
        jobs: Sequence[tuple],
        on_result: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """``[function(*job) for job in jobs]`` as Ray tasks, in job order.

        ``on_result(index, result)`` is called in this process as each job finishes (any order).
        """
        if self.closed:
            raise RuntimeError("ray backend: map() after close()")
        ray = self._ray
        function_ref = ray.put(function)
        refs = [self._remote.remote(function_ref, tuple(job)) for job in jobs]
        index_of = {ref: i for i, ref in enumerate(refs)}
        waiting = list(refs)
        try:
            while on_result is not None and waiting:
                done, waiting = ray.wait(waiting, num_returns=1)
                for ref in done:
                    on_result(index_of[ref], ray.get(ref))
            return ray.get(refs)
        except ray.exceptions.RayTaskError as error:
            raise error.as_instanceof_cause() from None

    def close(self) -> None:
        if self.started and not self.closed:
            self._ray.shutdown()
        self.closed = True

    def __enter__(self) -> RayBackend:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


__all__ = ["INSTALL_HINT", "RayBackend"]
