"""Configuration on attrs: the shared validator vocabulary, ``param``, ``from_dict`` and ``describe``.

Every part declares its parameters once, as a frozen, keyword-only attrs class whose fields are
made with :func:`param`. That single declaration drives validation, documentation
(:func:`describe`, ``spikey describe``) and building from data (:func:`from_dict`)::

    @attrs.frozen(kw_only=True)
    class LeakConfig:
        potential_decay: float = param(
            default=0.05, check=Real(ge=0, le=1),
            doc="fraction of (V - rest) lost per step, in [0, 1]")

Numbers are checked as :class:`numbers.Real` / :class:`numbers.Integral`, so numpy scalars are
accepted; ``bool`` is never a number.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from spikey_core.errors import ConfigError, did_you_mean

__all__ = [
    "AnyOf",
    "ArrayLike",
    "Boolean",
    "CallableCheck",
    "Check",
    "Integer",
    "MappingCheck",
    "OneOf",
    "Optional",
    "Real",
    "String",
    "describe",
    "document",
    "field_rows",
    "from_dict",
    "is_config_class",
    "param",
    "probability",
    "to_dict",
    "tunable_fields",
    "with_values",
]

_DOC = "doc"
_CHECK = "check"
_TUNABLE = "tunable"


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _show(value: Any) -> str:
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{value.__module__}:{value.__qualname__}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Check:
    """Base of the validators: ``problem(value)`` returns ``None`` or what is wrong.

    Instances are also attrs validators: called by attrs on construction they raise
    :class:`~spikey_core.errors.ConfigError` addressed ``ClassName.field``.
    """

    def problem(self, value: Any) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def summary(self) -> str:
        """Short human description used by :func:`describe`, e.g. ``real in [0, 1]``."""
        return ""

    def __call__(self, instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        message = self.problem(value)
        if message is not None:
            raise ConfigError(f"{type(instance).__name__}.{attribute.name}: {message}")


class _Bounded(Check):
    kind = "number"

    def __init__(self, *, ge=None, le=None, gt=None, lt=None, allow_inf: bool = False):
        self.ge, self.le, self.gt, self.lt = ge, le, gt, lt
        self.allow_inf = allow_inf

    def _type_ok(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def problem(self, value: Any) -> str | None:
        if _is_bool(value) or not self._type_ok(value):
            return f"must be {self.article} {self.kind} (got {_show(value)})"
        if isinstance(value, numbers.Real) and value != value:  # NaN compares unequal to itself
            return "must be a finite number (got nan)"
        if not self.allow_inf and isinstance(value, numbers.Real) and value in (math.inf, -math.inf):
            return f"must be a finite number (got {_show(value)})"
        for bound, ok, sign in (
            (self.ge, lambda b: value >= b, ">="),
            (self.le, lambda b: value <= b, "<="),
            (self.gt, lambda b: value > b, ">"),
            (self.lt, lambda b: value < b, "<"),
        ):
            if bound is not None and not ok(bound):
                return f"must be {sign} {bound} (got {_show(value)})"
        return None

    article = "a"

    def summary(self) -> str:
        low = f"[{self.ge}" if self.ge is not None else (f"({self.gt}" if self.gt is not None else "(-inf")
        high = f"{self.le}]" if self.le is not None else (f"{self.lt})" if self.lt is not None else "inf)")
        if low == "(-inf" and high == "inf)":
            return self.kind
        return f"{self.kind} in {low}, {high}"


class Real(_Bounded):
    """A finite real number (int, float or numpy scalar; not bool) with optional bounds.

    NaN is always refused; ``inf`` and ``-inf`` only where the field says ``allow_inf=True``
    (e.g. an unbounded clip), because an infinite setting otherwise poisons the whole simulation.
    """

    kind = "real number"

    def _type_ok(self, value: Any) -> bool:
        return isinstance(value, numbers.Real)


class Integer(_Bounded):
    """An integer (int or numpy integer; not bool) with optional bounds."""

    kind = "integer"
    article = "an"

    def _type_ok(self, value: Any) -> bool:
        return isinstance(value, numbers.Integral)


def probability() -> Real:
    """A real number in [0, 1]."""
    return Real(ge=0, le=1)


class Boolean(Check):
    """``True`` or ``False`` (numpy bools included)."""

    def problem(self, value: Any) -> str | None:
        return None if _is_bool(value) else f"must be true or false (got {_show(value)})"

    def summary(self) -> str:
        return "bool"


class String(Check):
    """A string, optionally non-empty."""

    def __init__(self, *, non_empty: bool = False):
        self.non_empty = non_empty

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a string (got {_show(value)})"
        if self.non_empty and not value:
            return "must not be empty"
        return None

    def summary(self) -> str:
        return "string"


class OneOf(Check):
    """One of a fixed set of values; strings get a did-you-mean."""

    def __init__(self, options: Iterable[Any]):
        self.options = tuple(options)

    def problem(self, value: Any) -> str | None:
        try:
            if value in self.options:
                return None
        except TypeError:
            pass
        listing = ", ".join(repr(o) for o in self.options)
        hint = did_you_mean(value, [str(o) for o in self.options]) if isinstance(value, str) else ""
        return f"must be one of {listing} (got {_show(value)}){hint}"

    def summary(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)


class CallableCheck(Check):
    """Any callable (function, class, object with ``__call__``)."""

    def problem(self, value: Any) -> str | None:
        return None if callable(value) else f"must be callable (got {_show(value)})"

    def summary(self) -> str:
        return "callable"


class MappingCheck(Check):
    """A mapping (dict-like)."""

    def problem(self, value: Any) -> str | None:
        return None if isinstance(value, Mapping) else f"must be a mapping (got {_show(value)})"

    def summary(self) -> str:
        return "mapping"


class ArrayLike(Check):
    """Something ``numpy.asarray`` turns into a numeric array, optionally of a given ndim / shape.

    Parameters
    ----------
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    finite : bool
        Reject NaN and inf entries.
    ge, le : float, optional
        Bounds every entry must respect.
    """

    def __init__(self, *, ndim=None, finite: bool = True, ge=None, le=None):
        self.ndim = (ndim,) if isinstance(ndim, int) else ndim
        self.finite, self.ge, self.le = finite, ge, le

    def problem(self, value: Any) -> str | None:
        if isinstance(value, (str, bytes, Mapping)) or value is None:
            return f"must be an array or nested list of numbers (got {_show(value)})"
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return f"must be an array or nested list of numbers (got {_show(value)})"
        if self.ndim is not None and array.ndim not in self.ndim:
            want = " or ".join(str(n) for n in self.ndim)
            return f"must have {want} dimension(s) (got shape {array.shape})"
        if self.finite and array.size and not np.all(np.isfinite(array)):
            return "must contain only finite numbers (found NaN or inf)"
        if self.ge is not None and array.size and array.min() < self.ge:
            return f"entries must be >= {self.ge} (found {array.min()})"
        if self.le is not None and array.size and array.max() > self.le:
            return f"entries must be <= {self.le} (found {array.max()})"
        return None

    def summary(self) -> str:
        dims = "" if self.ndim is None else f" ({'/'.join(map(str, self.ndim))}-d)"
        return "array" + dims


class Optional(Check):
    """``None`` or whatever ``inner`` accepts."""

    def __init__(self, inner: Check):
        self.inner = inner

    def problem(self, value: Any) -> str | None:
        return None if value is None else self.inner.problem(value)

    def summary(self) -> str:
        return f"{self.inner.summary()} or none"


class AnyOf(Check):
    """Accepted when any of ``checks`` accepts; the message lists every alternative."""

    def __init__(self, *checks: Check):
        self.checks = checks

    def problem(self, value: Any) -> str | None:
        problems = [check.problem(value) for check in self.checks]
        if any(p is None for p in problems):
            return None
        return "must be " + " or ".join(c.summary() for c in self.checks) + f" (got {_show(value)})"

    def summary(self) -> str:
        return " or ".join(c.summary() for c in self.checks)


def param(
    *,
    doc: str,
    check: Check | None = None,
    default: Any = attrs.NOTHING,
    factory: Callable[[], Any] | None = None,
    converter: Callable[[Any], Any] | None = None,
    tunable: bool = False,
) -> Any:
    """Declare one configuration field.

    Parameters
    ----------
    doc : str
        What the field means, with its unit and range.
    check : Check, optional
        The validator; ``None`` accepts anything.
    default, factory
        The default value, or a zero-argument function making it; omit both for a required field.
    converter : callable, optional
        Applied to the value before validation (e.g. ``tuple`` for list-valued fields).
    tunable : bool
        The part reads this value at run time from a same-named instance attribute, which
        :class:`~spikey_core.part.Part` creates from the config; changing the attribute (by hand or
        by a modifier) changes the simulation, and ``spec()``, ``save()`` and logs report it.
        Leave ``False`` for values used only when the part is built (sizes, polarities, seeds).
    """
    validators = [check] if check is not None else []
    metadata = {_DOC: doc, _CHECK: check, _TUNABLE: bool(tunable)}
    kwargs: dict[str, Any] = {"metadata": metadata, "validator": validators}
    if converter is not None:
        kwargs["converter"] = _safe_converter(converter)
    if factory is not None:
        kwargs["factory"] = factory
    elif default is not attrs.NOTHING:
        kwargs["default"] = default
    return attrs.field(**kwargs)


def _safe_converter(converter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Leave values the converter cannot handle untouched, so the check reports them."""

    def convert(value: Any) -> Any:
        try:
            return converter(value)
        except (TypeError, ValueError):
            return value

    convert.__doc__ = converter.__doc__
    return convert


