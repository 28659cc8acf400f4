"""A loop that drives learning rules on one synapse with prescribed spike times (Florian 2007 Fig. 1)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, Check, Integer, MappingCheck, Optional, Real, from_dict, param
from spikey_core.errors import ConfigError
from spikey_core.registry import registry_or_loaded
from spikey_core.spec import Problems
from spikey_core.weights import DenseWeight

from spikey_core import BuildContext, TrainingLoop


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
    reward_switch: float = param(
        default=100.0,
        check=Real(ge=0),
        doc=(
            "time (ms) at which the reward signal switches from reward_before to reward_after; the "
            "reward delivered after step t holds over (t, t + dt], so steps t < reward_switch get "
            "reward_before"
        ),
    )
    reward_before: float = param(default=1.0, check=Real(), doc="reward before reward_switch")
    reward_after: float = param(default=-1.0, check=Real(), doc="reward from reward_switch on")
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
    weight: Any = param(
        default=None,
        check=Optional(MappingCheck()),
        doc=(
            "the weight part holding the synapse, {type = name, **settings} (max_weight defaults to "
            "the loop's); it must have the synapse from the input onto the neuron, which starts at "
            "initial_weight. None: a dense weight with that one synapse"
        ),
    )


class _Unit:
    def __init__(self) -> None:
        self.polarities = np.ones(1)
        self.magnitude = 1.0


def one_synapse(value: float, max_weight: float) -> DenseWeight:
    """Weight object of one presynaptic unit onto one neuron (the neuron's self-synapse absent)."""
    return DenseWeight.from_arrays([[value], [0.0]], [[True], [False]], max_weight=max_weight)


class RuleComparisonLoop(TrainingLoop):
    """Drive each rule through the same pre/post spike times and reward signal; record the weight.

    At every step ``t`` (``0 .. duration - 1``, times ``t dt`` ms) each rule gets
    ``step([t in pre_times, t in post_times])`` then ``reward(r)`` with ``r = reward_before``
    while ``t dt < reward_switch`` and ``reward_after`` afterwards; that reward holds over
    ``(t dt, (t + 1) dt]``, so the weight after it is the weight at time ``(t + 1) dt``. Each
    trajectory therefore has ``duration + 1`` samples at ``0, dt, ..., duration dt`` (the first is
    the initial weight). Beside the rules, the closed-form solution of Florian's MSTDPET ODEs
    (with the ``mstdpet`` settings) is evaluated at the same times, independently of any part.

    Returns ``None, None, results, info``: ``results`` holds ``<rule>_peak`` and ``<rule>_final``
    weights (and ``reference_peak`` / ``reference_final``) and ``<rule>_max_error``, the largest
    absolute difference from the reference; ``info`` the trajectories, times and spike times.
    """

    Config = RuleComparisonConfig

    def validate(self) -> None:
        self._rules()
        self._weight_class()

    def _weight_class(self) -> Any:
        """The configured weight part's class and settings, or None for the default dense synapse."""
        spec = self.config.weight
        if spec is None:
            return None
        settings = dict(spec)
        name = settings.pop("type", None)
        if not isinstance(name, str):
            raise ConfigError('$.loop.weight.type: missing; name a registered weight, e.g. "sparse"')
        try:
            cls = registry_or_loaded(self.registry).get("weight", name)
        except LookupError as error:
            raise ConfigError(f"$.loop.weight.type: {error}") from None
        settings.setdefault("max_weight", self.config.max_weight)
        return cls, from_dict(cls.Config, settings, address="$.loop.weight")

    def _one_synapse(self, ctx: BuildContext) -> tuple[Any, int]:
        """The weight part and the id of its synapse from the input (unit 0) onto the neuron (0).

        Read and written only through the weight protocol (``synapses_from``, ``add_at``,
        ``values``), so any weight layout works; the synapse starts at ``initial_weight``.
        """
        config = self.config
        built = self._weight_class()
        if built is None:
            return one_synapse(config.initial_weight, config.max_weight), 0
        cls, settings = built
        weight = cls(settings, ctx)
        ids, _, post = weight.synapses_from(np.array([0]))
        ids = ids[post == 0]
        if ids.size != 1:
            raise ConfigError(
                f"$.loop.weight: the {cls.__name__} weight has no synapse from the input onto the "
                "neuron; give it one (e.g. connection_probability = 1.0)"
            )
        synapse = int(ids[0])
        start = float(weight.values.reshape(-1)[synapse])
        weight.add_at(ids, np.array([-start]))  # exactly 0, then exactly initial_weight
        weight.add_at(ids, np.array([config.initial_weight]))
        return weight, synapse

    def total_steps(self) -> int:
        return self.config.duration * len(self.config.rules)

    def result_keys(self) -> frozenset[str] | None:
        rules = list(self.config.rules)
        own = [f"{name}_{what}" for name in [*rules, "reference"] for what in ("peak", "final")]
        return self.part_result_keys(*own, *(f"{name}_max_error" for name in rules))

    def _rules(self) -> dict[str, Any]:
        registry = registry_or_loaded(self.registry)
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
        mstdpet = {
            key: value
            for key, value in self.config.settings.get("mstdpet", {}).items()
            if key in REFERENCE_SETTINGS
        }
        times = np.arange(config.duration + 1) * config.dt
        reference = florian_closed_form(config, times, sorted(pre), sorted(post), **mstdpet)
        trajectories["reference"] = reference
        results = callback.results
        for name, weights in trajectories.items():
            results[f"{name}_peak"] = float(np.max(weights))
            results[f"{name}_final"] = float(weights[-1])
            if name != "reference":
                results[f"{name}_max_error"] = float(np.max(np.abs(weights - reference)))
        callback.info.update(
            weights=trajectories,
            times=times.tolist(),
            pre_times=sorted(pre),
            post_times=sorted(post),
            rewards=[self._reward(t) for t in range(config.duration)],
        )
        callback.training_end()
        return None, None, results, callback.info

    def _reward(self, t: int) -> float:
        """The reward after step ``t``, holding over ``(t dt, (t + 1) dt]``."""
        config = self.config
        return config.reward_before if t * config.dt < config.reward_switch else config.reward_after

    def _drive(self, cls: Any, rule_config: Any, pre: set, post: set) -> np.ndarray:
        config = self.config
        shape = {"n_inputs": 1, "n_neurons": 1, "n_outputs": 1, "processing_time": 1, "dt": config.dt}
        weight, synapse = self._one_synapse(BuildContext(**shape, rng=np.random.default_rng(0)))
        ctx = BuildContext(**shape, parts={"input": _Unit(), "neuron": _Unit(), "weight": weight})
        rule = cls(rule_config, ctx)
        rule.reset()
        sync = getattr(rule, "sync", None)  # a lazy rule brings the weights up to date first

        def read() -> float:
            if callable(sync):
                sync()
            return float(weight.values.reshape(-1)[synapse])  # synapse ids index the flat values

        trajectory = np.zeros(config.duration + 1)
        trajectory[0] = read()
        for t in range(config.duration):
            rule.step(np.array([t in pre, t in post]))
            rule.reward(self._reward(t))
            trajectory[t + 1] = read()
            if self.progress is not None:
                self.progress.update(1)
        return trajectory


REFERENCE_SETTINGS = ("learning_rate", "tau_z", "tau_plus", "tau_minus", "a_plus", "a_minus")


def florian_closed_form(
    config: RuleComparisonConfig,
    times: np.ndarray,
    pre: list[int],
    post: list[int],
    *,
    learning_rate: float = 0.2,
    tau_z: float = 25.0,
    tau_plus: float = 20.0,
    tau_minus: float = 20.0,
    a_plus: float = 1.0,
    a_minus: float = -1.0,
) -> np.ndarray:
    """The exact solution of Florian's (2007) MSTDPET equations for one synapse, at ``times`` (ms).

    .. math::

        \\tau_z \\dot z = -z + \\zeta(t), \\qquad \\dot w = \\gamma\\, r(t)\\, z, \\qquad
        \\zeta = P^+ \\textstyle\\sum \\delta(t - t_{post}) + P^- \\sum \\delta(t - t_{pre})

    with all-to-all traces ``P+ = A+ sum exp(-(t - t_pre)/tau+)`` and likewise ``P-``. Between
    events ``z`` decays exponentially and ``r`` is piecewise constant (``reward_before`` until
    ``reward_switch``, then ``reward_after``), so the state is propagated segment by segment with
    exact exponentials; ``w`` is clipped to ``[0, max_weight]`` at the sample times. Computed from
    the spike times alone, never through a Spikey part.
    """
    dt = config.dt
    jumps: dict[float, float] = {}
    for t_post in post:
        size = sum(a_plus * math.exp(-(t_post - t) * dt / tau_plus) for t in pre if t <= t_post)
        jumps[t_post * dt] = jumps.get(t_post * dt, 0.0) + size / tau_z
    for t_pre in pre:
        size = sum(a_minus * math.exp(-(t_pre - t) * dt / tau_minus) for t in post if t <= t_pre)
        jumps[t_pre * dt] = jumps.get(t_pre * dt, 0.0) + size / tau_z
    cuts = sorted({*jumps, config.reward_switch, *(float(t) for t in times)})
    w, z, now, out = config.initial_weight, 0.0, 0.0, {}
    for cut in cuts:
        if cut > now:  # advance over (now, cut]: the reward is constant on it
            reward = config.reward_before if now < config.reward_switch else config.reward_after
            decay = math.exp(-(cut - now) / tau_z)
            w += learning_rate * reward * z * tau_z * (1.0 - decay)
            z *= decay
            now = cut
        w = min(max(w, 0.0), config.max_weight)
        out[cut] = w
        z += jumps.get(cut, 0.0)  # a spike at cut changes z for the time after it
    return np.array([out[float(t)] for t in times])


def plot_rule_comparison(info: Mapping[str, Any], path: Any = None) -> Any:
    """Weight per step of every rule beside the reference MSTDPET curve, spikes and reward below."""
    from spikey_meta.viz._figure import finish, new_figure

    figure = new_figure(figsize=(8, 5))
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    for name, weights in info["weights"].items():
        style = {"color": "black", "linestyle": "--"} if name == "reference" else {}
        times = info.get("times", np.arange(len(weights)))
        top.plot(
            times,
            weights,
            label=name if name != "reference" else "Florian 2007 MSTDPET (exact solution)",
            **style,
        )
    top.set_ylabel("weight")
    top.legend()
    top.set_title("learning rules on one synapse (Florian 2007, Fig. 1)")
    bottom.eventplot(
        [info["pre_times"], info["post_times"]], lineoffsets=[1, 0], colors=["tab:blue", "tab:orange"]
    )
    bottom.step(
        info.get("times", np.arange(len(info["rewards"]) + 1)),
        np.append(info["rewards"], info["rewards"][-1]) * 0.4 + 0.5,
        where="post",
        color="gray",
    )
    bottom.set_yticks([0, 1], ["post", "pre"])
    bottom.set_xlabel("time (ms)")
    return finish(figure, path)
