"""Meta-games: what a :class:`~spikey_meta.population.Population` optimises.

Meta-games are plain classes, not registered under kind ``"game"``: they have no observations,
actions or episodes, so they do not fit the kernel's game protocol and a network could never play
one. The ``spikey evolve`` command names them ``evolve_network`` and ``meta_nqueens``.
"""

from spikey_meta.metagames.base import MetaGame
from spikey_meta.metagames.evolve_network import EvolveNetwork, ResultKey
from spikey_meta.metagames.meta_nqueens import MetaNQueens

METAGAMES = {"evolve_network": EvolveNetwork, "meta_nqueens": MetaNQueens}

__all__ = ["METAGAMES", "EvolveNetwork", "MetaGame", "MetaNQueens", "ResultKey"]