def is_config_class(cls: Any) -> bool:
    """Whether ``cls`` is an attrs class usable as a Spikey config."""
    return isinstance(cls, type) and attrs.has(cls)


def _fields(cls: type) -> tuple[attrs.Attribute, ...]:
    return tuple(f for f in attrs.fields(cls) if f.init)


def tunable_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of config class ``cls`` declared with ``param(..., tunable=True)``."""
    if not is_config_class(cls):
        return ()
    return tuple(f.name for f in _fields(cls) if f.metadata.get(_TUNABLE, False))


def live_value(cls: type, name: str, value: Any) -> Any:
    """``value`` of field ``name`` as a part holds it at run time: Python float / int for numbers.

    Numbers checked by :class:`Real` become ``float`` and by :class:`Integer` ``int``, so the hot
    loop works on plain Python scalars whatever numeric type the user passed; anything else is
    returned unchanged.
    """
    check = attrs.fields_dict(cls)[name].metadata.get(_CHECK)
    if _is_bool(value) or not isinstance(value, numbers.Real):
        return value
    if isinstance(check, Integer) and isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(check, Real):
        return float(value)
    return value


def with_values(config: Any, values: Mapping[str, Any], *, address: str | None = None) -> Any:
    """A copy of ``config`` with some fields replaced, validated like :func:`from_dict`.

    Returns ``config`` itself when nothing changes.

    Raises
    ------
    ConfigError
        A replaced value fails its field's check; lines are addressed ``<address>.<field>`` (the
        config class name when ``address`` is None).
    """
    current = to_dict(config)
    if all(_same(current[name], value) for name, value in values.items()):
        return config
    where = address if address is not None else type(config).__name__
    return from_dict(type(config), {**current, **values}, address=where)


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    numeric = all(isinstance(v, numbers.Real) and not _is_bool(v) for v in (a, b))
    try:
        return bool((numeric or type(a) is type(b)) and a == b)
    except (TypeError, ValueError):  # arrays compare elementwise
        return False


def from_dict(cls: type, data: Any, *, address: str = "$") -> Any:
    """Build config ``cls`` from a mapping, reporting every problem at once.

    Parameters
    ----------
    cls : attrs class
        The config class.
    data : mapping
        Field values; keys must be field names.
    address : str
        Location of ``data`` in the whole document, used in messages (``$.neuron``).

    Returns
    -------
    cls instance

    Raises
    ------
    ConfigError
        Listing unknown keys (with did-you-mean), missing required fields, wrong types and
        out-of-range values, each line addressed ``<address>.<field>``.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{address}: must be a table of settings (got {_show(data)})")
    fields = {f.name: f for f in _fields(cls)}
    problems: list[str] = []
    for key in data:
        if key not in fields:
            hint = did_you_mean(key, fields) or f" (valid keys: {', '.join(sorted(fields)) or 'none'})"
            problems.append(f"{address}.{key}: unknown key{hint}")
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            if field.default is attrs.NOTHING:
                doc = field.metadata.get(_DOC, "")
                problems.append(f"{address}.{name}: required field missing ({doc})")
            continue
        value = data[name]
        if field.converter is not None:
            value = field.converter(value)  # type: ignore[operator]  # param() only sets plain callables
        check = field.metadata.get(_CHECK)
        message = check.problem(value) if check is not None else None
        if message is not None:
            problems.append(f"{address}.{name}: {message}")
        values[name] = value
    if problems:
        raise ConfigError(problems)
    try:
        return cls(**values)
    except ConfigError as error:  # cross-field checks raised by __attrs_post_init__
        raise ConfigError([_readdress(line, cls, address) for line in error.problems]) from None


