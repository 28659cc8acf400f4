"""Write the tutorial notebooks of ``examples/``: ``python docs/make_notebooks.py``, then
``ruff check --fix examples && ruff format examples`` (the project's import order), then
``pytest --nbmake --overwrite examples/`` to execute them and store their outputs.

Every notebook runs at a reduced size (a few seconds each) so CI can execute them all; the full-size
command is given in each notebook's text.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


#: First code cell of every notebook: figures are shown inline (Spikey's plots return Figures).
SETUP = "%matplotlib inline"


def notebook(name, *cells):
    book = new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [new_markdown_cell(cells[0][3:]), new_code_cell(SETUP)] + [
        new_markdown_cell(c[3:]) if c.startswith("md:") else new_code_cell(c.strip()) for c in cells[1:]
    ]
    nbformat.write(book, EXAMPLES / f"{name}.ipynb")


notebook(
    "01-getting-started",
    """md:# Getting started

Run a shipped experiment, read its results, look at its plots and read its log back. The full-size
run is one command: `spikey run florian-rate-xor`. Here it is reduced (50 network steps per pattern,
120 training patterns, 60 frozen evaluation patterns) so the notebook runs in seconds.""",
    """
import tempfile
from pathlib import Path

from spikey_core import get_registry
from spikey_core.catalogue import describe_entry

registry = get_registry()
print(describe_entry(registry, "neuron", "neuron"))
""",
    """md:An experiment is a specification (the structure of its TOML file) plus the loop that runs it.""",
    """
experiment = registry.get("experiment", "florian-rate-xor")()
spec = experiment.load_spec()
spec["network"]["processing_time"] = 50
spec["loop"].update(len_episode=120, eval_patterns=60, curve_every=40, curve_patterns=20)
network, game, results, info = experiment.make_loop(spec, seed=1)()
{k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}
""",
    """md:`eval_accuracy` and `eval_auc` are measured after training with learning frozen, on fresh patterns,
with the threshold chosen on training patterns only; `train_accuracy` is Spikey 0.5's notebook score on the
last training patterns (learning on). The standard plots come from the run's signals:""",
    """
from spikey_meta import viz

viz.learning_curve(
    info["step_rewards"],
    frozen_steps=info["curve_step"],
    frozen_values=info["curve_eval_accuracy"],
    frozen_label="frozen accuracy",
    chance=0.5,
)
""",
    """
viz.rates_per_state(info["step_states"], info["step_inrates"], info["step_outrates"], info["step_sysrates"])
""",
    """md:The callback writes a lossless JSON log; `Reader` reads a folder of them as a pandas DataFrame.""",
    """
from spikey_meta.reader import Reader

folder = Path(tempfile.mkdtemp())
loop = experiment.make_loop(spec, seed=2)
network, game, results, info = loop()
print(loop.callback.log(folder=folder))
reader = Reader(folder)
reader.df[["filename", "neuron.type", "eval_accuracy", "train_accuracy"]]
""",
)

