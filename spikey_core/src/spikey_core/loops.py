"""Training loops: build a network and a game from a specification and let them interact.

A loop is created from an experiment specification (see :mod:`spikey_core.spec`) and returns
``network, game, results, info`` when called. Seeds: the network's generators come from
``child(seed, "network")`` and the game is reset once with ``integer_seed(seed, "game")``, so a
loop with the same seed reproduces its run exactly, in any process.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import attrs

from spikey_core import config as cfg
from spikey_core import seeding
from spikey_core.callbacks import CALLBACK_EVENTS, Callback
from spikey_core.config import Integer, param
from spikey_core.errors import ConfigError
from spikey_core.evaluation import Record, frozen_run, mean_reward_metrics, output_rate
from spikey_core.network import Network
from spikey_core.part import EmptyConfig
from spikey_core.registry import Registry
from spikey_core.result_keys import declared_result_keys
from spikey_core.spec import Problems, check_sections, instantiate, override, resolve


def build_game(
    section: Any,
    *,
    callback: Callback | None = None,
    address: str = "$.game",
    registry: Registry | None = None,
) -> Any:
    """Create the game a ``[game]`` section names (looked up in ``registry``, default the loaded one).

    A game class may define ``from_spec(settings, *, callback, address)`` to validate its own
    settings (presets, config); otherwise it is called as ``cls(**settings, callback=callback)``.
    """
    cls, data = resolve("game", section, address, registry=registry)
    if hasattr(cls, "from_spec"):
        return cls.from_spec(data, callback=callback, address=address)
    return instantiate("game", section, address, registry=registry, callback=callback)


class TrainingLoop:
    """Template of a loop: validation, construction and seeding; subclasses implement ``__call__``.

    Parameters
    ----------
    spec : mapping
        An experiment specification; its ``loop`` section holds this loop's settings.
    callback : Callback, optional
        The observer; default is built from the ``callback`` section, else a plain ``Callback``.
    seed : int, SeedSequence or None
        Overrides the specification's ``seed``.
    registry : Registry, optional
        Where the specification's names are looked up; default: the loaded one.

    Raises
    ------
    ConfigError
        Every problem in the specification, before anything runs.
    """

    Config: type = EmptyConfig

    def __init__(
        self,
        spec: Mapping[str, Any],
        *,
        callback: Callback | None = None,
        seed: Any = None,
        registry: Registry | None = None,
    ):
        self.registry = registry
        self.spec = copy.deepcopy(dict(spec))
        if seed is not None:
            self.spec["seed"] = seed
        self._callback = callback
        self.config = self._loop_config()
        self.training = True
        #: Optional progress reporter with ``update(n)`` (e.g. a tqdm bar), advanced once per game step.
        self.progress: Any = None
        #: Optional ``f(network, game, results, info) -> dict`` whose numbers are added to ``results``
        #: when a run ends (an experiment's metrics: accuracy, win, ...).
        self.metrics: Any = None
        #: ``f(network, frozen, training) -> dict`` scoring a frozen run (a Record of
        #: :mod:`spikey_core.evaluation`) against the training record (e.g. with a threshold chosen
        #: on training data); default: the mean reward per game step, ``eval_reward``.
        self.frozen_metrics: Any = mean_reward_metrics
        self.training_record = Record()
        #: The metric objects the specification's ``metrics`` entry names (built by :meth:`init`).
        self.spec_metrics: list[Any] = []

    def _loop_config(self) -> Any:
        section = dict(self.spec.get("loop", {}))
        section.pop("type", None)
        return cfg.from_dict(self.Config, section, address="$.loop")

    @property
    def seed(self) -> Any:
        return self.spec.get("seed")

    def with_overrides(self, overrides: Mapping[str, Any]) -> TrainingLoop:
        """A new loop of the same class with ``{key: value}`` settings changed (see ``spec.override``)."""
        spec = self.spec
        for key, value in overrides.items():
            if key == "seed":
                spec = {**spec, "seed": value}
            else:
                spec = override(spec, key, value, registry=self.registry)
        return self._copy(spec, self.registry)

    def with_registry(self, registry: Registry | None) -> TrainingLoop:
        """A new loop of the same class, specification, callback and metrics whose names are looked
        up in ``registry`` (None: the loaded one)."""
        return self._copy(self.spec, registry)

    def _copy(self, spec: Mapping[str, Any], registry: Registry | None) -> TrainingLoop:
        loop = type(self)(spec, callback=self._callback, registry=registry)
        loop.metrics = self.metrics
        loop.frozen_metrics = self.frozen_metrics
        return loop

    def validate(self) -> None:
        """Build everything once, collecting all problems into one ConfigError; runs nothing."""
        self.init()

    def init(self) -> tuple[Network, Any]:
        """Create callback, game and network for one run; returns ``(network, game)``."""
        problems = Problems()
        for line in check_sections(self.spec):
            problems.add(line)
        callback = None
        with problems.collect():
            callback = self.make_callback()
        if callback is not None:
            callback.reset(**self.experiment_params())
        game = None
        if "game" not in self.spec:
            problems.add("$.game: required: which game the network plays")
        else:
            with problems.collect():
                game = build_game(self.spec["game"], callback=callback, registry=self.registry)
        metrics: list[Any] = []
        with problems.collect():
            metrics = build_metrics(self.spec.get("metrics"), registry=self.registry)
        network = None
        with problems.collect():
            network = Network.from_spec(
                self.spec,
                seed=seeding.child(self.spec.get("seed"), "network"),
                game=game,
                callback=callback,
                registry=self.registry,
            )
        problems.raise_if_any()
        if not self.training:
            network.eval()
        self.callback = callback
        self.spec_metrics = metrics
        return network, game

    def make_callback(self) -> Callback:
        """The callback given to the loop, else the one the ``callback`` section names, else a plain one."""
        if self._callback is not None:
            return self._callback
        if "callback" in self.spec:
            return instantiate("callback", self.spec["callback"], "$.callback", registry=self.registry)
        return Callback()

    def experiment_params(self) -> dict[str, Any]:
        """Scalars recorded in ``results`` at the start of a run (loop settings and the seed)."""
        params = cfg.to_dict(self.config)
        params["seed"] = self.spec.get("seed")
        return params

    def result_keys(self) -> frozenset[str] | None:
        """The ``results`` keys every run of this loop reports, known before any run, or None.

        The base class cannot know what a subclass's ``__call__`` writes: None. A loop that knows
        returns its own keys joined with :meth:`part_result_keys` (see
        :mod:`spikey_core.result_keys`).
        """
        return None

    def part_result_keys(self, *own: str) -> frozenset[str] | None:
        """``own`` keys plus those of the loop settings, the seed, the callback, the specification's
        metrics, the frozen metrics (when the loop has a frozen evaluation) and the experiment's
        metrics; None when one of them declares nothing."""
        metrics = build_metrics(self.spec.get("metrics"), registry=self.registry)
        parts = [declared_result_keys(self.make_callback(), self, CALLBACK_EVENTS)]
        parts += [declared_result_keys(m, self, ("__call__", "frozen")) for m in metrics]
        scores_frozen = any(callable(getattr(m, "frozen", None)) for m in metrics)
        if getattr(self.config, "eval_patterns", 0) and not scores_frozen:
            parts.append(declared_result_keys(self.frozen_metrics, self))
        if self.metrics is not None:
            parts.append(declared_result_keys(self.metrics, self))
        keys = set(self.experiment_params()).union(own)
        for part in parts:
            if part is None:
                return None
            keys |= part
        return frozenset(keys)

    def finish(self, network: Network, game: Any) -> tuple[Network, Any, dict, dict]:
        """End a run: ``training_end``, the frozen evaluation (when the loop has one), then the
        metrics into ``results``; the loop's return value.

        The metrics the specification names (its ``metrics`` entry) run first, in order, then the
        loop's ``metrics`` function (an experiment's own); each sees the results of those before it.
        """
        callback = self.callback
        callback.training_end()
        n_eval = getattr(self.config, "eval_patterns", 0)
        if n_eval:
            frozen = self.frozen_evaluation(network, n_eval, "final")
            callback.info.update(
                eval_states=frozen.states, eval_rates=frozen.rates, eval_rewards=frozen.rewards
            )
            callback.results.update(self.score_frozen(network, frozen))
        for metric in [*self.spec_metrics, self.metrics]:
            if metric is not None:
                callback.results.update(metric(network, game, callback.results, callback.info))
        return network, game, callback.results, callback.info

    def frozen_evaluation(self, network: Network, n_steps: int, stream: str | int) -> Record:
        """``n_steps`` fresh game steps on a frozen copy of ``network`` (see :func:`frozen_run`)."""
        spec = self.spec
        registry = self.registry
        return frozen_run(
            network,
            lambda: build_game(spec["game"], registry=registry),
            n_steps,
            seed=spec.get("seed"),
            stream=stream,
        )

    def score_frozen(self, network: Network, frozen: Record) -> dict[str, Any]:
        """The frozen metrics of a frozen run: those of the specification's metrics that score frozen
        runs (a ``frozen(network, frozen, training)`` method), else the loop's ``frozen_metrics``."""
        from_spec = [m.frozen for m in self.spec_metrics if callable(getattr(m, "frozen", None))]
        scores: dict[str, Any] = {}
        for score in from_spec or [self.frozen_metrics]:
            scores.update(score(network, frozen, self.training_record))
        return scores

    def record_training_step(self, network: Network, state: Any, reward: float) -> None:
        """Remember one training game step (state, output rate, reward) for the frozen metrics."""
        if getattr(self.config, "eval_patterns", 0) or getattr(self.config, "curve_every", 0):
            self.training_record.add(state, output_rate(network), float(reward))

    def learning_curve_point(self, network: Network, steps_done: int) -> None:
        """Every ``curve_every`` training game steps: the frozen metrics on ``curve_patterns`` fresh
        game steps, appended to ``info["curve_<metric>"]`` with ``info["curve_step"]``."""
        every = getattr(self.config, "curve_every", 0)
        if not every or steps_done % every:
            return
        frozen = self.frozen_evaluation(network, self.config.curve_patterns, steps_done)
        info = self.callback.info
        info.setdefault("curve_step", []).append(steps_done)
        for key, value in self.score_frozen(network, frozen).items():
            info.setdefault(f"curve_{key}", []).append(value)

    def game_seed(self) -> int:
        return seeding.integer_seed(self.spec.get("seed"), "game")

    def train(self) -> None:
        self.training = True

    def eval(self) -> None:
        self.training = False

    def __call__(self) -> tuple[Network, Any, dict, dict]:  # pragma: no cover - abstract
        raise NotImplementedError


