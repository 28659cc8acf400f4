"""The exceptions Spikey raises.

Every error derives from :class:`SpikeyError` and from the builtin exception a Python user would
catch for the same situation, so ``except ValueError`` keeps working around Spikey code while
``except SpikeyError`` catches everything Spikey raises on purpose.

Messages name the thing, the place and the fix, e.g.
``$.neuron.potential_decay: must be <= 1 (got 1.5)``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


class SpikeyError(Exception):
    """Root of every error Spikey raises deliberately."""


class ConfigError(SpikeyError, ValueError):
    """A configuration is invalid; ``problems`` holds one addressed line per problem.

    Parameters
    ----------
    problems : str or sequence of str
        Each line reads ``<address>: <what is wrong> (got <value>)``; the address is a JSONPath-like
        location such as ``$.neuron.potential_decay``.
    """

    def __init__(self, problems: str | Sequence[str]):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        head = f"{len(self.problems)} configuration problems:"
        return "\n".join([head, *(f"  {line}" for line in self.problems)])


class UnknownNameError(SpikeyError, LookupError):
    """A name (part, game, experiment, command, hook) is not known; suggests close matches."""

    def __str__(self) -> str:  # LookupError subclasses KeyError-like quoting; keep the text plain
        return str(self.args[0]) if self.args else ""


class PluginError(SpikeyError, ImportError):
    """A plugin could not be loaded or registered what it should not."""


class PluginConflictError(SpikeyError, ValueError):
    """Two plugins registered the same ``(kind, name)``."""


class SimulationError(SpikeyError, ArithmeticError):
    """A simulation produced non-finite numbers (NaN or inf) in its state."""


class GameError(SpikeyError, ValueError):
    """A game was used out of its contract (bad action, step after termination, ...)."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest candidate, or ``""`` when none is close.

    Parameters
    ----------
    name : str
        The misspelled name.
    candidates : iterable of str
        The names that exist.
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_name(what: str, name: str, known: Iterable[str], where: str = "") -> UnknownNameError:
    """Build the standard unknown-name error: suggestion first, then everything installed.

    Parameters
    ----------
    what : str
        The kind of thing, e.g. ``"neuron"``.
    name : str
        The name that was asked for.
    known : iterable of str
        The names that exist.
    where : str, optional
        An address prefix such as ``"$.neuron.type: "``.
    """
    known = sorted(set(known))
    listing = ", ".join(repr(k) for k in known) if known else "none"
    return UnknownNameError(
        f"{where}no {what} named {name!r}{did_you_mean(name, known)} (installed: {listing})"
    )
