"""Any gymnasium environment as a Spikey game (``[game] type = "gym"``), and the class factory."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import gymnasium
from gymnasium.wrappers import TimeLimit
from spikey_core.config import Integer, MappingCheck, Optional, String, param
from spikey_core.errors import ConfigError

from spikey_games.base import Game


@attrs.frozen(kw_only=True)
class GymGameConfig:
    id: str | None = param(
        default=None,
        check=Optional(String(non_empty=True)),
        doc=(
            "registered gymnasium environment id, e.g. 'CartPole-v1' or 'spikey/Logic-v0'; required unless "
            "the game class was made by wrap_env from an environment class or instance"
        ),
    )
    kwargs: Mapping[str, Any] = param(
        factory=dict,
        check=MappingCheck(),
        doc="keyword arguments for the environment (passed to gymnasium.make or the environment class)",
    )
    max_episode_steps: int | None = param(
        default=None,
        check=Optional(Integer(ge=1)),
        doc=(
            "truncate episodes after this many game steps (gymnasium TimeLimit), >= 1; "
            "none = the environment's own limit"
        ),
    )


class GymGame(Game):
    """A gymnasium environment played as a Spikey game: same spaces, seeding and dynamics.

    ``GymGame(id="CartPole-v1", kwargs={...})`` or, from TOML, ``[game] type = "gym", id =
    "CartPole-v1", kwargs = {...}``. ``reset(seed=s)`` passes the seed to the environment, so a
    wrapped game replays exactly the episode the bare environment plays with that seed. On top of
    the environment the game checks actions against the action space and refuses steps after the
    episode ended (both :class:`~spikey_core.errors.GameError`), and emits Spikey's callback
    events. ``render_mode`` is passed to the environment; its render modes apply.

    :func:`wrap_env` makes a dedicated subclass for one environment (id, class or instance).
    """

    Config = GymGameConfig
    #: The environment class or instance a wrap_env class plays (None: use the ``id`` setting).
    ENV_SOURCE: ClassVar[Any] = None
    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    @classmethod
    def _extra_problems(cls, settings: Mapping[str, Any], render_mode: Any, address: str) -> list[str]:
        env = settings.get("id")
        if env is None and cls.ENV_SOURCE is None:
            return [f"{address}.id: required: the gymnasium environment to play, e.g. 'CartPole-v1'"]
        if env is not None and cls.ENV_SOURCE is not None:
            playing = _source_name(cls.ENV_SOURCE)
            return [f"{address}.id: {cls.__name__} already plays {playing}; do not set an id"]
        if isinstance(env, str) and env:
            try:
                gymnasium.spec(env)
            except gymnasium.error.Error as error:
                return [f"{address}.id: {error}"]
        return []

    def _setup(self) -> None:
        self.env = self._make_env()
        self.action_space = self.env.action_space
        self.observation_space = self.env.observation_space
        self.metadata = dict(self.env.metadata)
        self.render_mode = self.env.render_mode

    def _make_env(self) -> gymnasium.Env:
        s, source = self.settings, type(self).ENV_SOURCE
        try:
            if s.id is not None:
                return gymnasium.make(
                    s.id, render_mode=self.render_mode, max_episode_steps=s.max_episode_steps, **s.kwargs
                )
            if isinstance(source, gymnasium.Env):
                env = self._reuse_instance(source)
            else:
                extra = {"render_mode": self.render_mode} if self.render_mode is not None else {}
                env = source(**s.kwargs, **extra)
        except (gymnasium.error.Error, TypeError, ValueError) as error:
            raise ConfigError(
                f"{type(self).__name__}: cannot create the gymnasium environment "
                f"{s.id or _source_name(source)}: {error}"
            ) from None
        return TimeLimit(env, s.max_episode_steps) if s.max_episode_steps is not None else env

    def _reuse_instance(self, env: gymnasium.Env) -> gymnasium.Env:
        if self.settings.kwargs:
            raise ValueError("the environment is an existing instance; its kwargs cannot be changed")
        if self.render_mode not in (None, env.render_mode):
            raise ValueError(
                f"the instance renders {env.render_mode!r}; render_mode {self.render_mode!r} "
                "cannot be changed"
            )
        return env

    @property
    def label(self) -> str:
        return f"{type(self).__name__}({self.settings.id or _source_name(type(self).ENV_SOURCE)})"

    @property
    def np_random(self) -> Any:
        """The wrapped environment's generator (seeded by ``reset(seed=...)``)."""
        return self.env.np_random

    @np_random.setter
    def np_random(self, value: Any) -> None:
        self.env.np_random = value

    def _reset(self, *, seed: int | None, options: dict) -> tuple[Any, dict]:
        return self.env.reset(seed=seed, options=options or None)

    def _step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        return self.env.step(action)

    def _render(self, mode: str) -> Any:
        return self.env.render()

    def _show_human(self) -> None:
        pass  # a "human" gymnasium environment redraws its own window in reset and step

    def close(self) -> None:
        self.env.close()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # classes made by wrap_env exist only in memory: pickle how to make the class again
        wrapped = type(self).__dict__.get("_WRAPPED")
        if wrapped is None:
            return super().__reduce_ex__(protocol)
        return _unpickle_wrapped, wrapped, self.__dict__

    def __deepcopy__(self, memo: dict) -> GymGame:
        clone = object.__new__(type(self))  # copies keep their (possibly wrap_env-made) class
        memo[id(self)] = clone
        clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return clone


def _unpickle_wrapped(env: Any, env_kwargs: dict[str, Any]) -> GymGame:
    return object.__new__(wrap_env(env, **env_kwargs))


def _source_name(source: Any) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, type):
        return source.__name__
    return type(source).__name__ + " instance"


def wrap_env(env: Any, **env_kwargs: Any) -> type[GymGame]:
    """A new Spikey game class playing one gymnasium environment.

    Parameters
    ----------
    env : str, gymnasium.Env subclass or gymnasium.Env instance
        A registered id (``"CartPole-v1"``), an environment class (instantiated with
        ``env_kwargs`` for every game) or an instance (shared by every game of the class).
    **env_kwargs
        Keyword arguments for the environment (ids and classes only).

    Returns
    -------
    type
        A fresh subclass of :class:`GymGame` per call (wrapping a second environment never
        changes the first class), constructed like every game:
        ``cls(callback=None, render_mode=None, **settings)``.
    """
    namespace: dict[str, Any] = {"__module__": __name__}
    if isinstance(env, str):
        namespace["config"] = {"id": env, "kwargs": dict(env_kwargs)}
    elif (isinstance(env, type) and issubclass(env, gymnasium.Env)) or isinstance(env, gymnasium.Env):
        if env_kwargs and not isinstance(env, type):
            raise ConfigError(f"wrap_env: {_source_name(env)} is already built; its kwargs cannot be given")
        namespace["ENV_SOURCE"] = env
        namespace["config"] = {"kwargs": dict(env_kwargs)}
    else:
        raise ConfigError(f"wrap_env: needs a gymnasium id, Env subclass or Env instance (got {env!r})")
    name = "Gym_" + re.sub(r"\W", "_", _source_name(env).removesuffix(" instance"))
    namespace["__doc__"] = f"The gymnasium environment {_source_name(env)} as a Spikey game (from wrap_env)."
    namespace["__qualname__"] = name
    namespace["_WRAPPED"] = (env, dict(env_kwargs))
    return type(name, (GymGame,), namespace)