@attrs.frozen(kw_only=True)
class EvaluationConfig:
    """Loop settings of the frozen evaluation and the learning curve (any loop config may extend it)."""

    eval_patterns: int = param(
        default=0,
        check=Integer(ge=0),
        doc=(
            "game steps of the frozen evaluation after training: learning off (eval()), fresh "
            "patterns from generators derived from the seed; 0 = none"
        ),
    )
    curve_every: int = param(
        default=0,
        check=Integer(ge=0),
        doc=(
            "every this many training game steps, score a frozen copy of the network on "
            "curve_patterns fresh game steps (training streams untouched); 0 = no learning curve"
        ),
    )
    curve_patterns: int = param(
        default=40, check=Integer(ge=1), doc="fresh game steps per learning-curve point, >= 1"
    )


@attrs.frozen(kw_only=True)
class GenericLoopConfig(EvaluationConfig):
    n_episodes: int = param(default=1, check=Integer(ge=1), doc="number of episodes")
    len_episode: int = param(default=100, check=Integer(ge=1), doc="maximum game steps per episode")


class GenericLoop(TrainingLoop):
    """Episodes of tick / step / reward until ``len_episode`` steps or termination.

    Per episode: ``network.reset()``; ``observation, info = game.reset(seed=...)`` (seeded on the
    first episode only, so later episodes continue the game's stream); then up to ``len_episode``
    times: ``action = network.tick(observation)``, ``game.step(action)``, and, when the network
    learns from rewards, ``network.reward(observation, action, next_observation, reward)`` where
    ``reward`` is the game's reward if the network has no rewarder part. Stops an episode on
    ``terminated`` or ``truncated``; calls ``callback.training_end()`` at the end.

    With ``curve_every = k > 0``, after every ``k``-th training game step a frozen copy of the
    network is scored on ``curve_patterns`` fresh game steps (:meth:`learning_curve_point`);
    with ``eval_patterns = n > 0`` the trained network is scored frozen on ``n`` fresh game
    steps once training ends (:meth:`finish`). Neither touches the training network, game or
    their generators, so a run's training is the same with or without them.
    """

    Config = GenericLoopConfig

    def total_steps(self) -> int:
        """Upper bound of game steps in one call (episodes may end early)."""
        return self.config.n_episodes * self.config.len_episode

    def result_keys(self) -> frozenset[str] | None:
        """Those of its parts (:meth:`TrainingLoop.part_result_keys`): the loop adds none itself."""
        return self.part_result_keys()

    def __call__(self) -> tuple[Network, Any, dict, dict]:
        network, game = self.init()
        self.training_record = Record()
        seed: int | None = self.game_seed()
        steps_done = 0
        for _ in range(self.config.n_episodes):
            network.reset()
            observation, _info = game.reset(seed=seed)
            seed = None
            for _ in range(self.config.len_episode):
                action = network.tick(observation)
                next_observation, game_reward, terminated, truncated, _info = game.step(action)
                reward = 0.0
                if network.reward_mode != "none":
                    given = None if network.rewarder is not None else game_reward
                    reward = network.reward(observation, action, next_observation, given)
                self.record_training_step(network, observation, reward)
                steps_done += 1
                self.learning_curve_point(network, steps_done)
                observation = next_observation
                if self.progress is not None:
                    self.progress.update(1)
                if terminated or truncated:
                    break
        return self.finish(network, game)


