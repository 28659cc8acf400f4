"""Logic gates: the network sees two random bits and should answer the gate's output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import attrs
import numpy as np
from gymnasium import spaces
from spikey_core.config import CallableCheck, Real, param

from spikey_games.base import Game


# Module-level gate functions so games, configs and rewarders holding them stay picklable.
def and_gate(state: Any) -> bool:
    """``a AND b`` of the two bits of ``state``."""
    return bool(state[0]) and bool(state[1])


def or_gate(state: Any) -> bool:
    """``a OR b``."""
    return bool(state[0]) or bool(state[1])


def xor_gate(state: Any) -> bool:
    """``a XOR b`` (true when exactly one bit is set)."""
    return bool(state[0]) != bool(state[1])


def nand_gate(state: Any) -> bool:
    """``NOT (a AND b)``."""
    return not and_gate(state)


def nor_gate(state: Any) -> bool:
    """``NOT (a OR b)``."""
    return not or_gate(state)


def xnor_gate(state: Any) -> bool:
    """``NOT (a XOR b)`` (true when both bits are equal)."""
    return not xor_gate(state)


@attrs.frozen(kw_only=True)
class LogicConfig:
    expected_value: Callable[[Any], bool] = param(
        default=xor_gate,
        check=CallableCheck(),
        doc=(
            "the gate: function state -> correct action (bool) for a state of two bits; presets "
            "set it; offered to network parts (rewarders) as 'expected_value'"
        ),
    )
    reward_correct: float = param(
        default=0.0,
        check=Real(),
        doc=(
            "game reward of a correct answer (0 = Spikey-native: the network's rewarder judges; "
            "1 = the default of gymnasium.make('spikey/Logic-v0'))"
        ),
    )
    reward_incorrect: float = param(
        default=0.0, check=Real(), doc="game reward of a wrong answer (0 native and through gymnasium)"
    )


class Logic(Game):
    """Logic gate game: observe two random bits, answer the gate's output.

    Every ``reset`` and every ``step`` draws a fresh observation: two independent bits, each 1
    with probability 0.5, from the game's own generator (the action does not influence the next
    observation). The game never terminates. Its reward for an answer is ``reward_correct``
    when the action equals :meth:`expected_value` of the observation it answered, else
    ``reward_incorrect``. Built directly (Spikey-native) both are 0: the learning signal comes
    from the network's rewarder, which judges the action against :meth:`expected_value`
    (offered to parts by :meth:`network_params`). Made through gymnasium
    (``gymnasium.make("spikey/Logic-v0")``) a correct answer earns 1, so a gymnasium RL library
    has a signal to learn from; pass ``reward_correct=0`` for the native behaviour.

    Observations are ``numpy.int8`` arrays of shape (2,) with entries 0/1 (gymnasium
    ``MultiBinary(2)``); rate encoders index their rate table with them, and the gates accept
    them as well as tuples of bools. Actions are ``Discrete(2)``: 0 = false, 1 = true (Python or
    numpy bools and integers, or a one-element array, are accepted).

    Presets: ``AND``, ``OR``, ``XOR`` (default), ``NAND``, ``NOR``, ``XNOR``.
    Render modes: ``"ansi"`` (a text line with the current bits and the correct answer).
    """

    Config = LogicConfig
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        "AND": {"expected_value": and_gate},
        "OR": {"expected_value": or_gate},
        "XOR": {"expected_value": xor_gate},
        "NAND": {"expected_value": nand_gate},
        "NOR": {"expected_value": nor_gate},
        "XNOR": {"expected_value": xnor_gate},
    }
    DEFAULT_PRESET = "XOR"
    #: Settings gymnasium.make("spikey/Logic-v0") uses unless given: a correct answer earns 1.
    GYMNASIUM_KWARGS: ClassVar[dict[str, Any]] = {"reward_correct": 1.0}
    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "render_fps": 4}

    def _setup(self) -> None:
        self.action_space = spaces.Discrete(2)
        self.observation_space = spaces.MultiBinary(2)
        self.state: np.ndarray | None = None

    def expected_value(self, state: Any) -> bool:
        """The correct action for ``state`` under this game's gate."""
        return self.settings.expected_value(state)

    def network_params(self) -> dict[str, Any]:
        return {**super().network_params(), "expected_value": self.settings.expected_value}

    def _draw(self) -> np.ndarray:
        # a fresh array each step: loops keep both the old and the new observation
        self.state = self.np_random.integers(0, 2, size=2, dtype=np.int8)
        return self.state

    def _reset(self, *, seed: int | None, options: dict) -> tuple[np.ndarray, dict]:
        return self._draw(), {}

    def _step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        correct = bool(action) == self.expected_value(self.state)
        reward = self.settings.reward_correct if correct else self.settings.reward_incorrect
        return self._draw(), float(reward), False, False, {}

    def _render(self, mode: str) -> str:
        if self.state is None:
            return f"{self.label}: no episode yet (call reset())"
        a, b = (int(v) for v in self.state)
        return f"{self.preset or 'gate'}({a}, {b}) = {int(self.expected_value(self.state))}"
