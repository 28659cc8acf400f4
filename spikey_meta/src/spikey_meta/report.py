"""``spikey report LOG_OR_FOLDER [--out DIR]``: plots and a summary table of logged runs.

For every run log the command draws what its ``info`` section allows (learning curve, state-action
counts, state transitions, rates per state, delay embedding of the output rate, spike raster when
a ``spike_log`` signal was tracked) as ``<log name>-<plot>.png`` files in ``--out``, then prints
one table row per run: the file name, the settings that differ between runs and the scalar
results. For a folder of several runs it then groups the runs by those settings: a table of every
numeric result as mean ± sample standard deviation over the runs of each setting (also written as
``by-setting.csv``) and one ``compare-<metric>.png`` per metric.

A population's folder (``spikey evolve``: one ``epoch-*.jsonl`` per epoch, one record per agent)
is summarised per epoch instead, by the table ``spikey evolve`` prints (agents, best, mean and
worst fitness, failures, cache hits; also written as ``epochs.csv``), then one line: the best
agent's fitness, epoch, agent and log file.

Exit status: 0 success; 1 some plot could not be drawn; 2 missing or unreadable path, no readable
log, or matplotlib not installed (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import numbers
import sys
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from spikey_meta import summaries

USAGE_ERROR = 2
PLOT_FAILURE = 1
#: The CSV of metrics per setting written beside the plots.
SETTINGS_TABLE = "by-setting.csv"
#: The CSV of fitness per epoch written for a population's folder (the name ``spikey evolve`` uses).
EPOCHS_TABLE = "epochs.csv"
HELP = "plot logged runs and print a summary table (needs spikey-meta[plot] for the plots)"


def setup(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``spikey report``."""
    parser.add_argument(
        "path", metavar="LOG_OR_FOLDER", help="a run log (.json or .jsonl) or a folder of them"
    )
    parser.add_argument(
        "--out", metavar="DIR", help="folder for the PNG files (default: <log>-report/ or <folder>/report/)"
    )


def _fail(message: str) -> int:
    print(f"spikey report: {message}", file=sys.stderr)
    return USAGE_ERROR


def run(args: argparse.Namespace) -> int:
    """Execute ``spikey report``; returns the exit status."""
    from spikey_meta.reader import Reader

    path = Path(args.path)
    if not path.exists():
        return _fail(f"{path}: no such log file or folder")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skipped files are reported below, one line each
        try:
            reader = Reader(path)
        except OSError as error:
            return _fail(f"{path}: cannot read: {error.strerror or error}")
    if path.is_file() and reader.skipped and len(reader) == 0:
        return _fail(f"{path}: {reader.skipped[0][1]}")
    for name, reason in reader.skipped:
        print(f"spikey report: skipped {name}: {reason}", file=sys.stderr)
    if len(reader) == 0:
        return _fail(f"{path}: no readable Spikey run log")
    out = Path(args.out) if args.out else _default_out(path)
    if is_population(reader):
        return _report_population(reader, out)
    print(summary_table(reader))
    from spikey_meta.viz import PlotDependencyError

    grouped = setting_table(reader) if len(reader) > 1 else None
    try:
        written, failures = write_plots(reader, out)
        if grouped is not None:
            table, keys = grouped
            print(f"\nmetrics per setting ({_grouping(keys)}; mean ± sample s.d. over runs):")
            print(summaries.format_table(table))
            written.append(summaries.write_csv(table, out / SETTINGS_TABLE))
            written += write_comparisons(table, keys, out)
    except PlotDependencyError as error:
        return _fail(str(error))
    for file in written:
        print(f"wrote {file}")
    for message in failures:
        print(f"spikey report: {message}", file=sys.stderr)
    return PLOT_FAILURE if failures else 0


def _default_out(path: Path) -> Path:
    return path.with_name(f"{path.stem}-report") if path.is_file() else path / "report"


# -- table ----------------------------------------------------------------------------------------
#: The results keys of every agent record of a population's epoch logs.
AGENT_KEYS = frozenset({"epoch", "agent", "fitness"})


def is_population(reader: Any) -> bool:
    """Whether every log ``reader`` read is an agent record of a population (``spikey evolve``)."""
    results = reader.results
    return AGENT_KEYS <= set(results.columns) and bool(results[list(AGENT_KEYS)].notna().all().all())


def _report_population(reader: Any, out: Path) -> int:
    table = summaries.epoch_table(summaries.history_from_records(reader.results.to_dict("records")))
    print("fitness per epoch:")
    print(summaries.format_table(table))
    print(best_agent_line(reader))
    print(f"wrote {summaries.write_csv(table, out / EPOCHS_TABLE)}")
    return 0


def best_agent_line(reader: Any) -> str:
    """One line naming the agent with the highest fitness (the first one on a tie)."""
    fitness = [summaries.orderable(float(f)) for f in reader.results["fitness"]]
    best = max(range(len(fitness)), key=fitness.__getitem__)
    row = reader.df.iloc[best]
    return (
        f"best fitness {row['fitness']:.6g}: epoch {int(row['epoch'])} agent {int(row['agent'])} "
        f"({row['filename']}) of {len(fitness)} agents"
    )


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (numbers.Number, str, bool))


def summary_table(reader: Any) -> str:
    """One line per run: file name, settings that differ between runs, scalar results."""
    df = reader.df
    scalar = [c for c in df.columns if c != "filename" and df[c].map(_is_scalar).all()]
    results = [c for c in scalar if c in reader.results.columns]
    settings = [c for c in scalar if c not in results and df[c].astype(str).nunique() > 1]
    table = df[["filename", *settings, *results]]
    return table.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def _grouping(keys: list[str]) -> str:
    return "grouped by " + ", ".join(keys) if keys else "no setting differs: all runs together"


