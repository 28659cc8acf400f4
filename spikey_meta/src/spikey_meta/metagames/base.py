"""The meta-game protocol: what a Population optimises.

A meta-game is *not* a game of the kernel (no observations, actions or episodes, nothing a
network could play), so meta-games are plain classes and are not registered under kind "game".
A meta-game provides:

``genotype_constraints`` : dict
    ``{key: constraint}``; see :func:`spikey_meta.population.check_constraints` for the forms.
``get_fitness(genotype, seed) -> (fitness, terminate)``
    ``fitness`` is a float (higher is better); ``terminate`` True stops the population after the
    current epoch. ``seed`` is an int derived from the population seed and the genotype, so a
    genotype's fitness is reproducible and cacheable. It runs in worker processes, so the
    meta-game must pickle (no lambdas).
``describe() -> dict``
    JSON-friendly settings, recorded in the summary and in the population's config fingerprint.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MetaGame:
    """Base class of meta-games; subclasses set ``GENOTYPE_CONSTRAINTS`` and ``get_fitness``."""

    GENOTYPE_CONSTRAINTS: ClassVar[dict[str, Any]] = {}

    @property
    def genotype_constraints(self) -> dict[str, Any]:
        return dict(self.GENOTYPE_CONSTRAINTS)

    def get_fitness(self, genotype: dict[str, Any], seed: int) -> tuple[float, bool]:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"class": f"{type(self).__module__}:{type(self).__qualname__}"}


__all__ = ["MetaGame"]
