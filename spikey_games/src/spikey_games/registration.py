"""Spikey games as gymnasium environments: ``gymnasium.make("spikey/Logic-v0")``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import gymnasium
from spikey_core.spec import import_object

NAMESPACE = "spikey"
#: The first-party games, registered with gymnasium when spikey_games is imported.
FIRST_PARTY = (
    "spikey_games.logic:Logic",
    "spikey_games.cartpole:CartPole",
    "spikey_games.random_state:RandomState",
)


def env_id(game_class: type) -> str:
    """The gymnasium id of a Spikey game class: ``spikey/<ClassName>-v0``."""
    return f"{NAMESPACE}/{game_class.__name__}-v0"


def register_gymnasium_envs(
    games: Iterable[Any] | None = None, *, from_registry: bool = False, registry: Any = None
) -> list[str]:
    """Register Spikey games with gymnasium under ``spikey/<ClassName>-v0``.

    Parameters
    ----------
    games : iterable of game classes or ``"module:Class"`` strings, optional
        Default: the first-party games (Logic, CartPole, RandomState); importing
        ``spikey_games`` registers them.
    from_registry : bool
        Also register every game of the Spikey plugin registry that subclasses ``gymnasium.Env``
        (third-party plugins included; this loads the plugins), except the gymnasium adapter.
    registry : Registry, optional
        The plugin registry ``from_registry`` reads; default: the loaded one.

    Returns
    -------
    list of str
        The ids registered (already registered ones are kept, not re-registered).

    Notes
    -----
    ``gymnasium.make("spikey/CartPole-v0", preset="FREMAUX", action_mode="continuous")`` passes its
    keyword arguments to the game's constructor, on top of the class's ``GYMNASIUM_KWARGS``
    (the settings that make a game behave as gymnasium users expect, e.g. CartPole's +1 reward
    per step and truncation at 500 steps; keyword arguments given to ``make`` win).
    """
    entries = list(FIRST_PARTY if games is None else games)
    if from_registry:
        from spikey_core.registry import registry_or_loaded

        from spikey_games.gym import GymGame

        registry = registry_or_loaded(registry)
        classes = (registry.get("game", name) for name in registry.names("game"))
        # only gymnasium.Env subclasses can be made by gymnasium; the adapter has no game of its own
        entries += [
            cls
            for cls in classes
            if isinstance(cls, type) and issubclass(cls, gymnasium.Env) and not issubclass(cls, GymGame)
        ]
    ids = []
    for entry in entries:
        cls = import_object(entry, "register_gymnasium_envs") if isinstance(entry, str) else entry
        module, qualname = cls.__module__, cls.__qualname__
        env = f"{NAMESPACE}/{qualname.rpartition('.')[2]}-v0"
        if env not in gymnasium.registry:
            kwargs = dict(getattr(cls, "GYMNASIUM_KWARGS", {}))
            gymnasium.register(id=env, entry_point=f"{module}:{qualname}", kwargs=kwargs)
        if env not in ids:
            ids.append(env)
    return ids
