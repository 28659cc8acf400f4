"""A loop that drives learning rules on one synapse with prescribed spike times (Florian 2007 Fig. 1)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, Check, Integer, MappingCheck, Real, from_dict, param
from spikey_core.errors import ConfigError
from spikey_core.spec import Problems

from spikey_core import BuildContext, TrainingLoop, get_registry


class RuleNames(Check):
    """A non-empty list of distinct names."""

    def problem(self, value: Any) -> str | None:
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
            return f"must be a non-empty list of rule names (got {value!r})"
        if not all(isinstance(v, str) for v in value) or len(set(value)) != len(value):
            return f"must be distinct rule names (got {value!r})"
        return None

    def summary(self) -> str:
        return "list of names"


def _times() -> Any:
    return ArrayLike(ndim=1, ge=0)


@attrs.frozen(kw_only=True)
class RuleComparisonConfig:
    duration: int = param(default=200, check=Integer(ge=1), doc="simulated time, in network steps of dt ms")
    dt: float = param(default=1.0, check=Real(gt=0), doc="step length, in ms")
    pre_times: Any = param(
        factory=lambda: [5, 80, 115, 135], check=_times(), doc="steps at which the presynaptic unit spikes"
    )
    post_times: Any = param(
        factory=lambda: [10, 70, 110, 140],
        check=_times(),
        doc="steps at which the postsynaptic neuron spikes",
    )
    reward_switch: int = param(
        default=100, check=Integer(ge=0), doc="last step of reward_before; reward_after from the next step on"
    )
    reward_before: float = param(
        default=1.0, check=Real(), doc="reward delivered at every step up to reward_switch"
    )
    reward_after: float = param(
        default=-1.0, check=Real(), doc="reward delivered at every step after reward_switch"
    )
    initial_weight: float = param(default=0.2, check=Real(ge=0), doc="starting weight of the synapse")
    max_weight: float = param(default=10.0, check=Real(gt=0), doc="upper bound of the weight")
    rules: Any = param(
        factory=lambda: ["rlstdp", "mstdp", "mstdpet"],
        check=RuleNames(),
        doc="registered learning rules to compare",
    )
    settings: Any = param(
        factory=dict, check=MappingCheck(), doc="settings per rule: {rule = {field = value}}"
    )


class _Unit:
    def __init__(self) -> None:
        self.polarities = np.ones(1)
        self.magnitude = 1.0


class OneSynapse:
    """Weight object of one presynaptic unit onto one neuron (the neuron's self-synapse absent)."""

    def __init__(self, value: float, max_weight: float):
        self.matrix = np.array([[value], [0.0]])
        self.mask = np.array([[True], [False]])
        self.max_weight = max_weight

    def clip(self) -> None:
        np.clip(self.matrix, 0.0, self.max_weight, out=self.matrix)
        self.matrix *= self.mask


class RuleComparisonLoop(TrainingLoop):
    """Drive each rule through the same pre/post spike times and reward signal; record the weight.

    At every step ``t`` (``0 .. duration``) each rule gets ``step([t in pre_times, t in
    post_times])`` then ``reward(r(t))`` with ``r = reward_before`` up to ``reward_switch`` and
    ``reward_after`` afterwards. Beside the rules, the reference trajectory of Florian's MSTDPET
    equations (the ``mstdpet`` settings, written out as plain floats) is computed.

    Returns ``None, None, results, info``: ``results`` holds ``<rule>_peak`` and ``<rule>_final``
    weights (and ``reference_peak`` / ``reference_final``); ``info`` the trajectories and the
    spike times.
    """

    Config = RuleComparisonConfig

    def validate(self) -> None:
        self._rules()

    def total_steps(self) -> int:
        return (self.config.duration + 1) * len(self.config.rules)

    def _rules(self) -> dict[str, Any]:
        registry = get_registry()
        problems, rules = Problems(), {}
        for name in self.config.rules:
            with problems.collect():
                try:
                    cls = registry.get("synapse", name)
                except LookupError as error:
                    raise ConfigError(f"$.loop.rules: {error}") from None
                settings = dict(self.config.settings.get(name, {}))
                rules[name] = (cls, from_dict(cls.Config, settings, address=f"$.loop.settings.{name}"))
        for name in self.config.settings:
            if name not in self.config.rules:
                problems.add(
                    f"$.loop.settings.{name}: not one of the compared rules {list(self.config.rules)}"
                )
        problems.raise_if_any()
        return rules

    def __call__(self) -> tuple[None, None, dict, dict]:
        config = self.config
        self.callback = callback = self.make_callback()
        callback.reset(**self.experiment_params())
        pre, post = (
            set(np.asarray(config.pre_times, int).tolist()),
            set(np.asarray(config.post_times, int).tolist()),
        )
        trajectories = {}
        for name, (cls, rule_config) in self._rules().items():
            trajectories[name] = self._drive(cls, rule_config, pre, post)
        mstdpet = dict(self.config.settings.get("mstdpet", {}))
        trajectories["reference"] = florian_reference(config, pre, post, **mstdpet)
        results = callback.results
        for name, weights in trajectories.items():
            results[f"{name}_peak"] = float(np.max(weights))
            results[f"{name}_final"] = float(weights[-1])
        callback.info.update(
            weights=trajectories,
            pre_times=sorted(pre),
            post_times=sorted(post),
            rewards=[self._reward(t) for t in range(config.duration + 1)],
        )
        callback.training_end()
        return None, None, results, callback.info

    def _reward(self, t: int) -> float:
        return self.config.reward_before if t <= self.config.reward_switch else self.config.reward_after

    def _drive(self, cls: Any, rule_config: Any, pre: set, post: set) -> np.ndarray:
        config = self.config
        weight = OneSynapse(config.initial_weight, config.max_weight)
        ctx = BuildContext(
            n_inputs=1,
            n_neurons=1,
            n_outputs=1,
            processing_time=1,
            dt=config.dt,
            parts={"input": _Unit(), "neuron": _Unit(), "weight": weight},
        )
        rule = cls(rule_config, ctx)
        rule.reset()
        trajectory = np.zeros(config.duration + 1)
        for t in range(config.duration + 1):
            rule.step(np.array([t in pre, t in post]))
            rule.reward(self._reward(t))
            trajectory[t] = weight.matrix[0, 0]
            if self.progress is not None:
                self.progress.update(1)
        return trajectory


def florian_reference(
    config: RuleComparisonConfig,
    pre: set,
    post: set,
    *,
    learning_rate: float = 0.2,
    tau_z: float = 25.0,
    tau_plus: float = 20.0,
    tau_minus: float = 20.0,
    a_plus: float = 1.0,
    a_minus: float = -1.0,
) -> np.ndarray:
    """Florian's (2007) MSTDPET equations for one synapse, as plain floats (no Spikey part)."""
    dt = config.dt
    w, p_plus, p_minus, z = config.initial_weight, 0.0, 0.0, 0.0
    trajectory = np.zeros(config.duration + 1)
    for t in range(config.duration + 1):
        f_pre, f_post = float(t in pre), float(t in post)
        p_plus = p_plus * math.exp(-dt / tau_plus) + a_plus * f_pre
        p_minus = p_minus * math.exp(-dt / tau_minus) + a_minus * f_post
        z = z * (1 - dt / tau_z) + (p_plus * f_post + p_minus * f_pre) / tau_z
        reward = config.reward_before if t <= config.reward_switch else config.reward_after
        w = min(max(w + learning_rate * dt * reward * z, 0.0), config.max_weight)
        trajectory[t] = w
    return trajectory


def plot_rule_comparison(info: Mapping[str, Any], path: Any = None) -> Any:
    """Weight per step of every rule beside the reference MSTDPET curve, spikes and reward below."""
    from spikey_meta.viz._figure import finish, new_figure

    figure = new_figure(figsize=(8, 5))
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    for name, weights in info["weights"].items():
        style = {"color": "black", "linestyle": "--"} if name == "reference" else {}
        top.plot(
            np.arange(len(weights)),
            weights,
            label=name if name != "reference" else "Florian 2007 MSTDPET",
            **style,
        )
    top.set_ylabel("weight")
    top.legend()
    top.set_title("learning rules on one synapse (Florian 2007, Fig. 1)")
    bottom.eventplot(
        [info["pre_times"], info["post_times"]], lineoffsets=[1, 0], colors=["tab:blue", "tab:orange"]
    )
    bottom.plot(np.arange(len(info["rewards"])), np.asarray(info["rewards"]) * 0.4 + 0.5, color="gray")
    bottom.set_yticks([0, 1], ["post", "pre"])
    bottom.set_xlabel("time step (ms)")
    return finish(figure, path)
