"""Result keys known before a run: what a loop's runs will report in ``results``.

A search scores each run by one ``results`` key (``spikey evolve`` / ``spikey tune``), so a
misspelt key should stop it before the first run, not after. Every component that writes into
``results`` may therefore declare the keys it writes:

* a function (an experiment's ``metrics``, a loop's ``frozen_metrics``) carries them as
  ``result_keys``, set by :func:`reports`;
* an object (a callback, a metric of the specification's ``metrics`` entry, a loop) has a
  ``result_keys(loop)`` method returning the names, or None when they depend on what the run sees.

:meth:`spikey_core.loops.TrainingLoop.result_keys` joins the declarations of its parts. A
declaration is inherited only by subclasses that override no method writing results (the
declaration could not know what the override writes): such a subclass, like any component
without a declaration, makes the loop's keys unknown, and a search then checks its key once the
first run has ended.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def reports(*keys: str) -> Callable[[Any], Any]:
    """Declare the ``results`` keys a function returns (a decorator).

    Examples
    --------
    >>> @reports("train_episodes")
    ... def metrics(network, game, results, info):
    ...     return {"train_episodes": len(info["episode_lens"])}
    >>> sorted(metrics.result_keys)
    ['train_episodes']
    """

    def mark(function: Any) -> Any:
        function.result_keys = frozenset(keys)
        return function

    return mark


def declared_result_keys(component: Any, loop: Any, writers: Iterable[str] = ()) -> frozenset[str] | None:
    """The ``results`` keys ``component`` declares for ``loop``, or None when it declares none.

    Parameters
    ----------
    component : function or object
        A function marked by :func:`reports`, or an object with ``result_keys(loop)``.
    loop : TrainingLoop
        Passed to ``result_keys`` (keys may depend on its settings).
    writers : iterable of str
        The component's methods that write results: a subclass overriding one of them below the
        class that declares the keys declares nothing.
    """
    declared = getattr(component, "result_keys", None)
    if declared is None:
        return None
    if callable(declared):
        if not _declaration_holds(type(component), set(writers)):
            return None
        declared = declared(loop)
    return None if declared is None else frozenset(declared)


def _declaration_holds(cls: type, writers: set[str]) -> bool:
    for klass in cls.__mro__:
        if "result_keys" in vars(klass):
            return True
        if writers & set(vars(klass)):
            return False
    return False


__all__ = ["declared_result_keys", "reports"]
