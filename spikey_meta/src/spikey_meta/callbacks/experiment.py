"""``ExperimentCallback``: a blank-slate observer whose signals are declared with :meth:`track`.

A *signal* copies a value into ``results`` or ``info`` whenever an event fires::

    callback = ExperimentCallback()
    callback.track("network_tick", "info", "potentials", "network.neuron.potentials", "list")
    callback.track("network_reward", "info", "rewards", "reward", "list")
    callback.track("training_end", "results", "learning_rate", ["network", "synapse", "learning_rate"])

Targets
-------
A target is one of

* a callable, called with no arguments (``time.time``);
* the name of one of the event's keyword arguments (``"reward"`` for ``network_reward``), or
  ``"arg_<i>"`` for the i-th keyword in the documented order (``network_reward``: state, action,
  state_next, reward), or ``"kwargs"`` for all of them as a dict;
* a path walked from the callback: a list (``["network", "weight", "matrix"]``) or a dotted string
  (``"network.weight.matrix"``); a path may also start at an event keyword
  (``"state.0"``). Mappings are indexed by key, sequences by integer (``"modifiers.0"``), ``"()"``
  calls the current object, anything else is an attribute.

A target whose first step names nothing is refused when ``track`` is called; a path that stops
later (an attribute that does not exist yet when ``track`` is called) fails at the first event with
an error naming the target and the step where it stopped.

Episodes
--------
``"list"`` signals hold one list per episode: ``[[episode 1 values], [episode 2 values], ...]``. A new
sub-list opens at every ``network_reset`` except the first of a run, so values recorded before the
first reset belong to the first episode. ``"scalar"`` signals keep the latest value (``None`` until
the first event). Arrays are copied when recorded.
"""

from __future__ import annotations

import copy
import functools
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from spikey_core.errors import ConfigError, did_you_mean
from spikey_core.part import EmptyConfig

from spikey_core import EVENTS, Callback

LOCATIONS = ("results", "info")
METHODS = ("list", "scalar")

#: Keyword names of every core event, in their documented order (read from the core protocol).
EVENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    event: tuple(
        name
        for name, p in inspect.signature(getattr(Callback, event)).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    )
    for event in EVENTS
}

_ARG = re.compile(r"arg_(\d+)$")
_CALL = "()"


@attrs.frozen
class Signal:
    """One tracked value: where it comes from, when, and where it is stored."""

    event: str
    location: str
    key: str
    path: tuple[Any, ...]  # empty when ``function`` is used
    function: Callable[[], Any] | None
    method: str
    when: Callable[[], bool] | None
    label: str  # the target as the user wrote it, for messages


def _dispatching(method: Callable[..., Any], event: str) -> Callable[..., Any]:
    """Wrap an event method so tracked signals are recorded once, after the outermost body ran."""
    names = EVENT_KEYWORDS.get(event, ())

    @functools.wraps(method)
    def event_method(self: ExperimentCallback, *args: Any, **kwargs: Any) -> Any:
        if args:  # positional calls are mapped onto the documented keyword order
            kwargs.update(zip(names, args, strict=False))
        if self._depth:  # a subclass calling super(): the outermost call records
            return method(self, **kwargs)
        self._depth += 1
        try:
            if event == "network_reset":
                self._open_episode()
            result = method(self, **kwargs)
        finally:
            self._depth -= 1
        self._record(event, kwargs)
        return result

    event_method.__spikey_dispatching__ = True  # type: ignore[attr-defined]
    return event_method


