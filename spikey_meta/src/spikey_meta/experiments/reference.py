"""The registered reference experiments (Florian 2007 XOR, Izhikevich 2007 conditioning).

Each is its TOML file; the metrics that judge a run are named in the file's ``[metrics]`` table
(see :mod:`spikey_meta.metrics`), so a copied or edited file keeps them, and the standard plots
come from the ``rl`` callback the file names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from spikey_core import Experiment
from spikey_meta.experiments.classical_conditioning import plot_classical_conditioning
from spikey_meta.experiments.distal_reward import plot_distal_reward
from spikey_meta.experiments.rule_comparison import plot_rule_comparison

PACKAGE = "spikey_meta.experiments"


class ReferenceExperiment(Experiment):
    """A shipped experiment: its TOML specification (metrics and callback included)."""


class FlorianRateXOR(ReferenceExperiment):
    """Florian (2007) §4 rate-coded XOR: 60 inputs, 60 hidden, 1 output, patterns of 500 ms, mstdp."""

    description = "Florian 2007 rate-coded XOR (mstdp, per-spike reward, frozen evaluation)"
    toml: ClassVar[tuple[str, str]] = (PACKAGE, "florian-rate-xor.toml")


class ControlRun:
    """Mixin: the experiment it precedes in the bases, without learning (learning rate 0) and,
    when ``control_patterns`` is set, with only that many game steps. Schedules of the learning
    rate (``modifiers`` with ``param = "synapse.learning_rate"``) are dropped, since they would set
    it back above 0."""

    control_patterns: ClassVar[int | None] = None

    @classmethod
    def load_spec(cls) -> dict[str, Any]:
        spec = super().load_spec()  # type: ignore[misc]
        spec["name"] = spec["name"] + "-control"
        spec["synapse"]["learning_rate"] = 0.0
        if "modifiers" in spec:
            spec["modifiers"] = [m for m in spec["modifiers"] if not schedules_learning_rate(m)]
        if cls.control_patterns is not None:
            spec["loop"]["len_episode"] = cls.control_patterns
        return spec


def schedules_learning_rate(modifier: Any) -> bool:
    """Whether a ``[[modifiers]]`` entry schedules ``synapse.learning_rate``."""
    return isinstance(modifier, dict) and modifier.get("param") == "synapse.learning_rate"


class FlorianRateXORControl(ControlRun, FlorianRateXOR):
    """The control of the rate-coded XOR: learning rate 0, 50 patterns (expected: no win)."""

    description = "control of florian-rate-xor: no learning, 50 patterns"
    control_patterns = 50


class FlorianTemporalXOR(FlorianRateXOR):
    """Florian (2007) §4 temporally coded XOR: inputs replaying frozen spike trains, mstdp."""

    description = "Florian 2007 temporally coded XOR (mstdp, per-spike reward, frozen evaluation)"
    toml = (PACKAGE, "florian-temporal-xor.toml")


class FlorianTemporalXORControl(ControlRun, FlorianTemporalXOR):
    """The control of the temporal XOR: learning rate 0, 50 patterns (expected: no win)."""

    description = "control of florian-temporal-xor: no learning, 50 patterns"
    control_patterns = 50


class Spikey05RateXOR(FlorianRateXOR):
    """Spikey 0.5's rate-coded XOR notebook configuration (rlstdp, random firing), scored frozen."""

    description = "Spikey 0.5's rate-coded XOR configuration (800 patterns, rlstdp), frozen score"
    toml = (PACKAGE, "spikey05-rate-xor.toml")


class Spikey05TemporalXOR(FlorianRateXOR):
    """Spikey 0.5's temporally coded XOR notebook configuration, scored frozen."""

    description = "Spikey 0.5's temporal XOR configuration (800 patterns, rlstdp), frozen score"
    toml = (PACKAGE, "spikey05-temporal-xor.toml")


class Spikey05Conditioning(ReferenceExperiment):
    """Spikey 0.5's conditioning toy: rewarded stimuli come to drive the outputs.

    Named after the configuration of the original Spikey notebook, which called it Izhikevich
    (2007) classical conditioning; it is not that paper's network (100 inputs feed 50 threshold
    units with a potentiation-only rule and the reward arrives in the same 100 ms step). The
    paper's own experiment is ``izhikevich2007-distal-reward``.
    """

    description = "Spikey 0.5 conditioning toy (10 stimuli, reward on 0, 3, 6, 9; ltp, same-step reward)"
    toml = (PACKAGE, "spikey05-conditioning.toml")


class Spikey05ConditioningControl(ControlRun, Spikey05Conditioning):
    """The control of the conditioning experiment: learning rate 0."""

    description = "control of spikey05-conditioning: no learning"


class FlorianFig1(Experiment):
    """Florian (2007) Fig. 1: rlstdp, mstdp and mstdpet on one synapse beside the paper's MSTDPET curve."""

    description = "Florian 2007 Fig. 1: learning rules on one synapse with prescribed spikes"
    toml = (PACKAGE, "florian-fig1.toml")

    def write_outputs(
        self, folder: Path, stem: str, network: Any, game: Any, results: dict, info: dict
    ) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}-weights.png"
        plot_rule_comparison(info, path)
        return [path]


class Izhikevich2007DistalReward(Experiment):
    """Izhikevich (2007) Fig. 1: one synapse among 80,000 learns from a reward delayed by 1-3 s."""

    description = "Izhikevich 2007 Fig. 1 distal reward: 1,000 neurons, da_stdp, one rewarded synapse, 1 h"
    toml = (PACKAGE, "izhikevich2007-distal-reward.toml")

    def write_outputs(
        self, folder: Path, stem: str, network: Any, game: Any, results: dict, info: dict
    ) -> list[Path]:
        return plot_distal_reward(info, results, folder, stem)


class Izhikevich2007DistalRewardDelays(Izhikevich2007DistalReward):
    """Izhikevich (2007) Fig. 1 with 1-20 ms excitatory delays, the reward counted from the arrival."""

    description = (
        "Izhikevich 2007 Fig. 1 with 1-20 ms excitatory delays (da_stdp by arrival; reward window from "
        "the arrival)"
    )
    toml = (PACKAGE, "izhikevich2007-distal-reward-delays.toml")


class Izhikevich2007Conditioning(Experiment):
    """Izhikevich (2007) Fig. 2: the network learns to answer the one stimulus of 100 that is rewarded."""

    description = (
        "Izhikevich 2007 Fig. 2 classical conditioning: 100 stimuli, S1 rewarded 1-1000 ms later, 1 h"
    )
    toml = (PACKAGE, "izhikevich2007-conditioning.toml")

    def write_outputs(
        self, folder: Path, stem: str, network: Any, game: Any, results: dict, info: dict
    ) -> list[Path]:
        return plot_classical_conditioning(info, results, folder, stem)