def _readdress(line: str, cls: type, address: str) -> str:
    prefix = f"{cls.__name__}."
    if line.startswith(prefix):
        return f"{address}.{line[len(prefix) :]}"
    return f"{address}: {line}"


def to_dict(config: Any) -> dict[str, Any]:
    """The field values of a config instance as a plain (shallow) dict."""
    return {f.name: getattr(config, f.name) for f in _fields(type(config))}


def field_rows(cls: type) -> list[dict[str, str]]:
    """One row per field: ``name``, ``accepts``, ``default`` and ``doc`` as display strings."""
    rows = []
    for field in _fields(cls):
        check = field.metadata.get(_CHECK)
        if field.default is attrs.NOTHING:
            default = "(required)"
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            default = _show(field.default.factory())  # type: ignore[union-attr]
        else:
            default = _show(field.default)
        rows.append(
            {
                "name": field.name,
                "accepts": check.summary() if check is not None else "any",
                "default": default,
                "doc": field.metadata.get(_DOC, ""),
                "tunable": "yes" if field.metadata.get(_TUNABLE, False) else "",
            }
        )
    return rows


def describe(cls: type, *, title: str | None = None) -> str:
    """Render a config class as a text table: field, accepted values, default, meaning.

    Fields a part reads at run time (``tunable``) are marked ``[tunable]``: setting the part's
    attribute of that name changes the simulation and what ``spec()`` reports.
    """
    rows = field_rows(cls)
    lines = [title] if title else []
    if not rows:
        lines.append("  (no settings)")
        return "\n".join(lines)
    widths = {key: max(len(key), *(len(r[key]) for r in rows)) for key in ("name", "accepts", "default")}
    header = (
        f"  {'name':<{widths['name']}}  {'accepts':<{widths['accepts']}}  "
        f"{'default':<{widths['default']}}  doc"
    )
    lines.append(header)
    for row in rows:
        lines.append(
            f"  {row['name']:<{widths['name']}}  {row['accepts']:<{widths['accepts']}}  "
            f"{row['default']:<{widths['default']}}  {row['doc']}" + (" [tunable]" if row["tunable"] else "")
        )
    return "\n".join(lines)


