"""MetaNQueens: place queens on an 8x8 board without clashes; a benchmark of the optimiser.

Genotype: ``ax, ay, bx, by, ...`` (column and row of queen a, b, ...), each in ``0..7``.
Clashes: for every row, column and both diagonal directions (15 diagonals each), the number of
queens beyond the first on that line, summed. Fitness ``= 28 - clashes`` (28 whatever the number
of queens, as in the original) and the population terminates when a genotype has no clash.
"""

from __future__ import annotations

from typing import Any

from spikey_core.errors import ConfigError

from spikey_meta.metagames.base import MetaGame

BOARD = 8
MAX_FITNESS = 28
LETTERS = "abcdefgh"


def count_clashes(positions: list[tuple[int, int]]) -> int:
    """Queens beyond the first on each row, column, diagonal and anti-diagonal.

    Examples
    --------
    >>> count_clashes([(0, 0), (1, 1), (5, 0)])   # a diagonal pair, a same-row pair
    2
    """
    clashes = 0
    for line in (lambda x, y: x, lambda x, y: y, lambda x, y: x - y, lambda x, y: x + y):
        counts: dict[int, int] = {}
        for x, y in positions:
            key = line(x, y)
            counts[key] = counts.get(key, 0) + 1
        clashes += sum(n - 1 for n in counts.values())
    return clashes


class MetaNQueens(MetaGame):
    """N queens (1..8) on an 8x8 board.

    Parameters
    ----------
    n_queens : int
        Number of queens, 1..8.

    Raises
    ------
    ConfigError
        ``n_queens`` outside 1..8.
    """

    def __init__(self, n_queens: int = 8):
        if not isinstance(n_queens, int) or isinstance(n_queens, bool) or not 1 <= n_queens <= BOARD:
            raise ConfigError(f"MetaNQueens.n_queens: must be an integer in 1..{BOARD} (got {n_queens!r})")
        self.n_queens = n_queens

    @property
    def genotype_constraints(self) -> dict[str, Any]:
        return {f"{letter}{axis}": list(range(BOARD)) for letter in LETTERS[: self.n_queens] for axis in "xy"}

    def get_fitness(self, genotype: dict[str, Any], seed: int = 0) -> tuple[float, bool]:
        """``(28 - clashes, clashes == 0)``; ``seed`` is unused (the game is deterministic)."""
        positions = [(genotype[f"{letter}x"], genotype[f"{letter}y"]) for letter in LETTERS[: self.n_queens]]
        clashes = count_clashes(positions)
        return float(MAX_FITNESS - clashes), clashes == 0

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "n_queens": self.n_queens}


__all__ = ["MetaNQueens", "count_clashes"]
