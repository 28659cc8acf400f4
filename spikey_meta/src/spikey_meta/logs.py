"""Run logs: one JSON document per run, written atomically, never overwriting another run.

Document layout (format ``spikey-log/1``)::

    {
     "format": "spikey-log/1",
     "meta":    {"created": ISO-8601 UTC, "seed": experiment seed, "versions": {...},
                 "engine": {"name": "numba", "reason": one line} or null},
     "network": {"network": {"n_inputs": ...}, "neuron": {"type": "lif", "class": "pkg.mod:LIF", ...}, ...},
     "game":    {"name": "logic", "class": "pkg.mod:Logic", "preset": "XOR", ...settings},
     "results": {...},   # the callback's table-friendly scalars
     "info":    {...}    # the callback's arrays and objects
    }

Every value is stored with the tagged encoding of :mod:`spikey_meta.encoding`, so numpy arrays
(dtype and shape), tuples, NaN and non-string keys come back exactly (:func:`read_log`).

A run-log file holds one document (``.json``); a *JSON-lines* file (``.jsonl``, written by
:func:`write_records`, e.g. one file per population epoch) holds one compact document per line,
each line one run (:func:`read_records`).

Writing is crash-safe: the text goes to a hidden temporary file in the destination folder, is
flushed and fsynced, and only then appears under its final name (``os.link`` for names that must
not exist yet, ``os.replace`` to deliberately overwrite), so a crash never leaves a half-written
log or a damaged earlier one.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import importlib.metadata
import itertools
import json
import os
import platform
import string
import tempfile
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from spikey_meta.encoding import decode, encode, iter_json

FORMAT = "spikey-log/1"
SECTIONS = ("network", "game", "results", "info")
SUMMARY_MARK = "~SUMMARY"
DEFAULT_FOLDER = "log"


# -- document -------------------------------------------------------------------------------------
def versions() -> dict[str, str]:
    """Versions of python, numpy and every installed ``spikey*`` distribution."""
    return dict(_versions())


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    import numpy

    found = {"python": platform.python_version(), "numpy": numpy.__version__}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name.startswith("spikey"):
            found[name] = dist.version
    return tuple(sorted(found.items()))


def _import_path(obj: Any) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def network_section(network: Any) -> dict[str, Any]:
    """The network's specification (``network.spec()``) plus each part's class as ``class``."""
    if network is None:
        return {}
    try:
        spec = network.spec() if hasattr(network, "spec") else {}
    except Exception as error:  # e.g. a broken plugin elsewhere; the run itself must still be logged
        warnings.warn(f"log: the network specification is incomplete ({error})", stacklevel=3)
        config = getattr(network, "config", None)
        spec = {"network": attrs.asdict(config, recurse=False)} if attrs.has(type(config)) else {}
    parts = getattr(network, "parts", {})
    for slot, section in spec.items():
        part = parts.get(slot)
        if isinstance(section, dict) and part is not None and not isinstance(part, list):
            section["class"] = _import_path(type(part))
    for section, modifier in zip(spec.get("modifiers", []), parts.get("modifiers", []), strict=False):
        section["class"] = _import_path(type(modifier))
    return spec


def game_section(game: Any, registry: Any = None) -> dict[str, Any]:
    """Name (as registered in ``registry``, default the loaded one), class, preset and settings of a game."""
    if game is None:
        return {}
    from spikey_core.registry import registry_or_loaded

    try:
        name = registry_or_loaded(registry).name_of("game", type(game))
    except Exception:  # a broken plugin elsewhere must not stop a finished run from being logged
        name = None
    section: dict[str, Any] = {
        "name": name or type(game).__name__,
        "class": _import_path(type(game)),
        "preset": getattr(game, "preset", None),
    }
    section.update(_game_settings(game))
    return section


def _game_settings(game: Any) -> dict[str, Any]:
    settings = getattr(game, "settings", None)
    if settings is not None and attrs.has(type(settings)):
        return attrs.asdict(settings, recurse=False)
    config_cls = getattr(game, "Config", None)
    if config_cls is not None and attrs.has(config_cls):
        return {f.name: getattr(game, f.name) for f in attrs.fields(config_cls) if hasattr(game, f.name)}
    params = getattr(game, "params", None)
    return dict(params) if isinstance(params, Mapping) else {}


def _seed(network: Any, results: Mapping[str, Any]) -> Any:
    if results.get("seed") is not None:
        return results["seed"]
    seed = getattr(network, "seed", None)
    return getattr(seed, "entropy", seed)  # a SeedSequence's entropy reproduces an unseeded run


def _engine(network: Any) -> dict[str, Any] | None:
    """Which engine ran the network and why (``Network.engine_name`` / ``engine_reason``)."""
    name = getattr(network, "engine_name", None)
    return None if name is None else {"name": name, "reason": getattr(network, "engine_reason", "")}


def make_document(
    network: Any = None,
    game: Any = None,
    results: Mapping | None = None,
    info: Mapping | None = None,
    *,
    registry: Any = None,
) -> dict[str, Any]:
    """The encoded log document of one run (see the module docstring for the layout); the game's
    name is looked up in ``registry`` (default: the network's, else the loaded one), as the
    network's part names are."""
    results = dict(results or {})
    if registry is None:
        registry = getattr(network, "registry", None)
    raw = {
        "meta": {
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "seed": _seed(network, results),
            "versions": versions(),
            "engine": _engine(network),
        },
        "network": network_section(network),
        "game": game_section(game, registry),
        "results": results,
        "info": dict(info or {}),
    }
    return {"format": FORMAT, **{key: encode(value, f"$.{key}") for key, value in raw.items()}}


# -- atomic files ---------------------------------------------------------------------------------
def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_temp(folder: Path, stem: str, pieces: Any) -> Path:
    """Write the text ``pieces`` to a hidden, fsynced temporary file in ``folder``; returns its path."""
    fd, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=folder)
    temp = Path(name)
    try:
        os.chmod(temp, 0o644)  # mkstemp's 0600 would make logs private to their writer
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _document_text(document: Mapping[str, Any]) -> Any:
    yield from iter_json(document)
    yield "\n"


