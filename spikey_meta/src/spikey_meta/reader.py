"""``Reader``: a folder (or one file) of run logs as a pandas DataFrame.

One row per run. Columns:

* ``filename`` — the log's file name; for a run read from a JSON-lines file (``.jsonl``, one run
  per line, as a :class:`~spikey_meta.population.Population` writes one file per epoch) the file
  name and line number, ``epoch-0003.jsonl:7``;
* the network section flattened as ``<section>.<field>``: ``network.n_neurons``,
  ``neuron.firing_threshold``, ``synapse.type``, ``modifiers.0.type``, ...;
* the game section as ``game.<field>``: ``game.name``, ``game.preset``, ``game.n_inputs``, ...;
* the results section under its own keys: ``accuracy``, ``total_time``, ``seed``, ...

Files with different keys are aligned: the columns are the union, NaN where a run lacks a key.
``reader[key]`` returns a column; a bare field name (``reader["firing_threshold"]``) finds the one
column ending in ``.firing_threshold``; any other key is looked up in the runs' ``info`` sections and
returned as a list with one value per run (None where a run lacks it).

Files that are not Spikey logs, are truncated, damaged, of the wrong shape or cannot be read are
skipped whole and reported: one warning per file names it and why, and ``reader.skipped`` holds
``(file name, reason)`` pairs. In a JSON-lines file each line is one run, kept or skipped whole:
the good lines are read and one warning names the file and its damaged lines. ``*~SUMMARY*.json``
files (see :class:`spikey_meta.logs.MultiLogger`) go to ``reader.summary``.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
from spikey_core.errors import did_you_mean

from spikey_meta.logs import SUMMARY_MARK, read_log, read_records

#: File suffixes of run logs: one run per ``.json`` file, one run per line of a ``.jsonl`` file.
LOG_SUFFIXES = (".json", ".jsonl")


class SkippedLogWarning(UserWarning):
    """Some files of a log folder could not be read as Spikey logs."""


@attrs.frozen
class RunSource:
    """Where one run's log is: a file, and the line for a JSON-lines file (None for a ``.json`` log)."""

    path: Path
    line: int | None = None

    @property
    def name(self) -> str:
        """``run.json``, or ``epoch-0003.jsonl:7`` for line 7 of a JSON-lines file."""
        return self.path.name if self.line is None else f"{self.path.name}:{self.line}"

    @property
    def stem(self) -> str:
        """A file-name-safe label: ``run``, or ``epoch-0003-7``."""
        return self.path.stem if self.line is None else f"{self.path.stem}-{self.line}"


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings (and lists of mappings) as one level of dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and all(isinstance(k, str) for k in value):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value):
                flat.update(flatten(item, f"{name}.{i}."))
        else:
            flat[name] = value
    return flat


def run_row(document: Mapping[str, Any]) -> dict[str, Any]:
    """The table row of one decoded log: network, game and results sections flattened."""
    row = flatten(document.get("network") or {})
    row.update(flatten(document.get("game") or {}, "game."))
    row.update(document.get("results") or {})
    return row