def setting_table(reader: Any) -> tuple[Any, list[str]]:
    """Runs grouped by the settings that differ between them, with every numeric result as
    mean and spread over the runs of each setting (see :func:`spikey_meta.summaries.by_setting`).

    Returns the table and the setting columns it is grouped by. Settings are the network and game
    columns (and results a series tags runs with, such as ``neuron.firing_threshold``) that take
    more than one value; seeds and run labels never define a group.
    """
    df = reader.df
    scalar = [c for c in df.columns if c != "filename" and df[c].map(_is_scalar).all()]
    # a series tags its runs' results with the settings it varied, named "section.field"
    sections = set(reader.network.columns) | set(reader.game.columns) | {c for c in scalar if "." in c}
    varying = [c for c in scalar if c not in summaries.TAGS and df[c].astype(str).nunique() > 1]
    keys = [c for c in varying if c in sections]
    rows = df[scalar].to_dict("records")
    ok = [row.get("ok") is not False for row in rows]
    constant = [c for c in scalar if c in sections and c not in keys]
    # whole numbers identical in every run are the loop's settings (n_episodes, ...), not measurements
    settings = [c for c in scalar if c not in sections and _same_integer(df[c])]
    return summaries.by_setting(rows, keys, ok=ok, exclude=[*constant, *settings]), keys


def _same_integer(column: Any) -> bool:
    values = column.dropna()
    return (
        len(values) > 0
        and values.map(lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool)).all()
        and values.nunique() == 1
    )


def write_comparisons(table: Any, keys: list[str], out: Path) -> list[Path]:
    """One ``compare-<metric>.png`` per metric: its mean and spread for every setting."""
    from spikey_meta.viz.comparison import setting_comparison

    if len(table) < 2:
        return []
    written = []
    for column in table.columns:
        if not column.endswith("_mean"):
            continue
        metric = column[: -len("_mean")]
        path = out / f"compare-{metric}.png"
        setting_comparison(table, metric, keys, path=path)
        written.append(path)
    return written


# -- plots ----------------------------------------------------------------------------------------
def _has(info: Mapping[str, Any], *keys: str) -> bool:
    from spikey_meta.viz.data import flat

    for key in keys:
        value = info.get(key)
        if value is None:
            return False
        try:
            if len(flat(value)) == 0:
                return False
        except TypeError:
            return False
    return True


#: frozen learning-curve signals, best first: info key -> (axis label, chance level)
FROZEN_CURVES = {
    "curve_eval_accuracy": ("frozen accuracy", 0.5),
    "curve_eval_ratio": ("frozen rewarded / other rate", 1.0),
    "curve_eval_reward": ("frozen mean reward", None),
}


def _frozen_curve(info: Mapping[str, Any]) -> dict[str, Any]:
    """The learning-curve keywords for the run's frozen curve (none when it has none)."""
    if not _has(info, "curve_step"):
        return {}
    for key, (label, chance) in FROZEN_CURVES.items():
        if _has(info, key):
            return {
                "frozen_steps": info["curve_step"],
                "frozen_values": info[key],
                "frozen_label": label,
                "chance": chance,
            }
    return {}


def plots_for(info: Mapping[str, Any]) -> dict[str, Callable[[Path], Any]]:
    """The plots ``info`` has data for: name -> function(path) drawing it."""
    from spikey_meta import viz
    from spikey_meta.viz.data import flat

    plots: dict[str, Callable[[Path], Any]] = {}
    if _has(info, "step_rewards"):
        frozen = _frozen_curve(info)
        plots["learning_curve"] = lambda p: viz.learning_curve(info["step_rewards"], **frozen, path=p)
    if _has(info, "step_states", "step_actions"):
        states, actions = info["step_states"], info["step_actions"]
        plots["state_action_counts"] = lambda p: viz.state_action_counts(states, actions, path=p)
        plots["state_transitions"] = lambda p: viz.state_transition_matrix(states, path=p)
    if _has(info, "step_states", "step_inrates", "step_outrates"):
        rates = info["step_inrates"], info["step_outrates"], info.get("step_sysrates")
        plots["rates_per_state"] = lambda p: viz.rates_per_state(info["step_states"], *rates, path=p)
        outrates = flat(info["step_outrates"])
        if len(outrates) >= 3:
            plots["delay_embedding"] = lambda p: viz.delay_embedding(
                outrates, 1, 2, name="output rate", unit="spikes/unit/step", path=p
            )
    if _has(info, "spike_log"):
        plots["spike_raster"] = lambda p: viz.spike_raster(info["spike_log"], info.get("polarities"), path=p)
    return plots


def write_plots(reader: Any, out: Path) -> tuple[list[Path], list[str]]:
    """Draw every available plot of every run into ``out``; returns (files written, failure messages).

    Raises
    ------
    spikey_meta.viz.PlotDependencyError
        matplotlib is missing.
    """
    from spikey_meta.viz import PlotDependencyError

    written: list[Path] = []
    failures: list[str] = []
    for index, run in enumerate(reader.runs):
        info = reader.read_file(index).get("info") or {}
        for name, draw in plots_for(info).items():
            target = out / f"{run.stem}-{name}.png"
            try:
                draw(target)
            except PlotDependencyError:
                raise
            except Exception as error:  # one odd signal must not cost the other plots
                failures.append(f"{run.name}: could not draw {name}: {type(error).__name__}: {error}")
                continue
            written.append(target)
    return written, failures