def _records_text(documents: Any) -> Any:
    """JSON lines: each document compact on one line (JSON escapes every newline inside strings)."""
    for document in documents:
        yield json.dumps(document, allow_nan=False, separators=(",", ":"))
        yield "\n"


def _publish(temp: Path, path: Path, *, overwrite: bool) -> bool:
    """Give ``temp`` the name ``path``; with ``overwrite`` false, only if ``path`` does not exist.

    Returns False when the name is taken (nothing changed then).
    """
    if overwrite:
        os.replace(temp, path)
        return True
    try:
        os.link(temp, path)  # atomic create-if-absent: a taken name fails instead of being replaced
    except FileExistsError:
        return False
    except OSError:  # file systems without hard links: claim the name first, then replace it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        os.replace(temp, path)
        return True
    temp.unlink()
    return True


def write_document(document: Mapping[str, Any], names: Any, folder: Path, *, overwrite: bool = False) -> Path:
    """Write ``document`` under the first free name that ``names`` (an iterable of file names) yields."""
    return _write_file(_document_text(document), names, folder, overwrite=overwrite)


def write_records(documents: Any, names: Any, folder: Path, *, overwrite: bool = False) -> Path:
    """Write several run documents as one JSON-lines file (one run per line), atomically, under the
    first free name that ``names`` yields (see :func:`read_records`)."""
    return _write_file(_records_text(documents), names, folder, overwrite=overwrite)


