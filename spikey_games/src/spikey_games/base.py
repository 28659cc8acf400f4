"""The game base class: gymnasium's environment API plus Spikey's presets, config and callbacks.

A Spikey game *is* a :class:`gymnasium.Env`: ``reset(seed=None, options=None) -> (observation,
info)``, ``step(action) -> (observation, reward, terminated, truncated, info)``, gymnasium
``action_space`` / ``observation_space``, ``render()`` by ``render_mode`` and ``close()``. On top of
that it keeps the original Spikey extras:

* named ``PRESETS`` (name -> settings) and a class-level ``config`` dict that overrides them;
  priority, highest first: explicit keyword settings > class ``config`` > preset > ``Config``
  defaults;
* an attrs ``Config`` validated like every part, and :meth:`Game.from_spec` building a game from a
  ``[game]`` TOML section with every problem in one :class:`~spikey_core.errors.ConfigError`;
* callback events ``game_init(game=)``, ``game_reset(observation=, info=)`` and
  ``game_step(action=, observation=, reward=, terminated=, truncated=, info=)``;
* ``network_params()``: values offered to network parts (e.g. Logic's ``expected_value``).

Every random draw of a game comes from its own generator ``self.np_random`` (gymnasium's
machinery): ``reset(seed=s)`` makes it ``Generator(PCG64(SeedSequence(s)))``, so the same seed
gives the same episode in any process.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import gymnasium
import numpy as np
from gymnasium import spaces
from spikey_core.errors import ConfigError, GameError, did_you_mean
from spikey_core.part import EmptyConfig

from spikey_core import Callback
from spikey_core import config as cfg


class Game(gymnasium.Env):
    """Base of every Spikey game.

    Parameters
    ----------
    preset : str, optional
        Name of an entry of ``PRESETS``; default ``DEFAULT_PRESET``.
    callback : spikey_core.Callback, optional
        Observer notified of ``game_init``, ``game_reset`` and ``game_step``.
    render_mode : str, optional
        One of ``metadata["render_modes"]``, or None (no rendering).
    **settings
        Fields of the game's ``Config``; they override the class ``config`` and the preset.

    Attributes
    ----------
    preset : str or None
        The preset in use.
    settings : Config
        The validated settings (frozen attrs instance).
    callback : spikey_core.Callback
        The observer (a do-nothing ``Callback`` when none was given).

    Raises
    ------
    ConfigError
        Unknown preset (with a did-you-mean), unknown or invalid settings, unsupported render mode;
        every problem at once, addressed ``<ClassName>.<field>``.

    Notes
    -----
    Subclasses set ``Config``, ``PRESETS``, ``DEFAULT_PRESET`` and ``metadata`` and implement
    :meth:`_setup` (spaces), :meth:`_reset` and :meth:`_step`; they do not override ``__init__``,
    ``reset`` or ``step``, which enforce the contract (valid actions, no step after the episode
    ended) and emit the callback events.
    """

    Config: ClassVar[type] = EmptyConfig
    PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    DEFAULT_PRESET: ClassVar[str | None] = None
    #: Class-level settings overriding the preset (subclass a game and set this to make a variant).
    config: ClassVar[Mapping[str, Any]] = {}
    #: Settings ``gymnasium.make("spikey/<Name>-v0")`` passes unless the caller gives them: what
    #: makes the game behave as gymnasium users expect (a reward to learn from, a time limit).
    GYMNASIUM_KWARGS: ClassVar[Mapping[str, Any]] = {}
    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(
        self,
        preset: str | None = None,
        callback: Callback | None = None,
        render_mode: str | None = None,
        **settings: Any,
    ):
        cls = type(self)
        self.preset, self.settings = cls.resolve_settings(preset, settings, render_mode, address=cls.__name__)
        self.render_mode = render_mode
        self.callback = callback if callback is not None else Callback()
        self._needs_reset = True
        self._ever_reset = False
        self._setup()
        self.callback.game_init(game=self)

    # -- configuration -------------------------------------------------------------------------
    @classmethod
    def resolve_settings(
        cls, preset: Any, settings: Mapping[str, Any], render_mode: Any = None, *, address: str
    ) -> tuple[str | None, Any]:
        """Merge preset, class ``config`` and ``settings`` and validate them against ``Config``.

        Returns
        -------
        (preset name or None, Config instance)

        Raises
        ------
        ConfigError
            Every problem found, each line addressed ``<address>.<field>``.
        """
        problems: list[str] = []
        name = cls.DEFAULT_PRESET if preset is None else preset
        base: Mapping[str, Any] = {}
        if name is not None:
            if isinstance(name, str) and name in cls.PRESETS:
                base = cls.PRESETS[name]
            else:
                problems.append(cls._unknown_preset(name, address))
        fields = [f.name for f in attrs.fields(cls.Config)]
        section_keys = [*fields, "preset", "render_mode"]  # what a [game] section may hold
        for key in settings:
            if key not in fields:
                hint = did_you_mean(str(key), section_keys) or f" (valid keys: {', '.join(section_keys)})"
                problems.append(f"{address}.{key}: unknown key{hint}")
        settings = {k: v for k, v in settings.items() if k in fields}
        merged = {**base, **cls.config, **settings}
        config = None
        try:
            config = cfg.from_dict(cls.Config, merged, address=address)
        except ConfigError as error:
            problems.extend(error.problems)
        problems.extend(cls._extra_problems(merged, render_mode, address))
        if problems:
            raise ConfigError(problems)
        return name, config

    @classmethod
    def _unknown_preset(cls, name: Any, address: str) -> str:
        known = list(cls.PRESETS)
        by_upper = {k.upper(): k for k in known}
        if isinstance(name, str) and name.upper() in by_upper:
            hint = f"; did you mean {by_upper[name.upper()]!r}?"
        else:
            hint = did_you_mean(str(name), known)
        listing = ", ".join(repr(k) for k in known) or "none"
        return f"{address}.preset: {cls.__name__} has no preset {name!r}{hint} (presets: {listing})"

    @classmethod
    def _extra_problems(cls, settings: Mapping[str, Any], render_mode: Any, address: str) -> list[str]:
        """Problems beyond single Config fields (``settings``: the merged, unvalidated values).

        The default checks ``render_mode`` against ``metadata["render_modes"]``.
        """
        modes = cls.metadata.get("render_modes", [])
        if render_mode is not None and render_mode not in modes:
            listing = ", ".join(repr(m) for m in modes) or "none"
            return [
                f"{address}.render_mode: {cls.__name__} cannot render {render_mode!r} "
                f"(render modes: {listing}, or None)"
            ]
        return []

    @classmethod
    def from_spec(
        cls, settings: Mapping[str, Any], *, callback: Callback | None = None, address: str = "$.game"
    ) -> Game:
        """Build a game from a ``[game]`` section: ``preset``, ``render_mode`` and Config fields.

        Raises
        ------
        ConfigError
            One error listing every problem, addressed ``<address>.<field>``.
        """
        if not isinstance(settings, Mapping):
            raise ConfigError(f"{address}: must be a table of game settings (got {settings!r})")
        data = dict(settings)
        data.pop("type", None)
        preset = data.pop("preset", None)
        render_mode = data.pop("render_mode", None)
        cls.resolve_settings(preset, data, render_mode, address=address)
        return cls(preset=preset, callback=callback, render_mode=render_mode, **data)

    @property
    def params(self) -> dict[str, Any]:
        """The preset name and every setting, as a plain dict (a copy)."""
        return {"preset": self.preset, **cfg.to_dict(self.settings)}

    @property
    def label(self) -> str:
        """How messages name this game, e.g. ``Logic(preset='XOR')``."""
        preset = f"preset={self.preset!r}" if self.preset is not None else ""
        return f"{type(self).__name__}({preset})"

    def network_params(self) -> dict[str, Any]:
        """Values this game offers to network parts (matched to part config fields by name).

        Every game offers its ``observation_space`` (encoders such as ``gaussian_fields`` take
        their ranges and sizes from it); subclasses add their own entries.
        """
        return {"observation_space": self.observation_space}

    # -- the gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        """Start an episode; ``seed`` reseeds the game's generator ``self.np_random``.

        Returns
        -------
        observation : element of ``observation_space``
        info : dict
        """
        super().reset(seed=seed)
        observation, info = self._reset(seed=seed, options=dict(options or {}))
        self._needs_reset = False
        self._ever_reset = True
        self.callback.game_reset(observation=observation, info=info)
        self._show_human()
        return observation, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        """Advance one game step.

        Raises
        ------
        GameError
            ``action`` is not in ``action_space``, or the episode has not started or has ended
            (call ``reset()``).
        """
        if self._needs_reset:
            when = "after the episode ended" if self._ever_reset else "before the first reset()"
            raise GameError(f"{self.label}: step() called {when}; call reset() to start an episode")
        action = self.check_action(action)
        observation, reward, terminated, truncated, info = self._step(action)
        terminated, truncated = bool(terminated), bool(truncated)
        self._needs_reset = terminated or truncated
        self.callback.game_step(
            action=action,
            observation=observation,
            reward=reward,
            terminated=terminated,
            truncated=truncated,
            info=info,
        )
        self._show_human()
        return observation, reward, terminated, truncated, info

    def check_action(self, action: Any) -> Any:
        """``action`` in the form ``action_space`` holds, or a GameError naming game and value.

        Lossless conversions only: bools and integral numbers (incl. numpy scalars and one-element
        arrays) for ``Discrete``; any array-like of the right size for ``Box``.
        """
        candidate = as_space_element(self.action_space, action)
        if candidate is None or not self.action_space.contains(candidate):
            raise GameError(
                f"{self.label}: action {action!r} ({type(action).__name__}) is not in the action space "
                f"{self.action_space}; the readout must return a valid action"
            )
        return candidate

    def render(self) -> Any:
        """Render by ``render_mode``: None does nothing; see ``metadata["render_modes"]``."""
        if self.render_mode is None:
            return None
        return self._render(self.render_mode)

    def close(self) -> None:
        """Release resources (windows, wrapped environments)."""

    def _show_human(self) -> None:
        # gymnasium convention: a "human" game redraws its window after every reset and step
        if self.render_mode == "human":
            self.render()

    # -- subclass hooks ------------------------------------------------------------------------
    def _setup(self) -> None:  # pragma: no cover - abstract
        """Create ``action_space`` / ``observation_space`` from ``self.settings``."""
        raise NotImplementedError

    def _reset(self, *, seed: int | None, options: dict) -> tuple[Any, dict]:  # pragma: no cover
        raise NotImplementedError

    def _step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:  # pragma: no cover
        raise NotImplementedError

    def _render(self, mode: str) -> Any:  # pragma: no cover - only games with render modes
        raise NotImplementedError


def as_space_element(space: Any, action: Any) -> Any:
    """Convert ``action`` losslessly to the type ``space.contains`` expects; None if impossible."""
    if isinstance(space, spaces.Discrete):
        if isinstance(action, np.ndarray):
            if action.size != 1:
                return None
            action = action.reshape(()).item()
        if isinstance(action, (bool, np.bool_)):
            return int(action)
        if isinstance(action, numbers.Integral):
            return int(action)
        if isinstance(action, numbers.Real) and float(action).is_integer():
            return int(action)
        return None
    if isinstance(space, spaces.Box):
        if isinstance(action, (str, bytes)):
            return None
        try:
            array = np.asarray(action, dtype=space.dtype)
        except (TypeError, ValueError):
            return None
        if array.size != int(np.prod(space.shape)):
            return None
        return array.reshape(space.shape)
    return action
