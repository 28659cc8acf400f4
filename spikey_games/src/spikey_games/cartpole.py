"""Cart-pole balancing with the standard (Barto / Florian 2007) equations and Euler integration."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import numpy as np
from gymnasium import spaces
from spikey_core.config import ArrayLike, Integer, OneOf, Optional, Real, param
from spikey_core.errors import ConfigError, GameError

from spikey_games import rendering
from spikey_games.base import Game

ACTION_MODES = ("discrete", "continuous", "rates")
_RANGES = ("x_init_range", "xdot_init_range", "theta_init_range", "thetadot_init_range")


def _pair(value: Any) -> tuple:
    """A two-element range as a tuple of floats (other shapes are left for the check to report)."""
    return tuple(float(v) for v in value)


def range_param(doc: str, default: tuple[float, float]) -> Any:
    return param(default=default, check=ArrayLike(ndim=1), converter=_pair, doc=doc)


@attrs.frozen(kw_only=True)
class CartPoleConfig:
    x_max: float = param(
        default=4.5, check=Real(gt=0), doc="episode ends when |x| > x_max; cart position bound in m, > 0"
    )
    theta_max: float = param(
        default=math.pi / 2,
        check=Real(gt=0, le=math.pi),
        doc="episode ends when |theta| > theta_max; pole angle bound in rad, in (0, pi]",
    )
    x_init_range: tuple = range_param(
        "[low, high] (2 numbers) of the initial cart position x in m, drawn uniformly", (0.0, 0.0)
    )
    xdot_init_range: tuple = range_param(
        "[low, high] (2 numbers) of the initial cart velocity in m/s, drawn uniformly", (-0.1, 0.1)
    )
    theta_init_range: tuple = range_param(
        "[low, high] (2 numbers) of the initial pole angle in rad (0 = upright, positive = leaning right), "
        "drawn uniformly",
        (0.0, 0.0),
    )
    thetadot_init_range: tuple = range_param(
        "[low, high] (2 numbers) of the initial pole angular velocity in rad/s, drawn uniformly", (-0.1, 0.1)
    )
    g: float = param(default=9.8, check=Real(ge=0), doc="gravitational acceleration in m/s^2, >= 0")
    mass_cart: float = param(
        default=1.0, check=Real(gt=0), doc="mass of the cart in kg, > 0 (Spikey 0.5: Mass_Cart)"
    )
    mass_pole: float = param(
        default=0.1, check=Real(gt=0), doc="mass of the pole in kg, > 0 (Spikey 0.5: Mass_Pole)"
    )
    pole_half_length: float = param(
        default=0.5, check=Real(gt=0), doc="distance from the pivot to the pole's centre of mass in m, > 0"
    )
    force_mag: float = param(
        default=10.0,
        check=Real(gt=0),
        doc="bang-bang force and bound of the continuous force, in N, > 0 (Spikey 0.5: Force_Mag)",
    )
    tau: float = param(
        default=0.02, check=Real(gt=0), doc="integration time step in s, > 0 (Spikey 0.5: Tau)"
    )
    action_mode: str = param(
        default="discrete",
        check=OneOf(ACTION_MODES),
        doc=(
            "'discrete': Discrete(2), 0 pushes left and 1 pushes right with force_mag N; "
            "'continuous': Box(1,) force in N within [-force_mag, force_mag]; "
            "'rates': Box(2,) [left, right] rates in [0, 1], force = (right - left) * force_mag N"
        ),
    )
    reward_per_step: float = param(
        default=0.0,
        check=Real(),
        doc=(
            "game reward of every step, the terminating one included (0 = Spikey-native, as in Spikey 0.5; "
            "1 = gymnasium's CartPole-v1, the default of gymnasium.make('spikey/CartPole-v0'))"
        ),
    )
    max_steps: int | None = param(
        default=None,
        check=Optional(Integer(ge=1)),
        doc=(
            "truncate the episode (truncated = True) after this many steps, >= 1; none = never "
            "(Spikey-native); 500 = gymnasium's CartPole-v1, "
            "the default of gymnasium.make('spikey/CartPole-v0')"
        ),
    )

    def __attrs_post_init__(self) -> None:
        problems = []
        for name in _RANGES:
            low_high = getattr(self, name)
            if len(low_high) != 2 or low_high[0] > low_high[1]:
                problems.append(
                    f"CartPoleConfig.{name}: must be [low, high] with low <= high (got {list(low_high)})"
                )
        for name, bound in (("x_init_range", "x_max"), ("theta_init_range", "theta_max")):
            low_high = getattr(self, name)
            if len(low_high) == 2 and max(abs(v) for v in low_high) > getattr(self, bound):
                problems.append(
                    f"CartPoleConfig.{name}: must lie within +-{bound} = {getattr(self, bound)} "
                    f"or episodes end at once (got {list(low_high)})"
                )
        if problems:
            raise ConfigError(problems)


class CartPole(Game):
    """Balance a pole hinged on a cart by pushing the cart left or right.

    State (and observation, float64 array (4,)): ``[x, x_dot, theta, theta_dot]`` in m, m/s,
    rad, rad/s; ``theta = 0`` is upright, positive leans right. One step with force ``F`` (N)
    integrates the frictionless cart-pole equations (Florian 2007, "Correct equations for the
    dynamics of the cart-pole system"; ``l`` = pole_half_length, ``m`` = mass_pole,
    ``M = mass_cart + mass_pole``) with explicit Euler over ``tau`` seconds::

        temp     = (F + m l theta_dot^2 sin(theta)) / M
        theta_dd = (g sin(theta) - cos(theta) temp) / (l (4/3 - m cos^2(theta) / M))
        x_dd     = temp - m l theta_dd cos(theta) / M
        x += tau x_dot;  x_dot += tau x_dd;  theta += tau theta_dot;  theta_dot += tau theta_dd

    which is exactly gymnasium's ``CartPole-v1`` (``kinematics_integrator="euler"``): with the
    same constants, state and forces both produce the same trajectory. The episode terminates
    when ``|x| > x_max`` or ``|theta| > theta_max`` and is truncated after ``max_steps`` steps
    (never by default).

    Rewards and truncation: built directly (``CartPole()``, ``[game] type = "CartPole"``) the
    game keeps the Spikey-native defaults, reward 0 on every step and no truncation: the
    learning signal comes from the network's rewarder. Made through gymnasium
    (``gymnasium.make("spikey/CartPole-v0")``) it follows ``CartPole-v1``: reward +1 on every
    step (``reward_per_step = 1``) and truncation after 500 steps (``max_steps = 500``); pass
    ``reward_per_step=0, max_steps=None`` to ``gymnasium.make`` for the native behaviour.

    Actions by ``action_mode``: ``"discrete"`` (default) ``Discrete(2)``, 0 = push left with
    ``force_mag``, 1 = push right; ``"continuous"`` the force itself, ``Box(-force_mag,
    force_mag, (1,))`` N; ``"rates"`` ``Box(0, 1, (2,))`` left/right rates, ``F = (right - left)
    * force_mag`` (Spikey 0.5's two-element form).

    ``reset`` draws each state variable uniformly from its ``*_init_range`` with the game's own
    generator (Spikey 0.5 drew ``U(low, high)`` times a random sign, which only differs from
    ``U(low, high)`` for asymmetric ranges). ``reset(options={"state": [x, x_dot, theta,
    theta_dot]})`` starts from a given state instead.

    Settings of Spikey 0.5 and their names here: ``Mass_Cart`` -> ``mass_cart``, ``Mass_Pole`` ->
    ``mass_pole``, ``Force_Mag`` -> ``force_mag``, ``Tau`` -> ``tau``; ``x_max``, ``theta_max``,
    ``g``, ``pole_half_length`` and the four ``*_init_range`` keep their names.

    Presets: ``DEFAULT`` (``x_max`` = 4.5 m) and ``FREMAUX`` (``x_max`` = 2.5 m), both with
    ``theta_max`` = pi/2, ``tau`` = 0.02 s, initial velocities in [-0.1, 0.1] and initial
    position and angle 0. Render modes: ``"rgb_array"`` (uint8 image (400, 600, 3), drawn with
    numpy, no display needed) and ``"human"`` (a pygame window; needs a display).
    """

    Config = CartPoleConfig
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        "DEFAULT": {
            "x_max": 4.5,
            "theta_max": math.pi / 2,
            "tau": 0.02,
            "x_init_range": (0.0, 0.0),
            "theta_init_range": (0.0, 0.0),
            "xdot_init_range": (-0.1, 0.1),
            "thetadot_init_range": (-0.1, 0.1),
        },
        "FREMAUX": {
            "x_max": 2.5,
            "theta_max": math.pi / 2,
            "tau": 0.02,
            "x_init_range": (0.0, 0.0),
            "theta_init_range": (0.0, 0.0),
            "xdot_init_range": (-0.1, 0.1),
            "thetadot_init_range": (-0.1, 0.1),
        },
    }
    DEFAULT_PRESET = "DEFAULT"
    #: Settings gymnasium.make("spikey/CartPole-v0") uses unless given: CartPole-v1's reward and limit.
    GYMNASIUM_KWARGS: ClassVar[dict[str, Any]] = {"reward_per_step": 1.0, "max_steps": 500}
    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array", "human"], "render_fps": 50}

    def _setup(self) -> None:
        s = self.settings
        if s.action_mode == "discrete":
            self.action_space = spaces.Discrete(2)
        elif s.action_mode == "continuous":
            self.action_space = spaces.Box(-s.force_mag, s.force_mag, shape=(1,), dtype=np.float64)
        else:
            self.action_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float64)
        # the termination bounds doubled, as gymnasium does (a terminating step may pass the bound);
        # velocities are unbounded
        big = np.finfo(np.float64).max
        high = np.array([2 * s.x_max, big, 2 * s.theta_max, big])
        self.observation_space = spaces.Box(-high, high, dtype=np.float64)
        # the same derived constants, in the same operation order, as gymnasium's CartPole-v1
        self.total_mass = s.mass_pole + s.mass_cart
        self.polemass_length = s.mass_pole * s.pole_half_length
        self.state = np.zeros(4, dtype=np.float64)
        self.steps = 0
        self._window: rendering.Window | None = None

    def force(self, action: Any) -> float:
        """The force in N that ``action`` (already checked against the action space) applies."""
        mode = self.settings.action_mode
        if mode == "discrete":
            return self.settings.force_mag if action == 1 else -self.settings.force_mag
        if mode == "continuous":
            return float(action[0])
        return float(action[1] - action[0]) * self.settings.force_mag

    def _reset(self, *, seed: int | None, options: dict) -> tuple[np.ndarray, dict]:
        self.steps = 0
        if "state" in options:
            self.state = self._given_state(options["state"])
        else:
            ranges = np.array([getattr(self.settings, name) for name in _RANGES])
            self.state = self.np_random.uniform(ranges[:, 0], ranges[:, 1])
        return self.state.copy(), {}

    def _given_state(self, value: Any) -> np.ndarray:
        state = np.asarray(value, dtype=np.float64)
        if state.shape != (4,) or not np.all(np.isfinite(state)):
            raise GameError(
                f"{self.label}: options['state'] must be 4 finite numbers "
                f"[x, x_dot, theta, theta_dot] (got {value!r})"
            )
        return state.copy()

    def _step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        s = self.settings
        force = self.force(action)
        x, x_dot, theta, theta_dot = self.state
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + self.polemass_length * np.square(theta_dot) * sintheta) / self.total_mass
        thetaacc = (s.g * sintheta - costheta * temp) / (
            s.pole_half_length * (4.0 / 3.0 - s.mass_pole * np.square(costheta) / self.total_mass)
        )
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass
        # explicit Euler: every variable advances with the derivative of the old state
        x = x + s.tau * x_dot
        x_dot = x_dot + s.tau * xacc
        theta = theta + s.tau * theta_dot
        theta_dot = theta_dot + s.tau * thetaacc
        self.state = np.array((x, x_dot, theta, theta_dot), dtype=np.float64)
        terminated = bool(abs(x) > s.x_max or abs(theta) > s.theta_max)
        self.steps += 1
        truncated = s.max_steps is not None and self.steps >= s.max_steps
        return self.state.copy(), float(s.reward_per_step), terminated, truncated, {"force": force}

    def _render(self, mode: str) -> np.ndarray | None:
        frame = rendering.draw_cartpole(
            self.state, x_max=self.settings.x_max, pole_length=2 * self.settings.pole_half_length
        )
        if mode == "rgb_array":
            return frame
        if self._window is None:
            self._window = rendering.Window(self.label, frame.shape, fps=self.metadata["render_fps"])
        self._window.show(frame)
        return None

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None