def _write_file(pieces: Any, names: Any, folder: Path, *, overwrite: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(folder, "log", pieces)
    try:
        for name in names:
            path = folder / name
            if _publish(temp, path, overwrite=overwrite):
                _fsync_folder(folder)
                return path
        raise FileExistsError(f"{folder}: no free log name left")
    finally:
        temp.unlink(missing_ok=True)


def _stamped_names(stamp: str, extension: str = ".json") -> Any:
    """``stamp.json``, ``stamp-1.json``, ``stamp-2.json``, ..."""
    yield f"{stamp}{extension}"
    for i in itertools.count(1):
        yield f"{stamp}-{i}{extension}"


# -- public API -----------------------------------------------------------------------------------
def log(
    network: Any = None,
    game: Any = None,
    results: Mapping | None = None,
    info: Mapping | None = None,
    folder: str | os.PathLike | None = None,
    filename: str | os.PathLike | None = None,
) -> Path:
    """Write the log of one run and return its path.

    Parameters
    ----------
    network, game
        The run's network and game (their configuration goes into the log); either may be None.
    results, info : dict
        The callback's dictionaries.
    folder : path, optional
        Where to write; default ``log`` in the working directory, created if needed.
    filename : path, optional
        A chosen name (relative to ``folder``); an existing file of that name is atomically
        replaced. Default: ``YYYY-MM-DD-HH-MM-SS.json`` (UTC), with ``-1``, ``-2``, ... appended
        when taken; a default name never overwrites anything.
    """
    document = make_document(network, game, results, info)
    folder = Path(DEFAULT_FOLDER if folder is None else folder)
    if filename is not None:
        path = folder / filename
        return write_document(document, [path.name], path.parent, overwrite=True)
    stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())
    return write_document(document, _stamped_names(stamp), folder)


