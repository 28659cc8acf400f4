"""Shared machinery of the modifiers (not a registered part): a scheduled network parameter.

A modifier changes one runtime-tunable attribute of a part, named by a path
``"<slot>.<attribute>"`` such as ``"synapse.learning_rate"`` or ``"neuron.firing_threshold"``.
Config fields declared ``param(..., tunable=True)`` are copied by :class:`spikey_core.Part` to
same-named instance attributes that the part reads at every step, so ``setattr`` on the part takes
effect at the next network step and is what ``spec()``, ``save()`` and logs report.
"""

from __future__ import annotations

import numbers
from typing import Any

import attrs
from spikey_core.config import Optional, Real, String
from spikey_core.errors import did_you_mean

from spikey_core import ConfigError, Part
from spikey_core import config as cfg


@attrs.frozen(kw_only=True)
class ScheduleConfig:
    # cfg.param, not param: the field named "param" would shadow the function in this class body
    param: str = cfg.param(
        check=String(non_empty=True),
        doc="the parameter to change, 'slot.attribute', e.g. 'synapse.learning_rate'",
    )
    value_start: float | None = cfg.param(
        default=None,
        check=Optional(Real()),
        doc="value at the first game step of every episode; default: the parameter's value when built",
    )


def _public_attributes(obj: Any) -> list[str]:
    return [name for name in vars(obj) if not name.startswith("_")] if hasattr(obj, "__dict__") else []


def resolve_parameter(path: str, parts: Any, owner_name: str) -> tuple[Any, str]:
    """The object holding the parameter at ``path`` and the attribute name to set.

    Parameters
    ----------
    path : str
        ``"slot.attribute"`` (deeper paths ``"slot.a.b"`` walk attributes).
    parts : mapping of str to object
        The network's parts by slot.
    owner_name : str
        The modifier's name, for messages.

    Raises
    ------
    ConfigError
        Unknown slot or attribute (with a did-you-mean), or a value that is not a real number.
    """
    where = f"$.modifiers.param ({owner_name})"
    slot, _, rest = path.partition(".")
    if not rest:
        raise ConfigError(f"{where}: must be 'slot.attribute', e.g. 'synapse.learning_rate' (got {path!r})")
    available = [name for name, part in parts.items() if part is not None and not isinstance(part, list)]
    if slot not in available:
        hint = did_you_mean(slot, available) or f" (parts: {', '.join(available)})"
        raise ConfigError(f"{where}: the network has no part {slot!r}{hint}")
    owner: Any = parts[slot]
    names = rest.split(".")
    for depth, name in enumerate(names):
        if not hasattr(owner, name):
            hint = did_you_mean(name, _public_attributes(owner))
            config = getattr(owner, "config", None)
            if not hint and depth == 0 and hasattr(config, name):
                hint = (
                    f"; {type(owner).__name__} reads {name!r} from its config only, so it cannot be scheduled"
                )
            raise ConfigError(f"{where}: {type(owner).__name__} ({slot}) has no attribute {name!r}{hint}")
        if depth < len(names) - 1:
            owner = getattr(owner, name)
    value = getattr(owner, names[-1])
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ConfigError(
            f"{where}: {path} is {value!r}, not a number; only numeric parameters can be scheduled"
        )
    return owner, names[-1]


class ScheduleBase(Part):
    """Sets a part's attribute to :meth:`value_at` ``(k)`` at game step ``k`` of each episode.

    Subclasses define ``value_at(k)``; ``k`` counts the ``update`` calls since the last
    ``reset`` (0 at the first game step of an episode).

    Attributes
    ----------
    step : int
        Game steps of this episode already scheduled.
    value_start : float
        Value at ``k = 0``.
    """

    STATE = ("step",)

    def __init__(self, config: ScheduleConfig, ctx: Any):
        super().__init__(config, ctx)
        self._owner, self._attribute = resolve_parameter(config.param, ctx.parts, type(self).__name__)
        current = getattr(self._owner, self._attribute)
        self.value_start = float(current if config.value_start is None else config.value_start)
        self.step = 0

    def value_at(self, step: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def reset(self) -> None:
        """Restart the schedule: step 0, parameter back to ``value_start``."""
        self.step = 0
        setattr(self._owner, self._attribute, self.value_start)

    def update(self, network: Any) -> None:
        """Set the parameter for the coming game step, then advance the schedule."""
        step = int(self.step)
        setattr(self._owner, self._attribute, self.value_at(step))
        self.step = step + 1
