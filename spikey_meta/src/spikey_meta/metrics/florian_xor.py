"""``florian_xor``: XOR scores of a run: frozen accuracy and AUC, and Spikey 0.5's training-data score."""

from __future__ import annotations

from typing import Any

import attrs
from spikey_core.config import Integer, Real, param

from spikey_meta.experiments.scoring import (
    FLORIAN_KEYS,
    XOR_FROZEN_KEYS,
    flatten_episodes,
    florian_scores,
    xor_frozen_scores,
)


@attrs.frozen(kw_only=True)
class FlorianXORConfig:
    eval_steps: int = param(
        default=50,
        check=Integer(ge=4),
        doc="last training game steps of the 0.5 notebook score train_accuracy (a quarter per pattern)",
    )
    margin: float = param(
        default=0.02, check=Real(ge=0), doc="rate gap (spikes per step) the XOR-true patterns must win by"
    )
    threshold_patterns: int = param(
        default=100,
        check=Integer(ge=1),
        doc="last training game steps the frozen score's threshold is chosen on (never frozen data)",
    )


class FlorianXOR:
    """XOR scores: ``eval_accuracy`` / ``eval_auc`` frozen, ``train_accuracy`` and ``win`` in training.

    After training (loop setting ``eval_patterns``) and at each learning-curve point
    (``curve_every``), the frozen network is scored on fresh patterns with a threshold chosen on the
    last ``threshold_patterns`` training patterns
    (:func:`~spikey_meta.experiments.scoring.xor_frozen_scores`).
    At the end of the run, the 0.5 notebook score is added from the training signals, with learning
    on (:func:`~spikey_meta.experiments.scoring.florian_scores`); it needs the ``rl`` callback with
    ``measure_rates = true`` (signals ``step_states`` and ``step_outrates``).
    """

    Config = FlorianXORConfig

    def __init__(self, *, eval_steps: int = 50, margin: float = 0.02, threshold_patterns: int = 100) -> None:
        self.config = FlorianXORConfig(
            eval_steps=eval_steps, margin=margin, threshold_patterns=threshold_patterns
        )

    def result_keys(self, loop: Any) -> frozenset[str]:
        """The training scores, and the frozen ones when the loop has a frozen evaluation."""
        frozen = XOR_FROZEN_KEYS if getattr(loop.config, "eval_patterns", 0) else ()
        return frozenset((*FLORIAN_KEYS, *frozen))

    def frozen(self, network: Any, frozen: Any, training: Any) -> dict[str, Any]:
        """Frozen accuracy and AUC on fresh patterns; the threshold from training patterns only."""
        return xor_frozen_scores(
            frozen.states,
            frozen.rates,
            training.states,
            training.rates,
            threshold_patterns=self.config.threshold_patterns,
        )

    def __call__(self, network: Any, game: Any, results: dict, info: dict) -> dict[str, Any]:
        states = flatten_episodes(require(info, "step_states", "florian_xor"))
        rates = [float(r) for r in flatten_episodes(require(info, "step_outrates", "florian_xor"))]
        return florian_scores(states, rates, eval_steps=self.config.eval_steps, margin=self.config.margin)


def require(info: dict, key: str, metric: str) -> Any:
    """``info[key]``, or a clear error saying which callback setting records it."""
    if key not in info:
        raise KeyError(
            f'metric {metric!r} needs the signal {key!r}; use [callback] type = "rl" with '
            "measure_rates = true"
        )
    return info[key]