def read_log(path: str | os.PathLike) -> dict[str, Any]:
    """The decoded sections of a log file (``meta``, ``network``, ``game``, ``results``, ``info``).

    Raises
    ------
    ValueError
        The file is not valid JSON or not a Spikey log (the message names the file and why).
    OSError
        The file cannot be read.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path.name}: not valid JSON (truncated or damaged?): {error}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: not a text file") from None
    return _decoded(raw, path.name)


def read_records(path: str | os.PathLike) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
    """The runs of a JSON-lines log file (one log document per line, see :func:`write_records`).

    Returns ``(runs, damaged)``: ``(line number, decoded sections)`` of every readable line and
    ``(line number, reason)`` of every line that is not a Spikey log; line numbers count from 1
    and blank lines are ignored. Each line is refused or kept whole, never half-read.

    Raises
    ------
    ValueError
        The file is not UTF-8 text.
    OSError
        The file cannot be read.
    """
    path = Path(path)
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: not a text file") from None
    runs, damaged = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            runs.append((number, _decoded(json.loads(line), f"line {number}")))
        except json.JSONDecodeError as error:
            damaged.append((number, f"line {number}: not valid JSON (truncated or damaged?): {error}"))
        except ValueError as error:
            damaged.append((number, str(error)))
    return runs, damaged


def _decoded(raw: Any, name: str) -> dict[str, Any]:
    """The decoded sections of one raw log document; ``name`` (file or line) starts every error."""
    if not isinstance(raw, dict) or not str(raw.get("format", "")).startswith("spikey-log/"):
        raise ValueError(f"{name}: not a Spikey log (no 'format': 'spikey-log/...' entry)")
    # a log of the wrong shape is refused whole, never half-read
    for section in LOG_SECTIONS:
        if section in raw and raw[section] is not None and not isinstance(raw[section], dict):
            kind = type(raw[section]).__name__
            raise ValueError(f"{name}: section {section!r} must be a JSON object (got {kind})")
    try:
        document = {key: decode(value) for key, value in raw.items() if key != "format"}
    except Exception as error:  # any damaged tag (bad dtype, shape, payload) refuses the file
        raise ValueError(f"{name}: damaged value ({type(error).__name__}: {error})") from None
    for section in LOG_SECTIONS:
        if not isinstance(document.get(section) or {}, dict):
            raise ValueError(f"{name}: section {section!r} does not decode to a table")
    return document


#: The sections of a log document, each a JSON object.
LOG_SECTIONS = ("meta", "network", "game", "results", "info")


_LETTERS = string.ascii_lowercase


def _run_id(number: int) -> str:
    """Five lowercase letters counting from ``aaaaa`` (26**5 ids)."""
    letters = []
    for _ in range(5):
        number, digit = divmod(number, 26)
        letters.append(_LETTERS[digit])
    return "".join(reversed(letters))


class MultiLogger:
    """Logs a series of runs into one folder as ``YYYY-MM-DD-HH-MM-<id>.json``.

    The minute stamp is fixed when the logger is created; ids count ``aaaaa``, ``aaaab``, ... and a
    taken name is skipped, so loggers sharing a folder and a minute never overwrite each other.

    Parameters
    ----------
    folder : path, optional
        Default ``log``; created if needed.

    Examples
    --------
    >>> logger = MultiLogger("runs")                                  # doctest: +SKIP
    >>> for seed in range(3):                                         # doctest: +SKIP
    ...     network, game, results, info = make_loop(spec, seed=seed)()
    ...     logger.log(network, game, results, info)
    >>> logger.summarize(results={"n_runs": 3})                       # doctest: +SKIP
    """

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(DEFAULT_FOLDER if folder is None else folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.stamp = time.strftime("%Y-%m-%d-%H-%M", time.gmtime())
        self.paths: list[Path] = []
        self._next = 0
        self._started = time.perf_counter()

    def names(self) -> Any:
        """The run names this logger hands out, in order (``<stamp>-aaaaa.json``, ``-aaaab``, ...);
        drawing a name reserves it. Taken names are skipped when writing."""
        while self._next < 26**5:
            index, self._next = self._next, self._next + 1  # reserved as soon as drawn
            yield f"{self.stamp}-{_run_id(index)}.json"

    def log(
        self,
        network: Any = None,
        game: Any = None,
        results: Mapping | None = None,
        info: Mapping | None = None,
    ) -> Path:
        """Write one run's log under the next free name; returns the path.

        ``network`` may also be a callback (``network, game, results, info = callback``).
        """
        if hasattr(network, "results") and hasattr(network, "info") and game is None:
            network, game, results, info = network
        return self.log_document(make_document(network, game, results, info))

    def log_document(self, document: Mapping[str, Any], name: str | None = None) -> Path:
        """Write an already built document (see :func:`make_document`) as ``name`` (one drawn
        from :meth:`names`) or, when that is taken or not given, under the next free name.

        Lets a parent process write logs whose documents were built in worker processes.
        """
        candidates = itertools.chain([name] if name else [], self.names())
        path = write_document(document, candidates, self.folder)
        self.paths.append(path)
        return path

    def log_records(self, documents: Any, stem: str) -> Path:
        """Write already built documents as one JSON-lines file ``<stem>.jsonl`` (one run per line;
        ``<stem>-1.jsonl``, ... when taken, so nothing is overwritten); returns the path."""
        path = write_records(documents, _stamped_names(stem, ".jsonl"), self.folder)
        self.paths.append(path)
        return path

    def summarize(self, results: Mapping | None = None, info: Mapping | None = None) -> Path:
        """Write ``YYYY-MM-DD-HH-MM~SUMMARY.json`` (``~SUMMARY-1`` ... if taken); returns the path.

        ``info`` gets ``runs``: the names of the files this logger wrote.
        """
        info = {"runs": [p.name for p in self.paths], **dict(info or {})}
        document = make_document(results=results, info=info)
        return write_document(document, _stamped_names(f"{self.stamp}{SUMMARY_MARK}"), self.folder)

    def __enter__(self) -> MultiLogger:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.elapsed = time.perf_counter() - self._started
