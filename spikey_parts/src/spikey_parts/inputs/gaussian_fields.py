"""Population code of continuous observations: Gaussian receptive fields per dimension, rates in Hz."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from spikey_core.config import ArrayLike, Integer, Optional, Real, param

from spikey_core import ConfigError
from spikey_parts.inputs.base import InputConfig, RateInputBase

#: A Box bound at least this large in magnitude is treated as unbounded (CartPole-v1 declares its
#: velocities bounded by float32's maximum, which no physical state approaches).
UNBOUNDED = 1e9


def _optional_tuple(value: Any) -> Any:
    if value is None or isinstance(value, (str, bytes, Mapping)):
        return value
    try:
        return tuple(float(v) for v in np.ravel(np.asarray(value, dtype=np.float64)))
    except (TypeError, ValueError):
        return value  # left for the check to report


def _bounds_param(side: str) -> Any:
    return param(
        default=None,
        check=Optional(ArrayLike(ndim=1)),
        converter=_optional_tuple,
        doc=(
            f"{side} edge of the encoded range, one number per encoded dimension (observation units); "
            f"none = the observation space's {side} bound, or -+unbounded_range where that bound is "
            f"infinite (|bound| >= {UNBOUNDED:g})"
        ),
    )


@attrs.frozen(kw_only=True)
class GaussianFieldsConfig(InputConfig):
    n_fields: int = param(
        default=8, check=Integer(ge=2), doc="receptive fields per encoded dimension, >= 2 (evenly spaced)"
    )
    low: tuple | None = _bounds_param("low")
    high: tuple | None = _bounds_param("high")
    unbounded_range: float = param(
        default=3.0,
        check=Real(gt=0),
        doc=(
            "half-width of the range [-r, r] encoded for a dimension whose bound is infinite and not "
            "given in low/high, observation units, > 0"
        ),
    )
    max_rate_hz: float = param(
        default=200.0,
        check=Real(gt=0),
        doc="firing rate of a field at its centre, Hz, > 0 and <= 1000 / network.dt",
        tunable=True,
    )
    width: float = param(
        default=1.0,
        check=Real(gt=0),
        doc="standard deviation of a field as a multiple of the spacing of neighbouring centres, > 0",
    )
    dims: tuple | None = param(
        default=None,
        check=Optional(ArrayLike(ndim=1, ge=0)),
        converter=_optional_tuple,
        doc="positions of the flattened observation to encode, in order; none = every position",
    )

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.dims is not None and (not self.dims or any(int(d) != d for d in self.dims)):
            problems.append(f"GaussianFieldsConfig.dims: must be integer positions (got {list(self.dims)})")
        sizes = {name: len(v) for name in ("low", "high", "dims") if (v := getattr(self, name)) is not None}
        if len(set(sizes.values())) > 1:
            listing = ", ".join(f"{name} has {n}" for name, n in sizes.items())
            problems.append(
                f"GaussianFieldsConfig.low: low, high and dims must have one entry each per dim ({listing})"
            )
        if self.low is not None and self.high is not None and len(self.low) == len(self.high):
            bad = [i for i, (lo, hi) in enumerate(zip(self.low, self.high, strict=True)) if not lo < hi]
            if bad:
                problems.append(
                    "GaussianFieldsConfig.high: must exceed low in every dimension "
                    f"(not in dimension(s) {bad})"
                )
        if problems:
            raise ConfigError(problems)


def _as_box(space: Any) -> Any:
    """``space`` if it is a box (``gymnasium.spaces.Box`` or alike: ``low``, ``high``, ``shape``)."""
    if all(hasattr(space, name) for name in ("low", "high", "shape")):
        return space
    return None


class GaussianFields(RateInputBase):
    """Population coding of a continuous observation by Gaussian receptive fields.

    Each encoded dimension ``d`` of the (flattened) observation gets ``K = n_fields`` units with
    centres evenly spaced over its range ``[l_d, h_d]`` and a common width::

        c_dk    = l_d + k (h_d - l_d) / (K - 1),          k = 0 .. K - 1
        sigma_d = width * (h_d - l_d) / (K - 1)
        x_d'    = min(max(x_d, l_d), h_d)                   (values outside the range are clipped)
        f_dk    = max_rate_hz * exp(-(x_d' - c_dk)^2 / (2 sigma_d^2))      in Hz

    and each unit spikes independently at every network step of the firing window with
    probability ``p_dk = f_dk * dt / 1000`` (``dt`` = ``network.dt`` in ms; the Bernoulli
    approximation of a Poisson process, as ``poisson``). Units are dimension-major: unit
    ``d * K + k``; ``n_inputs`` may be a multiple of ``D * K`` (copies interleave, as in
    ``rate_map``).

    The range comes from ``low`` / ``high`` where given, else from the game's observation space
    (a ``gymnasium.spaces.Box``; ``network_params()["observation_space"]``); a dimension whose
    space bound is infinite (or at least 1e9 in magnitude) is encoded over ``[-unbounded_range,
    unbounded_range]``. Building the network with the game and without ``network.n_inputs``
    sets ``n_inputs = D * K`` (:meth:`n_inputs_for`). The resolved bounds and dimensions are
    written into the part's config, so ``spec()`` and saved networks rebuild without the game.
    This is the receptive-field population code of e.g. Frémaux, Sprekeler & Gerstner (2013),
    one population per observed variable.

    Raises
    ------
    ConfigError
        No bounds given and no Box observation space to take them from; a dimension outside the
        observation; a peak rate above ``1000 / dt`` Hz; ``n_inputs`` not a multiple of ``D * K``.
    """

    Config = GaussianFieldsConfig

    @classmethod
    def n_inputs_for(cls, config: GaussianFieldsConfig, game_params: Mapping[str, Any]) -> int | None:
        """``D * n_fields`` when the encoded dimensions ``D`` are known, else None.

        ``D`` is ``len(dims)``, ``len(low)`` / ``len(high)``, or the size of the game's Box
        observation space, in that order.
        """
        for given in (config.dims, config.low, config.high):
            if given is not None:
                return len(given) * config.n_fields
        box = _as_box(game_params.get("observation_space"))
        return None if box is None else int(np.prod(box.shape)) * config.n_fields

    def __init__(self, config: GaussianFieldsConfig, ctx: Any):
        low, high, dims = self._resolve_range(config, ctx.game_params.get("observation_space"))
        super().__init__(attrs.evolve(config, low=low, high=high, dims=dims), ctx)
        self.dt = float(ctx.dt)
        self._dims = np.asarray(dims, dtype=np.intp)
        self._low = np.asarray(low, dtype=np.float64)
        self._high = np.asarray(high, dtype=np.float64)
        spacing = (self._high - self._low) / (config.n_fields - 1)
        fractions = np.arange(config.n_fields, dtype=np.float64)
        #: centres (D, K) and widths (D, 1) in observation units
        self.centres = self._low[:, None] + spacing[:, None] * fractions[None, :]
        self.sigmas = (config.width * spacing)[:, None]
        self.check_tiling(self.centres.size, "n_fields")
        self._check_peak(self.max_rate_hz)
        self._clipped = np.zeros(len(dims), dtype=np.float64)
        self._hertz = np.zeros(self.centres.shape, dtype=np.float64)

    # -- construction ----------------------------------------------------------------------------
    def _resolve_range(self, config: GaussianFieldsConfig, space: Any) -> tuple[tuple, tuple, tuple]:
        """(low, high, dims) of every encoded dimension, from the config and the observation space."""
        need_space = config.low is None or config.high is None or config.dims is None
        box = _as_box(space)
        if need_space and box is None and (config.low is None or config.high is None):
            what = "no game" if space is None else f"the observation space {space} (not a Box)"
            raise ConfigError(
                f"{self.address('low')}: with {what}, the encoded range cannot come from the "
                "observation space; give low and high (one number per dimension) or play a game with "
                "a Box observation space"
            )
        if config.dims is not None:
            dims = tuple(int(d) for d in config.dims)
        elif box is not None and config.low is None and config.high is None:
            dims = tuple(range(int(np.prod(box.shape))))
        else:
            dims = tuple(range(len(config.low if config.low is not None else config.high)))
        if box is not None:
            size = int(np.prod(box.shape))
            outside = [d for d in dims if d >= size]
            if outside:
                raise ConfigError(
                    f"{self.address('dims')}: positions {outside} are outside the observation of "
                    f"{size} values (space {box})"
                )
        low = config.low if config.low is not None else self._space_bound(box, dims, "low", config)
        high = config.high if config.high is not None else self._space_bound(box, dims, "high", config)
        bad = [d for d, lo, hi in zip(dims, low, high, strict=True) if not lo < hi]
        if bad:
            raise ConfigError(
                f"{self.address('high')}: must exceed low in every encoded dimension (not at positions "
                f"{bad}: low {list(low)}, high {list(high)}); set low and high"
            )
        return tuple(float(v) for v in low), tuple(float(v) for v in high), dims

    @staticmethod
    def _space_bound(box: Any, dims: tuple, side: str, config: GaussianFieldsConfig) -> tuple:
        bound = np.ravel(np.broadcast_to(getattr(box, side), box.shape)).astype(np.float64)[list(dims)]
        sign = -1.0 if side == "low" else 1.0
        unbounded = ~np.isfinite(bound) | (np.abs(bound) >= UNBOUNDED)
        return tuple(np.where(unbounded, sign * config.unbounded_range, bound))

    def _check_peak(self, hertz: float) -> None:
        limit = 1000.0 / self.dt
        if not (math.isfinite(hertz) and 0 < hertz <= limit):
            raise ConfigError(
                f"{self.address('max_rate_hz')}: must lie in (0, {limit:g}] Hz for dt = {self.dt:g} ms "
                f"(got {hertz:g}); lower max_rate_hz or network.dt"
            )

    # -- encoding --------------------------------------------------------------------------------
    def rates_hz(self, state: Any) -> np.ndarray:
        """Firing rates in Hz of the ``D * K`` fields for observation ``state``: float64 (D * K,).

        Returns an internal buffer, overwritten by the next call.
        """
        values = self._observation(state)
        np.clip(values[self._dims], self._low, self._high, out=self._clipped)
        np.subtract(self._clipped[:, None], self.centres, out=self._hertz)
        self._hertz /= self.sigmas
        np.square(self._hertz, out=self._hertz)
        self._hertz *= -0.5
        np.exp(self._hertz, out=self._hertz)
        self._hertz *= self.max_rate_hz
        return self._hertz.reshape(-1)

    def _observation(self, state: Any) -> np.ndarray:
        try:
            values = np.ravel(np.asarray(state, dtype=np.float64))
        except (TypeError, ValueError):
            raise ConfigError(
                f"{self.address('dims')}: the observation must be numbers (got {state!r})"
            ) from None
        if values.size <= self._dims.max() or not np.all(np.isfinite(values[self._dims])):
            raise ConfigError(
                f"{self.address('dims')}: observation {state!r} must hold finite numbers at positions "
                f"{self._dims.tolist()}"
            )
        return values

    def _encode(self, state: Any) -> None:
        self._check_peak(self.max_rate_hz)
        self.set_rates(self.rates_hz(state) * (self.dt / 1000.0), "max_rate_hz")