_DOCUMENTED = "__spikey_documented__"


def numpy_docstring(cls: type, summary: str = "") -> str:
    """A NumPy-style docstring for config ``cls``, its Parameters section built from the fields.

    Each field becomes ``name : accepts, default <value>`` followed by its ``doc``, so ``help()``,
    the API reference and ``spikey describe`` say the same thing.
    """
    lines = [summary.strip() or f"Settings of {cls.__name__.removesuffix('Config') or cls.__name__}."]
    rows = field_rows(cls)
    if rows:
        lines += ["", "Parameters", "----------"]
        for row in rows:
            default = "required" if row["default"] == "(required)" else f"default {row['default']}"
            lines += [f"{row['name']} : {row['accepts']}, {default}", f"    {row['doc']}"]
    return "\n".join(lines) + "\n"


def document(cls: Any, owner: Any = None) -> Any:
    """Give config ``cls`` a NumPy-style docstring from its field metadata; returns ``cls``.

    A hand-written summary is kept as the first paragraph, and a docstring that already has a
    ``Parameters`` section is left alone; calling it again changes nothing. ``owner`` (the part
    the config belongs to) names the summary when the class has none.
    """
    if not is_config_class(cls) or cls.__dict__.get(_DOCUMENTED):
        return cls
    own = cls.__dict__.get("__doc__") or ""
    if "Parameters\n" not in own:
        summary = own.strip() or (f"Settings of {owner.__name__}." if isinstance(owner, type) else "")
        try:
            cls.__doc__ = numpy_docstring(cls, summary)
        except (AttributeError, TypeError):  # a class whose docstring cannot be set keeps its own
            return cls
    setattr(cls, _DOCUMENTED, True)
    return cls
