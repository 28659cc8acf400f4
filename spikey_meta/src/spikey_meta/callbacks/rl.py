"""``RLCallback``: the standard reinforcement-learning signals of a run.

Signals (``info`` unless noted; list signals hold one list per episode, see
:mod:`spikey_meta.callbacks.experiment`):

=====================  ========================================================  ======================
key                    value                                                     recorded when
=====================  ========================================================  ======================
step_states            the state of every game step (``network_tick``)           always
step_actions           the action of every game step                             always
step_rewards           the reward of every game step (``network_reward``)        always
episode_lens           game steps per episode, list of int                       always
start_time             ``time.time()`` at ``network_init``, s                    always
finish_time            ``time.time()`` at ``training_end``, s                    always
results.total_time     finish_time - start_time, s                               always
tick_rewards           per-network-step rewards of each tick, float (P,)         not reduced, step mode
weights_original       every weight at ``network_init`` (see below)              not reduced
weights_final          every weight at ``training_end`` (see below)              not reduced
step_inrates           mean spikes per input unit per network step in the tick   measure_rates
step_sysrates          the same for hidden body neurons (0.0 when none)          measure_rates
step_outrates          the same for output neurons                               measure_rates
=====================  ========================================================  ======================

Rates are fractions in [0, 1]: spikes / (units x processing_time) of the tick's
``network.spike_log``; divide by ``dt`` (ms) for spikes per ms.

Weights are recorded in the weight part's own layout, ``weight.values`` of the weight protocol
(a copy): float (U, N) for the dense weights (``random``, ``manual``), float (S,) in synapse-id
order for ``sparse`` (``weight.synapses_from(rows)`` gives the ids with their pre and post units),
so no dense (U, N) array is ever formed for a sparse network. A learning rule that integrates
weights lazily (``da_stdp``) is brought up to date with its ``sync()`` before the read.
"""

from __future__ import annotations

import time
from typing import Any

import attrs
import numpy as np
from spikey_core.config import Boolean, param

from spikey_meta.callbacks.experiment import ExperimentCallback


@attrs.frozen(kw_only=True)
class RLCallbackConfig:
    """Settings of :class:`RLCallback` (the ``[callback]`` section with ``type = "rl"``)."""

    reduced: bool = param(
        default=False,
        check=Boolean(),
        doc="drop the heavy signals: tick_rewards, weights_original and weights_final",
    )
    measure_rates: bool = param(
        default=False,
        check=Boolean(),
        doc="record step_inrates, step_sysrates and step_outrates: spikes per unit per network step "
        "over each tick, in [0, 1]",
    )


class RLCallback(ExperimentCallback):
    """Records states, actions, rewards, episode lengths, timing and optionally weights and rates.

    Parameters
    ----------
    reduced : bool
        Drop the heavy signals (see :class:`RLCallbackConfig`).
    measure_rates : bool
        Record per-tick firing rates of inputs, hidden neurons and outputs.
    """

    Config = RLCallbackConfig

    def __init__(self, *, reduced: bool = False, measure_rates: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = RLCallbackConfig(reduced=reduced, measure_rates=measure_rates)
        self.reduced, self.measure_rates = reduced, measure_rates
        self._reset_time = time.time()
        self.track("network_tick", "info", "step_states", "state", "list")
        self.track("network_tick", "info", "step_actions", "action", "list")
        self.track("network_reward", "info", "step_rewards", "reward", "list")
        if not reduced:
            self.track(
                "network_tick", "info", "tick_rewards", "network.tick_rewards", "list", when=self._per_step
            )
            self.track("network_init", "info", "weights_original", self.weight_values, "scalar")
            self.track("training_end", "info", "weights_final", self.weight_values, "scalar")
        if measure_rates:
            self.track("network_tick", "info", "step_inrates", self.input_rate, "list")
            self.track("network_tick", "info", "step_sysrates", self.hidden_rate, "list")
            self.track("network_tick", "info", "step_outrates", self.output_rate, "list")

    # -- events -----------------------------------------------------------------------------------
    def reset(self, **experiment_params: Any) -> None:
        super().reset(**experiment_params)
        self.info["episode_lens"] = []
        self._reset_time = time.time()

    def network_init(self, *, network: Any) -> None:
        super().network_init(network=network)
        self.info["start_time"] = time.time()

    def network_reset(self) -> None:
        lens = self.info.setdefault("episode_lens", [])
        if self._resets_seen > 1 or not lens:  # steps before the first reset count to episode 1
            lens.append(0)

    def network_tick(self, *, state: Any, action: Any) -> None:
        lens = self.info.setdefault("episode_lens", [])
        if not lens:
            lens.append(0)
        lens[-1] += 1

    def training_end(self) -> None:
        finish = time.time()
        self.info["finish_time"] = finish
        self.results["total_time"] = finish - self.info.get("start_time", self._reset_time)

    def result_keys(self, loop: Any) -> frozenset[str]:
        """``total_time`` and the tracked ``results`` signals."""
        return super().result_keys(loop) | {"total_time"}

    # -- measured quantities ----------------------------------------------------------------------
    def weight_values(self) -> np.ndarray:
        """Every stored weight now, a copy of ``weight.values``: float (U, N) dense, (S,) sparse.

        A learning rule with a ``sync()`` method (lazy integration, ``da_stdp``) is synced first,
        so the values are those of the current step.
        """
        sync = getattr(self.network.synapse, "sync", None)
        if callable(sync):
            sync()
        return np.array(self.network.weight.values, copy=True)

    def _per_step(self) -> bool:
        return getattr(self.network, "reward_mode", None) == "step"

    def _rate(self, start: int, stop: int) -> float:
        block = self.network.spike_log[:, start:stop]
        return float(block.mean()) if block.size else 0.0

    def input_rate(self) -> float:
        """Mean spikes per input unit per network step in the last tick, in [0, 1]."""
        return self._rate(0, self.network.n_inputs)

    def hidden_rate(self) -> float:
        """Mean spikes per hidden (non-output) body neuron per network step in the last tick."""
        n_units = np.shape(self.network.spike_log)[1]
        return self._rate(self.network.n_inputs, n_units - self.network.n_outputs)

    def output_rate(self) -> float:
        """Mean spikes per output neuron per network step in the last tick."""
        n_units = np.shape(self.network.spike_log)[1]
        return self._rate(n_units - self.network.n_outputs, n_units)
