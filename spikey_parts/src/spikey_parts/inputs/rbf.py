"""Radial-basis (place-cell) encoder of CartPole states."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, Real, param, probability

from spikey_core import ConfigError
from spikey_parts.inputs.base import InputConfig, RateInputBase


def _grid(step: float, half_width: int) -> tuple[float, ...]:
    return tuple(step * k for k in range(-half_width, half_width + 1))


def _centres_param(default: tuple[float, ...], what: str) -> Any:
    return param(default=default, check=ArrayLike(ndim=1), converter=tuple, doc=f"centres of the {what} grid")


@attrs.frozen(kw_only=True)
class RBFConfig(InputConfig):
    x_centres: tuple = _centres_param(_grid(1.25, 3), "cart position x (m); default 1.25 m * (-3 .. 3)")
    theta_centres: tuple = _centres_param(
        _grid(2 * math.pi / 180, 7), "pole angle theta (rad); default 2 degrees * (-7 .. 7)"
    )
    thetadot_centres: tuple = _centres_param(
        _grid(2 * math.pi / 30, 7),
        "squashed angular velocity arctan(thetadot / s); default (2 pi / 30) * (-7 .. 7)",
    )
    x_variance: float = param(default=5 / 4, check=Real(gt=0), doc="variance of the x tuning, m^2, > 0")
    theta_variance: float = param(
        default=math.pi / 1200, check=Real(gt=0), doc="variance of the theta tuning, rad^2, > 0"
    )
    thetadot_variance: float = param(
        default=2 * math.pi / 60, check=Real(gt=0), doc="variance of the squashed thetadot tuning, > 0"
    )
    thetadot_scale: float = param(
        tunable=True, default=4.0, check=Real(gt=0), doc="s in the squashing arctan(thetadot / s), rad/s, > 0"
    )
    max_rate: float = param(
        tunable=True,
        default=0.4,
        check=probability(),
        doc="per-step spike probability at a unit's centre, in [0, 1]",
    )
    state_indices: tuple = param(
        default=(0, 2, 3),
        check=ArrayLike(ndim=1, ge=0),
        converter=tuple,
        doc="positions of x, theta, thetadot in the state (CartPole: x, xdot, theta, thetadot)",
    )

    def __attrs_post_init__(self) -> None:
        for name in ("x_centres", "theta_centres", "thetadot_centres"):
            if len(getattr(self, name)) == 0:
                raise ConfigError(f"RBFConfig.{name}: needs at least one centre")
        indices = self.state_indices
        if len(indices) != 3 or any(int(i) != i for i in indices):
            raise ConfigError(f"RBFConfig.state_indices: must be 3 integer positions (got {indices!r})")

    @property
    def n_units(self) -> int:
        """Grid size: len(x_centres) * len(theta_centres) * len(thetadot_centres)."""
        return len(self.x_centres) * len(self.theta_centres) * len(self.thetadot_centres)


class RBF(RateInputBase):
    """Place cells on a 3-D grid over (x, theta, squashed thetadot) with Bernoulli spikes.

    With ``phi = arctan(thetadot / s)`` and grid centres ``(x_m, theta_p, phi_q)``, the unit
    ``(m, p, q)`` fires at each step of the firing window with probability

    .. math::

        r_{mpq} = r_{\\max} \\exp\\Big(-\\frac{(x - x_m)^2}{2\\sigma_x^2}
                  - \\frac{(\\theta - \\theta_p)^2}{2\\sigma_\\theta^2}
                  - \\frac{(\\phi - \\phi_q)^2}{2\\sigma_\\phi^2}\\Big),

    where the ``sigma^2`` are the configured variances (``xdot`` is not encoded). Units are in C
    order: unit ``(m * n_theta + p) * n_phi + q``. The default 7 x 15 x 15 grid has 1575 units;
    ``n_inputs`` must be a multiple of the grid size (copies interleave, as in ``rate_map``).
    """

    Config = RBFConfig

    def __init__(self, config: RBFConfig, ctx: Any):
        super().__init__(config, ctx)
        if ctx.n_inputs % config.n_units:
            shape = " x ".join(
                str(len(c)) for c in (config.x_centres, config.theta_centres, config.thetadot_centres)
            )
            raise ConfigError(
                f"{self.address('x_centres')}: n_inputs = {ctx.n_inputs} must be a multiple of the grid size "
                f"{config.n_units} = {shape}; change n_inputs or the centres"
            )
        self._axes = [
            (np.asarray(config.x_centres, dtype=np.float64), config.x_variance),
            (np.asarray(config.theta_centres, dtype=np.float64), config.theta_variance),
            (np.asarray(config.thetadot_centres, dtype=np.float64), config.thetadot_variance),
        ]
        self._indices = [int(i) for i in config.state_indices]
        self._features = np.zeros(config.n_units, dtype=np.float64)

    def grid_rates(self, state: Any) -> np.ndarray:
        """Per-step probabilities of the grid units for ``state``: float64 (grid size,)."""
        values = np.ravel(np.asarray(state, dtype=np.float64))
        if values.size <= max(self._indices):
            raise ConfigError(
                f"{self.address('state_indices')}: state {state!r} has no position {max(self._indices)}"
            )
        x, theta, thetadot = (values[i] for i in self._indices)
        coordinates = (x, theta, math.atan(thetadot / self.thetadot_scale))
        exponents = [
            -((c - centres) ** 2) / (2 * var)
            for c, (centres, var) in zip(coordinates, self._axes, strict=True)
        ]
        total = exponents[0][:, None, None] + exponents[1][None, :, None] + exponents[2][None, None, :]
        np.exp(total.ravel(), out=self._features)
        self._features *= self.max_rate
        return self._features

    def _encode(self, state: Any) -> None:
        self.set_rates(self.grid_rates(state), "x_centres")