class ExperimentCallback(Callback):
    """Blank-slate callback: records only what :meth:`track` declares.

    Subclasses override event methods as usual (keyword arguments, see
    :mod:`spikey_core.callbacks`); tracked signals of an event are recorded after the
    subclass's method body ran, whether or not it calls ``super()``.

    Attributes
    ----------
    network, game, results, info
        As in :class:`spikey_core.Callback`; ``network, game, results, info = callback``.
    signals : list of Signal
        What is tracked.
    """

    Config = EmptyConfig

    def __init__(self, **_: Any) -> None:
        super().__init__()
        self.signals: list[Signal] = []
        self._events: set[str] = set(EVENTS)
        self._depth = 0
        self._resets_seen = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for event in EVENTS:
            method = cls.__dict__.get(event)
            if callable(method) and not getattr(method, "__spikey_dispatching__", False):
                setattr(cls, event, _dispatching(method, event))

    # -- run lifecycle ----------------------------------------------------------------------------
    def reset(self, **experiment_params: Any) -> None:
        """Start a new run: ``results`` = ``experiment_params``, ``info`` empty, signals re-initialised."""
        super().reset(**experiment_params)
        self._resets_seen = 0
        for signal in self.signals:
            self._initialise(signal)

    def _initialise(self, signal: Signal) -> None:
        getattr(self, signal.location)[signal.key] = [[]] if signal.method == "list" else None

    def _open_episode(self) -> None:
        self._resets_seen += 1
        if self._resets_seen == 1:  # the first episode also holds values recorded before it
            return
        for signal in self.signals:
            if signal.method == "list":
                episodes = getattr(self, signal.location).setdefault(signal.key, [])
                episodes.append([])

    # -- declaring signals ------------------------------------------------------------------------
    def bind(self, event: str) -> None:
        """Declare a custom event ``event`` (a no-op method) so signals can be tracked on it.

        Whoever holds the callback may then call ``callback.<event>(**keywords)``.
        """
        if not event.isidentifier() or event.startswith("_"):
            raise ConfigError(f"bind({event!r}): an event name must be a public identifier")
        if not hasattr(self, event):
            setattr(self, event, functools.partial(self._custom_event, event))
        self._events.add(event)

    def _custom_event(self, event: str, **kwargs: Any) -> None:
        self._record(event, kwargs)

    def track(
        self,
        event: str,
        location: str,
        key: str,
        target: Any,
        method: str = "list",
        *,
        when: Callable[[], bool] | None = None,
    ) -> None:
        """Record ``target`` into ``self.<location>[key]`` every time ``event`` fires.

        Works before or after :meth:`reset`; the storage is created at once and re-created by
        every ``reset``.

        Parameters
        ----------
        event : str
            An event name (``network_tick``, ``game_step``, ... or one declared with :meth:`bind`).
        location : {"results", "info"}
            ``results`` for table-friendly scalars, ``info`` for arrays and series.
        key : str
            Name of the signal in ``results`` / ``info``.
        target : callable, str or sequence
            What to record; see the module documentation.
        method : {"list", "scalar"}
            Append per episode, or keep the latest value.
        when : callable, optional
            Record only when ``when()`` is true.

        Raises
        ------
        ConfigError
            Unknown event, location or method, a key tracked twice, or a target that names nothing.
        """
        where = f"track({event!r}, {location!r}, {key!r})"
        if event not in self._events:
            raise ConfigError(
                f"{where}: no event {event!r}{did_you_mean(event, self._events)} "
                f"(events: {', '.join(sorted(self._events))}; declare custom ones with bind())"
            )
        if location not in LOCATIONS:
            raise ConfigError(f"{where}: location must be 'results' or 'info' (got {location!r})")
        if method not in METHODS:
            raise ConfigError(f"{where}: method must be 'list' or 'scalar' (got {method!r})")
        if not isinstance(key, str) or not key:
            raise ConfigError(f"{where}: key must be a non-empty string")
        for signal in self.signals:
            if (signal.location, signal.key) == (location, key):
                raise ConfigError(
                    f"{where}: {location}.{key} is already tracked on {signal.event}; "
                    f"call untrack({location!r}, {key!r}) first to redefine it"
                )
        path, function, label = self._parse_target(event, target, where)
        signal = Signal(event, location, key, path, function, method, when, label)
        self.signals.append(signal)
        self._initialise(signal)

    def result_keys(self, loop: Any) -> frozenset[str]:
        """The ``results`` signals it tracks (see :mod:`spikey_core.result_keys`)."""
        return frozenset(s.key for s in self.signals if s.location == "results")

    def untrack(self, location: str, key: str) -> None:
        """Stop tracking ``location.key`` (the values recorded so far stay)."""
        kept = [s for s in self.signals if (s.location, s.key) != (location, key)]
        if len(kept) == len(self.signals):
            tracked = [f"{s.location}.{s.key}" for s in self.signals]
            raise KeyError(f"{location}.{key} is not tracked{did_you_mean(f'{location}.{key}', tracked)}")
        self.signals = kept

    def _parse_target(self, event: str, target: Any, where: str) -> tuple[tuple, Any, str]:
        if callable(target) and not isinstance(target, str):
            return (), target, getattr(target, "__qualname__", repr(target))
        if isinstance(target, str):
            path: list[Any] = target.split(".") if target not in (_CALL,) else [target]
            label = target
        elif isinstance(target, Sequence) and target and all(isinstance(p, (str, int)) for p in target):
            path, label = list(target), ".".join(str(p) for p in target)
        else:
            raise ConfigError(
                f"{where}: target must be a callable, a path string like 'network.weight.matrix' or a "
                f"list of names (got {target!r})"
            )
        if any(step == "" for step in path):
            raise ConfigError(f"{where}: target {label!r} has an empty step")
        path[0] = self._root_name(event, path[0], label, where)
        return tuple(path), None, label

    def _root_name(self, event: str, root: Any, label: str, where: str) -> str:
        """Check the first step of a path now; map ``arg_<i>`` to the keyword it stands for."""
        keywords = EVENT_KEYWORDS.get(event)
        match = _ARG.match(str(root))
        if match:
            if keywords is None:
                raise ConfigError(
                    f"{where}: target {label!r}: custom event {event!r} has no documented argument order; "
                    "name the keyword instead"
                )
            index = int(match.group(1))
            if index >= len(keywords):
                args = ", ".join(keywords) or "no arguments"
                raise ConfigError(
                    f"{where}: target {label!r}: {event} has {len(keywords)} argument(s) ({args})"
                )
            return keywords[index]
        if root == "kwargs" or (keywords is None and event in self._events) or root in (keywords or ()):
            return root
        if hasattr(self, str(root)):
            return root
        candidates = [*(keywords or ()), "kwargs", *(n for n in vars(self) if not n.startswith("_"))]
        raise ConfigError(
            f"{where}: target {label!r}: {root!r} is neither an argument of {event} "
            f"({', '.join(keywords or ()) or 'none'}) nor an attribute of the callback"
            f"{did_you_mean(str(root), candidates)}"
        )

    # -- recording --------------------------------------------------------------------------------
    def _record(self, event: str, kwargs: Mapping[str, Any]) -> None:
        for signal in self.signals:
            if signal.event != event or (signal.when is not None and not signal.when()):
                continue
            value = _snapshot(signal.function() if signal.function else self._resolve(signal, kwargs))
            store = getattr(self, signal.location)
            if signal.method == "scalar":
                store[signal.key] = value
            else:
                episodes = store.setdefault(signal.key, [[]])
                if not episodes:
                    episodes.append([])
                episodes[-1].append(value)

    def _resolve(self, signal: Signal, kwargs: Mapping[str, Any]) -> Any:
        root = signal.path[0]
        if root == "kwargs":
            current: Any = dict(kwargs)
        elif root in kwargs:
            current = kwargs[root]
        elif hasattr(self, root):
            current = getattr(self, root)
        else:
            raise ConfigError(
                f"tracked {signal.location}.{signal.key} ({signal.event}): target {signal.label!r} "
                f"stopped at {root!r}: the event has no such argument "
                f"({', '.join(kwargs) or 'none'}) and the callback no such attribute"
            )
        for i, step in enumerate(signal.path[1:], start=1):
            try:
                current = _step(current, step)
            except (AttributeError, LookupError, TypeError, ValueError) as error:
                done = ".".join(str(p) for p in signal.path[:i])
                raise ConfigError(
                    f"tracked {signal.location}.{signal.key} ({signal.event}): target {signal.label!r} "
                    f"stopped at {step!r}: {done!r} is a {type(current).__name__} without {step!r} "
                    f"({type(error).__name__}: {error}){_suggest(current, step)}"
                ) from None
        return current

    # -- output -----------------------------------------------------------------------------------
    def log(self, folder: Any = None, filename: Any = None) -> Any:
        """Write this run's log (see :func:`spikey_meta.logs.log`); returns the file's path."""
        from spikey_meta.logs import log

        return log(self.network, self.game, self.results, self.info, folder=folder, filename=filename)

    def write_plots(self, folder: Any, stem: str) -> list[Any]:
        """Every plot this run's signals allow, as ``<folder>/<stem>-<plot>.png``; returns the paths.

        See :func:`spikey_meta.experiments.outputs.write_run_plots` (``spikey run`` calls this).
        """
        from pathlib import Path

        from spikey_meta.experiments.outputs import write_run_plots

        return write_run_plots(Path(folder), stem, self.network, self.info)


def _step(current: Any, step: Any) -> Any:
    if step == _CALL:
        return current()
    if isinstance(current, Mapping):
        return current[step]
    if isinstance(current, (Sequence, np.ndarray)) and not isinstance(current, str):
        if isinstance(step, int) or (isinstance(step, str) and step.lstrip("-").isdigit()):
            return current[int(step)]
    if not isinstance(step, str):
        raise TypeError(f"cannot index a {type(current).__name__} with {step!r}")
    return getattr(current, step)


def _suggest(current: Any, step: Any) -> str:
    if isinstance(current, Mapping):
        names = list(current)
    else:
        names = [n for n in dir(current) if not n.startswith("_")]
    return did_you_mean(str(step), [str(n) for n in names])


def _snapshot(value: Any) -> Any:
    """A copy of mutable data, so later changes do not rewrite what was recorded."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, dict, set, tuple)):
        return copy.deepcopy(value)
    return value


for _event in EVENTS:  # the base events get the same recording wrapper as subclass overrides
    setattr(ExperimentCallback, _event, _dispatching(getattr(Callback, _event), _event))
del _event
