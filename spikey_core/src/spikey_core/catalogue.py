"""What is installed, as people read it: plain-text summaries, ``spikey describe`` and the docs catalogue.

One source serves the terminal and the documentation site: :func:`describe_entry` renders one
registered thing as text (``spikey describe KIND NAME``), :func:`catalogue_markdown` renders every
registered thing as a Markdown page (the part catalogue of the docs), both from the registry and
the Config metadata (:func:`spikey_core.config.field_rows`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping
from typing import Any

from spikey_core import config as cfg
from spikey_core.registry import Entry, Registry

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|obj|exc|ref):`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_EMPHASIS = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])")


def plain_text(text: str) -> str:
    """reST inline markup turned into what a terminal shows: ``x`` -> x, :class:`~a.B` -> B."""

    def role(match: re.Match[str]) -> str:
        target = match.group(1)
        return target.rsplit(".", 1)[-1] if "`~" in match.group(0) else target

    text = _ROLE.sub(role, text)
    text = _LITERAL.sub(r"\1", text)
    return _EMPHASIS.sub(r"\1", text)


def docstring(obj: Any) -> str:
    """The object's own description: ``description`` if it sets one, else its docstring."""
    text = getattr(obj, "description", "") if isinstance(obj, type) else ""
    if not isinstance(text, str) or not text.strip():
        text = obj.__doc__ or ""
    return _dedent(text)


def _dedent(text: str) -> str:
    return inspect.cleandoc(text) if text else ""


def summary(obj: Any) -> str:
    """The first paragraph of the object's description, joined into one plain-text line."""
    first = docstring(obj).split("\n\n")[0]
    return plain_text(" ".join(line.strip() for line in first.splitlines()))


def fit(text: str, width: int | None) -> str:
    """``text`` cut with an ellipsis to ``width`` characters; unchanged when ``width`` is None."""
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 1)] + "…"


def _sections(obj: Any) -> list[str]:
    """What to print about ``obj``: for a class with a Config, its first paragraph (the settings
    table says the rest); otherwise its whole docstring, since nothing else documents it."""
    paragraphs = [p.strip() for p in _dedent(obj.__doc__ or "").split("\n\n") if p.strip()]
    if cfg.is_config_class(getattr(obj, "Config", None)):
        paragraphs = paragraphs[:1]
    return [plain_text(p) for p in paragraphs]


def describe_entry(registry: Registry, kind: str, name: str) -> str:
    """``spikey describe KIND NAME``: what it is, where it comes from, its presets and settings.

    Raises
    ------
    UnknownNameError
        No ``kind`` called ``name`` (with a did-you-mean).
    """
    entry = registry.entry(kind, name)
    obj = entry.obj
    where = f"{obj.__module__}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"
    lines = [f"{kind} {name!r} ({where}, from {entry.provider.distribution})"]
    paragraphs = _sections(obj)
    if paragraphs:
        lines += ["", "\n\n".join(paragraphs)]
    presets = getattr(obj, "PRESETS", None)
    if isinstance(presets, Mapping) and presets:
        lines += ["", "presets: " + ", ".join(presets)]
    config_cls = getattr(obj, "Config", None)
    if config_cls is not None and cfg.is_config_class(config_cls):
        lines += ["", plain_text(cfg.describe(config_cls, title="settings:"))]
    return "\n".join(lines)


# -- the documentation catalogue -----------------------------------------------------------------
def _cell(text: str) -> str:
    return plain_text(text).replace("|", "\\|").replace("\n", " ")


def entry_markdown(entry: Entry) -> str:
    """One registered thing as a Markdown section: heading, description, presets, settings table."""
    obj = entry.obj
    lines = [f"### `{entry.name}`", ""]
    lines += [
        f"`{obj.__module__}.{getattr(obj, '__qualname__', '')}` from `{entry.provider.distribution}`",
        "",
    ]
    for paragraph in _sections(obj):
        lines += [paragraph, ""]
    presets = getattr(obj, "PRESETS", None)
    if isinstance(presets, Mapping) and presets:
        lines += ["Presets: " + ", ".join(f"`{p}`" for p in presets), ""]
    config_cls = getattr(obj, "Config", None)
    if config_cls is not None and cfg.is_config_class(config_cls):
        rows = cfg.field_rows(config_cls)
        if rows:
            lines += ["| setting | accepts | default | meaning |", "|---|---|---|---|"]
            lines += [
                f"| `{r['name']}` | {_cell(r['accepts'])} | `{_cell(r['default'])}` | {_cell(r['doc'])} |"
                for r in rows
            ]
        else:
            lines.append("No settings.")
        lines.append("")
    return "\n".join(lines)


def catalogue_markdown(registry: Registry, kinds: Iterable[str] | None = None) -> str:
    """Every registered thing of ``kinds`` (default: all), grouped by kind, as one Markdown page."""
    from spikey_core.registry import KINDS

    lines = [
        "# Part catalogue",
        "",
        "Generated from the plugin registry and the Config metadata: the same source as",
        "`spikey parts` and `spikey describe KIND NAME`. Every setting with what it accepts, its",
        "default and its meaning.",
        "",
    ]
    for kind in kinds or KINDS:
        entries = registry.entries(kind)
        if not entries:
            continue
        lines += [f"## {kind}", ""]
        lines += [entry_markdown(e) for e in entries]
    return "\n".join(lines)
