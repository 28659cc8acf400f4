"""Registrations of spikey-games: a manifest, nothing else."""

from spikey_core import hookimpl


@hookimpl
def spikey_register_parts(registry):
    from spikey_games.cartpole import CartPole
    from spikey_games.gym import GymGame
    from spikey_games.logic import Logic
    from spikey_games.random_state import RandomState

    registry.add("game", "logic", Logic)
    registry.add("game", "cartpole", CartPole)
    registry.add("game", "gym", GymGame)
    registry.add("game", "random_state", RandomState)
