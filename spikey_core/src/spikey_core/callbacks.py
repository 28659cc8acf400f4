"""The callback protocol: what networks, games and loops tell an observer, and when.

Events are plain method calls with keyword arguments, made directly by the kernel (never through
pluggy and never inside a network step):

==================  =========================================================  =====================
event               keyword arguments                                          emitted by
==================  =========================================================  =====================
network_init        network                                                    ``Network.__init__``
network_reset       (none)                                                     ``Network.reset``
network_tick        state, action                                              ``Network.tick``
network_reward      state, action, state_next, reward                          ``Network.reward``
game_init           game                                                       a game's construction
game_reset          observation, info                                          ``game.reset``
game_step           action, observation, reward, terminated, truncated, info   ``game.step``
training_end        (none)                                                     a training loop
==================  =========================================================  =====================

Every event is emitted at the end of the method that emits it.

:class:`Callback` implements every event as a no-op and keeps the ``network``, ``game``,
``results`` (table-friendly scalars) and ``info`` (arrays and objects) a loop returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

EVENTS = (
    "network_init",
    "network_reset",
    "network_tick",
    "network_reward",
    "game_init",
    "game_reset",
    "game_step",
    "training_end",
)


class Callback:
    """Do-nothing observer; subclass and override the events you need.

    Attributes
    ----------
    network, game
        The objects announced by ``network_init`` / ``game_init``.
    results : dict
        Scalars that belong in a table (one row per run).
    info : dict
        Arrays, lists and objects for analysis.
    """

    def __init__(self, **_: Any) -> None:
        self.network: Any = None
        self.game: Any = None
        self.results: dict[str, Any] = {}
        self.info: dict[str, Any] = {}

    def reset(self, **experiment_params: Any) -> None:
        """Start a new run: ``results`` becomes ``experiment_params``, ``info`` empty."""
        self.results = dict(experiment_params)
        self.info = {}

    def network_init(self, *, network: Any) -> None:
        self.network = network

    def network_reset(self) -> None:
        pass

    def network_tick(self, *, state: Any, action: Any) -> None:
        pass

    def network_reward(self, *, state: Any, action: Any, state_next: Any, reward: float) -> None:
        pass

    def game_init(self, *, game: Any) -> None:
        self.game = game

    def game_reset(self, *, observation: Any, info: dict) -> None:
        pass

    def game_step(
        self, *, action: Any, observation: Any, reward: float, terminated: bool, truncated: bool, info: dict
    ) -> None:
        pass

    def training_end(self) -> None:
        pass

    def result_keys(self, loop: Any) -> frozenset[str]:
        """The ``results`` keys this callback adds to the loop's (see :mod:`spikey_core.result_keys`):
        none. A subclass whose events write results declares its own keys."""
        return frozenset()

    def __iter__(self) -> Iterator[Any]:
        """``network, game, results, info = callback``."""
        return iter((self.network, self.game, self.results, self.info))

    def __enter__(self) -> Callback:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.training_end()


#: The events of a callback: the methods that may write ``results``.
CALLBACK_EVENTS = tuple(
    name
    for name, value in vars(Callback).items()
    if callable(value) and not name.startswith("_") and name != "result_keys"
)
