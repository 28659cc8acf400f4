"""Base of the loops that run one network for a long stretch of simulated time (Izhikevich 2007)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from spikey_core import Network, TrainingLoop, seeding


class LongRunLoop(TrainingLoop):
    """One network, built from the spec with the experiment seed, run for ``duration`` game steps.

    Subclasses list their results in ``RESULT_KEYS`` and prepare the network in :meth:`build`
    (which ``validate`` runs, so a bad spec fails before anything runs), starting from
    :meth:`make_network`.
    """

    RESULT_KEYS: ClassVar[tuple[str, ...]] = ()

    def validate(self) -> None:
        self.build()

    def result_keys(self) -> frozenset[str] | None:
        return self.part_result_keys(*self.RESULT_KEYS)

    def make_network(self) -> Network:
        """The network of the spec, its generators derived from the experiment seed."""
        return Network.from_spec(
            self.spec, seed=seeding.child(self.spec.get("seed"), "network"), registry=self.registry
        )

    def start_run(self) -> tuple[Any, Network]:
        """The run's callback (reset with the experiment's parameters) and its network, built and reset."""
        self.callback = callback = self.make_callback()
        callback.reset(**self.experiment_params())
        network = self.build()
        network.reset()
        return callback, network

    def build(self) -> Network:  # pragma: no cover - abstract
        raise NotImplementedError


def save_figure(figure: Any, path: Path) -> Path:
    """``figure`` laid out, written to ``path`` (PNG, 110 dpi) and closed; returns ``path``."""
    import matplotlib.pyplot as plt

    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
