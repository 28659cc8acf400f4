"""Tables that summarise many runs: metrics per setting (mean ± spread over repeats), per epoch.

``spikey series`` ends with :func:`by_setting` over its runs, ``spikey report FOLDER`` with the same
table over the logs it read, and ``spikey evolve`` with :func:`epoch_table`; each is printed with
:func:`format_table` and written as CSV beside the logs.

The spread is the sample standard deviation over the runs of a setting (``ddof = 1``; NaN for a
single run). Bools (``win``) count as 0/1, so their mean is the fraction of runs that won.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: `spikey --help` need not load pandas

#: Result keys that label a run rather than measure it.
TAGS = frozenset({"seed", "series_id", "run_index", "ok", "error_type", "error_message", "filename"})


def _number(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return None


def metric_names(rows: Sequence[Mapping[str, Any]], exclude: Iterable[str] = ()) -> list[str]:
    """Keys that are numbers (or bools) in every run that has them, in first-seen order."""
    skip = set(TAGS) | set(exclude)
    names: dict[str, bool] = {}
    for row in rows:
        for key, value in row.items():
            if key in skip:
                continue
            numeric = value is None or _number(value) is not None
            names[key] = names.get(key, True) and numeric
    return [key for key, numeric in names.items() if numeric]


def _setting_label(value: Any) -> Any:
    return value if isinstance(value, (str, numbers.Number, bool)) or value is None else repr(value)


def by_setting(
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    ok: Sequence[bool] | None = None,
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """One row per setting: the ``keys`` values, ``n_runs``, ``n_failed``, ``<metric>_mean`` and
    ``<metric>_std`` for every numeric metric, over the runs of that setting that finished.

    Parameters
    ----------
    rows : sequence of mapping
        One mapping per run: its settings and its results.
    keys : sequence of str
        The settings that define a group (a series' varied keys); empty: one group of all runs.
    ok : sequence of bool, optional
        Which runs finished; failed runs count in ``n_failed`` and in no metric.
    exclude : iterable of str
        Result keys that are not metrics (constant loop settings, for example).
    """
    ok = [True] * len(rows) if ok is None else list(ok)
    metrics = metric_names([r for r, good in zip(rows, ok, strict=True) if good], [*keys, *exclude])
    groups: dict[tuple, list[int]] = {}
    for index, row in enumerate(rows):
        label = tuple(_setting_label(row.get(k)) for k in keys)
        groups.setdefault(label, []).append(index)
    table = []
    for label, members in groups.items():
        finished = [i for i in members if ok[i]]
        line: dict[str, Any] = dict(zip(keys, label, strict=True))
        line["n_runs"] = len(members)
        line["n_failed"] = len(members) - len(finished)
        for metric in metrics:
            values = [_number(rows[i].get(metric)) for i in finished]
            values = [v for v in values if v is not None and not math.isnan(v)]
            line[f"{metric}_mean"] = float(np.mean(values)) if values else math.nan
            line[f"{metric}_std"] = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
        table.append(line)
    return _frame(table)


def format_table(table: pd.DataFrame) -> str:
    """The table as text, each ``<m>_mean`` / ``<m>_std`` pair shown as one ``m`` column ``mean ± std``."""
    if table.empty:
        return "(no runs)"
    shown = _frame(index=table.index)
    for column in table.columns:
        if column.endswith("_std") and f"{column[:-4]}_mean" in table.columns:
            continue
        if column.endswith("_mean") and f"{column[:-5]}_std" in table.columns:
            metric = column[:-5]
            shown[metric] = [
                _mean_spread(m, s) for m, s in zip(table[column], table[f"{metric}_std"], strict=True)
            ]
        else:
            shown[column] = [_cell(v) for v in table[column]]
    return shown.to_string(index=False)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _mean_spread(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "-"
    return f"{mean:.4g}" if math.isnan(std) else f"{mean:.4g} ± {std:.2g}"


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as CSV (numbers in full precision); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path


def epoch_table(history: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per epoch of a population: agents, best and mean fitness, failures, cache hits."""
    rows = []
    for entry in history:
        rows.append(
            {
                "epoch": entry.get("epoch"),
                "n_agents": entry.get("n_agents"),
                "best_fitness": entry.get("best_fitness"),
                "mean_fitness": entry.get("mean_fitness"),
                "n_failed": entry.get("n_failed", 0),
                "n_cached": entry.get("n_cached", 0),
            }
        )
    return _frame(rows)


def _frame(*args: Any, **kwargs: Any) -> pd.DataFrame:
    import pandas

    return pandas.DataFrame(*args, **kwargs)


__all__ = ["TAGS", "by_setting", "epoch_table", "format_table", "metric_names", "write_csv"]
