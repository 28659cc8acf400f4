"""Spikey games: Logic gates, CartPole and two-way gymnasium interoperability.

Importing this package registers the first-party games with gymnasium
(``gymnasium.make("spikey/Logic-v0")``, ``"spikey/CartPole-v0"``); see
:func:`register_gymnasium_envs` for third-party games.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

from spikey_games.base import Game
from spikey_games.cartpole import CartPole
from spikey_games.gym import GymGame, wrap_env
from spikey_games.logic import Logic, and_gate, nand_gate, nor_gate, or_gate, xnor_gate, xor_gate
from spikey_games.random_state import RandomState
from spikey_games.registration import env_id, register_gymnasium_envs

register_gymnasium_envs()

try:  # the one source of the version is the distribution's metadata (its pyproject.toml)
    __version__ = _distribution_version("spikey-games")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled source tree
    __version__ = "0+unknown"

__all__ = [
    "CartPole",
    "Game",
    "GymGame",
    "Logic",
    "RandomState",
    "and_gate",
    "env_id",
    "nand_gate",
    "nor_gate",
    "or_gate",
    "register_gymnasium_envs",
    "wrap_env",
    "xnor_gate",
    "xor_gate",
]