notebook(
    "02-custom-part",
    """md:# Writing a custom part

A part is a class with an attrs `Config` and the methods of its kind's protocol. This one is an
integrate-and-fire neuron with Gaussian membrane noise. In a plugin it would live in its own module and be
registered from `plugin.py` (see the plugin page of the documentation); here it is used directly.""",
    """
import attrs
import numpy as np

from spikey_core import Part, param
from spikey_core.config import Real


@attrs.frozen(kw_only=True)
class NoisyConfig:
    firing_threshold: float = param(default=1.0, check=Real(gt=0), doc="fire when V >= this")
    noise: float = param(default=0.1, check=Real(ge=0), doc="std of the Gaussian noise added per step")
    magnitude: float = param(default=1.0, check=Real(gt=0), doc="amplitude of an emitted spike")


class Noisy(Part):
    \"\"\"Integrate-and-fire with Gaussian membrane noise: V += I + noise * N(0, 1).\"\"\"

    Config = NoisyConfig
    STATE = ("potentials",)

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.magnitude = config.magnitude
        self.polarities = np.ones(ctx.n_neurons, dtype=ctx.dtype)
        self.potentials = np.zeros(ctx.n_neurons, dtype=ctx.dtype)
        self._spikes = np.zeros(ctx.n_neurons, dtype=bool)

    def reset(self):
        self.potentials.fill(0.0)

    def fire(self):
        np.greater_equal(self.potentials, self.config.firing_threshold, out=self._spikes)
        return self._spikes

    def integrate(self, current):
        self.potentials[self._spikes] = 0.0
        self.potentials += current + self.config.noise * self.rng.standard_normal(self.potentials.shape)
""",
    """md:The Config's docstring was generated from the field docs (what `help(NoisyConfig)` shows):""",
    """print(NoisyConfig.__doc__)""",
    """md:The conformance kit builds the part the way the network does and checks shapes, dtypes, reset,
seeded determinism, copies and pickling; it raises `AssertionError` listing every problem.""",
    """
from spikey_core.testing import check_part

check_part("neuron", Noisy)
print("Noisy conforms")
""",
    """md:Invalid settings are reported with their address before anything runs:""",
    """
from spikey_core import ConfigError, from_dict

try:
    from_dict(NoisyConfig, {"noise": -1, "firing_treshold": 2}, address="$.neuron")
except ConfigError as error:
    print(error)
""",
    """md:A network with the new neuron, trained on the XOR game:""",
    """
from spikey_core import get_registry, make_loop

spec = get_registry().get("experiment", "florian-rate-xor")().load_spec()
spec["neuron"] = {"type": Noisy, "firing_threshold": 16.0, "noise": 2.0}
spec["network"]["processing_time"] = 50
spec["loop"].update(len_episode=80, eval_patterns=40, curve_every=0)

network, game, results, info = make_loop(spec, seed=0)()
print(type(network.neuron).__name__, "eval_accuracy", results["eval_accuracy"])
""",
)

notebook(
    "03-florian-xor",
    """md:# Florian (2007) XOR, rate and temporal code, with frozen evaluation

Both shipped XOR experiments train with a reward at every network step, then freeze the network
(`network.eval()`) and score it on fresh patterns with a threshold chosen on training patterns only.
The controls are the same networks without learning. Reduced here (50 network steps per pattern, 200
training patterns); the full runs are `spikey run florian-rate-xor` and `spikey run florian-temporal-xor`,
and `python benchmarks/bench_fidelity.py` measures them over 5 seeds.""",
    """
import pandas as pd

from spikey_core import get_registry

registry = get_registry()


def reduced_run(name, seed):
    experiment = registry.get("experiment", name)()
    spec = experiment.load_spec()
    spec["network"]["processing_time"] = 50
    spec["loop"].update(len_episode=min(spec["loop"]["len_episode"], 200), eval_patterns=80, curve_every=0)
    _, _, results, info = experiment.make_loop(spec, seed=seed)()
    return results, info


rows = []
names = [
    "florian-rate-xor",
    "florian-rate-xor-control",
    "florian-temporal-xor",
    "florian-temporal-xor-control",
]
shown = ("eval_accuracy", "eval_auc", "train_accuracy", "win")
for name in names:
    results, _ = reduced_run(name, seed=0)
    rows.append({"experiment": name, **{k: results[k] for k in shown}})
pd.DataFrame(rows)
""",
    """md:At this reduced size (200 short patterns instead of 800 of 500 ms) the frozen scores stay near
chance, like the controls': read them beside the control, never alone. The full-size runs, scored the same
way over 5 seeds chosen before tuning, are in the fidelity table of the README
(`python benchmarks/bench_fidelity.py`). `train_accuracy` and `win` are scored on training patterns with
learning on, so they can look good when the frozen network has learned nothing.

Frozen output rates per pattern (spikes per network step); a network that computes XOR fires more for FT and
TF than for FF and TT after learning stops:""",
    """
results, info = reduced_run("florian-rate-xor", seed=0)
keys = ("eval_rate_FF", "eval_rate_FT", "eval_rate_TF", "eval_rate_TT", "eval_threshold")
{k: round(results[k], 3) for k in keys}
""",
    """
import matplotlib.pyplot as plt

rates = pd.Series({p: results[f"eval_rate_{p}"] for p in ("FF", "FT", "TF", "TT")})
figure, axes = plt.subplots(figsize=(6, 3.5), layout="constrained")
rates.plot.bar(ax=axes, rot=0, xlabel="input pattern", ylabel="frozen output rate (spikes/step)")
axes.axhline(results["eval_threshold"], linestyle=":", color="gray", label="threshold (training data)")
axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
axes.set_title("frozen evaluation, fresh patterns");
""",
)