class Reader:
    """Read run logs into a DataFrame.

    Parameters
    ----------
    path : path
        A folder of logs (``.json`` files of one run, ``.jsonl`` files of one run per line), or
        one log file.
    filenames : iterable of str, optional
        Only these files of the folder (default: every ``.json`` and ``.jsonl`` file, sorted by
        name).

    Attributes
    ----------
    df : pandas.DataFrame
        One row per run (see the module documentation for the columns).
    runs : list of RunSource
        Where each run was read from (file, and line of a JSON-lines file), in row order.
    files : list of Path
        The file of each run, in row order.
    summary : dict or None
        The decoded sections of the (last) summary file, if any.
    summaries : dict
        Every summary file's sections by file name.
    meta : list of dict
        Each run's ``meta`` section (software versions, seed, creation time).
    skipped : list of (str, str)
        Unreadable files and why.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    """

    def __init__(self, path: str | os.PathLike, filenames: Iterable[str] | None = None):
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such log file or folder")
        self.folder = path.parent if path.is_file() else path
        candidates = self._candidates(path, filenames)
        self.runs: list[RunSource] = []
        self.summaries: dict[str, dict[str, Any]] = {}
        self.meta: list[dict[str, Any]] = []
        self.skipped: list[tuple[str, str]] = []
        self._results_keys: set[str] = set()
        self._info_keys: set[str] = set()
        self._rows: list[dict[str, Any]] = []
        for file in candidates:
            try:
                if file.suffix == ".jsonl":
                    self._read_records(file)
                    continue
                document = read_log(file)
            except (OSError, ValueError) as error:
                self._skip(file, str(error).removeprefix(f"{file.name}: "))
                continue
            if SUMMARY_MARK in file.name:
                self.summaries[file.name] = document
                continue
            self._add(RunSource(file), document)
        self.df = pd.DataFrame(self._rows)
        del self._rows

    @property
    def files(self) -> list[Path]:
        """The file of every run, in row order (a JSON-lines file once per run it holds)."""
        return [run.path for run in self.runs]

    def _add(self, source: RunSource, document: Mapping[str, Any]) -> None:
        self.runs.append(source)
        self.meta.append(document.get("meta", {}))
        self._results_keys.update(document.get("results") or {})
        self._info_keys.update(document.get("info") or {})
        self._rows.append({"filename": source.name, **run_row(document)})

    def _read_records(self, file: Path) -> None:
        runs, damaged = read_records(file)
        for line, document in runs:
            self._add(RunSource(file, line), document)
        if damaged:
            total = len(runs) + len(damaged)
            lines = ", ".join(str(line) for line, _ in damaged)
            kept = f"kept the other {len(runs)}" if runs else "no readable line"
            self._skip(
                file, f"{len(damaged)} of {total} lines not read (lines {lines}; {kept}): {damaged[0][1]}"
            )

    def _skip(self, file: Path, reason: str) -> None:
        self.skipped.append((file.name, reason))
        warnings.warn(f"Reader skipped {file}: {reason}", SkippedLogWarning, stacklevel=3)

    @staticmethod
    def _candidates(path: Path, filenames: Iterable[str] | None) -> list[Path]:
        if path.is_file():
            return [path]
        if filenames is not None:
            return [path / name for name in filenames]
        # temporary files of a log being written start with a dot
        logs = [p for p in path.iterdir() if p.suffix in LOG_SUFFIXES and not p.name.startswith(".")]
        return sorted(p for p in logs if p.is_file())

    # -- sections ---------------------------------------------------------------------------------
    @property
    def summary(self) -> dict[str, Any] | None:
        """The last summary file's sections (by name order), or None."""
        return self.summaries[sorted(self.summaries)[-1]] if self.summaries else None

    @property
    def network(self) -> pd.DataFrame:
        """The network columns (everything that is neither ``game.*``, results nor ``filename``)."""
        other = self._results_columns() | {"filename"}
        return self.df[[c for c in self.df.columns if c not in other and not c.startswith("game.")]]

    @property
    def game(self) -> pd.DataFrame:
        """The ``game.*`` columns."""
        return self.df[[c for c in self.df.columns if c.startswith("game.")]]

    @property
    def results(self) -> pd.DataFrame:
        """The results columns."""
        return self.df[[c for c in self.df.columns if c in self._results_columns()]]

    def _results_columns(self) -> set[str]:
        return self._results_keys

    def __len__(self) -> int:
        return len(self.runs)

    # -- lookup -----------------------------------------------------------------------------------
    def column(self, key: str) -> str | None:
        """The column ``key`` names: itself, or the single column ending in ``.<key>``."""
        if key in self.df.columns:
            return key
        matches = [c for c in self.df.columns if c.endswith(f".{key}")]
        return matches[0] if len(matches) == 1 else None

    def __getitem__(self, key: str) -> Any:
        """A DataFrame column (pandas Series), or an info signal as a list with one value per run.

        Raises
        ------
        KeyError
            No column and no run's info section has ``key`` (with a did-you-mean).
        """
        column = self.column(key)
        if column is not None:
            return self.df[column]
        if key in self._info_keys:
            return self.read_info(key)
        known = [*self.df.columns, *self.info_keys()]
        ambiguous = [c for c in self.df.columns if c.endswith(f".{key}")]
        hint = f"; it is ambiguous: {', '.join(ambiguous)}" if ambiguous else did_you_mean(key, known)
        raise KeyError(f"{key!r}: no column or info signal of that name{hint}")

    def __contains__(self, key: str) -> bool:
        return self.column(key) is not None or key in self.info_keys()

    def read_info(self, key: str, runs: int | Sequence[int] | None = None) -> list[Any]:
        """``info[key]`` of every run (or of the first ``runs`` / of the given indices); None if absent."""
        if runs is None:
            chosen = range(len(self.runs))
        elif isinstance(runs, int):
            chosen = range(min(runs, len(self.runs)))
        else:
            chosen = runs
        opened: dict[Path, dict[int | None, dict[str, Any]]] = {}  # each JSON-lines file read once
        return [(self._document(self.runs[i], opened).get("info") or {}).get(key) for i in chosen]

    def info_keys(self) -> list[str]:
        """Every key found in the runs' info sections (sorted)."""
        return sorted(self._info_keys)

    def read_file(self, index_or_name: int | str) -> dict[str, Any]:
        """All decoded sections of one run, by row index or by name (a ``filename`` column value)."""
        if isinstance(index_or_name, int):
            return self._document(self.runs[index_or_name], {})
        names = [run.name for run in self.runs]
        if index_or_name in names:
            return self._document(self.runs[names.index(index_or_name)], {})
        return read_log(self.folder / index_or_name)

    @staticmethod
    def _document(run: RunSource, opened: dict[Path, dict[int | None, dict[str, Any]]]) -> dict[str, Any]:
        if run.line is None:
            return read_log(run.path)
        if run.path not in opened:
            opened[run.path] = dict(read_records(run.path)[0])
        try:
            return opened[run.path][run.line]
        except KeyError:
            raise ValueError(f"{run.path.name}: line {run.line} is no longer a readable log") from None

    # -- grouping ---------------------------------------------------------------------------------
    def iter_unique(self, keys: str | Sequence[str]) -> Iterator[tuple[Any, pd.DataFrame]]:
        """``(value, rows)`` for every distinct value of ``keys``, in order of first appearance.

        ``keys`` is one column name (value is that column's value) or a list of them (value is a
        tuple). Lists and arrays in cells are compared by content; NaN equals NaN.
        """
        single = isinstance(keys, str)
        columns = [self._require(k) for k in ([keys] if single else keys)]
        groups: dict[Any, list[int]] = {}
        labels: dict[Any, Any] = {}
        for position, row in enumerate(self.df[columns].itertuples(index=False, name=None)):
            token = tuple(_hashable(v) for v in row)
            groups.setdefault(token, []).append(position)
            labels.setdefault(token, row[0] if single else tuple(row))
        for token, positions in groups.items():
            yield labels[token], self.df.iloc[positions]

    def groupby(self, keys: str | Sequence[str]) -> dict[Any, pd.DataFrame]:
        """``{value: rows}`` of :meth:`iter_unique` as a dict."""
        return dict(self.iter_unique(keys))

    def _require(self, key: str) -> str:
        column = self.column(key)
        if column is None:
            raise KeyError(f"{key!r}: no such column{did_you_mean(key, self.df.columns)}")
        return column


def _hashable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.shape, _hashable(value.tolist()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if value is None or value is pd.NA:
        return "NaN"
    return value