def build_metrics(entry: Any, address: str = "$.metrics", *, registry: Registry | None = None) -> list[Any]:
    """The metric objects a specification's ``metrics`` entry names.

    ``entry`` is a registered metric name (``"florian_xor"``, looked up in ``registry``, default the
    loaded one), a table with ``type`` plus the metric's settings, or a list of those; ``None``
    means no metrics. A metric is called as
    ``metric(network, game, results, info)`` when a run ends and returns a dict of numbers that is
    added to ``results``, so the numbers travel with the file: a copy of a shipped experiment keeps
    them.

    Raises
    ------
    ConfigError
        Every unknown name or invalid setting, addressed ``$.metrics[i].field``.
    """
    if entry is None:
        return []
    items = list(entry) if isinstance(entry, list) else [entry]
    problems = Problems()
    metrics = []
    for index, item in enumerate(items):
        where = f"{address}[{index}]" if isinstance(entry, list) else address
        with problems.collect():
            metric = instantiate("metric", item, where, registry=registry)
            if not callable(metric):
                raise ConfigError(f"{where}.type: {type(metric).__name__} is not callable")
            metrics.append(metric)
    problems.raise_if_any()
    return metrics


def make_loop(
    spec: Mapping[str, Any],
    *,
    callback: Callback | None = None,
    seed: Any = None,
    registry: Registry | None = None,
) -> TrainingLoop:
    """The loop a specification's ``loop.type`` names (default ``"generic"``), built with ``registry``
    (default: the loaded one)."""
    section = spec.get("loop", {})
    name = section.get("type", "generic") if isinstance(section, Mapping) else section
    cls, _ = resolve("loop", {"type": name}, "$.loop", registry=registry)
    if not (isinstance(cls, type) and issubclass(cls, TrainingLoop)):
        raise ConfigError(f"$.loop.type: {name!r} is not a TrainingLoop subclass")
    return cls(spec, callback=callback, seed=seed, registry=registry)