notebook(
    "04-florian-fig1",
    """md:# Florian (2007) Fig. 1

One synapse driven by prescribed pre- and postsynaptic spike times and a reward that switches sign;
`rlstdp`, `mstdp` and `mstdpet` are compared with the closed-form solution of Florian's MSTDPET equations
(computed from the spike times, no Spikey part). This experiment is small enough to run at full size.""",
    """
from spikey_core import get_registry

experiment = get_registry().get("experiment", "florian-fig1")()
_, _, results, info = experiment.make_loop(seed=0)()
{k: round(v, 4) for k, v in results.items() if isinstance(v, float)}
""",
    """
from spikey_meta.experiments.rule_comparison import plot_rule_comparison

plot_rule_comparison(info)
""",
)

notebook(
    "05-izhikevich",
    """md:# Conditioning: Spikey 0.5's toy and Izhikevich (2007)

Spikey 0.5 shipped a conditioning notebook under Izhikevich's name; it is shipped here as
`spikey05-conditioning`, because it is not that paper's network (threshold units, a potentiation-only rule
and a reward in the same 100 ms step). Ten stimuli; reward follows stimuli 0, 3, 6 and 9; the rewarded
stimuli come to drive the outputs, the control (no learning) does not. `eval_ratio` is measured frozen, on
fresh stimuli. Reduced here to 3 episodes; the full run is `spikey run spikey05-conditioning`. The paper's own
distal-reward experiment (1,000 neurons, one rewarded synapse, one hour of simulated time) is
`spikey run izhikevich2007-distal-reward`, too long for a notebook.""",
    """
import pandas as pd

from spikey_core import get_registry

registry = get_registry()
rows, infos = [], {}
for name in ["spikey05-conditioning", "spikey05-conditioning-control"]:
    experiment = registry.get("experiment", name)()
    spec = experiment.load_spec()
    spec["loop"]["n_episodes"] = 3
    _, _, results, info = experiment.make_loop(spec, seed=0)()
    infos[name] = info
    shown = ("eval_ratio", "ratio", "rewarded_rate", "baseline_rate")
    rows.append({"experiment": name, **{k: results.get(k) for k in shown}})
pd.DataFrame(rows)
""",
    """
from spikey_meta import viz

info = infos["spikey05-conditioning"]
viz.rates_per_state(info["step_states"], info["step_inrates"], info["step_outrates"], info["step_sysrates"])
""",
    """md:## Izhikevich (2007), Fig. 2: classical conditioning

`izhikevich2007-conditioning` is the paper's network (800 + 200 Izhikevich neurons, 100 synapses each,
`da_stdp`) with 100 stimuli: random sets of 50 neurons, one presented every 100-300 ms, each driven for 1 ms
by its own input unit. Every presentation of S1 is followed by dopamine 1-1000 ms later, while the other
stimuli keep coming in between. The network comes to answer S1 with far more spikes than any other stimulus.
Here the first 1,200 of its 3,600 simulated seconds (about 20 s on the numba engine after its first compile);
the full run is `spikey run izhikevich2007-conditioning`, about a minute.""",
    """
import tempfile
from pathlib import Path

from IPython.display import Image, display

experiment = registry.get("experiment", "izhikevich2007-conditioning")()
spec = experiment.load_spec()
spec["loop"].update(duration=1200, phase=300)
network, _, results, info = experiment.make_loop(spec, seed=0)()
shown = ("response_s1_start", "response_others_start", "response_s1_end", "response_others_end")
print({k: round(results[k], 1) for k in shown})
for path in experiment.write_outputs(Path(tempfile.mkdtemp()), "fig2", network, None, results, info):
    display(Image(filename=str(path)))
""",
)

