"""A random stimulus each game step: the environment of classical-conditioning experiments."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
from gymnasium import spaces
from spikey_core.config import Integer, param

from spikey_games.base import Game


@attrs.frozen(kw_only=True)
class RandomStateConfig:
    n_states: int = param(
        default=10, check=Integer(ge=1), doc="number of stimuli: states are 0 .. n_states-1"
    )


class RandomState(Game):
    """Observe one of ``n_states`` stimuli, drawn uniformly and independently every step.

    Observations are Python ints in ``0 .. n_states-1`` (gymnasium ``Discrete(n_states)``),
    drawn from the game's own generator at every ``reset`` and ``step``; the action does not
    influence them (Izhikevich 2007's classical-conditioning protocol: stimuli arrive at random
    and the network's rewarder decides which of them are followed by reward). The game's reward
    is always 0 and it never terminates. Actions: ``Discrete(2)``.
    """

    Config = RandomStateConfig
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {}
    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "render_fps": 4}

    def _setup(self) -> None:
        self.action_space = spaces.Discrete(2)
        self.observation_space = spaces.Discrete(self.settings.n_states)
        self.state: int | None = None

    def _draw(self) -> int:
        self.state = int(self.np_random.integers(0, self.settings.n_states))
        return self.state

    def _reset(self, *, seed: int | None, options: dict) -> tuple[int, dict]:
        return self._draw(), {}

    def _step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        return self._draw(), 0.0, False, False, {}

    def _render(self, mode: str) -> str:
        return (
            f"{self.label}: stimulus {self.state}"
            if self.state is not None
            else f"{self.label}: no episode yet"
        )


__all__ = ["RandomState"]
