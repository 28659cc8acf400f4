"""Experiments: a named, runnable specification plus the metrics that judge its outcome.

Plugins register experiments under kind ``"experiment"``; ``spikey run NAME`` runs them. An
experiment is a subclass of :class:`Experiment` that provides its specification (``spec`` as a
dict, or ``toml`` naming a TOML file shipped in the plugin's package) and, optionally, a
``metrics`` method that turns a finished run into a table of numbers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from spikey_core.evaluation import Record, mean_reward_metrics
from spikey_core.loops import TrainingLoop, make_loop
from spikey_core.result_keys import reports
from spikey_core.spec import load_toml, trust_imports


class Experiment:
    """A runnable experiment.

    Attributes
    ----------
    description : str
        One line shown by ``spikey parts experiment``.
    spec : mapping
        The specification (see :mod:`spikey_core.spec`); used when ``toml`` is empty.
    toml : tuple of (package, resource name), optional
        A TOML specification shipped as package data, e.g. ``("spikey_meta.experiments",
        "florian-rate-xor.toml")``.
    """

    description: ClassVar[str] = ""
    spec: ClassVar[Mapping[str, Any]] = {}
    toml: ClassVar[tuple[str, str] | None] = None

    @classmethod
    def load_spec(cls) -> dict[str, Any]:
        """A fresh copy of the specification."""
        if cls.toml is not None:
            package, name = cls.toml
            with resources.as_file(resources.files(package) / name) as path:
                return load_toml(path)
        return copy.deepcopy(dict(cls.spec))

    @reports()
    def metrics(self, network: Any, game: Any, results: dict, info: dict) -> dict[str, Any]:
        """Numbers that summarise one finished run (default: none beyond ``results``).

        An override declares the keys it returns with :func:`~spikey_core.result_keys.reports`, so
        a search can check its fitness key before any run.
        """
        return {}

    def result_keys(self) -> frozenset[str] | None:
        """The ``results`` keys a run of this experiment reports, or None when a part cannot say
        (:meth:`~spikey_core.loops.TrainingLoop.result_keys` of :meth:`make_loop`)."""
        return self.make_loop().result_keys()

    @reports("eval_reward")
    def frozen_metrics(self, network: Any, frozen: Record, training: Record) -> dict[str, Any]:
        """Score a frozen run (learning off, fresh patterns) given the training record.

        Called for the evaluation after training (loop setting ``eval_patterns``) and for every
        learning-curve point (``curve_every``). Anything fitted for the score (a threshold, a
        readout) must come from ``training``, never from ``frozen``. Default: ``eval_reward``, the
        mean reward per game step of the frozen run. An override declares its keys with
        :func:`~spikey_core.result_keys.reports`.
        """
        return mean_reward_metrics(network, frozen, training)

    def write_outputs(
        self, folder: Path, stem: str, network: Any, game: Any, results: dict, info: dict
    ) -> list[Path]:
        """Files (plots, tables) describing a finished run, written into ``folder`` with names
        starting ``stem``; returns their paths. Default: none."""
        return []

    def make_loop(self, spec: Mapping[str, Any] | None = None, **kwargs: Any) -> TrainingLoop:
        """The training loop for ``spec`` (default: this experiment's own); its runs end with
        this experiment's :meth:`metrics` added to ``results``."""
        loop = make_loop(self.load_spec() if spec is None else spec, **kwargs)
        loop.metrics = self.metrics
        loop.frozen_metrics = self.frozen_metrics
        return loop


class FileExperiment(Experiment):
    """An experiment read from a TOML file given on the command line.

    Parameters
    ----------
    path : str or Path
        The TOML specification.
    allow_imports : bool
        Trust the file's ``module:Class`` import paths (see :func:`~spikey_core.spec.trust_imports`);
        by default it may name registered parts only.
    """

    def __init__(self, path: str | Path, *, allow_imports: bool = False):
        self.path = Path(path)
        self._spec = load_toml(self.path)
        if allow_imports:
            self._spec = trust_imports(self._spec)

    def load_spec(self) -> dict[str, Any]:  # type: ignore[override]
        return copy.deepcopy(self._spec)
