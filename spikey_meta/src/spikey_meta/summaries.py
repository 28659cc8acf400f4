"""Tables that summarise many runs: metrics per setting (mean ± spread over repeats), per epoch.

``spikey series`` ends with :func:`by_setting` over its runs, ``spikey report FOLDER`` with the same
table over the logs it read, and ``spikey evolve`` (and ``spikey report`` on a population's logs)
with :func:`epoch_table`; each is printed with :func:`format_table` and written as CSV.

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


#: The fitness of an agent whose evaluation failed (ranks below every real fitness).
FAILED_FITNESS = -math.inf


def orderable(fitness: float) -> float:
    """``fitness`` for ranking: NaN ranks with the failures, below every real number."""
    return -math.inf if math.isnan(fitness) else fitness


def epoch_summary(
    epoch: int, fitness: Sequence[float], ok: Sequence[bool], cached: Sequence[bool]
) -> dict[str, Any]:
    """The fitness summary of one epoch of a population.

    Parameters
    ----------
    epoch : int
    fitness : sequence of float, length n_agents
        Every agent's fitness (``FAILED_FITNESS`` for a failed evaluation).
    ok, cached : sequence of bool, length n_agents
        Whether each agent's evaluation finished; whether its fitness came from the cache.

    Returns
    -------
    dict
        ``epoch``, ``n_agents``, ``best_fitness`` (over every agent, NaN ranked lowest),
        ``mean_fitness`` and ``worst_fitness`` (over the agents that finished; ``FAILED_FITNESS``
        when none did), ``n_failed``, ``n_cached``.
    """
    scored = [float(f) for f, good in zip(fitness, ok, strict=True) if good]
    return {
        "epoch": int(epoch),
        "n_agents": len(fitness),
        "best_fitness": float(max(fitness, key=orderable)),
        "mean_fitness": float(np.mean(scored)) if scored else FAILED_FITNESS,
        "worst_fitness": float(min(scored, key=orderable)) if scored else FAILED_FITNESS,
        "n_failed": len(fitness) - len(scored),
        "n_cached": int(sum(bool(c) for c in cached)),
    }


def history_from_records(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per-epoch summaries (:func:`epoch_summary`) of a population's logged agents.

    ``rows`` are the ``results`` of the agent records of a population's ``epoch-*.jsonl`` logs
    (``epoch``, ``fitness``, ``ok``, ``cached``); one summary per epoch, in epoch order.
    """
    by_epoch: dict[int, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_epoch.setdefault(int(row["epoch"]), []).append(row)
    return [
        epoch_summary(
            epoch,
            [float(r["fitness"]) for r in agents],
            [r.get("ok") is not False for r in agents],
            [bool(r.get("cached", False)) for r in agents],
        )
        for epoch, agents in sorted(by_epoch.items())
    ]


EPOCH_COLUMNS = ("epoch", "n_agents", "best_fitness", "mean_fitness", "worst_fitness", "n_failed", "n_cached")


def epoch_table(history: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per epoch of a population: agents, best, mean and worst fitness, failures, cache hits.

    ``history`` holds one :func:`epoch_summary` per epoch (a population's ``history``, or
    :func:`history_from_records` of its logs); a key an older history lacks shows as NaN (0 for
    the counts).
    """
    counts = {"n_failed", "n_cached"}
    return _frame(
        [{k: entry.get(k, 0 if k in counts else math.nan) for k in EPOCH_COLUMNS} for entry in history],
        columns=list(EPOCH_COLUMNS),
    )


def _frame(*args: Any, **kwargs: Any) -> pd.DataFrame:
    import pandas

    return pandas.DataFrame(*args, **kwargs)


__all__ = [
    "FAILED_FITNESS",
    "TAGS",
    "by_setting",
    "epoch_summary",
    "epoch_table",
    "format_table",
    "history_from_records",
    "metric_names",
    "orderable",
    "write_csv",
]