notebook(
    "06-series-analysis",
    """md:# Series analysis with Reader and pandas

A series runs one experiment over a grid of settings, each repeated with its own seed; every run is logged.
The `spikey series FILE` command does the same from a TOML file and ends with the table below.""",
    """
import tempfile
from pathlib import Path

from spikey_core import get_registry
from spikey_meta.series import Series

spec = get_registry().get("experiment", "spikey05-rate-xor")().load_spec()
spec["network"]["processing_time"] = 40
spec["loop"].update(len_episode=40, eval_patterns=40, curve_every=0)
folder = Path(tempfile.mkdtemp()) / "series"
runs = Series(
    spec,
    {"neuron.firing_threshold": [12.0, 16.0, 20.0]},
    n_repeats=2,
    seed=0,
    backend="serial",
    log_folder=folder,
).run()
print(sum(r.ok for r in runs), "of", len(runs), "runs finished")
""",
    """md:`Reader` reads the folder into a DataFrame: one row per run with the network and game settings
and the results.""",
    """
from spikey_meta.reader import Reader

reader = Reader(folder)
reader.df[["neuron.firing_threshold", "seed", "eval_accuracy", "train_accuracy"]]
""",
    """md:Group with pandas: mean and spread over the repeats of each setting.""",
    """
reader.df.groupby("neuron.firing_threshold")[["eval_accuracy", "train_accuracy"]].agg(["mean", "std"])
""",
    """md:The same table as `spikey series` and `spikey report` print it (`spikey_meta.summaries`):""",
    """
from spikey_meta import summaries
from spikey_meta.report import setting_table

table, keys = setting_table(reader)
print(summaries.format_table(table[[*keys, "n_runs", "eval_accuracy_mean", "eval_accuracy_std"]]))
""",
    """
from spikey_meta.viz.comparison import setting_comparison

setting_comparison(table, "eval_accuracy", keys)
""",
)

notebook(
    "07-evolve",
    """md:# Meta-analysis: a genetic search

`Population` evolves settings: each agent's genotype is a set of settings, its fitness a number from its
runs. `spikey evolve FILE` does the same from a TOML file and prints the per-epoch table below. Reduced
here to 4 agents over 3 epochs on short runs of Spikey 0.5's rate-coded XOR configuration.""",
    """
import tempfile
from pathlib import Path

from spikey_core import get_registry
from spikey_meta.metagames import EvolveNetwork
from spikey_meta.population import Population

spec = get_registry().get("experiment", "spikey05-rate-xor")().load_spec()
spec["network"]["processing_time"] = 30
spec["loop"].update(len_episode=20, eval_patterns=40, curve_every=0)
metagame = EvolveNetwork(
    spec,
    {
        "neuron.firing_threshold": [8.0, 12.0, 16.0, 20.0],
        "neuron.prob_rand_fire": {"low": 0.05, "high": 0.25},
    },
    fitness_getter="eval_accuracy",
    n_reruns=1,
)
folder = Path(tempfile.mkdtemp()) / "evolve"
result = Population(metagame, n_agents=4, n_epoch=3, seed=0, backend="serial", log_folder=folder).run()
print("best", result.best_fitness, result.best_genotype)
""",
    """
from spikey_meta import summaries

print(summaries.format_table(summaries.epoch_table(result.history)))
""",
    """md:Every agent's evaluation is logged; `Reader` reads them like any other runs.""",
    """
from spikey_meta.reader import Reader

reader = Reader(folder)
reader.df[["epoch", "agent", "fitness", "neuron.firing_threshold", "neuron.prob_rand_fire"]].head(8)
""",
)
